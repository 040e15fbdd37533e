"""What a message or a deposit costs, itemised before any money moves.

A facility's prices are versioned rows (``PriceSchedule``) with an effective date; a message
is priced by the schedule in force when it is submitted. This module only computes: it
never moves money.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from homeward.core.errors import DomainError
from homeward.ledger.models import PriceSchedule

Model = PriceSchedule.Model


@dataclass(frozen=True)
class Quote:
    lines: list[tuple[str, int]] = field(default_factory=list)  # (what, cents)

    @property
    def total(self) -> int:
        return sum(cents for _, cents in self.lines)


def schedule_in_force(facility_id: int, at: dt.datetime) -> PriceSchedule:
    schedule = (
        PriceSchedule.objects.filter(facility_id=facility_id, effective_from__lte=at)
        .order_by("-effective_from", "-id")
        .first()
    )
    if schedule is None:
        raise DomainError(
            "no_price_schedule", "This facility has no prices in force yet; nothing can be charged."
        )
    return schedule


def next_schedule(facility_id: int, after: dt.datetime) -> PriceSchedule | None:
    """The next published schedule, taking over after ``after`` (None if none). Of two for
    the same date the later-made one wins, as in ``schedule_in_force``."""
    return (
        PriceSchedule.objects.filter(facility_id=facility_id, effective_from__gt=after)
        .order_by("effective_from", "-id")
        .first()
    )


def stamps_needed(schedule: PriceSchedule, *, characters: int, prepaid_reply: bool = False) -> int:
    """How many stamps a message takes under a stamps schedule (0 under any other)."""
    if schedule.model != Model.STAMPS:
        return 0
    text = max(1, -(-characters // schedule.chars_per_stamp))
    return text + (schedule.reply_stamps if prepaid_reply else 0)


def quote_message(
    schedule: PriceSchedule, *, characters: int, photos: int = 0, prepaid_reply: bool = False
) -> Quote:
    """The itemised price of one message under ``schedule``."""
    if schedule.model == Model.FREE:
        return Quote([("Message (paid by the agency)", 0)])
    if schedule.model == Model.PER_MESSAGE:
        lines = [("Message", schedule.per_message_cents)]
        if prepaid_reply:
            lines.append(("Prepaid reply", schedule.per_message_cents))
    else:
        text = max(1, -(-characters // schedule.chars_per_stamp))
        lines = [
            (f"{text} stamp{'s' if text != 1 else ''} for the text", text * schedule.stamp_cents)
        ]
        if photos:
            count = photos * schedule.photo_stamps
            lines.append(
                (
                    f"{count} stamp{'s' if count != 1 else ''} for photos",
                    count * schedule.stamp_cents,
                )
            )
        if prepaid_reply:
            lines.append(("Prepaid reply", schedule.reply_stamps * schedule.stamp_cents))
    cap = schedule.message_cap_cents
    total = sum(cents for _, cents in lines)
    if cap is not None and total > cap:
        lines.append(("Legal cap on the price of a message", cap - total))
    return Quote(lines)


def deposit_fee(schedule: PriceSchedule, amount_cents: int) -> int:
    """Flat plus percent (in basis points, rounded down), never above the cap."""
    fee = schedule.deposit_fee_flat_cents + amount_cents * schedule.deposit_fee_bp // 10_000
    if schedule.deposit_fee_cap_cents is not None:
        fee = min(fee, schedule.deposit_fee_cap_cents)
    return fee


def quote_deposit(schedule: PriceSchedule, amount_cents: int) -> Quote:
    if amount_cents <= 0:
        raise DomainError("bad_amount", "Enter an amount of at least one cent.")
    lines = [("Deposit to your wallet", amount_cents)]
    fee = deposit_fee(schedule, amount_cents)
    if fee:
        lines.append(("Deposit fee", fee))
    return Quote(lines)
