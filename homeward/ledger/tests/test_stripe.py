"""The Stripe provider: webhook signatures checked as Stripe documents them, events mapped
to outcomes, and the API calls (a hosted Checkout Session, a refund) made against a small
fake Stripe that runs in the test on 127.0.0.1 and records what it was sent."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from homeward import builders as t
from homeward.core import clock
from homeward.core.errors import DomainError
from homeward.jobs.models import Job
from homeward.ledger import payments
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Payment, Payout, Transaction, WebhookEvent
from homeward.ledger.providers import stripe

K = Account.Kind
SECRET = "whsec_test_homeward"
API_KEY = "sk_test_homeward"
SESSION = {"id": "cs_test_1", "url": "https://checkout.stripe.test/c/pay/cs_test_1"}


@dataclass
class Request:
    path: str
    headers: dict[str, str]  # names in lower case
    fields: dict[str, str]


class FakeStripe:
    """Answers POSTs from ``replies`` (path → (status, JSON body, or None to hang up))."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.replies: dict[str, tuple[int, object]] = {
            "/v1/checkout/sessions": (200, SESSION),
            "/v1/refunds": (200, {"id": "re_test_1", "status": "succeeded"}),
        }
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fields = dict(urllib.parse.parse_qsl(raw.decode()))
                headers = {name.lower(): value for name, value in self.headers.items()}
                fake.requests.append(Request(self.path, headers, fields))
                status, reply = fake.replies[self.path]
                if reply is None:
                    return  # hang up without an answer
                body = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_stripe(settings):
    fake = FakeStripe()
    settings.STRIPE_API_BASE = fake.base
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    yield fake
    fake.close()


@pytest.fixture
def fees(world):
    """Greenhaven takes $1.00 plus 2.5% on each deposit: $1.50 on $20."""
    t.set_prices(world.facility_1, model="stamps", deposit_fee_flat_cents=100, deposit_fee_bp=250)
    return world


def signed(body: bytes, *, secret: str = SECRET, at: float | None = None) -> str:
    timestamp = int(time.time() if at is None else at)
    return f"t={timestamp},v1={stripe.signature(body, timestamp, secret)}"


def stripe_event(type_: str, session: dict, event_id: str = "evt_1") -> bytes:
    return json.dumps({"id": event_id, "type": type_, "data": {"object": session}}).encode()


def deliver(type_: str, session: dict, event_id: str = "evt_1") -> str:
    body = stripe_event(type_, session, event_id)
    return payments.handle_webhook(
        provider="stripe", body=body, headers={stripe.SIGNATURE_HEADER: signed(body)}
    )


def paid_session(payment: Payment, status: str = "paid") -> dict:
    return {
        "id": payment.provider_ref,
        "object": "checkout.session",
        "client_reference_id": str(payment.pk),
        "payment_status": status,
        "payment_intent": "pi_test_1",
    }


def start(world, amount=2000, key="form-1"):
    started = payments.start(
        contact=world.contact_a,
        facility=world.facility_1,
        amount=amount,
        key=key,
        provider="stripe",
        return_url="https://homeward.test/wallets/?payment=abc",
    )
    return started.payment, started.redirect_url


def wallet(world) -> int:
    return ledger.balance_of(
        kind=K.CONTACT_WALLET, contact=world.contact_a, facility=world.facility_1
    )


# Signatures ---------------------------------------------------------------------------

BODY = b'{"id": "evt_1", "type": "checkout.session.completed"}'
NOW = 1_800_000_000  # the moment the signatures below are checked at


def test_a_correct_signature_is_accepted():
    stripe.verify(BODY, signed(BODY, at=NOW), SECRET, now=NOW)
    stripe.verify(BODY, signed(BODY, at=NOW - 300), SECRET, now=NOW)  # just in time
    # Stripe may send several v1 signatures while a secret is rolled: any one may match.
    rolled = signed(BODY, secret="whsec_old", at=NOW) + "," + signed(BODY, at=NOW).split(",")[1]
    stripe.verify(BODY, rolled, SECRET, now=NOW)


@pytest.mark.parametrize(
    ("body", "header"),
    [
        pytest.param(BODY, signed(BODY, secret="whsec_wrong", at=NOW), id="wrong secret"),
        pytest.param(BODY.replace(b"evt_1", b"evt_2"), signed(BODY, at=NOW), id="tampered body"),
        pytest.param(BODY, "", id="missing header"),
        pytest.param(BODY, "v1=" + "0" * 64, id="no timestamp"),
        pytest.param(BODY, f"t=soon,v1={'0' * 64}", id="timestamp not a number"),
        pytest.param(BODY, signed(BODY, at=NOW).split(",")[0], id="no signature"),
        pytest.param(BODY, signed(BODY, at=NOW - 301), id="older than 300 s"),
        pytest.param(BODY, signed(BODY, at=NOW + 301), id="from the future"),
    ],
)
def test_a_bad_signature_is_refused(body, header):
    with pytest.raises(DomainError) as err:
        stripe.verify(body, header, SECRET, now=NOW)
    assert err.value.code == "bad_signature"


def test_a_signature_that_is_not_ascii_is_refused():
    with pytest.raises(DomainError) as err:
        stripe.verify(BODY, f"t={NOW},v1=" + "\u00e9" * 64, SECRET, now=NOW)
    assert err.value.code == "bad_signature"


def test_a_stale_webhook_is_refused_by_the_service_and_changes_nothing(fees, fake_stripe):
    payment, _ = start(fees)
    body = stripe_event("checkout.session.completed", paid_session(payment))
    old = {stripe.SIGNATURE_HEADER: signed(body, at=time.time() - 600)}
    with pytest.raises(DomainError) as err:
        payments.handle_webhook(provider="stripe", body=body, headers=old)
    assert err.value.code == "bad_signature"
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING
    assert not WebhookEvent.objects.exists() and not Transaction.objects.exists()


def test_without_a_webhook_secret_no_stripe_webhook_is_accepted(fees, fake_stripe, settings):
    payment, _ = start(fees)
    settings.STRIPE_WEBHOOK_SECRET = ""  # e.g. the site went back to the sandbox
    body = stripe_event("checkout.session.completed", paid_session(payment))
    forged = {stripe.SIGNATURE_HEADER: signed(body, secret="")}
    with pytest.raises(DomainError) as err:
        payments.handle_webhook(provider="stripe", body=body, headers=forged)
    assert err.value.code == "bad_signature"
    assert wallet(fees) == 0 and not WebhookEvent.objects.exists()


# Events -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "payment_status", "outcome"),
    [
        ("checkout.session.completed", "paid", "succeeded"),
        ("checkout.session.completed", "unpaid", ""),  # a delayed method: wait for the next
        ("checkout.session.async_payment_succeeded", "paid", "succeeded"),
        ("checkout.session.async_payment_failed", "unpaid", "declined"),
        ("checkout.session.expired", "unpaid", "declined"),
        ("customer.created", "", ""),
    ],
)
def test_events_are_mapped_to_outcomes(settings, type_, payment_status, outcome):
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    session = {"id": "cs_1", "payment_status": payment_status, "payment_intent": "pi_1"}
    body = stripe_event(type_, session, event_id="evt_9")
    event = stripe.Stripe().parse_webhook(body, {stripe.SIGNATURE_HEADER: signed(body)})
    assert (event.event_id, event.type, event.provider_ref) == ("evt_9", type_, "cs_1")
    assert event.outcome == outcome
    assert event.provider_charge == "pi_1"
    assert bool(event.failure_reason) == (outcome == "declined")


# The API, against the fake Stripe -------------------------------------------------------


def test_a_payment_opens_a_checkout_session_and_waits_for_the_webhook(fees, fake_stripe):
    payment, url = start(fees)
    assert url == SESSION["url"]
    assert payment.status == Payment.Status.PENDING and payment.provider_ref == "cs_test_1"
    (request,) = fake_stripe.requests
    assert request.path == "/v1/checkout/sessions"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["idempotency-key"] == f"homeward-payment-{payment.pk}"
    assert request.fields["line_items[0][price_data][unit_amount]"] == "2150"  # amount + fee
    assert request.fields["line_items[0][price_data][currency]"] == "usd"
    assert request.fields["client_reference_id"] == str(payment.pk)
    assert request.fields["mode"] == "payment"
    assert request.fields["success_url"] == "https://homeward.test/wallets/?payment=abc"
    assert wallet(fees) == 0 and not Transaction.objects.exists()

    assert deliver("checkout.session.completed", paid_session(payment)) == "applied"
    assert deliver("checkout.session.completed", paid_session(payment)) == "duplicate"
    assert deliver("checkout.session.async_payment_succeeded", paid_session(payment), "e2")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.provider_charge == "pi_test_1"
    assert wallet(fees) == 2000
    assert ledger.balance_of(kind=K.PLATFORM_REVENUE, facility=fees.facility_1) == 150
    assert Transaction.objects.filter(payment=payment).count() == 1


def test_an_unpaid_completed_session_waits_and_an_expired_one_declines(fees, fake_stripe):
    payment, _ = start(fees)
    assert deliver("checkout.session.completed", paid_session(payment, "unpaid")) == "ignored"
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING
    deliver("checkout.session.expired", paid_session(payment, "unpaid"), event_id="evt_2")
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.DECLINED
    assert wallet(fees) == 0 and not Transaction.objects.exists()


def test_a_session_whose_id_was_never_saved_is_found_by_its_reference(fees, fake_stripe):
    payment, _ = start(fees)
    session = paid_session(payment)
    # As if the process died after Stripe answered, before the session id was saved.
    Payment.objects.filter(pk=payment.pk).update(provider_ref="")
    assert deliver("checkout.session.completed", session) == "applied"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.provider_ref == session["id"]
    assert wallet(fees) == 2000


def test_a_repeated_form_goes_to_the_same_checkout_page(fees, fake_stripe):
    first, url = start(fees)
    again, again_url = start(fees)
    assert again.pk == first.pk
    assert again_url == url


def test_when_stripe_cannot_be_reached_the_payment_is_recorded_declined(fees, settings):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{port}"
    settings.STRIPE_SECRET_KEY = API_KEY
    with pytest.raises(DomainError) as err:
        start(fees)
    assert err.value.code == "provider_unavailable" and err.value.status == 503
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.DECLINED
    assert "could not be reached" in payment.failure_reason
    assert not Transaction.objects.exists()


def test_when_stripe_refuses_the_payment_is_recorded_declined(fees, fake_stripe):
    fake_stripe.replies["/v1/checkout/sessions"] = (400, {"error": {"message": "Bad amount"}})
    with pytest.raises(DomainError) as err:
        start(fees)
    assert err.value.code == "provider_error" and "Bad amount" in err.value.message
    assert Payment.objects.get().status == Payment.Status.DECLINED
    assert not Transaction.objects.exists()


@pytest.mark.parametrize("reply", [None, b"<html>proxy error</html>"], ids=["hang up", "html"])
def test_a_broken_answer_from_stripe_is_recorded_declined(fees, fake_stripe, reply):
    fake_stripe.replies["/v1/checkout/sessions"] = (200, reply)
    with pytest.raises(DomainError):
        start(fees)
    assert Payment.objects.get().status == Payment.Status.DECLINED


def test_a_wallet_refund_is_sent_to_the_payment_intent_once(fees, fake_stripe, run_jobs):
    payment, _ = start(fees)
    deliver("checkout.session.completed", paid_session(payment))
    fake_stripe.replies["/v1/refunds"] = (500, {"error": {"message": "Try again"}})
    (payout,) = payments.refund_wallet(
        contact=fees.contact_a, facility=fees.facility_1, reason="closing", key="close-1"
    )[0]
    assert wallet(fees) == 0 and payout.amount_cents == 2000
    run_jobs()  # Stripe fails the first time: the job will try again later
    assert Payout.objects.get(pk=payout.pk).status == Payout.Status.PENDING
    fake_stripe.replies["/v1/refunds"] = (200, {"id": "re_test_1"})
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=5)):
        run_jobs()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.SENT and payout.provider_ref == "re_test_1"
    refunds = [r for r in fake_stripe.requests if r.path == "/v1/refunds"]
    assert len(refunds) == 2
    for request in refunds:  # the retry carries the same key: Stripe refunds once
        assert request.headers["idempotency-key"] == f"homeward-payout-{payout.pk}"
        assert request.headers["authorization"] == f"Bearer {API_KEY}"
        assert request.fields == {"payment_intent": "pi_test_1", "amount": "2000"}
    assert ledger.balance_of(kind=K.REFUNDS_PAYABLE) == 0
    assert ledger.balance_of(kind=K.PAYMENT_CLEARING) == -150  # the fee stays paid
    assert Job.objects.get(kind="send_payout").status == Job.Status.DONE
