"""Each facility's enforcement policy: versions that take over from when they are added.

Like price schedules, versions are never edited; a change is a new version in force from
now, and the versions are the history (audited as ``enforcement_policy.added``). A facility
that never set one follows the defaults: three violations within 30 days suspend for 30
days, a second suspension within 180 days is a revocation instead, one violation of escape
or of harassing a victim or witness suspends at once, a block by screening alone does not
count, and messages on their way when a suspension starts are returned and refunded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from homeward.core import audit, clock
from homeward.core.errors import DomainError, NotFound
from homeward.enforcement.models import EnforcementPolicy
from homeward.facilities.models import Facility
from homeward.people import access
from homeward.people.models import User
from homeward.screening import categories

# The numbers a facility may choose, each from 0 (or 1) to this.
MAX_COUNT = 50
MAX_DAYS = 3650
FIELDS = (
    "violations_to_suspend",
    "violation_window_days",
    "suspension_days",
    "suspensions_to_revoke",
    "suspension_window_days",
    "suspend_at_once",
    "revoke_at_once",
    "automatic_blocks_count",
    "on_the_way",
)


class InvalidPolicy(DomainError):
    """One or more fields are wrong; ``errors`` maps each field to what to fix."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid_policy", " ".join(errors.values()))
        self.errors = errors


def defaults(facility: Facility) -> EnforcementPolicy:
    """The policy of a facility that never chose one (not saved: ``pk`` is None)."""
    return EnforcementPolicy(
        facility=facility, effective_from=dt.datetime.min.replace(tzinfo=dt.UTC)
    )


def in_force(facility: Facility, at: dt.datetime | None = None) -> EnforcementPolicy:
    """The version in force at ``at`` (now), or the defaults."""
    found = (
        EnforcementPolicy.objects.filter(facility=facility, effective_from__lte=at or clock.now())
        .order_by("-effective_from", "-id")
        .first()
    )
    return found or defaults(facility)


def may_set(staff: User, facility: Facility) -> bool:
    """Facility admins of this facility and agency admins of its agency."""
    return access.staff_facilities(staff, access.ADMIN_ROLES).filter(pk=facility.pk).exists()


def _problems(fields: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    limits = {
        "violations_to_suspend": (0, MAX_COUNT),
        "suspensions_to_revoke": (0, MAX_COUNT),
        "violation_window_days": (1, MAX_DAYS),
        "suspension_days": (1, MAX_DAYS),
        "suspension_window_days": (1, MAX_DAYS),
    }
    for name, (low, high) in limits.items():
        value = fields[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = f"Enter a whole number from {low} to {high:,}."
    for name in ("suspend_at_once", "revoke_at_once"):
        chosen = fields[name]
        if not isinstance(chosen, list) or any(c not in categories.CODES for c in chosen):
            errors[name] = "Choose categories from the list."
    if not isinstance(fields["automatic_blocks_count"], bool):
        errors["automatic_blocks_count"] = "Say whether blocks by screening alone count."
    if fields["on_the_way"] not in EnforcementPolicy.OnTheWay.values:
        errors["on_the_way"] = "Choose what happens to messages already on their way."
    both = set(fields["suspend_at_once"] or []) & set(fields["revoke_at_once"] or [])
    if not errors and both:
        errors["revoke_at_once"] = (
            "A category either suspends or revokes at once, not both: "
            + ", ".join(str(categories.label(c)) for c in sorted(both))
            + "."
        )
    return errors


def add(*, staff: User, facility: Facility, **fields: Any) -> EnforcementPolicy:
    """Put a new version in force from now. Fields not given keep the version in force.
    Raises NotFound for staff who do not administer the facility, InvalidPolicy with every
    wrong field otherwise; nothing is saved unless everything is right."""
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise TypeError(f"add() got unexpected keyword arguments {unknown}")
    if not may_set(staff, facility):
        raise NotFound(_("No such facility."))
    with transaction.atomic():
        # One change at a time per facility, so two admins' versions are ordered.
        Facility.objects.select_for_update().filter(pk=facility.pk).first()
        now = clock.now()
        current = in_force(facility, now)
        chosen = {name: fields.get(name, getattr(current, name)) for name in FIELDS}
        errors = _problems(chosen)
        if errors:
            raise InvalidPolicy(errors)
        chosen["suspend_at_once"] = sorted(set(chosen["suspend_at_once"]))
        chosen["revoke_at_once"] = sorted(set(chosen["revoke_at_once"]))
        policy = EnforcementPolicy.objects.create(
            facility=facility, effective_from=now, created_at=now, created_by=staff, **chosen
        )
        audit.record(
            actor=staff,
            action="enforcement_policy.added",
            obj=policy,
            facility_id=facility.pk,
            data={"facility": facility.code, **chosen},
        )
    return policy


def history(facility: Facility) -> list[EnforcementPolicy]:
    """Every version, newest first (empty: the facility follows the defaults)."""
    return list(
        EnforcementPolicy.objects.filter(facility=facility)
        .select_related("created_by")
        .order_by("-effective_from", "-id")
    )
