"""Provider webhooks (the sandbox's, signed like a real card company's): a bad signature is
refused before anything is written; each event applies once; a success always wins over a
decline, and money that arrived is credited once, whatever order the events come in."""

from __future__ import annotations

import hashlib
import hmac
import itertools

import pytest

from homeward import builders as t
from homeward.core import clock
from homeward.core.errors import DomainError
from homeward.ledger import payments
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Payment, Transaction, WebhookEvent
from homeward.ledger.providers import sandbox

K = Account.Kind
CARD_LATE = "4000 0000 0000 3220"  # pending until the card company's webhook says otherwise


@pytest.fixture
def fees(world):
    """Greenhaven takes a flat $1.00 on each deposit."""
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40, deposit_fee_flat_cents=100)
    return world


def pending(world, amount=2000, key="form-1") -> Payment:
    payment = payments.start(
        contact=world.contact_a, facility=world.facility_1, amount=amount, key=key, card=CARD_LATE
    ).payment
    assert payment.status == Payment.Status.PENDING
    return payment


def event(payment_or_ref, type_="payment.succeeded", event_id="evt_1") -> str:
    ref = payment_or_ref if isinstance(payment_or_ref, str) else payment_or_ref.provider_ref
    body, headers = sandbox.webhook(event_id=event_id, type=type_, payment_ref=ref)
    return payments.handle_webhook(provider="sandbox", body=body, headers=headers)


def wallet(world) -> int:
    return ledger.balance_of(
        kind=K.CONTACT_WALLET, contact=world.contact_a, facility=world.facility_1
    )


def status(payment: Payment) -> str:
    return Payment.objects.get(pk=payment.pk).status


def test_a_success_event_credits_the_payment(fees):
    payment = pending(fees)
    assert event(payment) == "applied"
    assert status(payment) == Payment.Status.SUCCEEDED
    assert wallet(fees) == 2000
    assert ledger.balance_of(kind=K.PLATFORM_REVENUE, facility=fees.facility_1) == 100
    recorded = WebhookEvent.objects.get()
    assert (recorded.event_id, recorded.type, recorded.payment) == (
        "evt_1",
        "payment.succeeded",
        payment,
    )


def _tampered_body(body, headers):
    return body.replace(b"payment.succeeded", b"payment.declined"), headers


def _tampered_signature(body, headers):
    signature = headers[sandbox.SIGNATURE_HEADER]
    last = "0" if signature[-1] != "0" else "1"
    return body, {sandbox.SIGNATURE_HEADER: signature[:-1] + last}


def _no_signature(body, headers):
    return body, {}


def _signed_with_another_secret(body, headers):
    forged = hmac.new(b"guessed-secret", body, hashlib.sha256).hexdigest()
    return body, {sandbox.SIGNATURE_HEADER: forged}


@pytest.mark.parametrize(
    "tamper", [_tampered_body, _tampered_signature, _no_signature, _signed_with_another_secret]
)
def test_a_webhook_that_is_not_signed_by_the_provider_changes_nothing(fees, tamper):
    payment = pending(fees)
    body, headers = sandbox.webhook(
        event_id="evt_1", type="payment.succeeded", payment_ref=payment.provider_ref
    )
    body, headers = tamper(body, headers)
    with pytest.raises(DomainError) as err:
        payments.handle_webhook(provider="sandbox", body=body, headers=headers)
    assert err.value.code == "bad_signature"
    assert status(payment) == Payment.Status.PENDING
    assert not WebhookEvent.objects.exists()
    assert not Transaction.objects.exists()


def test_a_signature_that_is_not_ascii_is_refused(fees):
    body, _ = sandbox.webhook(event_id="evt_1", type="payment.succeeded", payment_ref="sbx_1")
    with pytest.raises(DomainError) as err:
        payments.handle_webhook(
            provider="sandbox", body=body, headers={sandbox.SIGNATURE_HEADER: "\u00e9" * 64}
        )
    assert err.value.code == "bad_signature"


def test_a_signed_body_that_is_not_an_event_is_refused(fees):
    body = b'{"id": "evt_1"}'
    headers = {sandbox.SIGNATURE_HEADER: sandbox.sign(body)}
    with pytest.raises(DomainError) as err:
        payments.handle_webhook(provider="sandbox", body=body, headers=headers)
    assert err.value.code == "bad_webhook"
    assert not WebhookEvent.objects.exists()


def test_the_same_event_twice_is_applied_once(fees):
    payment = pending(fees)
    assert event(payment, event_id="evt_1") == "applied"
    assert event(payment, event_id="evt_1") == "duplicate"
    assert WebhookEvent.objects.count() == 1
    assert Transaction.objects.filter(payment=payment).count() == 1
    assert wallet(fees) == 2000


def test_two_success_events_for_one_payment_credit_it_once(fees):
    payment = pending(fees)
    assert event(payment, event_id="evt_1") == "applied"
    assert event(payment, event_id="evt_2") == "applied"
    assert Transaction.objects.filter(payment=payment).count() == 1
    assert wallet(fees) == 2000


def test_a_decline_after_a_success_changes_nothing(fees):
    payment = pending(fees)
    event(payment, "payment.succeeded", event_id="evt_1")
    event(payment, "payment.declined", event_id="evt_2")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.failure_reason == ""
    assert wallet(fees) == 2000
    assert Transaction.objects.count() == 1


def test_a_success_after_a_decline_wins_and_is_credited_once(fees):
    payment = pending(fees)
    event(payment, "payment.declined", event_id="evt_1")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DECLINED and payment.failure_reason
    assert wallet(fees) == 0
    event(payment, "payment.succeeded", event_id="evt_2")
    event(payment, "payment.succeeded", event_id="evt_3")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.failure_reason == ""
    assert wallet(fees) == 2000
    assert Transaction.objects.filter(payment=payment).count() == 1


def test_an_outcome_for_an_unknown_payment_is_not_recorded_so_its_retry_applies(fees):
    assert event("sbx_999999", event_id="evt_1") == "unknown"
    assert not WebhookEvent.objects.exists() and not Transaction.objects.exists()
    # The payment's reference is saved a moment later; the provider's retry now applies.
    payment = pending(fees)
    Payment.objects.filter(pk=payment.pk).update(provider_ref="sbx_999999")
    assert event("sbx_999999", event_id="evt_1") == "applied"
    assert wallet(fees) == 2000


def test_an_event_that_decides_nothing_is_recorded_and_ignored(fees):
    payment = pending(fees)
    assert event(payment, "payment.refreshed") == "ignored"
    assert WebhookEvent.objects.get().payment == payment
    assert status(payment) == Payment.Status.PENDING


def test_another_providers_payment_is_not_touched_by_a_sandbox_event(fees):
    payment = pending(fees)
    Payment.objects.filter(pk=payment.pk).update(provider="stripe")
    assert event(payment) == "unknown"
    assert status(payment) == Payment.Status.PENDING
    assert wallet(fees) == 0


SIBLINGS = [("a", "payment.declined"), ("b", "payment.succeeded"), ("a", "payment.succeeded")]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))), ids=str)
def test_sibling_events_in_any_order_end_in_the_same_balances(fees, order):
    by_name = {"a": pending(fees, 2000, key="form-a"), "b": pending(fees, 3000, key="form-b")}
    for index in order:
        name, type_ = SIBLINGS[index]
        assert event(by_name[name], type_, event_id=f"evt_{index}") == "applied"
    assert {status(p) for p in by_name.values()} == {Payment.Status.SUCCEEDED}
    assert wallet(fees) == 5000
    assert ledger.balance_of(kind=K.PLATFORM_REVENUE, facility=fees.facility_1) == 200
    assert ledger.balance_of(kind=K.PAYMENT_CLEARING) == -5200
    assert Transaction.objects.filter(kind=Transaction.Kind.DEPOSIT).count() == 2
    assert WebhookEvent.objects.count() == 3


def test_a_payment_whose_reference_was_never_saved_is_found_by_our_own_id(fees):
    payment = pending(fees)
    # As if the process died between the card company's answer and saving its reference.
    Payment.objects.filter(pk=payment.pk).update(provider_ref="")
    assert event(f"sbx_{payment.pk}") == "applied"
    assert status(payment) == Payment.Status.SUCCEEDED
    assert wallet(fees) == 2000


def test_a_paid_card_is_confirmed_by_webhook_even_if_the_answer_was_never_recorded(fees, run_jobs):
    payment = Payment.objects.create(
        contact=fees.contact_a,
        facility=fees.facility_1,
        key="k",
        provider="sandbox",
        amount_cents=2000,
        created_at=clock.now(),
    )
    # The card company says yes, and the process dies before it records the answer.
    assert sandbox.Sandbox().begin(payment, card=sandbox.SUCCEEDS, return_url="").status == (
        "succeeded"
    )
    assert status(payment) == Payment.Status.PENDING
    run_jobs()  # the sandbox's confirming webhook, found by our own id
    assert status(payment) == Payment.Status.SUCCEEDED
    assert wallet(fees) == 2000
