"""The same compose form sent thirty times at once from the web, over HTTP (PostgreSQL): one
message, one charge; every request lands on that message's page."""

from __future__ import annotations

import pytest
from django.db import connection

from homeward import builders as t
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.ledger import services as ledger
from homeward.ledger.models import Transaction
from homeward.messaging.models import Message
from homeward.personas import client_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]
N = 30


def test_one_compose_form_sent_thirty_times_at_once_is_one_message():
    facility = t.make_facility("eastside", prices={"model": "per_message", "per_message_cents": 25})
    contact = t.make_contact("tap@example.org")
    link = t.connect(contact, t.make_resident(facility))
    t.pay_in(contact, facility, 1000)
    clients = [client_for(contact.user) for _ in range(N)]
    form = {"body": "See you Sunday", "client_token": "a" * 32}

    responses = in_threads(N, lambda i: clients[i].post(f"/conversations/{link.pk}/send/", form))

    sent = Message.objects.get()
    assert [r.status_code for r in responses] == [302] * N, [r.content[:300] for r in responses]
    assert {r["Location"].split("#")[1] for r in responses} == {f"message-{sent.pk}"}
    assert Transaction.objects.filter(kind="message_charge").count() == 1
    assert ledger.balance_of(kind="contact_wallet", contact=contact, facility=facility) == 975
    assert ledger.problems() == []
