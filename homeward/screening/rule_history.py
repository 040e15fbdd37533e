"""The record of rule changes: a RuleChange per change (the rule before and after), an
audit event, and a RuleSetVersion for every facility whose rules in force changed."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from homeward.core import audit, clock
from homeward.facilities.models import Facility
from homeward.people.models import User
from homeward.screening import engine
from homeward.screening.models import Rule, RuleChange, RuleSetVersion, Scope
from homeward.screening.selectors import rules_in_force


def _label(actor: User | None) -> str:
    return audit.actor_label(actor) if actor is not None else "system"


def record_change(
    actor: User | None,
    rule: Rule,
    what: str,
    before: dict[str, object] | None,
    *,
    facility_id: int | None = None,
) -> RuleChange:
    change = RuleChange.objects.create(
        rule=rule,
        what=what,
        actor=actor,
        actor_label=_label(actor),
        at=clock.now(),
        before=before,
        after=rule.as_dict(),
    )
    audit.record(
        actor=actor or "system",
        action=f"rule.{what}",
        obj=rule,
        facility_id=facility_id if facility_id is not None else rule.facility_id,
        data={"change": change.pk, "before": before, "after": change.after},
    )
    return change


def affected(scope: str, agency_id: int | None, facility_id: int | None) -> list[Facility | None]:
    """Facilities whose rules in force a change at this scope can alter; None stands for
    the baseline alone (screening with no facility)."""
    if scope == Scope.FACILITY:
        return list(Facility.objects.filter(pk=facility_id)) if facility_id is not None else []
    if scope == Scope.AGENCY:
        return list(Facility.objects.filter(agency=agency_id).order_by("pk"))
    return [None, *Facility.objects.order_by("pk")]


def record_version(
    facility: Facility | None,
    *,
    actor: User | None = None,
    summary: str = "Rules changed",
    change: RuleChange | None = None,
) -> RuleSetVersion:
    """The version of the rules now in force at ``facility``: the latest row if its
    fingerprint still matches, else a new row numbered one higher. Callers that change
    rules outside these services (the library loader) call this once when done."""
    specs = rules_in_force(facility)
    fingerprint = engine.ruleset_version(specs)
    with transaction.atomic():
        if facility is not None:
            # Serialise version numbers per facility.
            Facility.objects.select_for_update().filter(pk=facility.pk).first()
        latest = RuleSetVersion.objects.filter(facility=facility).order_by("-number").first()
        if latest is not None and latest.fingerprint == fingerprint:
            return latest
        return RuleSetVersion.objects.create(
            facility=facility,
            number=(latest.number if latest else 0) + 1,
            fingerprint=fingerprint,
            rule_count=len(specs),
            summary=summary[:300],
            change=change,
            created_by=actor,
            created_at=clock.now(),
        )


def record_versions(
    facilities: Iterable[Facility | None],
    *,
    actor: User | None,
    summary: str,
    change: RuleChange | None,
) -> None:
    for facility in facilities:
        record_version(facility, actor=actor, summary=summary, change=change)


def describe(rule: Rule) -> str:
    text = f"{rule.get_kind_display().split(' (')[0].lower()} “{rule.pattern}”"
    if rule.other:
        text += f" / “{rule.other}”"
    return text
