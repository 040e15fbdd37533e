"""Sending charges in the same transaction as the submit; blocked and returned messages are
refunded; replies are paid as the schedule says; free facilities record their cost."""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.core.errors import DomainError
from homeward.ledger import charges
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Transaction
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.review import intake

K = Account.Kind


def deposit(account: Account, cents: int, key: str = "") -> None:
    clearing = ledger.account_for(kind=K.PAYMENT_CLEARING)
    key = key or f"test-deposit-{account.pk}-{Transaction.objects.count()}"
    ledger.post(key=key, kind="deposit", postings=[(clearing, -cents), (account, cents)])


def balance(account: Account) -> int:
    return Account.objects.get(pk=account.pk).balance


@pytest.fixture
def stamps(stamps):
    stamps.wallet = charges.wallet(stamps.contact_a, stamps.facility_1)
    return stamps


def send(world, body="Hello Maria", **kw):
    return messaging.send_message(
        sender=world.contact_a, connection_id=world.connection.pk, body=body, **kw
    ).message


def test_sending_charges_the_wallet_in_the_same_transaction(stamps):
    deposit(stamps.wallet, 100)
    message = send(stamps, body="x" * 2001)  # two stamps
    assert balance(stamps.wallet) == 20
    charge = Transaction.objects.get(message=message)
    assert charge.kind == "message_charge" and charge.contact == stamps.contact_a
    assert balance(charges.revenue(stamps.facility_1)) == 80


def test_without_the_money_nothing_is_sent_and_nothing_is_charged(stamps):
    deposit(stamps.wallet, 30)
    with pytest.raises(DomainError) as err:
        send(stamps)
    assert err.value.code == "insufficient_funds"
    assert "$0.40" in err.value.message
    assert not Message.objects.exists()
    assert balance(stamps.wallet) == 30
    assert not Transaction.objects.filter(kind="message_charge").exists()


def test_a_repeated_form_sends_and_charges_once(stamps):
    deposit(stamps.wallet, 100)
    first = send(stamps, client_token="a" * 32)
    again = send(stamps, client_token="a" * 32)
    assert first == again
    assert balance(stamps.wallet) == 60


def test_a_blocked_message_is_refunded_to_the_wallet(stamps):
    deposit(stamps.wallet, 40)
    message = send(stamps)
    intake.screen_and_route(message_id=message.pk)
    messaging.block(message_id=message.pk, actor=stamps.reviewer_1, category="threats")
    assert balance(stamps.wallet) == 40
    assert balance(charges.revenue(stamps.facility_1)) == 0
    refund = Transaction.objects.get(kind="message_refund")
    assert refund.message == message and "not delivered" in refund.memo
    # A second refund for the same message changes nothing.
    charges.refund_message(message=message, reason="again")
    assert balance(stamps.wallet) == 40


def test_no_refund_on_block_when_the_facility_says_so(stamps):
    stamps.facility_1.policy.refund_on_block = False
    stamps.facility_1.policy.save()
    deposit(stamps.wallet, 40)
    message = send(stamps)
    intake.screen_and_route(message_id=message.pk)
    messaging.block(message_id=message.pk, actor=stamps.reviewer_1, category="threats")
    assert balance(stamps.wallet) == 0


def test_a_returned_message_is_always_refunded(stamps):
    stamps.facility_1.policy.refund_on_block = False
    stamps.facility_1.policy.save()
    deposit(stamps.wallet, 40)
    message = send(stamps)
    intake.screen_and_route(message_id=message.pk)
    messaging.approve(message_id=message.pk, actor=stamps.reviewer_1)
    stamps.connection.resident.status = "released"
    stamps.connection.resident.save()
    messaging.deliver(message_id=message.pk)
    assert Message.objects.get(pk=message.pk).status == "returned"
    assert balance(stamps.wallet) == 40


def test_a_free_facility_records_the_cost_against_agency_funding(world):
    t.set_prices(world.facility_1, model="free", per_message_cents=12)
    connection = world.contact_a.connections.get()
    messaging.send_message(sender=world.contact_a, connection_id=connection.pk, body="Hi")
    funding = charges.agency_funding(world.facility_1)
    assert balance(funding) == -12
    assert balance(charges.revenue(world.facility_1)) == 12
    assert ledger.balance_of(kind=K.CONTACT_WALLET, contact=world.contact_a) == 0


def test_a_prepaid_reply_pays_for_the_residents_reply(world):
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40, payer="sender_prepays_reply")
    connection = world.contact_a.connections.get()
    wallet = charges.wallet(world.contact_a, world.facility_1)
    deposit(wallet, 80)
    messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="Hi", prepaid_reply=True
    )
    assert balance(wallet) == 0
    credit = charges.reply_credit(connection)
    assert balance(credit) == 40
    # The resident has nothing in trust, and the prepaid reply pays.
    messaging.send_message(sender=world.resident, connection_id=connection.pk, body="Thanks")
    assert balance(credit) == 0
    # The next reply has no prepaid reply and no trust money: refused, nothing sent.
    with pytest.raises(DomainError) as err:
        messaging.send_message(sender=world.resident, connection_id=connection.pk, body="More")
    assert err.value.code == "insufficient_funds"
    assert connection.messages.count() == 2


def test_prepaid_replies_are_refused_where_not_offered(stamps):
    deposit(stamps.wallet, 100)
    with pytest.raises(DomainError) as err:
        send(stamps, prepaid_reply=True)
    assert err.value.code == "prepaid_reply_not_offered"
    assert balance(stamps.wallet) == 100


def test_collect_messages_are_paid_by_the_recipient(world):
    t.set_prices(world.facility_1, model="per_message", per_message_cents=25, payer="recipient")
    connection = world.contact_a.connections.get()
    deposit(charges.trust(world.resident), 25)
    messaging.send_message(sender=world.contact_a, connection_id=connection.pk, body="Hi")
    assert balance(charges.trust(world.resident)) == 0
    deposit(charges.wallet(world.contact_a, world.facility_1), 25)
    messaging.send_message(sender=world.resident, connection_id=connection.pk, body="Hi back")
    assert ledger.balance_of(kind=K.CONTACT_WALLET, contact=world.contact_a) == 0


def test_the_preview_shows_price_and_balance_after(stamps):
    from homeward.core import clock

    deposit(stamps.wallet, 100)
    shown = charges.preview(
        connection=stamps.connection, to_resident=True, characters=4001, at=clock.now()
    )
    assert shown.price.lines == [("3 stamps for the text", 120)]
    assert (shown.balance, shown.balance_after, shown.affordable) == (100, -20, False)


def test_a_message_is_priced_by_the_schedule_when_submitted(stamps):
    import datetime as dt

    from homeward.core import clock

    deposit(stamps.wallet, 100)
    t.set_prices(
        stamps.facility_1, stamp_cents=10, effective_from=clock.now() + dt.timedelta(days=1)
    )
    send(stamps)
    assert balance(stamps.wallet) == 60  # today's 40 cents, not tomorrow's 10


def test_a_legal_cap_below_a_prepaid_reply_sets_aside_only_what_was_paid(world):
    t.set_prices(
        world.facility_1,
        model="per_message",
        per_message_cents=40,
        message_cap_cents=30,
        payer="sender_prepays_reply",
    )
    connection = world.contact_a.connections.get()
    wallet = charges.wallet(world.contact_a, world.facility_1)
    deposit(wallet, 100)
    messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="Hi", prepaid_reply=True
    )
    assert balance(wallet) == 70  # the cap: 30 cents for the message and its reply
    assert balance(charges.reply_credit(connection)) == 30
    assert balance(charges.revenue(world.facility_1)) == 0  # never negative


def test_blocking_a_message_whose_whole_price_was_its_used_reply_refunds_nothing(world):
    t.set_prices(
        world.facility_1,
        model="per_message",
        per_message_cents=40,
        message_cap_cents=40,
        payer="sender_prepays_reply",
    )
    connection = world.contact_a.connections.get()
    wallet = charges.wallet(world.contact_a, world.facility_1)
    deposit(wallet, 40)
    message = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="Hi", prepaid_reply=True
    ).message
    messaging.send_message(sender=world.resident, connection_id=connection.pk, body="Hello")
    intake.screen_and_route(message_id=message.pk)
    messaging.block(message_id=message.pk, actor=world.reviewer_1, category="threats")
    assert balance(wallet) == 0  # the reply it paid for was sent
    assert Message.objects.get(pk=message.pk).status == "blocked"
