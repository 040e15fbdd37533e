"""Per minute at the kiosk (as the federal TRULINCS terminals charge): messages are free to
send both ways, and the resident pays from the trust account for each started minute signed
in at a kiosk, at the schedule's ``per_minute_cents``.

The kiosk opens a session row at sign-in and, when the session ends (sign-out, or a sweep of
sessions idle past the kiosk's time-out), asks ``charge_kiosk_session`` once, in one
transaction, under one key per session. A trust account that holds less than the minutes
cost is charged what it holds and the rest is recorded as the session's shortfall, never as
a debt: the resident can always finish reading, and the balance never goes below zero.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from homeward.core.templatetags.money import dollars
from homeward.ledger import services as ledger
from homeward.ledger import words as memo_words
from homeward.ledger.models import Account, PriceSchedule, Transaction
from homeward.ledger.pricing import words
from homeward.ledger.pricing.base import (
    MessagePayer,
    MessagePrice,
    PricingModel,
    SessionCharge,
    Setting,
    photos_line,
)

if TYPE_CHECKING:
    from homeward.connections.models import Connection
    from homeward.facilities.models import Facility
    from homeward.people.models import Resident

K = Account.Kind


def minutes_started(seconds: int) -> int:
    """Each started minute counts: 59 s is 1 minute, 61 s is 2; 0 s (signed out in the same
    second) is none."""
    return -(-max(seconds, 0) // 60)


class PerMinute(PricingModel):
    value = PriceSchedule.Model.PER_MINUTE
    settings = (
        Setting(
            name="per_minute_cents",
            form_name="per_minute_price",
            label=gettext_lazy("Price of one minute at the kiosk (per minute)"),
            help_text=gettext_lazy(
                "In dollars, e.g. 0.05. Paid by the resident from the trust account; "
                "messages are free to send both ways."
            ),
        ),
    )
    charges_kiosk_sessions = True

    def message_lines(
        self, schedule: PriceSchedule, *, characters: int, photos: int, prepaid_reply: bool
    ) -> list[tuple[str, int]]:
        lines = [(_("Message (free: residents pay for kiosk time)"), 0)]
        if photos:
            lines.append(photos_line(photos, schedule.photo_cents))
        return lines

    def offers_prepaid_reply(self, schedule: PriceSchedule) -> bool:
        return False

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
        # Nothing is posted for a message: the time spent writing it is what is paid. Photos
        # (only contacts send them) are paid by the contact, at the schedule's photo price.
        quote = self.quote_message(schedule, characters=characters, photos=photos)
        if not quote.total:
            return MessagePrice(quote.lines, payer=MessagePayer.AGENCY)
        shares = self.photo_shares(
            schedule, characters=characters, photos=photos, prepaid_reply=False
        )
        return MessagePrice(quote.lines, payer=MessagePayer.CONTACT, photo_shares=shares)

    def check(self, fields: dict[str, Any], errors: dict[str, str]) -> None:
        super().check(fields, errors)
        if "per_minute_cents" not in errors and fields.get("per_minute_cents", 0) <= 0:
            errors["per_minute_cents"] = (
                "Per-minute pricing needs a price above zero for a minute at the kiosk "
                "(or choose free messaging)."
            )

    def rate_words(self, schedule: PriceSchedule) -> str:
        return _("%(price)s a minute at the kiosk") % {"price": dollars(schedule.per_minute_cents)}

    def message_facts(self, schedule: PriceSchedule) -> list[tuple[str, str]]:
        return [
            (
                _("Messages"),
                _(
                    "Free to send and to receive. Residents pay for their time at the kiosk: "
                    "%(rate)s, for each started minute, from their trust account."
                )
                % {"rate": self.rate_words(schedule)},
            ),
            *words.photo_facts(
                schedule,
                _("Each photo adds %(price)s, paid from your wallet.")
                % {"price": dollars(schedule.photo_cents)}
                if schedule.photo_cents
                else "",
            ),
            (_("Who pays"), _("You pay nothing to write. Residents pay for kiosk time only.")),
        ]

    def free_words(self, schedule: PriceSchedule, *, to_resident: bool) -> str:
        if to_resident:
            return _("Free to send: residents pay for their time at the kiosk, not per message.")
        return _("No charge per reply: you pay for your time at the kiosk (%(rate)s).") % {
            "rate": self.rate_words(schedule)
        }

    def payer_label(self, schedule: PriceSchedule) -> str:
        return "The resident, for kiosk time, from the trust account"

    def kiosk_session_lines(
        self, schedule: PriceSchedule, *, seconds: int, balance: int
    ) -> list[str]:
        minutes = minutes_started(seconds)
        cost = minutes * schedule.per_minute_cents
        lines = [
            _(
                "%(rate)s, from your trust account; each started minute counts. Messages "
                "themselves are free."
            )
            % {"rate": self.rate_words(schedule)},
            ngettext(
                "This session so far: %(count)s minute, %(cost)s, taken when you sign out.",
                "This session so far: %(count)s minutes, %(cost)s, taken when you sign out.",
                minutes,
            )
            % {"count": f"{minutes:,}", "cost": dollars(cost)},
        ]
        if balance < cost + schedule.per_minute_cents:
            lines.append(
                _(
                    "Your trust account is running out. You can finish reading: you are never "
                    "charged more than your trust account holds."
                )
            )
        return lines

    def kiosk_session_summary(self, schedule: PriceSchedule, charge: SessionCharge) -> str:
        if not charge.units:
            return ""
        said = ngettext(
            "Kiosk time: %(count)s minute, %(charged)s from your trust account.",
            "Kiosk time: %(count)s minutes, %(charged)s from your trust account.",
            charge.units,
        ) % {"count": f"{charge.units:,}", "charged": dollars(charge.charged)}
        if charge.shortfall:
            said += " " + _("Your trust account did not cover %(shortfall)s: not charged.") % {
                "shortfall": dollars(charge.shortfall)
            }
        return said

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
        minutes = minutes_started(seconds)
        cost = minutes * schedule.per_minute_cents
        if not cost:
            return SessionCharge(units=minutes)
        trust = ledger.account_for(kind=K.TRUST, resident=resident)
        # Held until the caller's transaction ends: no payment or reply lands between the
        # balance read and the charge.
        held = Account.objects.select_for_update().get(pk=trust.pk).balance
        charged = min(cost, held)
        if charged:
            revenue = ledger.account_for(kind=K.PLATFORM_REVENUE, facility=facility)
            ledger.post(
                key=key,
                kind=Transaction.Kind.KIOSK_TIME,
                postings=[(trust, -charged), (revenue, charged)],
                memo=memo_words.kiosk_time_memo(
                    minutes=minutes,
                    facility=facility.name,
                    uncovered=dollars(cost - charged) if charged < cost else "",
                ),
                facility=facility,
            )
        return SessionCharge(units=minutes, charged=charged, shortfall=cost - charged)
