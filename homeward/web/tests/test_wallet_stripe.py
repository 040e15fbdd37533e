"""With Stripe, the card is typed on Stripe's hosted page: the deposit page shows the
itemised total, sends the payer there, and the return address leads to the receipt.

A stand-in for Stripe's API runs on a local port (Stripe's servers are not ours to call in a
test); everything of ours, the provider's HTTP call included, runs for real.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from homeward.ledger import services as ledger
from homeward.ledger.models import Payment
from homeward.ledger.providers import stripe
from homeward.personas import client_for
from homeward.web.tests.wallet_steps import DEPOSIT, hidden, quote

CHECKOUT = "https://checkout.stripe.test/c/pay/cs_test_1"
SECRET = "whsec_test"


class FakeStripe(BaseHTTPRequestHandler):
    requests: list[dict[str, list[str]]] = []

    def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
        length = int(self.headers["Content-Length"])
        self.requests.append(urllib.parse.parse_qs(self.rfile.read(length).decode()))
        body = json.dumps({"id": "cs_test_1", "url": CHECKOUT}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stripe_api(settings) -> Iterator[list[dict[str, list[str]]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeStripe)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{server.server_address[1]}"
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    FakeStripe.requests = []
    yield FakeStripe.requests
    server.shutdown()
    server.server_close()


def test_pay_at_stripe_then_come_back_to_the_receipt(world, stripe_api):
    client = client_for(world.contact_a.user)
    page = quote(client, DEPOSIT, "20").content.decode()
    assert "Total charged to your card</th><td><strong>$20.00" in page
    assert 'name="card"' not in page and "4242" not in page  # typed at Stripe, not here
    token = hidden(page, "token")
    form = {"step": "pay", "amount": "20.00", "total": hidden(page, "total"), "token": token}
    response = client.post(DEPOSIT, form)
    assert response.status_code == 302 and response["Location"] == CHECKOUT

    payment = Payment.objects.get()
    assert payment.status == Payment.Status.PENDING
    (sent,) = stripe_api
    return_url = sent["success_url"][0]
    assert return_url == f"http://testserver/wallet/?payment={token}"
    assert sent["line_items[0][price_data][unit_amount]"] == ["2000"]

    # Stripe confirms by webhook, then sends the payer back.
    body = json.dumps(
        {
            "id": "evt_1",
            "type": "checkout.session.completed",
            "data": {"object": {"id": "cs_test_1", "payment_status": "paid"}},
        }
    ).encode()
    now = int(time.time())
    signed = f"t={now},v1={stripe.signature(body, now, SECRET)}"
    hook = Client().post(
        "/payments/webhooks/stripe/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signed,
    )
    assert hook.json() == {"received": "applied"}
    back = client.get(return_url.removeprefix("http://testserver"))
    assert back["Location"] == f"/receipts/{payment.pk}/"
    page = client.get(back["Location"]).content.decode()
    assert "Paid" in page and payment.receipt_number in page
    assert (
        ledger.balance_of(kind="contact_wallet", contact=world.contact_a, facility=world.facility_1)
        == 2000
    )
    assert ledger.problems() == []


def test_a_return_address_with_someone_elses_token_leads_nowhere(world, stripe_api):
    client = client_for(world.contact_a.user)
    page = quote(client, DEPOSIT, "20").content.decode()
    token = hidden(page, "token")
    client.post(DEPOSIT, {"step": "pay", "amount": "20.00", "total": "2000", "token": token})
    other = client_for(world.contact_b.user).get(f"/wallet/?payment={token}")
    assert other.status_code == 200  # their own wallet page, not contact_a's receipt
    assert "HW-" not in other.content.decode()
