"""A double-tapped Pay button: the same key thirty times at once is one payment (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

from homeward import builders as t
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Payment
from homeward.ledger.providers import sandbox
from homeward.personas import api_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


def test_the_same_key_thirty_times_at_once_pays_once():
    facility = t.make_facility("eastside")
    contact = t.make_contact("tap@example.org")
    t.connect(contact, t.make_resident(facility, "E100"))
    clients = [api_for(contact) for _ in range(30)]
    data = {"amount_cents": 1000, "card": sandbox.SUCCEEDS, "idempotency_key": "tap"}

    responses = in_threads(30, lambda i: clients[i].post("/wallets/eastside/deposits", data))

    # Exactly one tap made the payment (201); the others answer it as it was made (200).
    assert sorted(r.status_code for r in responses) == [200] * 29 + [201]
    assert len({r.content for r in responses}) == 1
    assert len({r.json()["id"] for r in responses}) == 1
    assert Payment.objects.count() == 1
    wallet = ledger.balance_of(kind=Account.Kind.CONTACT_WALLET, contact=contact, facility=facility)
    assert wallet == 1000
    assert ledger.problems() == []


def test_a_repeat_never_waits_forever_for_a_start_left_unfinished(monkeypatch):
    # A pooler that moved the first request's session can leave its start lock held; a
    # repeat then waits a bounded time and answers the payment as it stands.
    import time

    import psycopg

    from homeward.ledger import payments

    facility = t.make_facility("eastside")
    contact = t.make_contact("tap@example.org")
    t.connect(contact, t.make_resident(facility, "E100"))
    payment = payments.start(
        contact=contact, facility=facility, amount=1000, key="late", card=sandbox.SUCCEEDS_LATE
    ).payment
    monkeypatch.setattr(payments, "START_WAIT", "1s")
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
    ) as stray:
        stray.execute("SELECT pg_advisory_lock(%s, %s)", [payments._START_LOCKS, payment.pk])
        began = time.monotonic()
        again = payments.start(
            contact=contact, facility=facility, amount=1000, key="late", card=sandbox.SUCCEEDS_LATE
        ).payment
        waited = time.monotonic() - began
    assert again.pk == payment.pk and again.status == Payment.Status.PENDING
    assert 0.9 < waited < 10
