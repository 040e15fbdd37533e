"""Ten requests with one key at once, over HTTP (PostgreSQL): exactly one does the work and
answers 201; the others answer 200 with the very same body, or 409 idempotency_key_reused
when they asked for something else. One message, one payment, one charge."""

from __future__ import annotations

import pytest
from django.db import connection

from homeward import builders as t
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Payment, Transaction
from homeward.ledger.providers import sandbox
from homeward.messaging.models import Message
from homeward.personas import api_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]
K = Account.Kind
N = 30


@pytest.fixture
def scene():
    facility = t.make_facility("eastside", prices={"model": "per_message", "per_message_cents": 25})
    contact = t.make_contact("tap@example.org")
    link = t.connect(contact, t.make_resident(facility, "E100"))
    t.pay_in(contact, facility, 1000)
    clients = [api_for(contact) for _ in range(N)]
    return facility, contact, link, clients


def statuses(responses) -> list[int]:
    return sorted(r.status_code for r in responses)


def wallet(contact, facility) -> int:
    return ledger.balance_of(kind=K.CONTACT_WALLET, contact=contact, facility=facility)


def test_thirty_identical_sends_at_once_are_one_message(scene):
    facility, contact, link, clients = scene
    data = {"body": "See you Sunday", "client_token": "tap"}
    url = f"/conversations/{link.pk}/messages"

    responses = in_threads(N, lambda i: clients[i].post(url, data))

    assert statuses(responses) == [200] * (N - 1) + [201], [r.content for r in responses]
    assert len({r.content for r in responses}) == 1  # every answer is the first answer
    assert Message.objects.count() == 1
    assert Transaction.objects.filter(kind="message_charge").count() == 1
    assert wallet(contact, facility) == 1000 - 25
    assert ledger.problems() == []


def test_thirty_different_sends_with_one_token_at_once_are_one_message(scene):
    facility, contact, link, clients = scene
    url = f"/conversations/{link.pk}/messages"

    responses = in_threads(
        N, lambda i: clients[i].post(url, {"body": f"Version {i}", "client_token": "tap"})
    )

    assert statuses(responses) == [201] + [409] * (N - 1), [r.content for r in responses]
    refused = [r.json()["error"]["code"] for r in responses if r.status_code == 409]
    assert set(refused) == {"idempotency_key_reused"}
    [winner] = [r.json() for r in responses if r.status_code == 201]
    assert Message.objects.get().body == winner["body"]
    assert Transaction.objects.filter(kind="message_charge").count() == 1
    assert wallet(contact, facility) == 1000 - 25


def test_thirty_identical_deposits_at_once_are_one_payment(scene):
    facility, contact, _, clients = scene
    data = {"amount_cents": 2000, "card": sandbox.SUCCEEDS, "idempotency_key": "tap"}

    responses = in_threads(N, lambda i: clients[i].post("/wallets/eastside/deposits", data))

    assert statuses(responses) == [200] * (N - 1) + [201], [r.content for r in responses]
    assert len({r.content for r in responses}) == 1
    assert responses[0].json()["status"] == "succeeded"
    assert Payment.objects.filter(key__startswith="api:").count() == 1
    assert Transaction.objects.filter(kind="deposit").count() == 2  # the scene's and this one
    assert wallet(contact, facility) == 1000 + 2000
    assert ledger.problems() == []


def test_thirty_deposits_of_different_amounts_with_one_key_are_one_payment(scene):
    facility, contact, _, clients = scene

    def pay(i: int):
        data = {"amount_cents": 1000 + i, "card": sandbox.SUCCEEDS, "idempotency_key": "tap"}
        return clients[i].post("/wallets/eastside/deposits", data)

    responses = in_threads(N, pay)

    assert statuses(responses) == [201] + [409] * (N - 1), [r.content for r in responses]
    refused = {r.json()["error"]["code"] for r in responses if r.status_code == 409}
    assert refused == {"idempotency_key_reused"}
    [winner] = [r.json() for r in responses if r.status_code == 201]
    assert Payment.objects.get(key__startswith="api:").amount_cents == winner["amount_cents"]
    assert wallet(contact, facility) == 1000 + winner["amount_cents"]
    assert ledger.problems() == []


def test_thirty_identical_trust_deposits_at_once_are_one_payment(scene):
    _, _, link, clients = scene
    data = {"amount_cents": 2000, "card": sandbox.SUCCEEDS, "idempotency_key": "tap"}
    url = f"/connections/{link.pk}/trust-deposits"

    responses = in_threads(N, lambda i: clients[i].post(url, data))

    assert statuses(responses) == [200] * (N - 1) + [201], [r.content for r in responses]
    assert len({r.content for r in responses}) == 1
    assert ledger.balance_of(kind=K.TRUST, resident=link.resident) == 2000
    assert ledger.problems() == []


def test_thirty_identical_stamp_packs_at_once_are_one_pack(scene):
    facility, contact, _, clients = scene
    t.set_prices(facility, stamp_cents=40, stamp_packs=[{"stamps": 10, "cents": 350}])
    data = {"pack": 0, "idempotency_key": "tap"}

    responses = in_threads(N, lambda i: clients[i].post("/wallets/eastside/stamp-packs", data))

    assert statuses(responses) == [200] * (N - 1) + [201], [r.content for r in responses]
    assert len({r.content for r in responses}) == 1
    assert wallet(contact, facility) == 1000 - 350
    assert ledger.problems() == []


def test_thirty_identical_refunds_at_once_are_one_refund(scene):
    facility, contact, _, clients = scene
    data = {"idempotency_key": "tap"}

    responses = in_threads(N, lambda i: clients[i].post("/wallets/eastside/refund", data))

    assert statuses(responses) == [200] * (N - 1) + [201], [r.content for r in responses]
    assert len({r.content for r in responses}) == 1
    assert responses[0].json()["refunded_cents"] == 1000
    assert wallet(contact, facility) == 0
    assert ledger.problems() == []
