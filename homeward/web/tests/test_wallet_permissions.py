"""Who may use the money pages. Anonymous people are sent to sign in; staff and residents
find no contact pages; another contact's receipt, connection or wallet is a 404. A refused
request moves no money and creates nothing."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from homeward.jobs.models import Job
from homeward.ledger import payments
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Payment, Payout, Transaction
from homeward.ledger.providers import sandbox
from homeward.personas import client_for, kiosk_client_for

OWN_GETS = [
    "/wallet/",
    "/wallet/statement/",
    "/wallet/statement.csv",
    "/wallet/greenhaven/deposit/",
]
SCOPED_GETS = ["/receipts/{payment}/", "/connections/{connection}/money/"]
POSTS = [
    "/wallet/greenhaven/deposit/",
    "/wallet/greenhaven/refund/",
    "/connections/{connection}/money/",
]


@pytest.fixture
def ids(world) -> dict[str, int]:
    """contact_a has $20 in the wallet at greenhaven, paid by card."""
    payment = payments.start(
        contact=world.contact_a,
        facility=world.facility_1,
        amount=2000,
        key=uuid.uuid4().hex,
        card=sandbox.SUCCEEDS,
    ).payment
    return {"payment": payment.pk, "connection": world.contact_a.connections.get().pk}


def pay_form() -> dict[str, str]:
    token = uuid.uuid4().hex
    return {
        "step": "pay",
        "amount": "20",
        "total": "2000",
        "token": token,
        "card": "4242424242424242",
    }


def snapshot() -> tuple:
    return (
        sorted(Payment.objects.values_list("pk", "status", "refunded_cents")),
        Payout.objects.count(),
        Transaction.objects.count(),
        sorted(Account.objects.values_list("pk", "balance")),
        Job.objects.count(),
    )


@pytest.mark.parametrize("url", OWN_GETS + SCOPED_GETS)
def test_anonymous_is_sent_to_sign_in_and_back(world, ids, url):
    url = url.format(**ids)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/signin/?next={url}"


@pytest.mark.parametrize("url", POSTS)
def test_anonymous_posts_move_no_money(world, ids, url):
    before = snapshot()
    response = Client().post(url.format(**ids), pay_form())
    assert response.status_code == 302 and response["Location"].startswith("/signin/")
    assert snapshot() == before


@pytest.mark.parametrize("who", ["reviewer_1", "reviewer_2", "investigator", "facility_admin"])
@pytest.mark.parametrize("url", OWN_GETS + SCOPED_GETS)
def test_staff_find_no_money_pages(world, ids, who, url):
    assert client_for(getattr(world, who)).get(url.format(**ids)).status_code == 404


@pytest.mark.parametrize("who", ["reviewer_1", "facility_admin"])
@pytest.mark.parametrize("url", POSTS)
def test_staff_posts_are_404_and_move_no_money(world, ids, who, url):
    before = snapshot()
    response = client_for(getattr(world, who)).post(url.format(**ids), pay_form())
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("url", OWN_GETS + SCOPED_GETS)
def test_a_resident_at_a_kiosk_is_not_a_contact(world, ids, url):
    response = kiosk_client_for(world.resident).get(url.format(**ids))
    assert response.status_code == 302 and response["Location"].startswith("/signin/")


def test_another_contact_cannot_see_the_receipt(world, ids):
    client = client_for(world.contact_b.user)
    assert client.get(f"/receipts/{ids['payment']}/").status_code == 404
    page = client.get("/wallet/statement/").content.decode()
    assert "HW-" not in page
    assert "HW-" not in b"".join(client.get("/wallet/statement.csv").streaming_content).decode()
    assert "Greenhaven" not in client.get("/wallet/").content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_contact_cannot_send_money_over_the_connection(world, ids, method):
    before = snapshot()
    url = f"/connections/{ids['connection']}/money/"
    client = client_for(world.contact_b.user)
    response = getattr(client, method)(url, pay_form() if method == "post" else None)
    assert response.status_code == 404
    assert snapshot() == before


def test_another_contact_cannot_deposit_or_refund_where_they_have_no_connection(world, ids):
    before = snapshot()
    client = client_for(world.contact_b.user)
    assert client.get("/wallet/greenhaven/deposit/").status_code == 404
    assert client.post("/wallet/greenhaven/deposit/", pay_form()).status_code == 404
    assert client.post("/wallet/greenhaven/refund/", {"token": uuid.uuid4().hex}).status_code == 404
    assert snapshot() == before
    balance = ledger.balance_of(
        kind="contact_wallet", contact=world.contact_a, facility=world.facility_1
    )
    assert balance == 2000


@pytest.mark.parametrize("url", ["/receipts/99999/", "/connections/99999/money/"])
def test_unknown_ids_are_404(world, url):
    assert client_for(world.contact_a.user).get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/wallet/greenhaven/refund/"],  # a state change is never a GET
)
def test_refund_is_post_only(world, ids, url):
    before = snapshot()
    assert client_for(world.contact_a.user).get(url).status_code == 405
    assert snapshot() == before


@pytest.mark.parametrize("url", POSTS)
def test_posts_without_a_csrf_token_are_refused(world, ids, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.contact_a.user)
    before = snapshot()
    response = client.post(url.format(**ids), {**pay_form(), "token": uuid.uuid4().hex})
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("url", ["/wallet/statement/", "/wallet/statement.csv"])
def test_statement_is_get_only(world, url):
    assert client_for(world.contact_a.user).post(url).status_code == 405
