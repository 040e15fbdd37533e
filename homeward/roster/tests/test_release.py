"""Releasing a resident (roster/services.py), from the roster's side: the summary the
admin sees, every message on its way in either direction returned, nothing more written on
the resident's connections, money settled once, and the operator's ledger check passing.

(The money's path to each account and card is proved in ledger/tests/test_release.py.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command
from django.db import connection as db

from homeward import builders as t
from homeward.connections import services as connections
from homeward.connections.models import Connection
from homeward.core.errors import Conflict, DomainError
from homeward.core.models import AuditEvent
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.ledger import charges
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Payout, Transaction
from homeward.messaging import archive_codes
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import Resident, StaffMembership
from homeward.review import services as review
from homeward.review.intake import screen_and_route
from homeward.review.models import ReviewTask
from homeward.roster.services import Release, release_resident

if TYPE_CHECKING:
    from homeward.personas import World

S = Message.Status
K = Account.Kind
T = Transaction.Kind


def ledger_check() -> str:
    out = StringIO()
    call_command("ledger_check", stdout=out)
    return out.getvalue()


def trust(resident: Resident) -> int:
    return ledger.balance_of(kind=K.TRUST, resident=resident)


@dataclass
class Busy:
    """Greenhaven sells 40¢ stamps, paid by whoever writes. Ana put $5 in her wallet and $3
    in Maria's trust account. On its way to Maria: one message submitted, one waiting for
    review, one approved. Maria's reply to Ana is submitted (paid from her trust account).
    Already done: one message delivered, one blocked."""

    world: World
    connection: Connection
    submitted: Message
    in_review: Message
    approved: Message
    delivered: Message
    blocked: Message
    reply: Message


@pytest.fixture
def busy(world: World) -> Busy:
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40, chars_per_stamp=2000)
    link = Connection.objects.get(contact=world.contact_a, resident=world.resident)
    t.pay_in(world.contact_a, world.facility_1, 500)
    t.pay_in(world.contact_a, world.facility_1, 300, connection=link)

    def to_maria(body: str, *, decision: str = "", reason_code: str = "") -> Message:
        message = messaging.send_message(
            sender=world.contact_a, connection_id=link.pk, body=body
        ).message
        if decision:
            screen_and_route(message_id=message.pk)
            task = ReviewTask.objects.get(message=message)
            review.claim(staff=world.reviewer_1, task_id=task.pk)
            review.decide(
                staff=world.reviewer_1,
                task_id=task.pk,
                decision=decision,
                reason_code=reason_code,
            )
        return message

    submitted = to_maria("Submitted")
    in_review = to_maria("Waiting for review")
    screen_and_route(message_id=in_review.pk)
    approved = to_maria("Approved", decision="approve")
    delivered = to_maria("Delivered", decision="approve")
    messaging.deliver(message_id=delivered.pk)
    blocked = to_maria("Blocked", decision="block", reason_code="gang")
    reply = messaging.send_message(
        sender=world.resident, connection_id=link.pk, body="Reply from Maria"
    ).message
    assert trust(world.resident) == 300 - 40
    wallet = charges.wallet(world.contact_a, world.facility_1)
    assert Account.objects.get(pk=wallet.pk).balance == 500 - 4 * 40  # the block came back
    return Busy(world, link, submitted, in_review, approved, delivered, blocked, reply)


def status_of(message: Message) -> str:
    return Message.objects.get(pk=message.pk).status


def test_the_admin_is_told_what_the_release_settled(busy: Busy) -> None:
    done = release_resident(staff=busy.world.facility_admin, resident_id=busy.world.resident.pk)
    assert done == Release(
        resident=done.resident,
        messages_returned=4,
        trust_paid_out=300,  # her returned reply's stamp came back before the payout
        refunded_to_cards=500 - 40,  # Ana writes to no one else here; the delivered one cost 40¢
        contacts_refunded=1,
        archive=done.archive,  # a new random code, checked below
    )
    assert done.resident.pk == busy.world.resident.pk
    # The release gives her a code to her archive, good for ARCHIVE_CODE_DAYS.
    code = archive_codes.redeem(
        facility_code="greenhaven", number="NY1001", code=done.archive.code, address=None
    )
    assert code.resident_id == busy.world.resident.pk
    assert done.archive.expires_at == code.expires_at and not done.archive.emailed_to
    assert Resident.objects.get(pk=busy.world.resident.pk).status == Resident.Status.RELEASED
    event = AuditEvent.objects.get(action="resident.released")
    assert event.actor_user == busy.world.facility_admin
    assert event.object_id == str(busy.world.resident.pk)


def test_every_message_on_its_way_is_returned_in_either_direction(
    busy: Busy, run_jobs: Callable[[], int]
) -> None:
    release_resident(staff=busy.world.facility_admin, resident_id=busy.world.resident.pk)
    run_jobs()  # the queued screening and delivery jobs find nothing left to do
    for message in (busy.submitted, busy.in_review, busy.approved, busy.reply):
        returned = Message.objects.get(pk=message.pk)
        assert returned.status == S.RETURNED
        assert returned.return_reason == "resident released"
        assert Transaction.objects.filter(kind=T.MESSAGE_REFUND, message=message).count() == 1
    assert status_of(busy.delivered) == S.DELIVERED
    assert status_of(busy.blocked) == S.BLOCKED
    assert ReviewTask.objects.get(message=busy.in_review).status == ReviewTask.Status.CANCELLED
    assert trust(busy.world.resident) == 0
    assert "Ledger is sound" in ledger_check()


def test_after_release_nobody_writes_on_the_residents_connections(busy: Busy) -> None:
    before = busy.connection.status
    release_resident(staff=busy.world.facility_admin, resident_id=busy.world.resident.pk)
    messages = Message.objects.count()
    for sender in (busy.world.contact_a, busy.world.resident):
        with pytest.raises(DomainError) as err:
            messaging.send_message(sender=sender, connection_id=busy.connection.pk, body="Hi")
        assert err.value.code == "resident_released"
    assert Message.objects.count() == messages
    # The connection keeps its status and history; the release is what closes it.
    assert Connection.objects.get(pk=busy.connection.pk).status == before
    with pytest.raises(DomainError) as err:
        connections.request_connection(
            contact=busy.world.contact_b,
            facility=busy.world.facility_1,
            number=busy.world.resident.number,
        )
    assert err.value.code == "resident_released"


def test_a_request_waiting_for_the_resident_cannot_be_accepted_after_release(
    world: World,
) -> None:
    connections.request_connection(
        contact=world.contact_b, facility=world.facility_1, number=world.resident.number
    )
    asked = Connection.objects.get(contact=world.contact_b, resident=world.resident)
    release_resident(staff=world.facility_admin, resident_id=world.resident.pk)
    world.resident.refresh_from_db()  # as the kiosk loads the resident for each request
    with pytest.raises(Conflict) as err:
        connections.respond_to_request(resident=world.resident, connection_id=asked.pk, accept=True)
    assert err.value.code == "resident_released"
    assert Connection.objects.get(pk=asked.pk).status == Connection.Status.REQUESTED


def test_at_a_free_facility_with_no_money_nothing_is_posted(world: World) -> None:
    link = world.contact_a.connections.get()
    messaging.send_message(sender=world.contact_a, connection_id=link.pk, body="Hi")
    done = release_resident(staff=world.facility_admin, resident_id=world.resident.pk)
    assert (done.messages_returned, done.trust_paid_out) == (1, 0)
    assert (done.refunded_to_cards, done.contacts_refunded) == (0, 0)
    assert Message.objects.get().status == S.RETURNED
    assert not Transaction.objects.exists()  # a free message cost nobody anything
    assert not Payout.objects.exists()
    assert "Ledger is sound" in ledger_check()


def test_releasing_twice_settles_once(busy: Busy) -> None:
    release_resident(staff=busy.world.facility_admin, resident_id=busy.world.resident.pk)
    settled = (Transaction.objects.count(), Payout.objects.count())
    with pytest.raises(Conflict) as err:
        release_resident(staff=busy.world.facility_admin, resident_id=busy.world.resident.pk)
    assert err.value.code == "already_released"
    assert (Transaction.objects.count(), Payout.objects.count()) == settled
    assert AuditEvent.objects.filter(action="resident.released").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(db.vendor != "postgresql", reason="needs PostgreSQL's row locks")
def test_two_admins_releasing_at_once_settle_once() -> None:
    facility = t.make_facility("pg-release-twice", prices={"model": "stamps", "stamp_cents": 40})
    contact = t.make_contact("release-twice@example.org")
    resident = t.make_resident(facility)
    link = t.connect(contact, resident)
    t.pay_in(contact, facility, 500)
    t.pay_in(contact, facility, 300, connection=link)
    messaging.send_message(sender=contact, connection_id=link.pk, body="On its way")
    admins = [
        t.make_staff(f"pg-admin-{n}", role=StaffMembership.Role.FACILITY_ADMIN, facility=facility)
        for n in range(2)
    ]

    def release(index: int) -> str:
        try:
            release_resident(staff=admins[index], resident_id=resident.pk)
            return "ok"
        except DomainError as error:
            return error.code

    assert sorted(in_threads(2, release)) == ["already_released", "ok"]
    assert Transaction.objects.filter(kind=T.MESSAGE_REFUND).count() == 1
    assert Transaction.objects.filter(kind=T.RELEASE).count() == 1  # the trust payout
    assert sum(Payout.objects.values_list("amount_cents", flat=True)) == 500
    assert trust(resident) == 0
    assert "Ledger is sound" in ledger_check()


def test_a_resident_with_an_unanswered_invitation_can_be_released(world: World) -> None:
    world.facility_1.policy.connection_policy = "resident_invites"
    world.facility_1.policy.save()
    connections.invite_contact(resident=world.resident, email="not-signed-up@example.org")
    done = release_resident(staff=world.facility_admin, resident_id=world.resident.pk)
    assert done.contacts_refunded == 0
    assert Resident.objects.get(pk=world.resident.pk).status == Resident.Status.RELEASED
