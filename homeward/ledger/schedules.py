"""Adding a facility's price schedule.

Schedules are never edited: a new one takes over from its effective date, so every message
stays priced by the schedule that was in force when it was sent, and the history of prices
is the list of schedules. Only an admin of the facility (or of its agency) may add one.

The parse helpers turn what an admin types ("0.40", "2.5") into cents and basis points;
``add_schedule`` checks the numbers again, because not every caller is a form.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from homeward.core import audit, clock, money
from homeward.core.errors import DomainError, NotFound
from homeward.facilities.models import Facility
from homeward.ledger import pricing, stamps
from homeward.ledger.models import PriceSchedule
from homeward.people import access
from homeward.people.models import User

Payer = PriceSchedule.Payer

# Any single price or fee above $1,000 is a typo (and would not fit the database column).
MAX_PRICE_CENTS = 100_000
MAX_CHARS_PER_STAMP = 100_000
MAX_STAMPS = 100
# The form is filled in before it is sent: a start "now" may be a few seconds old on arrival.
PAST_GRACE = dt.timedelta(minutes=1)
PERCENT = re.compile(r"^(\d{1,3})(?:\.(\d{1,2}))?$")


class InvalidSchedule(DomainError):
    """One or more fields are wrong; ``errors`` maps each field to what to fix."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid_schedule", " ".join(errors.values()))
        self.errors = errors


def parse_dollars(text: str) -> int:
    """Dollars as typed ("0.40", "$1,250", "0") → cents, read as every amount is (so "0,40"
    is refused, never $40). Zero is a price; negative is not."""
    cleaned = text.strip()
    if cleaned.startswith("-"):
        raise DomainError("negative_amount", _("Prices and fees cannot be negative."))
    cents = money.parse_amount(cleaned)
    if cents > MAX_PRICE_CENTS:
        most = f"${MAX_PRICE_CENTS // 100:,}"
        raise DomainError(
            "amount_too_large",
            _("At most %(most)s: check for a typo.") % {"most": most},
        )
    return cents


def parse_percent(text: str) -> int:
    """A percent as typed ("2.5", "2.5%", "0") → basis points (250), from 0 to 100%."""
    cleaned = text.strip().removesuffix("%").strip()
    if cleaned.startswith("-"):
        raise DomainError("negative_amount", _("A percent cannot be negative."))
    match = PERCENT.match(cleaned)
    if match is None:
        raise DomainError(
            "bad_percent", _("Enter a percent such as 2.5, with at most two decimals.")
        )
    whole, fraction = match.group(1), match.group(2) or ""
    basis_points = int(whole) * 100 + int(fraction.ljust(2, "0"))
    if basis_points > 10_000:
        raise DomainError("bad_percent", _("A fee is at most 100%% of the deposit.") % {})
    return basis_points


PACK = re.compile(r"^(\d{1,4})\s*(?:stamps?)?\s*for\s*(\S.*)$", re.IGNORECASE)
# Packs are separated by ";", a new line, or a comma that starts the next pack ("…, 25 for");
# any other comma belongs to a price, which the amount reader accepts or explains.
PACK_SEPARATOR = re.compile(r"[;\n]|,(?=\s*\d{1,4}\s*(?:stamps?\s*)?for\b)", re.IGNORECASE)


def parse_packs(text: str) -> list[dict[str, int]]:
    """Packs as typed ("10 for 3.50, 25 for 8") → [{"stamps": 10, "cents": 350}, …]."""
    packs = []
    for part in filter(None, (p.strip() for p in PACK_SEPARATOR.split(text))):
        match = PACK.match(part)
        if match is None:
            raise DomainError(
                "bad_packs",
                _("“%(part)s” is not a pack: write each as “10 for 3.50”.") % {"part": part},
            )
        try:
            cents = parse_dollars(match.group(2))
        except DomainError as error:
            raise DomainError(
                error.code, _("“%(part)s”: %(error)s") % {"part": part, "error": error.message}
            ) from None
        packs.append({"stamps": int(match.group(1)), "cents": cents})
    return stamps.check_packs(packs)


def may_set_prices(staff: User, facility: Facility) -> bool:
    """Facility admins of this facility and agency admins of its agency."""
    return access.staff_facilities(staff, access.ADMIN_ROLES).filter(pk=facility.pk).exists()


def _check_count(errors: dict[str, str], name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[name] = f"Enter a whole number from {low} to {high:,}."


def _check_cents(errors: dict[str, str], name: str, value: Any, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        errors[name] = "Amounts are whole cents."
    elif value < 0:
        errors[name] = "Prices and fees cannot be negative."
    elif value > MAX_PRICE_CENTS:
        errors[name] = f"At most ${MAX_PRICE_CENTS // 100:,}: check for a typo."


def _problems(fields: dict[str, Any], now: dt.datetime) -> dict[str, str]:
    """Every wrong field at once, so the admin fixes them in one go."""
    errors: dict[str, str] = {}
    model = fields["model"]
    if model not in pricing.MODELS:
        errors["model"] = "Choose how messages are priced."
    if fields["payer"] not in Payer.values:
        errors["payer"] = "Choose who pays for messages."
    start = fields["effective_from"]
    if not isinstance(start, dt.datetime) or start.tzinfo is None:
        errors["effective_from"] = "Enter the date and time the prices start."
    elif start < now - PAST_GRACE:
        errors["effective_from"] = (
            "Prices cannot start in the past: choose now or a later date. "
            "To change prices, add a schedule that takes over."
        )
    for name in ("stamp_cents", "per_message_cents", "photo_cents", "deposit_fee_flat_cents"):
        _check_cents(errors, name, fields[name])
    _check_cents(errors, "account_fee_cents", fields["account_fee_cents"])
    for name in ("message_cap_cents", "deposit_fee_cap_cents"):
        _check_cents(errors, name, fields[name], optional=True)
    _check_count(errors, "chars_per_stamp", fields["chars_per_stamp"], 1, MAX_CHARS_PER_STAMP)
    _check_count(errors, "photo_stamps", fields["photo_stamps"], 0, MAX_STAMPS)
    _check_count(errors, "reply_stamps", fields["reply_stamps"], 0, MAX_STAMPS)
    _check_count(errors, "deposit_fee_bp", fields["deposit_fee_bp"], 0, 10_000)
    try:
        fields["stamp_packs"] = stamps.check_packs(fields["stamp_packs"])
    except DomainError as error:
        errors["stamp_packs"] = error.message
    # What only this model asks for: its own fields, and its own rules on them.
    for setting in pricing.settings():
        _check_cents(errors, setting.name, fields.get(setting.name, 0))
    known = pricing.MODELS.get(model) if isinstance(model, str) else None
    (known or pricing.PricingModel()).check(fields, errors)
    return errors


@transaction.atomic
def add_schedule(
    *,
    staff: User,
    facility: Facility,
    model: str,
    payer: str = Payer.SENDER,
    effective_from: dt.datetime | None = None,
    chars_per_stamp: int = 2000,
    stamp_cents: int = 0,
    photo_stamps: int = 1,
    reply_stamps: int = 1,
    per_message_cents: int = 0,
    photo_cents: int = 0,
    message_cap_cents: int | None = None,
    deposit_fee_flat_cents: int = 0,
    deposit_fee_bp: int = 0,
    deposit_fee_cap_cents: int | None = None,
    account_fee_cents: int = 0,
    stamp_packs: list[dict[str, int]] | None = None,
    **model_settings: int,
) -> PriceSchedule:
    """Add a schedule that takes over at ``effective_from`` (now when not given).

    A legal cap below the price of one stamp is allowed: the law wins, and quotes show the
    cap as its own line. A model may always have the same payer (free messaging: the agency),
    whatever ``payer`` says. ``model_settings`` are the fields only some models use (each
    model's ``settings``, in cents). Raises NotFound for staff who do not administer the
    facility, InvalidSchedule with every wrong field otherwise; nothing is saved unless
    everything is right.
    """
    if not may_set_prices(staff, facility):
        raise NotFound(_("No such facility."))
    known = {setting.name for setting in pricing.settings()}
    unknown = sorted(set(model_settings) - known)
    if unknown:
        raise TypeError(f"add_schedule() got unexpected keyword arguments {unknown}")
    now = clock.now()
    fields: dict[str, Any] = {
        "model": model,
        "payer": payer,
        "effective_from": effective_from or now,
        "chars_per_stamp": chars_per_stamp,
        "stamp_cents": stamp_cents,
        "photo_stamps": photo_stamps,
        "reply_stamps": reply_stamps,
        "per_message_cents": per_message_cents,
        "photo_cents": photo_cents,
        "message_cap_cents": message_cap_cents,
        "deposit_fee_flat_cents": deposit_fee_flat_cents,
        "deposit_fee_bp": deposit_fee_bp,
        "deposit_fee_cap_cents": deposit_fee_cap_cents,
        "account_fee_cents": account_fee_cents,
        "stamp_packs": stamp_packs or [],
        **{name: model_settings.get(name, 0) for name in sorted(known)},
    }
    errors = _problems(fields, now)
    if errors:
        raise InvalidSchedule(errors)
    fields["payer"] = pricing.model_named(model).fixed_payer or fields["payer"]
    schedule = PriceSchedule.objects.create(facility=facility, created_at=now, **fields)
    audit.record(
        actor=staff,
        action="prices.added",
        obj=schedule,
        facility_id=facility.pk,
        data={**fields, "effective_from": schedule.effective_from.isoformat()},
    )
    return schedule
