"""One price per message, whatever its length."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from homeward.core.templatetags.money import dollars
from homeward.ledger.models import PriceSchedule
from homeward.ledger.pricing import words
from homeward.ledger.pricing.base import PREPAID_REPLY, PricingModel, photos_line


class PerMessage(PricingModel):
    value = PriceSchedule.Model.PER_MESSAGE

    def message_lines(
        self, schedule: PriceSchedule, *, characters: int, photos: int, prepaid_reply: bool
    ) -> list[tuple[str, int]]:
        lines = [(_("Message"), schedule.per_message_cents)]
        if photos:
            lines.append(photos_line(photos, schedule.photo_cents))
        if prepaid_reply:
            lines.append((str(PREPAID_REPLY), schedule.per_message_cents))
        return lines

    def unit_price(self, schedule: PriceSchedule) -> tuple[str, int] | None:
        return ("message", schedule.per_message_cents)

    def check(self, fields: dict[str, Any], errors: dict[str, str]) -> None:
        super().check(fields, errors)
        if "per_message_cents" not in errors and fields["per_message_cents"] <= 0:
            errors["per_message_cents"] = (
                "Per-message pricing needs a price above zero (or choose free messaging)."
            )

    def message_facts(self, schedule: PriceSchedule) -> list[tuple[str, str]]:
        price = _("%(price)s per message, whatever its length.") % {
            "price": dollars(schedule.per_message_cents)
        }
        reply = dollars(schedule.per_message_cents)
        return words.paid_messages_facts(
            schedule, price=price, reply_price=reply, extra=words.photo_facts(schedule)
        )
