"""The ledger's sentences that are kept in English and said again in the reader's language.

A transaction's memo and a payout's reason are written once, when the money moves, and in
English: nobody's language is known then (a webhook, a job, a release a member of staff
pressed), and the ledger is a record that is never rewritten. Each is written from one
sentence here (``Template.stored``, or a counted sentence under ``translation.override``);
a statement, a receipt, an archive or the API says it again in the language active for
whoever reads it (``shown_memo``, ``shown_payout_reason``), with the names, numbers and
dates it was written with. A memo or a reason written otherwise (an older wording, one cut
at its column's length) is shown as it was stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext, gettext_noop, ngettext

from homeward.ledger.models import Payout, Transaction
from homeward.ledger.pricing.base import Pack
from homeward.ledger.pricing.words import stamps_words

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

T = Transaction.Kind

# What a placeholder holds, by its name, to find it again in a stored sentence; any other
# placeholder holds a name, a facility, a reason or a pack (any text).
_VALUES = {
    "count": r"\d[\d,]*",
    "amount": r"-?\$\d[\d,]*\.\d{2}",
    "day": r"\d{4}-\d{2}-\d{2}",
    "number": r"\S+",
}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


class Template:
    """One sentence the ledger keeps: written in English from ``english`` (marked for
    translation where it is made), found again in what was stored, and said in the reader's
    language with the values it was written with."""

    def __init__(self, english: str) -> None:
        self.english = english
        pieces = _PLACEHOLDER.split(english)
        self._stored = re.compile(
            "".join(
                re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>{_VALUES.get(piece, '.+?')})"
                for i, piece in enumerate(pieces)
            ),
            re.S,
        )

    def stored(self, **values: object) -> str:
        """The sentence as the ledger keeps it: in English, whoever's request writes it."""
        return self.english % values

    def said(self, **values: object) -> str:
        """The sentence in the language active now."""
        return gettext(self.english) % values

    def read(self, stored: str) -> dict[str, str] | None:
        """The values ``stored`` was written with, if it is this sentence; else None."""
        found = self._stored.fullmatch(stored)
        return None if found is None else found.groupdict()


def _in_english(say: Callable[[], str]) -> str:
    with translation.override("en"):
        return say()


def _read_in_english() -> bool:
    """Whether the reader reads the language the ledger keeps (then a memo is shown exactly
    as it was written, an older wording included)."""
    language = translation.get_language()
    return language is None or language.split("-")[0] == "en"


# --- what a message cost, and its refund (charges) -----------------------------------------

# Translators: a line of a contact's statement: what a message they wrote cost; the name is
# the resident's first name.
MESSAGE_TO = Template(gettext_noop("Message to %(name)s"))
# Translators: a line of a contact's statement: a message that also paid for the reply.
MESSAGE_TO_WITH_REPLY = Template(gettext_noop("Message to %(name)s with a prepaid reply"))
# Translators: a line of a contact's statement: a message paid with stamps the contact bought.
MESSAGE_TO_IN_STAMPS = Template(gettext_noop("Message to %(name)s (%(count)s of your stamps)"))
MESSAGE_TO_WITH_REPLY_IN_STAMPS = Template(
    gettext_noop("Message to %(name)s with a prepaid reply (%(count)s of your stamps)")
)
# Translators: a line of a contact's statement: what one photo sent with a message cost.
PHOTO_TO = Template(gettext_noop("Photo with a message to %(name)s"))
# Translators: a line of a contact's statement: a photo paid with stamps the contact bought.
PHOTO_TO_IN_STAMPS = Template(
    gettext_noop("Photo with a message to %(name)s (%(count)s of your stamps)")
)
# Translators: a line of a statement: what a resident's reply cost.
REPLY_FROM = Template(gettext_noop("Reply from %(name)s"))
REPLY_FROM_PREPAID = Template(gettext_noop("Reply from %(name)s, paid by a prepaid reply"))
# Translators: a line of a statement: a message's cost given back; the reason says why
# (e.g. "the message was not delivered").
REFUND = Template(gettext_noop("Refund: %(reason)s"))
# Translators: why a message's cost was given back (after "Refund: ").
NOT_DELIVERED = Template(gettext_noop("the message was not delivered"))


def message_memo(*, name: str, to_resident: bool, prepaid_reply: bool, stamps: int) -> str:
    """The memo of a message's charge (in English). ``prepaid_reply``: the message set money
    aside for the reply (to a resident), or the reply was paid by it (from a resident)."""
    if not to_resident:
        return (REPLY_FROM_PREPAID if prepaid_reply else REPLY_FROM).stored(name=name)
    if stamps:
        template = MESSAGE_TO_WITH_REPLY_IN_STAMPS if prepaid_reply else MESSAGE_TO_IN_STAMPS
    else:
        template = MESSAGE_TO_WITH_REPLY if prepaid_reply else MESSAGE_TO
    return template.stored(name=name, count=stamps)


def photo_memo(*, name: str, stamps: int) -> str:
    """The memo of one photo's charge (in English)."""
    return (PHOTO_TO_IN_STAMPS if stamps else PHOTO_TO).stored(name=name, count=stamps)


# Why a message was refunded, as ``charges.refund_message`` was told (in English), in the
# reader's words. Messaging adds why it returns a message at start-up
# (``know_refund_reasons``); a reason not known is shown as it was stored.
_REFUND_REASONS: dict[str, _StrOrPromise] = {}


def know_refund_reasons(said: Mapping[str, _StrOrPromise]) -> None:
    """Add reasons a message is refunded for: the English ``refund_message`` is given, and
    the words (lazy translations) that say it."""
    _REFUND_REASONS.update(said)


def _refund_reason(reason: str) -> str:
    if NOT_DELIVERED.read(reason) is not None:
        return NOT_DELIVERED.said()
    return str(_REFUND_REASONS.get(reason, reason))


# --- stamps --------------------------------------------------------------------------------

# Translators: a line of a contact's statement; the pack is said as on the wallet page
# ("25 stamps for $8.00 ($0.320 each)").
STAMP_PACK = Template(gettext_noop("Stamp pack: %(pack)s"))
# A pack as ``Pack.words`` says it in English.
_PACK = re.compile(r"(?P<count>\d+) stamps? for \$(?P<dollars>\d[\d,]*)\.(?P<cents>\d{2}) \(.*\)")


def _pack(stored: str) -> str:
    found = _PACK.fullmatch(stored)
    if found is None:
        return stored
    count = int(found["count"])
    cents = int(found["dollars"].replace(",", "")) * 100 + int(found["cents"])
    return Pack(stamps=count, cents=cents).words if count else stored


def stamps_memo(count: int) -> str:
    """The memo of the stamps a pack gave (in English): "25 stamps"."""
    return _in_english(lambda: stamps_words(count))


_STAMPS = re.compile(r"(?P<count>\d[\d,]*) stamps?")


def _unused_stamps(count: int, *, money: bool) -> str:
    if money:
        said = ngettext(
            # Translators: a line of a contact's statement: the money paid for stamps not
            # used, back in the wallet.
            "%(count)s unused stamp returned at what it cost",
            "%(count)s unused stamps returned at what they cost",
            count,
        )
    else:
        said = ngettext(
            # Translators: a line of a contact's statement: stamps not used, given back.
            "%(count)s unused stamp returned",
            "%(count)s unused stamps returned",
            count,
        )
    return said % {"count": f"{count:,}"}


def unused_stamps_memo(count: int, *, money: bool) -> str:
    """The memo of unused stamps given back (in English): the stamps, or (``money``) the
    money they cost, back to the wallet."""
    return _in_english(lambda: _unused_stamps(count, money=money))


_UNUSED_STAMPS = re.compile(r"(?P<count>\d[\d,]*) unused stamps? returned")
_UNUSED_STAMPS_MONEY = re.compile(
    r"(?P<count>\d[\d,]*) unused stamps? returned at what (it|they) cost"
)


# --- card payments and refunds (payments, closing) ------------------------------------------

# Translators: a line of a statement: the money a card payment brought in.
RECEIPT = Template(gettext_noop("Receipt %(number)s"))
# Translators: a refund paid back to the card of a payment.
REFUND_TO_CARD_FOR_RECEIPT = Template(gettext_noop("Refund to card for receipt %(number)s"))
# Translators: a line of a statement; the reason says why (e.g. "Refund requested by you").
REFUND_TO_YOUR_CARD = Template(gettext_noop("Refund to your card: %(reason)s"))
REPLIES_RETURNED_ACCOUNT_CLOSED = Template(
    # Translators: a line of a contact's statement: money set aside for replies, back in the
    # wallet when the contact closed their account.
    gettext_noop("Unused prepaid replies returned: your account was closed")
)

# Why money goes back to a card (a payout's reason).
# Translators: why money went back to a contact's card.
REFUND_REQUESTED = Template(gettext_noop("Refund requested by you"))
# Translators: why money went back to a contact's card.
ACCOUNT_CLOSED = Template(gettext_noop("Your account was closed"))
# Translators: why money went back to a contact's card; the name is the resident's first name.
RELEASED = Template(gettext_noop("%(name)s was released"))
_PAYOUT_REASONS = (REFUND_REQUESTED, ACCOUNT_CLOSED, RELEASED)


def shown_reason(stored: str) -> str:
    """Why money went back to a card (a payout's reason, as stored), in the reader's
    language when it is one the code writes; else as stored."""
    if _read_in_english():
        return stored
    for template in _PAYOUT_REASONS:
        values = template.read(stored)
        if values is not None:
            return template.said(**values)
    return stored


def shown_payout_reason(payout: Payout) -> str:
    return shown_reason(payout.reason)


# --- kiosk time (per-minute pricing) ---------------------------------------------------------


def _kiosk_time(minutes: int, facility: str, uncovered: str) -> str:
    if uncovered:
        said = ngettext(
            # Translators: a line of a resident's trust account: time at the kiosk, charged;
            # the amount is what the trust account did not hold (not charged, not owed).
            "Kiosk time: %(count)s minute at %(facility)s (%(amount)s not covered)",
            "Kiosk time: %(count)s minutes at %(facility)s (%(amount)s not covered)",
            minutes,
        )
    else:
        said = ngettext(
            # Translators: a line of a resident's trust account: time at the kiosk, charged.
            "Kiosk time: %(count)s minute at %(facility)s",
            "Kiosk time: %(count)s minutes at %(facility)s",
            minutes,
        )
    return said % {"count": f"{minutes:,}", "facility": facility, "amount": uncovered}


def kiosk_time_memo(*, minutes: int, facility: str, uncovered: str = "") -> str:
    """The memo of a kiosk session's charge (in English); ``uncovered``: the dollars the
    trust account did not hold ("$0.05"), when it did not."""
    return _in_english(lambda: _kiosk_time(minutes, facility, uncovered))


_KIOSK_TIME = re.compile(
    r"Kiosk time: (?P<count>\d[\d,]*) minutes? at (?P<facility>.+?)"
    rf"(?: \((?P<amount>{_VALUES['amount']}) not covered\))?",
    re.S,
)


# --- release (roster) ----------------------------------------------------------------------

# Translators: a line of a contact's statement: money set aside for replies a released
# resident can no longer send, back in the wallet.
REPLIES_RETURNED_AT_RELEASE = Template(gettext_noop("Unused prepaid replies returned at release"))
TRUST_PAID_AT_RELEASE = Template(
    # Translators: a line of a resident's trust account; the name is the resident's full
    # name, the day is written YYYY-MM-DD.
    gettext_noop("Trust account paid to %(name)s at release on %(day)s")
)


# --- reading a memo again ----------------------------------------------------------------------

# Every memo written from a template, the more particular before the more general (a name
# could end in " with a prepaid reply"), with how to say again a value that is itself
# words.
_MEMOS: tuple[tuple[Template, Mapping[str, Callable[[str], str]]], ...] = (
    (MESSAGE_TO_WITH_REPLY_IN_STAMPS, {}),
    (MESSAGE_TO_IN_STAMPS, {}),
    (MESSAGE_TO_WITH_REPLY, {}),
    (MESSAGE_TO, {}),
    (PHOTO_TO_IN_STAMPS, {}),
    (PHOTO_TO, {}),
    (REPLY_FROM_PREPAID, {}),
    (REPLY_FROM, {}),
    (REFUND, {"reason": _refund_reason}),
    (STAMP_PACK, {"pack": _pack}),
    (RECEIPT, {}),
    (REFUND_TO_CARD_FOR_RECEIPT, {}),
    (REFUND_TO_YOUR_CARD, {"reason": shown_reason}),
    (REPLIES_RETURNED_ACCOUNT_CLOSED, {}),
    (REPLIES_RETURNED_AT_RELEASE, {}),
    (TRUST_PAID_AT_RELEASE, {}),
)


def _count(found: re.Match[str]) -> int:
    return int(found["count"].replace(",", ""))


def _counted(memo: str) -> str | None:
    """A memo with a count in it, said again; None when it is none of them."""
    if found := _UNUSED_STAMPS_MONEY.fullmatch(memo):
        return _unused_stamps(_count(found), money=True)
    if found := _UNUSED_STAMPS.fullmatch(memo):
        return _unused_stamps(_count(found), money=False)
    if found := _STAMPS.fullmatch(memo):
        return stamps_words(_count(found))
    if found := _KIOSK_TIME.fullmatch(memo):
        return _kiosk_time(_count(found), found["facility"], found["amount"] or "")
    return None


def shown_memo(txn: Transaction) -> str:
    """What a transaction was, from its memo, in the reader's language when the memo is one
    the code writes; else as stored. (A refund of a wallet to the cards keeps the payout's
    reason as its memo.)"""
    memo = txn.memo
    if _read_in_english():
        return memo
    if txn.kind == T.PAYOUT and REFUND_TO_YOUR_CARD.read(memo) is None:
        return shown_reason(memo)
    for template, say_again in _MEMOS:
        values = template.read(memo)
        if values is not None:
            for name, say in say_again.items():
                values[name] = say(values[name])
            return template.said(**values)
    counted = _counted(memo)
    return memo if counted is None else counted


def is_refund_to_your_card(txn: Transaction) -> bool:
    """Whether the memo already says the money went back to the card (a trust payment that
    arrived after its resident left), rather than only why."""
    return REFUND_TO_YOUR_CARD.read(txn.memo) is not None
