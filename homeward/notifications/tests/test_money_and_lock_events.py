"""The money and sign-in emails a contact gets, through a real SMTP server: a receipt for each
payment, a refund on its way to the card, a wallet running low (once until the next deposit)
and an account locked by wrong passwords. Each arrives once, says amounts and places but no
message's words and nothing typed at the sign-in form, and follows the contact's choices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from homeward import builders as t
from homeward.core import clock
from homeward.ledger import payments, stamps
from homeward.ledger.providers import sandbox
from homeward.messaging import services as messaging
from homeward.notifications import services
from homeward.notifications.models import Notification
from homeward.personas import body_of, emails_to, link_in
from homeward.roster.services import release_resident

N = Notification
ANA = "a@example.org"
GREENHAVEN = '"Greenhaven Correctional"'
RECEIPT = "Your Homeward receipt"
REFUND = "A refund to your card is on its way from Homeward"
LOW = "Your Homeward wallet is running low"
LOCKED = "Your Homeward account was locked"
# Two stamps' worth of text at 2,000 characters a stamp: $0.80 where stamps cost $0.40.
LONG = "Zebra crossing at dawn, bring the blue coat. " * 45
SHORT = "Zebra crossing at dawn."


def emails(smtp, subject: str, to: str = ANA):  # type: ignore[no-untyped-def]
    return [sent for sent in emails_to(smtp, to) if sent["Subject"].startswith(subject)]


def send(world, body: str = SHORT) -> None:  # type: ignore[no-untyped-def]
    messaging.send_message(sender=world.contact_a, connection_id=world.connection.pk, body=body)


def web_signin(client: Client, password: str, **extra):  # type: ignore[no-untyped-def]
    return client.post("/signin/", {"email": ANA, "password": password}, **extra)


def console_signin(client: Client, password: str):  # type: ignore[no-untyped-def]
    return client.post("/console/signin/", {"username": "rev1", "password": password})


@pytest.fixture
def fees(world):  # type: ignore[no-untyped-def]
    """Greenhaven takes $1.00 plus 2.5% on each deposit: $1.50 on $20."""
    t.set_prices(
        world.facility_1,
        model="stamps",
        stamp_cents=40,
        deposit_fee_flat_cents=100,
        deposit_fee_bp=250,
    )
    world.connection = world.contact_a.connections.get()
    return world


# --- receipts ------------------------------------------------------------------------------


def test_a_deposit_emails_its_receipt_once_with_the_amount_fee_total_and_link(fees, run_jobs, smtp):
    payment = t.pay_in(fees.contact_a, fees.facility_1, 2000)
    run_jobs()
    [sent] = emails_to(smtp, ANA)
    assert sent["Subject"] == f"Your Homeward receipt {payment.receipt_number}"
    body = body_of(sent)
    assert f"To your wallet at {GREENHAVEN}: $20.00" in body
    assert "Fees: $1.50" in body
    assert "Total charged to the card ending 4242: $21.50" in body
    assert " ".join(sent["List-Unsubscribe"].split()).startswith("<http")
    # The link opens the receipt for Ana.
    path = link_in(sent, "/receipts/")
    assert path == reverse("web:receipt", args=[payment.pk])
    browser = Client()
    browser.force_login(fees.contact_a.user)
    assert payment.receipt_number in browser.get(path).content.decode()
    run_jobs()
    assert len(emails_to(smtp, ANA)) == 1  # never twice


def test_money_to_a_trust_account_is_receipted_naming_the_resident(fees, run_jobs, smtp):
    t.pay_in(fees.contact_a, fees.facility_1, 2000, connection=fees.connection)
    run_jobs()
    [sent] = emails(smtp, RECEIPT)
    assert f'To the trust account of "Maria Lopez" at {GREENHAVEN}: $20.00' in body_of(sent)
    assert "Maria" not in sent["Subject"]


def test_a_late_card_is_receipted_when_it_is_paid_and_a_declined_one_never(
    fees, run_jobs, smtp, settings
):
    settings.SANDBOX_LATE_SECONDS = 5
    start = clock.now()
    with clock.frozen_at(start):
        payments.start(
            contact=fees.contact_a,
            facility=fees.facility_1,
            amount=1000,
            key="declined",
            card=sandbox.DECLINES,
        )
        late = payments.start(
            contact=fees.contact_a,
            facility=fees.facility_1,
            amount=1000,
            key="late",
            card=sandbox.SUCCEEDS_LATE,
        ).payment
        run_jobs()
    assert smtp.received == []  # nothing paid yet
    with clock.frozen_at(start + dt.timedelta(seconds=10)):
        run_jobs()  # the card company's answer, then the receipt
        run_jobs()
    [sent] = emails_to(smtp, ANA)
    assert sent["Subject"] == f"Your Homeward receipt {late.receipt_number}"


def test_a_payment_rolled_back_tells_nobody(fees, run_jobs, smtp):
    with pytest.raises(RuntimeError), transaction.atomic():
        t.pay_in(fees.contact_a, fees.facility_1, 2000)
        raise RuntimeError("what paid for it failed after the card was charged")
    run_jobs()
    assert smtp.received == []
    assert not Notification.objects.exists()


def test_a_receipt_turned_off_is_not_emailed(fees, run_jobs, smtp):
    services.set_preferences(contact=fees.contact_a, choices={"deposit_receipt": False})
    t.pay_in(fees.contact_a, fees.facility_1, 2000)
    run_jobs()
    assert smtp.received == []
    assert Notification.objects.get(event="deposit_receipt").status == N.Status.SKIPPED


# --- refunds to the card ---------------------------------------------------------------------


def test_a_wallet_refund_emails_the_whole_amount_once(fees, run_jobs, smtp):
    for cents in (1000, 500):
        t.pay_in(fees.contact_a, fees.facility_1, cents)
    payouts, _ = payments.refund_wallet(
        contact=fees.contact_a, facility=fees.facility_1, reason="Asked for", key="refund-1"
    )
    assert len(payouts) == 2  # two payments, one refund
    run_jobs()
    [sent] = emails(smtp, REFUND)
    body = body_of(sent)
    assert f"$15.00 from your wallet at {GREENHAVEN} is going back to the card ending 4242" in (
        body
    )
    assert "no fee" in body
    # The same refund asked again, and an empty wallet refunded, tell nothing more.
    payments.refund_wallet(
        contact=fees.contact_a, facility=fees.facility_1, reason="Asked for", key="refund-1"
    )
    payments.refund_wallet(
        contact=fees.contact_a, facility=fees.facility_1, reason="Asked for", key="refund-2"
    )
    run_jobs()
    assert len(emails(smtp, REFUND)) == 1


def test_trust_money_arriving_after_a_release_is_receipted_and_refunded(
    fees, run_jobs, smtp, settings
):
    settings.SANDBOX_LATE_SECONDS = 5
    late = payments.start(
        contact=fees.contact_a,
        facility=fees.facility_1,
        amount=1500,
        key="late-trust",
        card=sandbox.SUCCEEDS_LATE,
        connection_id=fees.connection.pk,
    ).payment
    release_resident(staff=fees.facility_admin, resident_id=fees.resident.pk)
    with clock.frozen_at(clock.now() + dt.timedelta(seconds=10)):
        run_jobs()  # the card company's late answer, the refund to the card, the emails
        run_jobs()
    late.refresh_from_db()
    assert late.refunded_cents == 1500
    assert len(emails(smtp, RECEIPT)) == 1
    [refund] = emails(smtp, REFUND)
    assert (
        f'$15.00 you sent to the trust account of "Maria Lopez" at {GREENHAVEN} arrived after '
        "they were released, so it is going back to the card ending 3220."
    ) in body_of(refund)


# --- a wallet running low --------------------------------------------------------------------


def test_a_low_wallet_is_told_once_until_the_next_deposit(stamps, run_jobs, smtp):
    t.pay_in(stamps.contact_a, stamps.facility_1, 120)
    send(stamps, LONG)  # $0.80: $0.40 left, not enough for another like it
    run_jobs()
    [sent] = emails(smtp, LOW)
    body = body_of(sent)
    assert f"Your wallet at {GREENHAVEN} has $0.40 left" in body
    assert "another message like the last one ($0.80)" in body
    assert "Zebra" not in body and "coat" not in body  # never the message's words
    send(stamps)  # $0.40: nothing left, still low, still before any deposit
    run_jobs()
    assert len(emails(smtp, LOW)) == 1
    t.pay_in(stamps.contact_a, stamps.facility_1, 100)
    send(stamps)  # $0.60 left: enough for another
    run_jobs()
    assert len(emails(smtp, LOW)) == 1
    send(stamps)  # $0.20 left: low again, after a new deposit
    run_jobs()
    second = emails(smtp, LOW)[1]
    assert f"Your wallet at {GREENHAVEN} has $0.20 left" in body_of(second)


def test_a_send_rolled_back_tells_nobody_and_the_next_low_send_does(stamps, run_jobs, smtp):
    t.pay_in(stamps.contact_a, stamps.facility_1, 100)
    with pytest.raises(RuntimeError), transaction.atomic():
        send(stamps, LONG)
        raise RuntimeError("the send failed after the charge")
    run_jobs()
    assert emails(smtp, LOW) == []
    assert not Notification.objects.filter(event="low_balance").exists()
    send(stamps, LONG)
    run_jobs()
    assert len(emails(smtp, LOW)) == 1


def test_the_low_wallet_unsubscribe_link_turns_off_that_email_alone(stamps, run_jobs, smtp):
    t.pay_in(stamps.contact_a, stamps.facility_1, 100)
    send(stamps, LONG)
    run_jobs()
    [sent] = emails(smtp, LOW)
    anyone = Client()  # one click from the mail program, signed in or not
    anyone.post(link_in(sent, "/unsubscribe/"), {"List-Unsubscribe": "One-Click"})
    assert not services.enabled(stamps.contact_a, "low_balance")
    assert services.enabled(stamps.contact_a, "deposit_receipt")
    t.pay_in(stamps.contact_a, stamps.facility_1, 100)
    send(stamps, LONG)
    run_jobs()
    assert len(emails(smtp, LOW)) == 1
    assert len(emails(smtp, RECEIPT)) == 2
    assert Notification.objects.filter(event="low_balance", status=N.Status.SKIPPED).count() == 1


def test_a_message_paid_with_stamps_says_nothing_about_the_wallet(world, run_jobs, smtp):
    t.set_prices(
        world.facility_1, model="stamps", stamp_cents=40, stamp_packs=[{"stamps": 2, "cents": 70}]
    )
    world.connection = world.contact_a.connections.get()
    t.pay_in(world.contact_a, world.facility_1, 100)
    stamps.purchase_pack(contact=world.contact_a, facility=world.facility_1, pack=0, key="pack")
    send(world)  # one stamp; the wallet keeps its $0.30
    run_jobs()
    assert emails(smtp, LOW) == []


# --- an account locked by wrong passwords ----------------------------------------------------


def test_a_locked_contact_is_emailed_once_with_how_long_and_what_to_do(world, run_jobs, smtp):
    client = Client()
    typed = "Account suspended: visit http://evil.example"
    for _ in range(5):
        assert web_signin(client, typed).status_code == 400
    for _ in range(2):  # refused while locked: no more emails
        assert web_signin(client, typed).status_code == 429
    run_jobs()
    [sent] = emails_to(smtp, ANA)
    assert sent["Subject"] == LOCKED
    body = body_of(sent)
    assert "locked for 15 minutes after too many wrong passwords" in body
    assert "Forgot your password?" in body and "sign-in page" in body
    assert "evil" not in body and "suspended" not in body  # nothing typed at the form
    run_jobs()
    assert len(emails_to(smtp, ANA)) == 1


def test_a_contact_is_told_of_locks_at_most_once_a_day(world, run_jobs, smtp):
    start = clock.now()
    for minutes in (0, 16, 60 * 25):
        with clock.frozen_at(start + dt.timedelta(minutes=minutes)):
            for _ in range(5):
                assert web_signin(Client(), "wrong-password").status_code == 400
            assert web_signin(Client(), t.PASSWORD).status_code == 429
            run_jobs()
    assert len(emails(smtp, LOCKED)) == 2  # the first lock, and the one a day later


def test_a_lock_on_the_owners_own_browser_emails_nobody(world, run_jobs, smtp):
    owner = Client()
    assert web_signin(owner, t.PASSWORD).status_code == 302
    owner.post("/signout/")  # the device cookie stays: its attempts are counted on their own
    for _ in range(5):
        web_signin(owner, "wrong-password")
    assert web_signin(owner, t.PASSWORD).status_code == 429
    assert web_signin(Client(), t.PASSWORD).status_code == 302  # the account is not locked
    run_jobs()
    assert emails(smtp, LOCKED) == []


def test_a_lock_turned_off_is_not_emailed(world, run_jobs, smtp):
    services.set_preferences(contact=world.contact_a, choices={"signin_locked": False})
    for _ in range(5):
        web_signin(Client(), "wrong-password")
    run_jobs()
    assert smtp.received == []
    assert Notification.objects.get(event="signin_locked").status == N.Status.SKIPPED


def test_a_staff_lock_still_emails_the_staff_member_alone(world, run_jobs, smtp):
    for _ in range(5):
        assert console_signin(Client(), "wrong-password").status_code == 400
    run_jobs()
    [sent] = smtp.received
    assert sent["To"] == "rev1@staff.example.org" and "locked" in sent["Subject"]
    assert not Notification.objects.exists()
