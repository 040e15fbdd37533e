"""Free messaging: the agency pays what each message costs it, both ways."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from homeward.ledger.models import PriceSchedule
from homeward.ledger.pricing import words
from homeward.ledger.pricing.base import MessagePayer, MessagePrice, PricingModel, photos_line

if TYPE_CHECKING:
    from homeward.connections.models import Connection

FREE_WORDS = gettext_lazy("Messaging is free at this facility (paid by the agency).")


class Free(PricingModel):
    value = PriceSchedule.Model.FREE
    fixed_payer = PriceSchedule.Payer.AGENCY

    def message_lines(
        self, schedule: PriceSchedule, *, characters: int, photos: int, prepaid_reply: bool
    ) -> list[tuple[str, int]]:
        lines = [(_("Message (paid by the agency)"), 0)]
        if photos:
            lines.append((photos_line(photos, 0)[0], 0))
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
        # What each message and each photo costs the agency (``per_message_cents``,
        # ``photo_cents``) goes from its funding account to revenue; the sender pays nothing.
        lines = [(_("Message (paid by the agency)"), schedule.per_message_cents)]
        if photos:
            lines.append(photos_line(photos, schedule.photo_cents))
        shares = (schedule.photo_cents,) * photos
        return MessagePrice(lines, payer=MessagePayer.AGENCY, photo_shares=shares)

    def message_facts(self, schedule: PriceSchedule) -> list[tuple[str, str]]:
        return [
            (_("Messages"), str(FREE_WORDS)),
            *words.photo_facts(schedule, _("Photos are free too (paid by the agency).")),
        ]

    def free_words(self, schedule: PriceSchedule, *, to_resident: bool) -> str:
        return _("Free: paid by the agency.")

    def payer_label(self, schedule: PriceSchedule) -> str:
        return _("The agency")
