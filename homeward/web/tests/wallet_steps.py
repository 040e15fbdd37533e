"""Steps a contact takes on the money pages, for the wallet tests."""

from __future__ import annotations

import re

from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Payment, Payout, Transaction

GOOD = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
LATE = "4000 0000 0000 3220"
DEPOSIT = "/wallet/greenhaven/deposit/"


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"the page carries a hidden {name}"
    return match.group(1)


def quote(client, url: str, amount: str):
    return client.post(url, {"step": "quote", "amount": amount})


def pay(client, url: str, amount: str, card: str = GOOD, **kwargs):
    """Both steps, as a person would: see the quote, then pay with the form it gave."""
    page = quote(client, url, amount).content.decode()
    form = {
        "step": "pay",
        "amount": hidden(page, "amount"),
        "total": hidden(page, "total"),
        "token": hidden(page, "token"),
        "card": card,
    }
    return client.post(url, {**form, **kwargs})


def wallet_balance(contact, facility) -> int:
    return ledger.balance_of(kind="contact_wallet", contact=contact, facility=facility)


def money_state() -> tuple:
    return (
        Payment.objects.count(),
        Payout.objects.count(),
        Transaction.objects.count(),
        sorted(Account.objects.values_list("pk", "balance")),
    )


def pay_directly(client, url: str):
    return client.post(
        url, {"step": "pay", "amount": "20", "total": "2000", "token": "b" * 32, "card": GOOD}
    )
