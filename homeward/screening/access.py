"""Who may change which screening rules, and which rules a staff member may see.

- facility rules: a facility admin of that facility, or an agency admin of its agency;
- agency rules: an agency admin of that agency (a membership for the whole agency);
- baseline rules: the platform operator (a superuser) or the system (``actor=None``, e.g.
  the rule library loader).
A rule outside every facility the person works at is "not found", never "forbidden".
"""

from __future__ import annotations

from typing import Any

from homeward.core.errors import NotFound, PermissionDenied
from homeward.people import access
from homeward.people.models import StaffMembership, User
from homeward.screening.models import Rule, Scope


def admin_facilities(actor: User) -> Any:
    """The facilities where this person administers rules."""
    return access.staff_facilities(actor, access.ADMIN_ROLES)


def is_agency_admin(actor: User | None, agency_id: int | None) -> bool:
    if actor is None or agency_id is None:
        return False
    return agency_id in access.agencies_administered(actor)


def may_manage(
    actor: User | None, *, scope: str, agency_id: int | None, facility_id: int | None
) -> bool:
    """Whether ``actor`` may create or change rules owned by this scope."""
    if actor is None or actor.is_superuser:
        return True
    if scope == Scope.FACILITY:
        return facility_id is not None and admin_facilities(actor).filter(pk=facility_id).exists()
    if scope == Scope.AGENCY:
        return is_agency_admin(actor, agency_id)
    return False


def check_may_manage(
    actor: User | None, scope: str, agency_id: int | None, facility_id: int | None
) -> None:
    if may_manage(actor, scope=scope, agency_id=agency_id, facility_id=facility_id):
        return
    assert actor is not None
    if scope == Scope.FACILITY and not (
        facility_id is not None and access.staff_facilities(actor).filter(pk=facility_id).exists()
    ):
        raise NotFound()
    if (
        scope == Scope.AGENCY
        and not StaffMembership.objects.filter(user=actor, agency=agency_id).exists()
    ):
        raise NotFound()
    refusals: dict[str, str] = {
        Scope.FACILITY: "Only an administrator of this facility may change its rules.",
        Scope.AGENCY: "Only an agency administrator may change the agency's rules.",
        Scope.BASELINE: "Baseline rules are kept in the shared rule library; you can "
        "switch one off for your facility instead.",
    }
    raise PermissionDenied(refusals[scope], code="rules_forbidden")


def _visible(actor: User | None, rule: Rule) -> bool:
    """Whether the rule reaches any facility this person works at (else: not found)."""
    if actor is None or actor.is_superuser or rule.scope == Scope.BASELINE:
        return True
    mine = access.staff_facilities(actor)
    if rule.scope == Scope.AGENCY:
        return mine.filter(agency=rule.agency_id).exists()
    return rule.facility_id is not None and mine.filter(pk=rule.facility_id).exists()


def rule_for(actor: User | None, rule_id: int) -> Rule:
    """A rule (not a switch row) that reaches one of the actor's facilities, or NotFound."""
    rule = Rule.objects.filter(pk=rule_id, disables__isnull=True).first()
    if rule is None or not _visible(actor, rule):
        raise NotFound("No such rule.")
    return rule
