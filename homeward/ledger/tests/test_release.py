"""Releasing a resident settles every account they touch: messages on their way are returned
and refunded, unused prepaid replies go back to the wallet, the trust account is paid out,
and a contact left with no one to write to at the facility gets the wallet back on the
cards it came from (newest payment first, no fee). Only the facility's admins may do it."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward import builders as t
from homeward.core import clock
from homeward.core.errors import Conflict, NotFound
from homeward.jobs.models import Job
from homeward.ledger import payments
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Payment, Payout, Transaction
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import Resident, StaffMembership
from homeward.review import intake
from homeward.roster.services import release_resident

K = Account.Kind
T = Transaction.Kind
CARD = "4242 4242 4242 4242"


def deposit(world, amount, key, *, contact=None, at=None, **kw) -> Payment:
    with clock.frozen_at(at or clock.now()):
        payment = payments.start(
            contact=contact or world.contact_a,
            facility=world.facility_1,
            amount=amount,
            key=key,
            card=CARD,
            **kw,
        ).payment
    assert payment.status == Payment.Status.SUCCEEDED
    return payment


def send(world, body="Hello Maria", **kw) -> Message:
    return messaging.send_message(
        sender=world.contact_a, connection_id=world.connection.pk, body=body, **kw
    ).message


def wallet(world, contact=None) -> int:
    contact = contact or world.contact_a
    return ledger.balance_of(kind=K.CONTACT_WALLET, contact=contact, facility=world.facility_1)


@pytest.fixture
def scene(world):
    """Ana paid in $10 and then $20 (a $1 fee each), sent Maria a message with a prepaid
    reply (80 cents, delivered) and another (40 cents, still waiting for review), and put
    $15 in Maria's trust account."""
    t.set_prices(
        world.facility_1,
        model="stamps",
        stamp_cents=40,
        payer="sender_prepays_reply",
        deposit_fee_flat_cents=100,
    )
    world.connection = world.contact_a.connections.get()
    earlier = clock.now() - dt.timedelta(hours=2)
    world.older = deposit(world, 1000, "older", at=earlier)
    world.newer = deposit(world, 2000, "newer", at=earlier + dt.timedelta(hours=1))
    world.delivered = send(world, "With a reply", prepaid_reply=True)
    intake.screen_and_route(message_id=world.delivered.pk)
    messaging.approve(message_id=world.delivered.pk, actor=world.reviewer_1)
    messaging.deliver(message_id=world.delivered.pk)
    world.waiting = send(world, "Still on its way")
    deposit(world, 1500, "trust", connection_id=world.connection.pk)
    assert wallet(world) == 3000 - 80 - 40
    assert ledger.balance_of(kind=K.REPLY_CREDIT, contact=world.contact_a) == 40
    assert ledger.balance_of(kind=K.TRUST, resident=world.resident) == 1500
    return world


def everything() -> tuple:
    """What a refused release must leave alone."""
    return (
        list(Resident.objects.values_list("id", "status").order_by("id")),
        list(Message.objects.values_list("id", "status").order_by("id")),
        list(Account.objects.values_list("id", "balance").order_by("id")),
        Transaction.objects.count(),
        Payout.objects.count(),
        Job.objects.filter(kind="send_payout").count(),
    )


def test_messages_on_their_way_are_returned_and_refunded(scene):
    release_resident(staff=scene.facility_admin, resident_id=scene.resident.pk)
    waiting = Message.objects.get(pk=scene.waiting.pk)
    assert waiting.status == Message.Status.RETURNED
    assert waiting.return_reason == "resident released"
    refund = Transaction.objects.get(kind=T.MESSAGE_REFUND)
    assert refund.message_id == waiting.pk
    assert Message.objects.get(pk=scene.delivered.pk).status == Message.Status.DELIVERED
    # Three $1 deposit fees and the delivered message; the returned one earned nothing.
    assert ledger.balance_of(kind=K.PLATFORM_REVENUE, facility=scene.facility_1) == 300 + 40


def test_unused_prepaid_replies_go_back_to_the_wallet(scene):
    release_resident(staff=scene.facility_admin, resident_id=scene.resident.pk)
    assert ledger.balance_of(kind=K.REPLY_CREDIT, contact=scene.contact_a) == 0
    returned = Transaction.objects.get(kind=T.RELEASE, contact=scene.contact_a)
    assert returned.memo == "Unused prepaid replies returned at release"
    wallet_posting = returned.postings.get(account__kind=K.CONTACT_WALLET)
    assert wallet_posting.amount == 40


def test_the_trust_account_is_paid_out(scene):
    release_resident(staff=scene.facility_admin, resident_id=scene.resident.pk)
    assert ledger.balance_of(kind=K.TRUST, resident=scene.resident) == 0
    payout = Transaction.objects.get(kind=T.RELEASE, contact=None)
    assert payout.postings.get(account__kind=K.TRUST).amount == -1500
    assert payout.memo.startswith("Trust account paid to Maria Lopez at release")
    assert payout.facility == scene.facility_1


def test_the_wallet_goes_back_to_the_cards_newest_payment_first(scene):
    release_resident(staff=scene.facility_admin, resident_id=scene.resident.pk)
    owed = 3000 - 40  # all but the delivered message: its unused reply came back too
    assert wallet(scene) == 0
    assert ledger.balance_of(kind=K.REFUNDS_PAYABLE) == owed
    payouts = {p.payment_id: p for p in Payout.objects.all()}
    assert payouts[scene.newer.pk].amount_cents == 2000
    assert payouts[scene.older.pk].amount_cents == owed - 2000
    assert {p.status for p in payouts.values()} == {Payout.Status.PENDING}
    assert {p.reason for p in payouts.values()} == {"Maria was released"}
    refunded = dict(Payment.objects.values_list("id", "refunded_cents"))
    assert refunded[scene.newer.pk] == 2000 and refunded[scene.older.pk] == owed - 2000
    assert Transaction.objects.get(kind=T.PAYOUT).contact == scene.contact_a


def test_the_payout_jobs_send_each_refund_once(scene, run_jobs):
    release_resident(staff=scene.facility_admin, resident_id=scene.resident.pk)
    run_jobs()
    run_jobs()
    assert set(Payout.objects.values_list("status", flat=True)) == {Payout.Status.SENT}
    assert all(p.provider_ref == f"sbx_refund_{p.pk}" for p in Payout.objects.all())
    assert Transaction.objects.filter(kind=T.PAYOUT_SENT).count() == 2
    assert ledger.balance_of(kind=K.REFUNDS_PAYABLE) == 0
    # Card money in, less what went back to cards or to Maria, is what the facility earned.
    assert ledger.balance_of(kind=K.PAYMENT_CLEARING) == -ledger.balance_of(
        kind=K.PLATFORM_REVENUE, facility=scene.facility_1
    )
    assert set(Job.objects.filter(kind="send_payout").values_list("status", flat=True)) == {
        Job.Status.DONE
    }


def test_a_contact_still_writing_to_someone_here_keeps_the_wallet(scene):
    cellmate = t.make_resident(scene.facility_1, "NY1002", first_name="Rosa")
    t.connect(scene.contact_a, cellmate)
    release_resident(staff=scene.facility_admin, resident_id=scene.resident.pk)
    assert wallet(scene) == 3000 - 40  # the refund and the reply came back; nothing paid out
    assert not Payout.objects.exists()
    assert not Transaction.objects.filter(kind=T.PAYOUT).exists()


def test_a_contact_writing_only_to_someone_elsewhere_gets_this_wallet_back(scene):
    t.connect(scene.contact_a, scene.resident_2)  # at another facility, with its own wallet
    release_resident(staff=scene.facility_admin, resident_id=scene.resident.pk)
    assert wallet(scene) == 0
    assert Payout.objects.count() == 2


def test_every_contact_of_the_resident_is_settled(scene):
    t.connect(scene.contact_b, scene.resident)
    deposit(scene, 500, "ben", contact=scene.contact_b)
    release_resident(staff=scene.facility_admin, resident_id=scene.resident.pk)
    assert wallet(scene, scene.contact_b) == 0
    assert Payout.objects.get(payment__contact=scene.contact_b).amount_cents == 500


def test_an_agency_admin_may_release(scene):
    agency_admin = t.make_user("agency-admin")
    StaffMembership.objects.create(
        user=agency_admin, agency=scene.facility_1.agency, role=StaffMembership.Role.AGENCY_ADMIN
    )
    release_resident(staff=agency_admin, resident_id=scene.resident.pk)
    assert Resident.objects.get(pk=scene.resident.pk).status == Resident.Status.RELEASED


@pytest.mark.parametrize("who", ["reviewer_1", "investigator", "other_admin", "contact"])
def test_anyone_but_this_facilitys_admins_is_told_not_found_and_nothing_changes(scene, who):
    staff = {
        "reviewer_1": scene.reviewer_1,
        "investigator": scene.investigator,
        "other_admin": t.make_staff(
            "admin2", role=StaffMembership.Role.FACILITY_ADMIN, facility=scene.facility_2
        ),
        "contact": scene.contact_a.user,
    }[who]
    before = everything()
    with pytest.raises(NotFound):
        release_resident(staff=staff, resident_id=scene.resident.pk)
    assert everything() == before


def test_an_unknown_resident_is_not_found(scene):
    with pytest.raises(NotFound):
        release_resident(staff=scene.facility_admin, resident_id=999_999)


def test_releasing_twice_is_refused_and_changes_nothing(scene):
    release_resident(staff=scene.facility_admin, resident_id=scene.resident.pk)
    before = everything()
    with pytest.raises(Conflict) as err:
        release_resident(staff=scene.facility_admin, resident_id=scene.resident.pk)
    assert err.value.code == "already_released"
    assert everything() == before
