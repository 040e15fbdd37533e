"""Moving money: every change is one balanced transaction, posted once per idempotency key."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from homeward.core import clock
from homeward.core.errors import Conflict, DomainError
from homeward.facilities.models import Agency, Facility
from homeward.ledger.models import Account, Posting, Transaction
from homeward.people.models import Contact, Resident

MAX_AMOUNT = 100_000_000  # cents: one million dollars, far past any real message or deposit


def account_for(
    *,
    kind: str,
    contact: Contact | None = None,
    resident: Resident | None = None,
    agency: Agency | None = None,
    facility: Facility | None = None,
    currency: str = "USD",
) -> Account:
    """The account of this kind for this owner, opened on first use."""
    account, _ = Account.objects.get_or_create(
        kind=kind,
        contact=contact,
        resident=resident,
        agency=agency,
        facility=facility,
        currency=currency,
        defaults={"allow_negative": kind not in Account.PERSONAL},
    )
    return account


def balance_of(
    *, kind: str, currency: str = "USD", **owner: Contact | Resident | Facility | None
) -> int:
    """An account's balance without opening it: an account never used holds nothing."""
    found = Account.objects.filter(kind=kind, currency=currency, **owner).values_list(
        "balance", flat=True
    )
    return next(iter(found), 0)


def _check(postings: Sequence[tuple[Account, int]]) -> None:
    if len(postings) < 2:
        raise DomainError(
            "unbalanced", _("A transaction moves money between at least two accounts.")
        )
    for _account, amount in postings:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise DomainError("bad_amount", _("Amounts are whole cents."))
        if amount == 0 or abs(amount) > MAX_AMOUNT:
            raise DomainError(
                "bad_amount", _("An amount must be more than zero and at most $1,000,000.")
            )
    if sum(amount for _, amount in postings) != 0:
        raise DomainError("unbalanced", _("The postings of a transaction must add up to zero."))
    if len({account.currency for account, _ in postings}) != 1:
        raise DomainError("mixed_currency", _("A transaction moves money in one currency only."))


def _fingerprint(kind: str, postings: Sequence[tuple[Account, int]]) -> str:
    body = repr((kind, sorted((account.pk, amount) for account, amount in postings)))
    return hashlib.sha256(body.encode()).hexdigest()


def _same_request(existing: Transaction, fingerprint: str) -> Transaction:
    if existing.request_hash != fingerprint:
        raise Conflict(
            "idempotency_key_reused",
            _("This request key was already used for a different payment."),
        )
    return existing


def post(
    *,
    key: str,
    kind: str,
    postings: Sequence[tuple[Account, int]],
    memo: str = "",
    **links: Any,
) -> Transaction:
    """Post one balanced transaction. The same key returns the first result; the same key
    with a different request is refused. A personal balance that would go below zero
    refuses the whole transaction: nothing is posted.

    ``links`` (contact, facility, message, payment) say what the money moved for; the
    statements and reports read them."""
    if not key.strip():
        raise DomainError("key_required", _("Every money movement needs an idempotency key."))
    _check(postings)
    fingerprint = _fingerprint(kind, postings)
    with transaction.atomic():
        existing = Transaction.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _same_request(existing, fingerprint)
        try:
            with transaction.atomic():
                posted = Transaction.objects.create(
                    kind=kind,
                    idempotency_key=key,
                    request_hash=fingerprint,
                    memo=memo[:300],
                    created_at=clock.now(),
                    **links,
                )
                # Lock in a fixed order so two transactions on the same accounts never
                # deadlock; the database's check refuses a negative personal balance.
                for account, amount in sorted(postings, key=lambda p: p[0].pk):
                    Posting.objects.create(transaction=posted, account=account, amount=amount)
                    Account.objects.filter(pk=account.pk).update(balance=F("balance") + amount)
        except IntegrityError:
            raced = Transaction.objects.filter(idempotency_key=key).first()
            if raced is not None:  # the same request, posted a moment ago by someone else
                return _same_request(raced, fingerprint)
            raise DomainError(
                "insufficient_funds", _("There is not enough money in the account for this.")
            ) from None
    return posted


def problems() -> list[str]:
    """Every way the ledger disagrees with itself; empty when it is sound."""
    found = []
    unbalanced = (
        Transaction.objects.annotate(total=Sum("postings__amount"))
        .filter(~Q(total=0) | Q(total__isnull=True))
        .values_list("idempotency_key", "total")
    )
    for key, total in unbalanced:
        found.append(f"transaction {key} sums to {total} instead of 0")
    accounts = Account.objects.annotate(posted=Sum("postings__amount")).values_list(
        "pk", "balance", "posted"
    )
    for pk, balance, posted in accounts:
        if balance != (posted or 0):
            found.append(f"account {pk} says {balance} but its postings sum to {posted or 0}")
    return found
