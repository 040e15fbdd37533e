"""Money under real parallelism (PostgreSQL): sends racing for the last dollar, the same
webhook delivered many times at once, refunds racing sends and each other.

Each test lets threads collide at a barrier and then checks what a contact or the finance
office would see: how many messages went out, what the wallet holds, how many refunds and
payouts there are, and that the ledger agrees with itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction

from homeward import builders as t
from homeward.core import clock
from homeward.core.errors import DomainError
from homeward.enforcement.models import EnforcementPolicy
from homeward.jobs import services as jobs
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.ledger import charges, payments, stamps
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Payment, Payout, Transaction, WebhookEvent
from homeward.ledger.providers import sandbox
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import StaffMembership
from homeward.roster.services import release_resident

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]
K = Account.Kind
PRICE = 150  # cents: one stamp, and the smallest deposit that buys exactly one message


def outcome(call: Any) -> str:
    """Run ``call``; say "ok" or the domain error's code (anything else is a real failure)."""
    try:
        call()
        return "ok"
    except DomainError as error:
        return error.code


def stamps_facility(code: str):
    return t.make_facility(code, prices={"model": "stamps", "stamp_cents": PRICE})


def deposit(contact, facility, cents: int) -> Payment:
    payment = t.pay_in(contact, facility, cents)
    assert payment.status == Payment.Status.SUCCEEDED
    return payment


def wallet_balance(contact, facility) -> int:
    return ledger.balance_of(kind=K.CONTACT_WALLET, contact=contact, facility=facility)


def charges_for(message: Message) -> int:
    return Transaction.objects.filter(message=message, kind="message_charge").count()


def refunds_for(message: Message) -> int:
    return Transaction.objects.filter(message=message, kind="message_refund").count()


def in_review(message: Message) -> Message:
    jobs.run_pending()  # screening: the facility reviews everything
    message.refresh_from_db()
    assert message.status == Message.Status.IN_REVIEW, message.status
    return message


# --- sends racing for the last dollar -----------------------------------------------------


def test_thirty_sends_at_once_with_money_for_one_send_one():
    facility = stamps_facility("pg-send-30")
    contact = t.make_contact("thirty@example.org")
    link = t.connect(contact, t.make_resident(facility))
    deposit(contact, facility, PRICE)

    def send(i: int) -> str:
        return outcome(
            lambda: (
                messaging.send_message(
                    sender=contact,
                    connection_id=link.pk,
                    body=f"Hello {i}",
                    client_token=f"tok-{i}",
                ).message
            )
        )

    outcomes = in_threads(30, send)
    assert sorted(outcomes) == ["insufficient_funds"] * 29 + ["ok"], outcomes
    message = Message.objects.get()
    assert charges_for(message) == 1
    assert Transaction.objects.filter(kind="message_charge").count() == 1
    assert wallet_balance(contact, facility) == 0
    assert ledger.problems() == []


def test_sends_to_different_residents_share_one_wallet_and_still_send_one():
    """The connection lock does not serialise these: only the wallet's balance check does."""
    facility = stamps_facility("pg-send-3x10")
    contact = t.make_contact("three@example.org")
    links = [t.connect(contact, t.make_resident(facility)) for _ in range(3)]
    deposit(contact, facility, PRICE)

    def send(i: int) -> str:
        return outcome(
            lambda: (
                messaging.send_message(
                    sender=contact, connection_id=links[i % 3].pk, body="Hi", client_token=f"t{i}"
                ).message
            )
        )

    outcomes = in_threads(30, send)
    assert sorted(outcomes) == ["insufficient_funds"] * 29 + ["ok"], outcomes
    assert Message.objects.count() == 1
    assert Transaction.objects.filter(kind="message_charge").count() == 1
    assert wallet_balance(contact, facility) == 0
    assert ledger.problems() == []


def test_one_form_submitted_twenty_times_at_once_sends_and_charges_once():
    facility = stamps_facility("pg-send-same-token")
    contact = t.make_contact("double@example.org")
    link = t.connect(contact, t.make_resident(facility))
    deposit(contact, facility, 5 * PRICE)

    sent = in_threads(
        20,
        lambda i: (
            messaging.send_message(
                sender=contact, connection_id=link.pk, body="Only once", client_token="same-form"
            ).message.pk
        ),
    )
    assert len(set(sent)) == 1 and isinstance(sent[0], int), sent
    assert Transaction.objects.filter(kind="message_charge").count() == 1
    assert wallet_balance(contact, facility) == 4 * PRICE
    assert ledger.problems() == []


def test_sends_racing_for_the_last_stamps_fall_back_to_the_wallet():
    facility = t.make_facility(
        "pg-stamp-race",
        prices={"model": "stamps", "stamp_cents": 40, "stamp_packs": [{"stamps": 2, "cents": 70}]},
    )
    contact = t.make_contact("stamps-race@example.org")
    links = [t.connect(contact, t.make_resident(facility)) for _ in range(6)]
    t.pay_in(contact, facility, 270)  # the pack, then 40 cents for each of five messages
    stamps.purchase_pack(contact=contact, facility=facility, pack=0, key="pack")[0]

    def send(i: int) -> str:
        return outcome(
            lambda: (
                messaging.send_message(
                    sender=contact, connection_id=links[i].pk, body="Hi", client_token=f"s{i}"
                ).message
            )
        )

    outcomes = in_threads(6, send)
    assert outcomes == ["ok"] * 6, outcomes  # two with the stamps, four with money
    assert stamps.stamps_of(contact, facility) == 0
    assert wallet_balance(contact, facility) == 200 - 4 * 40
    assert ledger.problems() == []


# --- the same webhook many times at once ---------------------------------------------------


def test_webhooks_delivered_many_times_at_once_credit_each_payment_once():
    facility = t.make_facility(
        "pg-webhooks", prices={"model": "stamps", "stamp_cents": 40, "deposit_fee_flat_cents": 95}
    )
    ana, ben = t.make_contact("ana-wh@example.org"), t.make_contact("ben-wh@example.org")

    def late(contact, cents: int) -> Payment:
        payment = payments.start(
            contact=contact,
            facility=facility,
            amount=cents,
            key=f"late-{contact.pk}-{cents}",
            card=sandbox.SUCCEEDS_LATE,
        ).payment
        assert payment.status == Payment.Status.PENDING
        return payment

    a, c, d = late(ana, 1000), late(ana, 2500), late(ana, 400)  # one wallet: contention
    b = late(ben, 700)
    events = (
        [("evt_a", "payment.succeeded", a)] * 5
        + [("evt_b", "payment.declined", b)] * 3
        + [("evt_c", "payment.succeeded", c)] * 3
        # A success and a decline for the same payment, in any order: the money arrived.
        + [("evt_d_ok", "payment.succeeded", d)] * 2
        + [("evt_d_no", "payment.declined", d)] * 2
    )

    def deliver(i: int) -> tuple[str, str]:
        event_id, type_, payment = events[i]
        body, headers = sandbox.webhook(
            event_id=event_id, type=type_, payment_ref=f"sbx_{payment.pk}"
        )
        return event_id, payments.handle_webhook(provider="sandbox", body=body, headers=headers)

    results = in_threads(len(events), deliver)
    assert all(isinstance(r, tuple) for r in results), results
    for event_id in {e for e, _, _ in events}:
        answers = sorted(answer for e, answer in results if e == event_id)
        assert answers.count("applied") == 1, (event_id, answers)
        assert set(answers) <= {"applied", "duplicate"}, (event_id, answers)
    assert WebhookEvent.objects.count() == 5
    assert WebhookEvent.objects.values("event_id").distinct().count() == 5

    statuses = {p.pk: p.status for p in Payment.objects.all()}
    assert statuses == {a.pk: "succeeded", b.pk: "declined", c.pk: "succeeded", d.pk: "succeeded"}
    for payment, credits in ((a, 1), (b, 0), (c, 1), (d, 1)):
        assert payment.ledger_transactions.filter(kind="deposit").count() == credits, payment
    assert wallet_balance(ana, facility) == 1000 + 2500 + 400
    assert wallet_balance(ben, facility) == 0
    assert ledger.balance_of(kind=K.PLATFORM_REVENUE, facility=facility) == 3 * 95
    assert ledger.balance_of(kind=K.PAYMENT_CLEARING) == -(1000 + 2500 + 400 + 3 * 95)
    assert ledger.problems() == []


# --- refunds racing sends, and each other ----------------------------------------------------


def test_a_block_racing_a_send_that_needs_the_refund_never_overdraws_or_double_refunds():
    facility = stamps_facility("pg-block-vs-send")
    contact = t.make_contact("racer@example.org")
    link = t.connect(contact, t.make_resident(facility))
    reviewer = t.make_staff("pg-racer-rev", role=StaffMembership.Role.REVIEWER, facility=facility)
    # Ten blocks in a row: the facility never suspends for them, so the money is all that races.
    now = clock.now()
    EnforcementPolicy.objects.create(
        facility=facility,
        effective_from=now,
        created_at=now,
        violations_to_suspend=0,
        suspend_at_once=[],
        revoke_at_once=[],
    )
    deposit(contact, facility, PRICE)
    waiting = in_review(
        messaging.send_message(sender=contact, connection_id=link.pk, body="one").message
    )
    for round_ in range(10):
        assert wallet_balance(contact, facility) == 0  # all of it is in the waiting message

        def race(i: int, round_: int = round_, waiting: Message = waiting) -> str:
            if i == 0:
                return outcome(
                    lambda: messaging.block(
                        message_id=waiting.pk, actor=reviewer, category="threats"
                    )
                )
            return outcome(
                lambda: (
                    messaging.send_message(
                        sender=contact, connection_id=link.pk, body="two", client_token=f"r{round_}"
                    ).message
                )
            )

        blocked, sent = in_threads(2, race)
        assert blocked == "ok"
        assert sent in ("ok", "insufficient_funds")  # before or after the refund: both fine
        assert refunds_for(waiting) == 1
        new = Message.objects.filter(client_token=f"r{round_}").first()
        if sent == "ok":
            assert charges_for(new) == 1
            assert wallet_balance(contact, facility) == 0
            waiting = in_review(new)
        else:
            assert new is None
            assert wallet_balance(contact, facility) == PRICE
            waiting = in_review(
                messaging.send_message(sender=contact, connection_id=link.pk, body="again").message
            )
        assert ledger.problems() == []
    # Every block refunded once; one charge per message ever sent.
    assert Transaction.objects.filter(kind="message_refund").count() == 10
    assert Transaction.objects.filter(kind="message_charge").count() == Message.objects.count()


def test_ten_refunds_and_blocks_at_once_refund_the_message_once():
    facility = stamps_facility("pg-ten-refunds")
    contact = t.make_contact("tenrefunds@example.org")
    link = t.connect(contact, t.make_resident(facility))
    reviewer = t.make_staff("pg-ten-rev", role=StaffMembership.Role.REVIEWER, facility=facility)
    deposit(contact, facility, 2 * PRICE)
    message = in_review(
        messaging.send_message(sender=contact, connection_id=link.pk, body="x").message
    )
    assert wallet_balance(contact, facility) == PRICE

    def refund(i: int) -> str:
        if i % 2:
            return outcome(
                lambda: messaging.block(message_id=message.pk, actor=reviewer, category="threats")
            )

        def directly() -> None:
            # As every caller does (block, deliver, release): hold the message, then refund.
            with transaction.atomic():
                Message.objects.select_for_update().get(pk=message.pk)
                charges.refund_message(message=message, reason="parallel refund")

        return outcome(directly)

    outcomes = in_threads(10, refund)
    blocks = [outcomes[i] for i in range(1, 10, 2)]
    assert sorted(blocks) == ["illegal_transition"] * 4 + ["ok"], outcomes
    assert [outcomes[i] for i in range(0, 10, 2)] == ["ok"] * 5, outcomes
    assert refunds_for(message) == 1
    assert wallet_balance(contact, facility) == 2 * PRICE
    assert ledger.balance_of(kind=K.PLATFORM_REVENUE, facility=facility) == 0
    assert ledger.problems() == []


def test_a_block_racing_the_residents_release_refunds_once_and_pays_out_once():
    facility = stamps_facility("pg-block-vs-release")
    contact = t.make_contact("release-race@example.org")
    resident = t.make_resident(facility)
    link = t.connect(contact, resident)
    reviewer = t.make_staff("pg-rel-rev", role=StaffMembership.Role.REVIEWER, facility=facility)
    admin = t.make_staff(
        "pg-rel-admin", role=StaffMembership.Role.FACILITY_ADMIN, facility=facility
    )
    payment = deposit(contact, facility, 2 * PRICE)
    message = in_review(
        messaging.send_message(sender=contact, connection_id=link.pk, body="x").message
    )

    def race(i: int) -> str:
        if i == 0:
            return outcome(lambda: release_resident(staff=admin, resident_id=resident.pk))
        return outcome(
            lambda: messaging.block(message_id=message.pk, actor=reviewer, category="threats")
        )

    released, blocked = in_threads(2, race)
    assert released == "ok"
    assert blocked in ("ok", "illegal_transition")  # after the release it is already returned
    message.refresh_from_db()
    assert message.status == ("blocked" if blocked == "ok" else "returned")
    assert refunds_for(message) == 1
    # Everything went back to the card, once: nobody is left to write to there.
    assert wallet_balance(contact, facility) == 0
    payment.refresh_from_db()
    assert payment.refunded_cents == 2 * PRICE
    assert sum(Payout.objects.values_list("amount_cents", flat=True)) == 2 * PRICE
    assert ledger.problems() == []


def test_refunds_to_the_card_racing_sends_never_pay_out_money_that_was_spent():
    facility = stamps_facility("pg-refund-vs-send")
    contact = t.make_contact("tabs@example.org")
    link = t.connect(contact, t.make_resident(facility))
    deposit(contact, facility, 3 * PRICE)
    deposit(contact, facility, 2 * PRICE)

    def race(i: int) -> str:
        if i % 2:
            return outcome(
                lambda: (
                    messaging.send_message(
                        sender=contact, connection_id=link.pk, body="hi", client_token=f"s{i}"
                    ).message
                )
            )
        paid = payments.refund_wallet(
            contact=contact, facility=facility, reason="closing my wallet", key=f"refund-tab-{i}"
        )[0]
        return f"refunded {sum(p.amount_cents for p in paid)}"

    outcomes = in_threads(10, race)
    sent = outcomes.count("ok")
    refunded = [o for o in outcomes if o.startswith("refunded ") and o != "refunded 0"]
    assert len(refunded) <= 1, outcomes  # one tab empties the wallet; the others find it empty
    assert wallet_balance(contact, facility) == 0 or not refunded
    payouts = sum(Payout.objects.values_list("amount_cents", flat=True))
    assert payouts + sent * PRICE + wallet_balance(contact, facility) == 5 * PRICE, outcomes
    assert Transaction.objects.filter(kind="message_charge").count() == sent
    assert sum(Payment.objects.values_list("refunded_cents", flat=True)) == payouts
    # The card company is paid each payout once, even with two workers.
    with clock.frozen_at(clock.now() + dt.timedelta(seconds=1)):
        in_threads(2, lambda i: jobs.run_pending(f"w{i}"))
    assert Payout.objects.exclude(status="sent").count() == 0
    assert Transaction.objects.filter(kind="payout_sent").count() == Payout.objects.count()
    assert ledger.balance_of(kind=K.REFUNDS_PAYABLE) == 0
    assert ledger.problems() == []


def test_a_release_racing_a_first_prepaid_send_finishes_both_and_refunds_the_message():
    facility = t.make_facility(
        "pg-release-vs-prepaid",
        prices={"model": "stamps", "stamp_cents": 100, "payer": "sender_prepays_reply"},
    )
    admin = t.make_staff(
        "pg-prep-admin", role=StaffMembership.Role.FACILITY_ADMIN, facility=facility
    )
    contact = t.make_contact("prepaid-race@example.org")
    t.connect(contact, t.make_resident(facility))  # someone else to write to: the wallet stays
    outcomes = []
    for round_ in range(8):
        resident = t.make_resident(facility)
        link = t.connect(contact, resident)
        deposit(contact, facility, 200)  # the message and its prepaid reply

        def race(i: int, resident=resident, link=link) -> str:
            if i == 0:
                return outcome(lambda: release_resident(staff=admin, resident_id=resident.pk))
            return outcome(
                lambda: (
                    messaging.send_message(
                        sender=contact, connection_id=link.pk, body="hi", prepaid_reply=True
                    ).message
                )
            )

        released, sent = in_threads(2, race)
        outcomes.append((released, sent))
        assert released == "ok", outcomes
        assert sent in ("ok", "resident_released"), outcomes
        for message in Message.objects.filter(connection=link):
            assert message.status == "returned" and refunds_for(message) == 1
        assert ledger.balance_of(kind=K.REPLY_CREDIT, contact=contact, resident=resident) == 0
        assert wallet_balance(contact, facility) == 200 * (round_ + 1)  # all of it came back
    assert ledger.problems() == []
