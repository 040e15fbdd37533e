"""The ledger never loses a cent: balanced, idempotent, never negative, append-only."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from homeward import builders as t
from homeward.core.errors import DomainError
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Posting, Transaction

K = Account.Kind


@pytest.fixture
def accounts(db):
    contact = t.make_contact("payer@example.org")
    facility = t.make_facility("ledger-facility")
    return {
        "wallet": ledger.account_for(kind=K.CONTACT_WALLET, contact=contact),
        "clearing": ledger.account_for(kind=K.PAYMENT_CLEARING),
        "revenue": ledger.account_for(kind=K.PLATFORM_REVENUE, facility=facility),
    }


def deposit(accounts, cents: int, key: str = "dep-1"):
    return ledger.post(
        key=key,
        kind="deposit",
        postings=[(accounts["clearing"], -cents), (accounts["wallet"], cents)],
    )


def balances(accounts) -> dict[str, int]:
    return {name: Account.objects.get(pk=a.pk).balance for name, a in accounts.items()}


def test_a_deposit_then_a_charge_moves_exact_cents(accounts):
    deposit(accounts, 1000)
    ledger.post(
        key="msg-1",
        kind="charge",
        postings=[(accounts["wallet"], -35), (accounts["revenue"], 35)],
    )
    assert balances(accounts) == {"wallet": 965, "clearing": -1000, "revenue": 35}
    assert ledger.problems() == []


def test_the_same_key_posts_once_and_a_different_request_is_refused(accounts):
    first = deposit(accounts, 500)
    again = deposit(accounts, 500)
    assert again.pk == first.pk
    assert balances(accounts)["wallet"] == 500
    with pytest.raises(DomainError) as err:
        deposit(accounts, 700)  # same key, different amount
    assert err.value.code == "idempotency_key_reused"
    assert Transaction.objects.count() == 1 and balances(accounts)["wallet"] == 500


def test_a_wallet_never_goes_negative_and_nothing_is_posted(accounts):
    deposit(accounts, 30)
    with pytest.raises(DomainError) as err:
        ledger.post(
            key="msg-2",
            kind="charge",
            postings=[(accounts["wallet"], -35), (accounts["revenue"], 35)],
        )
    assert err.value.code == "insufficient_funds"
    assert balances(accounts) == {"wallet": 30, "clearing": -30, "revenue": 0}
    assert not Transaction.objects.filter(idempotency_key="msg-2").exists()
    assert ledger.problems() == []


@pytest.mark.parametrize(
    ("amounts", "code"),
    [
        ((100, -99), "unbalanced"),
        ((0, 0), "bad_amount"),
        ((1.5, -1.5), "bad_amount"),
        ((True, -1), "bad_amount"),
        ((10**12, -(10**12)), "bad_amount"),
        ((100,), "unbalanced"),
    ],
)
def test_bad_amounts_are_refused_with_nothing_posted(accounts, amounts, code):
    targets = [accounts["wallet"], accounts["clearing"]]
    with pytest.raises(DomainError) as err:
        ledger.post(key="bad", kind="deposit", postings=list(zip(targets, amounts, strict=False)))
    assert err.value.code == code
    assert not Transaction.objects.exists() and not Posting.objects.exists()


def test_another_currency_cannot_be_mixed_in(accounts):
    euros = ledger.account_for(kind=K.PAYMENT_CLEARING, currency="EUR")
    with pytest.raises(DomainError) as err:
        ledger.post(key="fx", kind="deposit", postings=[(euros, -100), (accounts["wallet"], 100)])
    assert err.value.code == "mixed_currency"
    assert not Transaction.objects.exists()


def test_postings_and_transactions_cannot_be_edited(accounts):
    posted = deposit(accounts, 100)
    posted.memo = "changed"
    with pytest.raises(ValueError):
        posted.save()
    posting = posted.postings.first()
    posting.amount = 1
    with pytest.raises(ValueError):
        posting.save()


@pytest.mark.tampers_with_ledger
def test_ledger_check_finds_a_tampered_balance(accounts):
    deposit(accounts, 100)
    out = StringIO()
    call_command("ledger_check", stdout=out)
    assert "Ledger is sound" in out.getvalue()
    Account.objects.filter(pk=accounts["wallet"].pk).update(balance=5000)
    with pytest.raises(CommandError, match="1 problem"):
        call_command("ledger_check", stdout=StringIO(), stderr=StringIO())
