"""Stamp packs: buying stamps ahead, at the pack's price, and spending them on messages.

Stamps are counted in their own unit (``Account.STAMP_UNIT``): a contact's stamps at a
facility against the facility's stamps issued. The money paid for them is not revenue until
a stamp is used: it waits in the contact's "stamps held" account, and each stamp used moves
its share (the average price of the stamps still held) to revenue. So a blocked message gives
its stamps back, and unused stamps go back to the wallet, at what they cost, when the wallet
is refunded — nothing bought is ever lost to a release.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from homeward.core import clock
from homeward.core.errors import DomainError
from homeward.core.templatetags.money import dollars
from homeward.facilities.models import Facility
from homeward.ledger import pricing
from homeward.ledger import services as ledger
from homeward.ledger import words as memo_words
from homeward.ledger.models import Account, PriceSchedule, Transaction
from homeward.ledger.pricing.base import Pack
from homeward.people.models import Contact

K = Account.Kind
STAMP = Account.STAMP_UNIT


def packs_of(schedule: PriceSchedule) -> list[Pack]:
    """The packs on sale under ``schedule`` (none where messages are not priced in stamps)."""
    return pricing.model_of(schedule).packs(schedule)


def check_packs(packs: object) -> list[dict[str, int]]:
    """A schedule's packs, checked: each a whole number of stamps (1–1,000) for a price."""
    if not isinstance(packs, list):
        raise DomainError("bad_packs", _("Stamp packs are a list of stamps and prices."))
    checked = []
    for pack in packs:
        try:
            stamps, cents = int(pack["stamps"]), int(pack["cents"])
        except (KeyError, TypeError, ValueError):
            raise DomainError(
                "bad_packs", _("Each pack has a number of stamps and a price.")
            ) from None
        if not (1 <= stamps <= 1000 and 1 <= cents <= 100_000):
            raise DomainError("bad_packs", _("A pack holds 1 to 1,000 stamps for $0.01 to $1,000."))
        checked.append({"stamps": stamps, "cents": cents})
    return checked


def stamps_of(contact: Contact | None, facility: Facility) -> int:
    return ledger.balance_of(kind=K.STAMPS, currency=STAMP, contact=contact, facility=facility)


def _stamps(contact: Contact | None, facility: Facility) -> Account:
    return ledger.account_for(kind=K.STAMPS, currency=STAMP, contact=contact, facility=facility)


def _held(contact: Contact | None, facility: Facility) -> Account:
    return ledger.account_for(kind=K.STAMPS_HELD, contact=contact, facility=facility)


def _issued(facility: Facility) -> Account:
    return ledger.account_for(kind=K.STAMP_ISSUE, currency=STAMP, facility=facility)


def _lock(contact: Contact | None, facility: Facility) -> None:
    """Hold the contact's stamps and the money held for them (if they have any) until the
    transaction ends, so the count and the money are read together: a purchase cannot land
    between the two reads."""
    mine = Account.objects.filter(
        kind__in=(K.STAMPS, K.STAMPS_HELD), contact=contact, facility=facility
    )
    list(mine.select_for_update().order_by("pk"))


def lock_and_count(contact: Contact | None, facility: Facility) -> int:
    """The contact's stamps, held for the caller's transaction."""
    _lock(contact, facility)
    return stamps_of(contact, facility)


def purchase_pack(
    *, contact: Contact | None, facility: Facility, pack: int, key: str
) -> tuple[Pack, bool]:
    """Buy pack number ``pack`` of the schedule in force, from the wallet at ``facility``,
    saying whether this request bought it (False: ``key`` bought this pack before, and
    nothing more moved). The same key for another pack (or another facility)
    is 409 idempotency_key_reused."""
    offered = packs_of(pricing.schedule_in_force(facility.pk, clock.now()))
    if not 0 <= pack < len(offered):
        raise DomainError("no_such_pack", _("This facility does not sell that stamp pack now."))
    chosen = offered[pack]
    try:
        with transaction.atomic():
            bought = _post_pack(contact, facility, chosen, key)
    except DomainError as error:
        if error.code != "insufficient_funds":
            raise
        raise DomainError(
            "insufficient_funds",
            _(
                "There is not enough money in your wallet for this pack (%(price)s). Nothing was "
                "bought; pay in first."
            )
            % {"price": dollars(chosen.cents)},
            status=402,
        ) from None
    return chosen, bought


def _post_pack(contact: Contact | None, facility: Facility, chosen: Pack, key: str) -> bool:
    """Post the purchase; False when ``key`` already bought it (decided under the lock on
    the contact's stamps, so of twin requests exactly one buys)."""
    from homeward.ledger.charges import wallet

    for open_account in (_stamps, _held):  # opened first, so that they can be locked
        open_account(contact, facility)
    _lock(contact, facility)
    bought_before = Transaction.objects.filter(idempotency_key=f"{key}:money").exists()
    links = {"contact": contact, "facility": facility}
    with translation.override("en"):  # the ledger's memos are kept in English
        pack_words = chosen.words
    # Posted again on a repeat: the ledger answers the first posting, or refuses (409) a
    # key used for another pack.
    ledger.post(
        key=f"{key}:money",
        kind=Transaction.Kind.STAMP_PACK,
        postings=[
            (wallet(contact, facility), -chosen.cents),
            (_held(contact, facility), chosen.cents),
        ],
        memo=memo_words.STAMP_PACK.stored(pack=pack_words),
        **links,
    )
    ledger.post(
        key=f"{key}:stamps",
        kind=Transaction.Kind.STAMP_PACK,
        postings=[(_issued(facility), -chosen.stamps), (_stamps(contact, facility), chosen.stamps)],
        memo=memo_words.stamps_memo(chosen.stamps),
        **links,
    )
    return not bought_before


def value_of(contact: Contact | None, facility: Facility, count: int) -> int:
    """What ``count`` of the contact's stamps cost them: their share of the money held for
    the stamps left (the last stamp takes what rounding left over). Locks both accounts for
    the caller's transaction."""
    _lock(contact, facility)
    left = stamps_of(contact, facility)
    held = ledger.balance_of(kind=K.STAMPS_HELD, contact=contact, facility=facility)
    return held if count >= left else held * count // left


def spend(
    *,
    key: str,
    contact: Contact | None,
    facility: Facility,
    count: int,
    to: list[tuple[Account, int]],
    memo: str,
    **links: Any,
) -> None:
    """Spend ``count`` stamps: the stamps go back to the facility, and their money moves from
    "held" to the accounts in ``to`` (cents that sum to the stamps' value)."""
    value = sum(cents for _, cents in to)
    ledger.post(
        key=f"{key}:stamps",
        kind=Transaction.Kind.MESSAGE_CHARGE,
        postings=[(_stamps(contact, facility), -count), (_issued(facility), count)],
        memo=memo,
        contact=contact,
        facility=facility,
        **links,
    )
    if value:
        ledger.post(
            key=key,
            kind=Transaction.Kind.MESSAGE_CHARGE,
            postings=[(_held(contact, facility), -value), *[(a, c) for a, c in to if c]],
            memo=memo,
            contact=contact,
            facility=facility,
            **links,
        )


def return_unused(*, contact: Contact | None, facility: Facility, key: str) -> int:
    """Give back every unused stamp: the stamps to the facility, their money to the wallet.
    Returns the cents returned (inside the caller's transaction)."""
    from homeward.ledger.charges import wallet

    _lock(contact, facility)
    count = stamps_of(contact, facility)
    held = ledger.balance_of(kind=K.STAMPS_HELD, contact=contact, facility=facility)
    links = {"contact": contact, "facility": facility}
    if count:
        ledger.post(
            key=f"{key}:stamps",
            kind=Transaction.Kind.STAMPS_RETURNED,
            postings=[(_stamps(contact, facility), -count), (_issued(facility), count)],
            memo=memo_words.unused_stamps_memo(count, money=False),
            **links,
        )
    if held:
        ledger.post(
            key=f"{key}:money",
            kind=Transaction.Kind.STAMPS_RETURNED,
            postings=[(_held(contact, facility), -held), (wallet(contact, facility), held)],
            memo=memo_words.unused_stamps_memo(count, money=True),
            **links,
        )
    return held
