"""The card company's webhooks: checked by signature before anything is read, applied once
per event, and a success is never undone by a later decline."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from homeward.ledger import payments
from homeward.ledger import services as ledger
from homeward.ledger.models import Payment, Transaction, WebhookEvent
from homeward.ledger.providers import sandbox
from homeward.personas import client_for

URL = "/payments/webhooks/sandbox/"


@pytest.fixture
def pending(world) -> Payment:
    """A $20 wallet deposit paid with the late card: waiting for the card company."""
    payment = payments.start(
        contact=world.contact_a,
        facility=world.facility_1,
        amount=2000,
        key=uuid.uuid4().hex,
        card=sandbox.SUCCEEDS_LATE,
    ).payment
    assert payment.status == Payment.Status.PENDING
    return payment


def post(body: bytes, headers: dict[str, str], url: str = URL):
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return Client().post(url, body, content_type="application/json", **extra)


def event(payment: Payment, type: str = "payment.succeeded", event_id: str = "evt_1"):
    return sandbox.webhook(event_id=event_id, type=type, payment_ref=f"sbx_{payment.pk}")


def balance(world) -> int:
    return ledger.balance_of(
        kind="contact_wallet", contact=world.contact_a, facility=world.facility_1
    )


def test_a_tampered_signature_is_refused_and_nothing_moves(world, pending):
    body, headers = event(pending)
    forged = body.replace(b"evt_1", b"evt_2")
    response = post(forged, headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_signature"
    response = post(body, {sandbox.SIGNATURE_HEADER: "0" * 64})
    assert response.json()["error"]["code"] == "bad_signature"
    assert post(body, {}).status_code == 400
    pending.refresh_from_db()
    assert pending.status == Payment.Status.PENDING
    assert not Transaction.objects.exists() and not WebhookEvent.objects.exists()


def test_a_signed_body_that_is_not_an_event_is_refused(world, pending):
    body = b'{"hello": "world"}'
    response = post(body, {sandbox.SIGNATURE_HEADER: sandbox.sign(body)})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_webhook"
    assert not Transaction.objects.exists()


def test_a_valid_event_pays_once_and_a_repeat_is_a_duplicate(world, pending):
    body, headers = event(pending)
    response = post(body, headers)
    assert response.status_code == 200 and response.json() == {"received": "applied"}
    pending.refresh_from_db()
    assert pending.status == Payment.Status.SUCCEEDED
    assert balance(world) == 2000

    again = post(body, headers)
    assert again.status_code == 200 and again.json() == {"received": "duplicate"}
    assert balance(world) == 2000
    assert Transaction.objects.count() == 1


def test_a_decline_after_success_leaves_the_payment_paid(world, pending):
    post(*event(pending))
    response = post(*event(pending, type="payment.declined", event_id="evt_2"))
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == Payment.Status.SUCCEEDED
    assert balance(world) == 2000


def test_a_decline_of_a_waiting_payment_declines_it(world, pending):
    post(*event(pending, type="payment.declined"))
    pending.refresh_from_db()
    assert pending.status == Payment.Status.DECLINED
    assert balance(world) == 0


def test_an_outcome_for_no_payment_on_record_is_refused_so_the_sender_retries(world):
    body, headers = sandbox.webhook(event_id="evt_x", type="payment.succeeded", payment_ref="sbx_0")
    response = post(body, headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_payment"
    assert not Transaction.objects.exists()


def test_an_unknown_provider_is_404(world, pending):
    body, headers = event(pending)
    response = post(body, headers, url="/payments/webhooks/paypal/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    pending.refresh_from_db()
    assert pending.status == Payment.Status.PENDING


def test_only_post_is_answered(world):
    assert Client().get(URL).status_code == 405


def test_the_receipt_follows_the_webhook(world, pending):
    client = client_for(world.contact_a.user)
    assert "Waiting for the card company" in client.get(f"/receipts/{pending.pk}/").content.decode()
    post(*event(pending))
    page = client.get(f"/receipts/{pending.pk}/").content.decode()
    assert "Waiting for the card company" not in page and "ending 3220" in page
    assert json.loads(post(*event(pending)).content) == {"received": "duplicate"}


def test_a_signed_event_with_characters_people_may_not_type_is_still_applied(world, pending):
    # A card company's event can carry whatever the payer typed (a name with a NUL in it):
    # the edge guard lets signed webhooks through, or the payment would wait for days.
    document = {"id": "evt_nul", "type": "payment.succeeded", "payment": f"sbx_{pending.pk}"}
    document["customer_name"] = "Ana\u0000 \ufffe"
    body = json.dumps(document).encode()
    response = post(body, {sandbox.SIGNATURE_HEADER: sandbox.sign(body)})
    assert response.status_code == 200, response.content
    pending.refresh_from_db()
    assert pending.status == Payment.Status.SUCCEEDED
    assert balance(world) == 2000
