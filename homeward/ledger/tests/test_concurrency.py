"""Thirty charges at once against money for one: exactly one is accepted (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

from homeward import builders as t
from homeward.core.errors import DomainError
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Transaction

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]
K = Account.Kind


def test_thirty_parallel_charges_with_money_for_one():
    wallet = ledger.account_for(kind=K.CONTACT_WALLET, contact=t.make_contact("one@example.org"))
    clearing = ledger.account_for(kind=K.PAYMENT_CLEARING)
    revenue = ledger.account_for(kind=K.PLATFORM_REVENUE)
    ledger.post(key="dep", kind="deposit", postings=[(clearing, -35), (wallet, 35)])

    def charge(i: int) -> str:
        try:
            ledger.post(key=f"msg-{i}", kind="charge", postings=[(wallet, -35), (revenue, 35)])
            return "accepted"
        except DomainError as error:
            return error.code

    outcomes = in_threads(30, charge)
    assert outcomes.count("accepted") == 1, outcomes
    assert set(outcomes) == {"accepted", "insufficient_funds"}
    assert Account.objects.get(pk=wallet.pk).balance == 0
    assert Transaction.objects.filter(kind="charge").count() == 1
    assert ledger.problems() == []


def test_the_same_key_five_times_at_once_posts_once():
    wallet = ledger.account_for(kind=K.CONTACT_WALLET, contact=t.make_contact("five@example.org"))
    clearing = ledger.account_for(kind=K.PAYMENT_CLEARING)
    results = in_threads(
        5,
        lambda i: (
            ledger.post(
                key="webhook-evt-1", kind="deposit", postings=[(clearing, -500), (wallet, 500)]
            ).pk
        ),
    )
    assert len(set(results)) == 1, results
    assert Account.objects.get(pk=wallet.pk).balance == 500
    assert ledger.problems() == []
