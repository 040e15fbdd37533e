"""What every pricing model answers: the price of a message and who pays it, the checks on
a schedule's fields, the sentences every surface shows about prices, and, for models that
charge for time at the kiosk, the charge for a kiosk session.

A model is an object of a ``PricingModel`` subclass, one per ``PriceSchedule.Model`` value,
in ``registry.py``. Surfaces never branch on ``schedule.model``: they ask
``pricing.model_of(schedule)``. Everything here computes; the only money it moves is a kiosk
session's charge, through the ledger's ``post`` (one transaction, one key per session).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from homeward.ledger import services as ledger
from homeward.ledger.models import Account, PriceSchedule

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

    from homeward.connections.models import Connection
    from homeward.facilities.models import Facility
    from homeward.people.models import Resident

K = Account.Kind
Payer = PriceSchedule.Payer
# The line of a quote that pays for the resident's reply ahead: models that offer it name
# their line so, and the contact's price finds it by that name (in the language of the
# request, as the quote was made in it).
PREPAID_REPLY = _("Prepaid reply")


@dataclass(frozen=True)
class Quote:
    lines: list[tuple[str, int]] = field(default_factory=list)  # (what, cents)

    @property
    def total(self) -> int:
        return sum(cents for _, cents in self.lines)


@dataclass(frozen=True)
class Pack:
    """A stamp pack on sale: ``stamps`` bought ahead for ``cents``."""

    stamps: int
    cents: int

    @property
    def words(self) -> str:
        each = self.cents / self.stamps / 100
        return ngettext(
            "%(count)s stamp for %(price)s (%(each)s each)",
            "%(count)s stamps for %(price)s (%(each)s each)",
            self.stamps,
        ) % {"count": self.stamps, "price": f"${self.cents / 100:.2f}", "each": f"${each:.3f}"}


class MessagePayer(models.TextChoices):
    """Whose account pays one message (``MessagePrice.payer``), whatever the schedule's
    ``PriceSchedule.Payer`` said: the label is what every surface shows."""

    CONTACT = "contact", _("Paid from the contact's wallet")
    RESIDENT = "resident", _("Paid from the resident's trust account")
    AGENCY = "agency", _("Paid by the agency")


@dataclass(frozen=True)
class MessagePrice:
    """The itemised price of one message and the account that pays it."""

    lines: list[tuple[str, int]]
    payer: MessagePayer
    reply_credit: int = 0  # of the total, cents set aside for the resident's reply
    from_credit: int = 0  # of the total, cents paid by the contact's prepaid replies
    stamps: int = 0  # paid with this many of the contact's stamps instead of money
    stamps_left: int = 0  # the contact's stamps before this message
    # Of the total, what each photo adds (cents; under a legal cap a photo may add less, or
    # nothing): each photo is charged, and refunded when it is blocked, on its own.
    photo_shares: tuple[int, ...] = ()
    # Paid with stamps: how many of ``stamps`` each photo takes.
    photo_stamps: int = 0

    @property
    def total(self) -> int:
        return sum(cents for _, cents in self.lines)

    @property
    def to_pay(self) -> int:
        """Money the person who pays is charged (the agency's cost is not theirs; a message
        paid with stamps takes stamps, not money)."""
        if self.payer == MessagePayer.AGENCY or self.stamps:
            return 0
        return self.total - self.from_credit

    @property
    def payer_words(self) -> str:
        if self.stamps:
            return gettext("Paid with %(used)s of the contact's %(held)s stamps") % {
                "used": self.stamps,
                "held": self.stamps_left,
            }
        return str(MessagePayer(self.payer).label)


@dataclass(frozen=True)
class Setting:
    """A schedule field that one model asks for in the console's price editor: a price in
    cents, typed in dollars. ``name`` is the ``PriceSchedule`` field; ``form_name`` the
    editor's field."""

    name: str
    form_name: str
    label: _StrOrPromise
    help_text: _StrOrPromise = _("In dollars.")


@dataclass(frozen=True)
class SessionCharge:
    """What a kiosk session cost: the minutes (or other units) counted, the cents charged,
    and the cents not charged because the account held less (never a debt)."""

    units: int = 0
    charged: int = 0
    shortfall: int = 0


def photos_line(photos: int, each: int) -> tuple[str, int]:
    """The line of a quote for ``photos`` photos at ``each`` cents."""
    said = ngettext("%(count)s photo", "%(count)s photos", photos) % {"count": photos}
    return (said, photos * each)


def capped(schedule: PriceSchedule, lines: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The lines, with the legal cap on the price of a message as its own line."""
    cap = schedule.message_cap_cents
    total = sum(cents for _, cents in lines)
    if cap is not None and total > cap:
        lines = [*lines, (gettext("Legal cap on the price of a message"), cap - total)]
    return lines


class PricingModel:
    """The default answers; each model overrides what it prices differently."""

    value: ClassVar[str]  # the ``PriceSchedule.Model`` value
    # Fields only this model uses, asked for in the console's price editor.
    settings: ClassVar[tuple[Setting, ...]] = ()
    # Charged by the session at the kiosk: the kiosk opens a session row at sign-in and
    # asks ``charge_kiosk_session`` when it ends.
    charges_kiosk_sessions: ClassVar[bool] = False
    # A payer the model always uses, whatever the schedule says (free: the agency).
    fixed_payer: ClassVar[str | None] = None

    @property
    def label(self) -> str:
        return str(PriceSchedule.Model(self.value).label)

    # --- a message's price -----------------------------------------------------------------

    def message_lines(
        self, schedule: PriceSchedule, *, characters: int, photos: int, prepaid_reply: bool
    ) -> list[tuple[str, int]]:
        raise NotImplementedError

    def quote_message(
        self,
        schedule: PriceSchedule,
        *,
        characters: int,
        photos: int = 0,
        prepaid_reply: bool = False,
    ) -> Quote:
        """The itemised price of one message, the legal cap applied."""
        lines = self.message_lines(
            schedule, characters=characters, photos=photos, prepaid_reply=prepaid_reply
        )
        return Quote(capped(schedule, lines))

    def photo_shares(
        self, schedule: PriceSchedule, *, characters: int, photos: int, prepaid_reply: bool
    ) -> tuple[int, ...]:
        """What each of ``photos`` adds to the price of the message (the legal cap applied):
        the first photo's share is the price with one photo less the price with none, and so
        on, so the shares and the text's price add up to the total."""
        totals = [
            self.quote_message(
                schedule, characters=characters, photos=count, prepaid_reply=prepaid_reply
            ).total
            for count in range(photos + 1)
        ]
        return tuple(after - before for before, after in zip(totals, totals[1:], strict=False))

    def stamps_needed(
        self,
        schedule: PriceSchedule,
        *,
        characters: int,
        photos: int = 0,
        prepaid_reply: bool = False,
    ) -> int:
        """How many stamps a message takes (0 where messages are not priced in stamps)."""
        return 0

    def packs(self, schedule: PriceSchedule) -> list[Pack]:
        """Stamp packs on sale under ``schedule``."""
        return []

    def offers_prepaid_reply(self, schedule: PriceSchedule) -> bool:
        return schedule.payer == Payer.SENDER_PREPAYS_REPLY

    def unit_price(self, schedule: PriceSchedule) -> tuple[str, int] | None:
        """The price of the smallest thing a message is made of ("message", cents), for the
        console's note on a legal cap below it; None where messages are not sold."""
        return None

    def price_message(
        self,
        schedule: PriceSchedule,
        *,
        connection: Connection,
        to_resident: bool,
        characters: int,
        prepaid_reply: bool = False,
        photos: int = 0,
    ) -> MessagePrice:
        """The price of one message on ``connection`` (with ``photos`` photos) and whose
        account pays it, by the schedule's payer (see the table in ``ledger/charges.py``)."""
        quote = self.quote_message(
            schedule, characters=characters, photos=photos, prepaid_reply=prepaid_reply
        )
        shares = self.photo_shares(
            schedule, characters=characters, photos=photos, prepaid_reply=prepaid_reply
        )
        if schedule.payer == Payer.AGENCY:
            return MessagePrice(quote.lines, payer=MessagePayer.AGENCY, photo_shares=shares)
        if schedule.payer == Payer.RECIPIENT:
            return MessagePrice(
                quote.lines,
                payer=MessagePayer.RESIDENT if to_resident else MessagePayer.CONTACT,
                photo_shares=shares,
            )
        if to_resident:
            price = self.contact_pays(
                schedule, connection, quote, characters, prepaid_reply, photos=photos
            )
            return price if price.stamps else dataclasses.replace(price, photo_shares=shares)
        # A resident's reply: the contact's prepaid replies pay first, then the trust account.
        from_credit = 0
        if schedule.payer == Payer.SENDER_PREPAYS_REPLY:
            held = ledger.balance_of(
                kind=K.REPLY_CREDIT, contact=connection.contact, resident=connection.resident
            )
            from_credit = min(held, quote.total)
        return MessagePrice(quote.lines, payer=MessagePayer.RESIDENT, from_credit=from_credit)

    def contact_pays(
        self,
        schedule: PriceSchedule,
        connection: Connection,
        quote: Quote,
        characters: int,
        prepaid_reply: bool,
        *,
        photos: int = 0,
    ) -> MessagePrice:
        """The price of a contact's message paid from their wallet. Under a legal cap the
        reply set aside is at most what the contact pays."""
        reply_part = (
            min(dict(quote.lines).get(str(PREPAID_REPLY), 0), quote.total) if prepaid_reply else 0
        )
        return MessagePrice(quote.lines, payer=MessagePayer.CONTACT, reply_credit=reply_part)

    # --- checking a schedule ---------------------------------------------------------------

    def check(self, fields: dict[str, Any], errors: dict[str, str]) -> None:
        """Add to ``errors`` what is wrong with ``fields`` under this model (the checks every
        schedule gets are done already; a field already in ``errors`` is not checked again)."""
        if fields["stamp_packs"] and "stamp_packs" not in errors:
            errors["stamp_packs"] = "Stamp packs are sold only where messages are priced in stamps."

    # --- words -----------------------------------------------------------------------------

    def message_facts(self, schedule: PriceSchedule) -> list[tuple[str, str]]:
        """(heading, sentence) pairs about messages, for the facility page."""
        raise NotImplementedError

    def draft_hint(self, schedule: PriceSchedule) -> str:
        """Under the price of a draft: how the price grows with the text ('' if it does not)."""
        return ""

    def kiosk_reply_note(self, schedule: PriceSchedule) -> str:
        """Under the price of a resident's reply at the kiosk ('' for nothing to add)."""
        return ""

    def free_words(self, schedule: PriceSchedule, *, to_resident: bool) -> str:
        """When a message that way costs its sender nothing under this model, the words the
        price box shows instead of a price; '' when it has a price."""
        return ""

    def payer_label(self, schedule: PriceSchedule) -> str:
        """Who pays, in the console's price table."""
        return str(Payer(schedule.payer).label)

    # --- kiosk sessions --------------------------------------------------------------------

    def kiosk_session_lines(
        self, schedule: PriceSchedule, *, seconds: int, balance: int
    ) -> list[str]:
        """What the kiosk shows while a resident is signed in ([] for models that do not
        charge for kiosk time)."""
        return []

    def kiosk_session_summary(self, schedule: PriceSchedule, charge: SessionCharge) -> str:
        """What the kiosk says when a charged session ends ('' when there is nothing to say)."""
        return ""

    def charge_kiosk_session(
        self,
        schedule: PriceSchedule,
        *,
        resident: Resident,
        facility: Facility,
        seconds: int,
        key: str,
        ended_at: dt.datetime,
    ) -> SessionCharge:
        """Charge a kiosk session that lasted ``seconds`` (inside the caller's transaction,
        posted once under ``key``)."""
        return SessionCharge()
