"""Stamps: a message takes one stamp per so many characters (and more for photos and a
prepaid reply); contacts may buy packs of stamps ahead, which pay first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homeward.core.templatetags.money import dollars
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, PriceSchedule
from homeward.ledger.pricing import words
from homeward.ledger.pricing.base import (
    PREPAID_REPLY,
    MessagePayer,
    MessagePrice,
    Pack,
    PricingModel,
    Quote,
)

if TYPE_CHECKING:
    from homeward.connections.models import Connection


def stamps_for_text(schedule: PriceSchedule, characters: int) -> int:
    return max(1, -(-characters // schedule.chars_per_stamp))


class Stamps(PricingModel):
    value = PriceSchedule.Model.STAMPS

    def message_lines(
        self, schedule: PriceSchedule, *, characters: int, photos: int, prepaid_reply: bool
    ) -> list[tuple[str, int]]:
        text = stamps_for_text(schedule, characters)
        for_text = ngettext(
            "%(count)s stamp for the text", "%(count)s stamps for the text", text
        ) % {"count": text}
        lines = [(for_text, text * schedule.stamp_cents)]
        if photos:
            count = photos * schedule.photo_stamps
            for_photos = ngettext(
                "%(count)s stamp for photos", "%(count)s stamps for photos", count
            ) % {"count": count}
            lines.append((for_photos, count * schedule.stamp_cents))
        if prepaid_reply:
            lines.append((str(PREPAID_REPLY), schedule.reply_stamps * schedule.stamp_cents))
        return lines

    def stamps_needed(
        self,
        schedule: PriceSchedule,
        *,
        characters: int,
        photos: int = 0,
        prepaid_reply: bool = False,
    ) -> int:
        text = stamps_for_text(schedule, characters)
        return (
            text + photos * schedule.photo_stamps + (schedule.reply_stamps if prepaid_reply else 0)
        )

    def packs(self, schedule: PriceSchedule) -> list[Pack]:
        return [Pack(int(p["stamps"]), int(p["cents"])) for p in schedule.stamp_packs or []]

    def unit_price(self, schedule: PriceSchedule) -> tuple[str, int] | None:
        return ("stamp", schedule.stamp_cents)

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
        """Stamps bought ahead pay first, except where a legal cap makes money cheaper."""
        price = super().contact_pays(
            schedule, connection, quote, characters, prepaid_reply, photos=photos
        )
        needed = self.stamps_needed(
            schedule, characters=characters, photos=photos, prepaid_reply=prepaid_reply
        )
        held = ledger.balance_of(
            kind=Account.Kind.STAMPS,
            currency=Account.STAMP_UNIT,
            contact=connection.contact,
            facility=connection.facility,
        )
        is_capped = quote.total < sum(cents for _, cents in quote.lines if cents > 0)
        if held >= needed and not is_capped:
            return MessagePrice(
                quote.lines,
                payer=MessagePayer.CONTACT,
                reply_credit=price.reply_credit,
                stamps=needed,
                stamps_left=held,
                photo_shares=self.photo_shares(
                    schedule, characters=characters, photos=photos, prepaid_reply=prepaid_reply
                ),
                photo_stamps=schedule.photo_stamps if photos else 0,
            )
        return price

    def check(self, fields: dict[str, Any], errors: dict[str, str]) -> None:
        # Packs are sold here (checked with every schedule's fields).
        if "stamp_cents" not in errors and fields["stamp_cents"] <= 0:
            errors["stamp_cents"] = "Stamps need a price above zero (or choose free messaging)."

    def message_facts(self, schedule: PriceSchedule) -> list[tuple[str, str]]:
        price = ngettext(
            "Paid in stamps of %(price)s. One stamp covers up to %(count)s character of text; "
            "longer messages take more stamps.",
            "Paid in stamps of %(price)s. One stamp covers up to %(count)s characters of text; "
            "longer messages take more stamps.",
            schedule.chars_per_stamp,
        ) % {"price": dollars(schedule.stamp_cents), "count": f"{schedule.chars_per_stamp:,}"}
        photo_cents = schedule.photo_stamps * schedule.stamp_cents
        extra = words.photo_facts(
            schedule,
            _("Each photo adds %(stamps)s (%(price)s).")
            % {"stamps": words.stamps_words(schedule.photo_stamps), "price": dollars(photo_cents)},
        )
        reply_cents = schedule.reply_stamps * schedule.stamp_cents
        reply = f"{words.stamps_words(schedule.reply_stamps)} ({dollars(reply_cents)})"
        return words.paid_messages_facts(
            schedule, price=price, reply_price=reply, extra=extra, packs=self.packs(schedule)
        )

    def draft_hint(self, schedule: PriceSchedule) -> str:
        return ngettext(
            "One stamp (%(price)s) covers up to %(count)s character; longer messages take more "
            "stamps.",
            "One stamp (%(price)s) covers up to %(count)s characters; longer messages take more "
            "stamps.",
            schedule.chars_per_stamp,
        ) % {"price": dollars(schedule.stamp_cents), "count": f"{schedule.chars_per_stamp:,}"}

    def kiosk_reply_note(self, schedule: PriceSchedule) -> str:
        return ngettext(
            "One stamp covers up to %(count)s character.",
            "One stamp covers up to %(count)s characters.",
            schedule.chars_per_stamp,
        ) % {"count": f"{schedule.chars_per_stamp:,}"}
