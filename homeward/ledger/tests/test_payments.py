"""Card money in, through the sandbox's test cards: a good card credits the wallet and the
fee goes to the facility; a declined or unknown card moves nothing but is recorded; a late
card is credited when its webhook arrives. One form key is one payment, amounts are checked
before anything is recorded, and money to a trust account needs an active connection."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from homeward import builders as t
from homeward.core import clock
from homeward.core.errors import Conflict, DomainError, NotFound
from homeward.ledger import payments
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Payment, PriceSchedule, Transaction, WebhookEvent
from homeward.people.models import Resident

K = Account.Kind
CARD_OK = "4242 4242 4242 4242"
CARD_DECLINED = "4000 0000 0000 0002"
CARD_LATE = "4000 0000 0000 3220"


@pytest.fixture
def fees(world):
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


def pay(world, amount=2000, *, card=CARD_OK, key="form-1", contact=None, **kw):
    started = payments.start(
        contact=contact or world.contact_a,
        facility=world.facility_1,
        amount=amount,
        key=key,
        card=card,
        **kw,
    )
    return started.payment, started.redirect_url


def wallet(world, contact=None) -> int:
    contact = contact or world.contact_a
    return ledger.balance_of(kind=K.CONTACT_WALLET, contact=contact, facility=world.facility_1)


def revenue(world) -> int:
    return ledger.balance_of(kind=K.PLATFORM_REVENUE, facility=world.facility_1)


def test_a_good_card_credits_the_wallet_and_the_fee_goes_to_the_facility(fees):
    payment, redirect = pay(fees, 2000)
    assert redirect == ""  # the sandbox answers at once: no hosted page to visit
    assert payment.status == Payment.Status.SUCCEEDED
    assert (payment.amount_cents, payment.fee_cents, payment.total_cents) == (2000, 150, 2150)
    assert payment.card_last4 == "4242" and payment.completed_at is not None
    assert wallet(fees) == 2000
    assert revenue(fees) == 150
    assert ledger.balance_of(kind=K.PAYMENT_CLEARING) == -2150
    credit = Transaction.objects.get(payment=payment)
    assert credit.kind == Transaction.Kind.DEPOSIT
    assert credit.contact == fees.contact_a and credit.facility == fees.facility_1
    assert credit.memo == f"Receipt {payment.receipt_number}"


def test_every_payment_has_its_own_receipt_number(fees):
    first, _ = pay(fees, 2000, key="form-1")
    second, _ = pay(fees, 500, key="form-2")
    declined, _ = pay(fees, 500, key="form-3", card=CARD_DECLINED)
    numbers = [p.receipt_number for p in (first, second, declined)]
    assert all(re.fullmatch(r"HW-\d{8}", number) for number in numbers), numbers
    assert len(set(numbers)) == 3
    assert first.receipt_number == f"HW-{first.pk:08d}"


def test_a_declined_card_is_recorded_with_its_reason_and_moves_no_money(fees):
    payment, _ = pay(fees, card=CARD_DECLINED)
    assert payment.status == Payment.Status.DECLINED
    assert payment.failure_reason == "Your card was declined."
    assert payment.completed_at is not None
    assert not Transaction.objects.exists()
    assert wallet(fees) == 0 and revenue(fees) == 0


def test_a_late_card_waits_for_the_card_company_then_is_credited_once(fees, run_jobs, settings):
    settings.SANDBOX_LATE_SECONDS = 5
    start = clock.now()
    with clock.frozen_at(start):
        payment, _ = pay(fees, card=CARD_LATE)
    assert payment.status == Payment.Status.PENDING
    assert payment.provider_ref == f"sbx_{payment.pk}" and payment.card_last4 == "3220"
    assert wallet(fees) == 0
    with clock.frozen_at(start + dt.timedelta(seconds=4)):
        run_jobs()  # too early: the card company has not answered yet
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING
    with clock.frozen_at(start + dt.timedelta(seconds=10)):
        run_jobs()
        run_jobs()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert wallet(fees) == 2000 and revenue(fees) == 150
    assert Transaction.objects.filter(payment=payment).count() == 1
    assert WebhookEvent.objects.get(payment=payment).type == "payment.succeeded"


def test_the_same_form_key_is_the_same_payment(fees):
    first, _ = pay(fees, 2000, key="form-1")
    again, _ = pay(fees, 2000, key="form-1")
    assert again.pk == first.pk
    assert Payment.objects.count() == 1
    assert wallet(fees) == 2000


@pytest.mark.parametrize(
    "change", [{"amount": 2500}, {"contact": "contact_b"}, {"trust": True}], ids=str
)
def test_the_same_form_key_for_a_different_payment_is_refused(fees, change):
    pay(fees, 2000, key="form-1")
    kwargs = {"amount": change.get("amount", 2000), "key": "form-1"}
    if "contact" in change:
        kwargs["contact"] = fees.contact_b
    if "trust" in change:
        kwargs["connection_id"] = fees.connection.pk
    with pytest.raises(Conflict) as err:
        pay(fees, **kwargs)
    assert err.value.code == "idempotency_key_reused"
    assert Payment.objects.count() == 1
    assert wallet(fees) == 2000
    assert ledger.balance_of(kind=K.TRUST, resident=fees.resident) == 0


@pytest.mark.parametrize("amount", [0, -1, 99, 50_001, 12.5, True, "20"])
def test_a_bad_amount_is_refused_before_anything_is_recorded(fees, amount):
    with pytest.raises(DomainError) as err:
        pay(fees, amount)
    assert err.value.code == "bad_amount"
    assert not Payment.objects.exists()
    assert not Transaction.objects.exists()


@pytest.mark.parametrize("amount", [payments.MIN_DEPOSIT, payments.MAX_DEPOSIT])
def test_the_smallest_and_largest_payments_are_accepted(fees, amount):
    payment, _ = pay(fees, amount)
    assert payment.status == Payment.Status.SUCCEEDED
    assert wallet(fees) == amount


def test_a_payment_needs_a_key(fees):
    with pytest.raises(DomainError) as err:
        pay(fees, key="  ")
    assert err.value.code == "key_required"
    assert not Payment.objects.exists()


# Amounts typed in dollars are read by homeward.core.money (tests in core/tests/test_money.py).


def test_an_unknown_card_is_refused_and_recorded_declined(fees):
    with pytest.raises(DomainError) as err:
        pay(fees, card="5555 5555 5555 4444")
    assert err.value.code == "card_not_accepted"
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.DECLINED
    assert "test card" in payment.failure_reason
    assert not Transaction.objects.exists()
    assert wallet(fees) == 0


def test_money_to_a_trust_account_goes_to_the_connected_resident(fees):
    payment, _ = pay(fees, 2000, connection_id=fees.connection.pk)
    assert payment.resident == fees.resident and payment.facility == fees.facility_1
    assert ledger.balance_of(kind=K.TRUST, resident=fees.resident) == 2000
    assert wallet(fees) == 0 and revenue(fees) == 150
    assert Transaction.objects.get(payment=payment).kind == Transaction.Kind.TRUST_DEPOSIT


def test_money_to_someone_elses_connection_is_not_found(fees):
    with pytest.raises(NotFound):
        pay(fees, contact=fees.contact_b, connection_id=fees.connection.pk)
    assert not Payment.objects.exists()
    assert ledger.balance_of(kind=K.TRUST, resident=fees.resident) == 0


@pytest.mark.parametrize("what", ["released", "connection blocked"])
def test_money_to_a_released_resident_or_a_closed_connection_is_refused(fees, what):
    if what == "released":
        Resident.objects.filter(pk=fees.resident.pk).update(status=Resident.Status.RELEASED)
    else:
        fees.connection.status = fees.connection.Status.BLOCKED
        fees.connection.save()
    with pytest.raises(Conflict) as err:
        pay(fees, connection_id=fees.connection.pk)
    assert err.value.code == "connection_not_active"
    assert not Payment.objects.exists()
    assert ledger.balance_of(kind=K.TRUST, resident=fees.resident) == 0


def test_without_prices_in_force_nothing_is_recorded(fees):
    PriceSchedule.objects.filter(facility=fees.facility_1).delete()
    with pytest.raises(DomainError) as err:
        pay(fees)
    assert err.value.code == "no_price_schedule"
    assert not Payment.objects.exists()
    assert not Transaction.objects.exists()


def test_the_account_fee_is_charged_once_with_the_first_deposit(world):
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40, account_fee_cents=200)
    first = payments.quote(facility=world.facility_1, amount=1000, contact=world.contact_a)
    assert first.lines[-1] == ("Account fee (once, with your first deposit here)", 200)
    payment = t.pay_in(world.contact_a, world.facility_1, 1000)
    assert payment.fee_cents == 200 and payment.total_cents == 1200
    again = payments.quote(facility=world.facility_1, amount=1000, contact=world.contact_a)
    assert again.fee == 0
    # Money to a trust account never carries the wallet's account fee.
    connection = world.contact_a.connections.get()
    trust = payments.quote(
        facility=world.facility_1,
        amount=1000,
        contact=world.contact_b,
        resident=connection.resident,
    )
    assert trust.fee == 0


def test_the_account_fee_is_not_charged_again_while_the_first_deposit_is_pending(world):
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40, account_fee_cents=200)
    late = payments.start(
        contact=world.contact_a,
        facility=world.facility_1,
        amount=1000,
        key="late",
        card="4000 0000 0000 3220",
    ).payment
    assert late.fee_cents == 200
    assert payments.quote(facility=world.facility_1, amount=1000, contact=world.contact_a).fee == 0


def test_trust_money_arriving_after_a_release_goes_back_to_the_card(world, run_jobs):
    from homeward.roster.services import release_resident

    connection = world.contact_a.connections.get()
    late = payments.start(
        contact=world.contact_a,
        facility=world.facility_1,
        amount=1500,
        key="late-trust",
        card="4000 0000 0000 3220",
        connection_id=connection.pk,
    ).payment
    release_resident(staff=world.facility_admin, resident_id=world.resident.pk)
    with clock.frozen_at(clock.now() + dt.timedelta(seconds=10)):
        run_jobs()  # the card company's late answer, then the refund to the card
    late.refresh_from_db()
    assert late.status == "succeeded" and late.refunded_cents == 1500
    assert ledger.balance_of(kind="trust", resident=world.resident) == 0
    assert [p.status for p in late.payouts.all()] == ["sent"]
