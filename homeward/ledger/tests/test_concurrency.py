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


def test_thirty_first_deposits_at_once_carry_the_account_fee_once(world):
    """Thirty deposits at once (thirty keys: tabs, retries) into a wallet with none yet,
    each shown the total with the one-time account fee: one is made with the fee, the
    others are refused as a total that changed (each would be a later deposit), and
    nothing else is recorded."""
    from homeward.ledger import payments
    from homeward.ledger.models import Payment

    t.set_prices(world.facility_1, model="stamps", stamp_cents=40, account_fee_cents=200)
    shown = payments.quote(facility=world.facility_1, amount=1000, contact=world.contact_a)
    assert shown.total == 1200

    def deposit(i: int) -> str:
        try:
            payments.start(
                contact=world.contact_a,
                facility=world.facility_1,
                amount=1000,
                key=f"tab-{i}",
                card="4242 4242 4242 4242",
                expected_total=shown.total,
            )
            return "made"
        except payments.TotalChanged:
            return "total_changed"

    outcomes = in_threads(30, deposit)
    assert sorted(outcomes) == ["made"] + ["total_changed"] * 29, outcomes
    made = Payment.objects.get()
    assert (made.fee_cents, made.total_cents) == (200, 1200)
    assert payments.quote(facility=world.facility_1, amount=1000, contact=world.contact_a).fee == 0
    assert ledger.problems() == []


def test_trust_money_answered_while_its_resident_is_released_goes_back_to_the_card(
    world, monkeypatch
):
    """The card company's answer for trust money arrives while the resident's release is
    paying the trust account out (the release not committed yet): the answer waits for the
    release, and the money goes back to the card instead of landing in the trust account of
    someone already released."""
    import threading
    import time

    from homeward.ledger import payments
    from homeward.roster import services as roster

    connection = world.contact_a.connections.get()
    late = payments.start(
        contact=world.contact_a,
        facility=world.facility_1,
        amount=1500,
        key="late-trust",
        card="4000 0000 0000 3220",  # the card company answers later
        connection_id=connection.pk,
    ).payment
    assert late.status == "pending"
    paid_out = threading.Event()
    pay_out = roster._pay_out_trust

    def paying_out(resident):  # the real payout, then a pause before the release commits
        held = pay_out(resident)
        paid_out.set()
        time.sleep(0.5)
        return held

    monkeypatch.setattr(roster, "_pay_out_trust", paying_out)

    def run(i: int):
        if i == 0:
            return roster.release_resident(
                staff=world.facility_admin, resident_id=world.resident.pk
            )
        assert paid_out.wait(10)
        return payments._finish(late.pk, outcome="succeeded")

    results = in_threads(2, run)
    assert not [r for r in results if isinstance(r, Exception)], results
    late.refresh_from_db()
    assert late.status == "succeeded" and late.refunded_cents == 1500
    assert ledger.balance_of(kind=K.TRUST, resident=world.resident) == 0
    assert ledger.problems() == []
