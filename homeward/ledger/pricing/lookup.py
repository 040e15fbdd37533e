"""Which schedule prices a moment, and what a deposit costs under it.

A facility's prices are versioned rows (``PriceSchedule``) with an effective date; a message
is priced by the schedule in force when it is submitted. This module only computes: it
never moves money.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from homeward.core.errors import DomainError
from homeward.ledger.models import PriceSchedule
from homeward.ledger.pricing.base import Quote


def schedule_in_force(facility_id: int, at: dt.datetime) -> PriceSchedule:
    schedule = (
        PriceSchedule.objects.filter(facility_id=facility_id, effective_from__lte=at)
        .order_by("-effective_from", "-id")
        .first()
    )
    if schedule is None:
        raise DomainError(
            "no_price_schedule",
            _("This facility has no prices in force yet; nothing can be charged."),
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


def deposit_fee(schedule: PriceSchedule, amount_cents: int) -> int:
    """Flat plus percent (in basis points, rounded down), never above the cap."""
    fee = schedule.deposit_fee_flat_cents + amount_cents * schedule.deposit_fee_bp // 10_000
    if schedule.deposit_fee_cap_cents is not None:
        fee = min(fee, schedule.deposit_fee_cap_cents)
    return fee


def quote_deposit(schedule: PriceSchedule, amount_cents: int) -> Quote:
    if amount_cents <= 0:
        raise DomainError("bad_amount", _("Enter an amount of at least one cent."))
    lines = [(_("Deposit to your wallet"), amount_cents)]
    fee = deposit_fee(schedule, amount_cents)
    if fee:
        lines.append((_("Deposit fee"), fee))
    return Quote(lines)
