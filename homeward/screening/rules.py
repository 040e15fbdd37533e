"""Managing screening rules: create, edit, switch on and off, switch off inherited rules,
and bring the baseline in line with the shipped rule library.

Every change is one transaction that checks who may make it (``access``), validates
the rule (``rule_checks``, then a compile with the production engine), writes it, and
records it (``rule_history``: a RuleChange with the rule before and after, an audit event,
and a new RuleSetVersion for every facility whose rules in force changed). Nothing is
half-saved: any refusal raises before the transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction

from homeward.core import audit, clock
from homeward.core.errors import Conflict, DomainError
from homeward.facilities.models import DETECTOR_ACTIONS, Agency, Facility, FacilityPolicy
from homeward.people.models import User
from homeward.screening import engine
from homeward.screening.access import (
    admin_facilities,
    check_may_manage,
    is_agency_admin,
    may_manage,
    rule_for,
)
from homeward.screening.engine import SpecFields, spec_fields
from homeward.screening.models import Rule, RuleChange, Scope
from homeward.screening.rule_checks import RuleFields, check_fields
from homeward.screening.rule_history import (
    affected,
    describe,
    record_change,
    record_version,
    record_versions,
)
from homeward.screening.selectors import switch_for

What = RuleChange.What
EDITABLE = ("kind", "pattern", "category", "action", "severity", "other", "distance", "note")


# --- validation --------------------------------------------------------------------------


def validate_rule(fields: Mapping[str, Any]) -> RuleFields:
    """Field checks, then a compile with the production engine: what it refuses, we refuse
    now rather than when the next message is screened."""
    checked = check_fields(
        kind=fields["kind"],
        pattern=fields["pattern"],
        category=fields["category"],
        action=fields["action"],
        severity=fields["severity"],
        other=fields.get("other", ""),
        distance=fields.get("distance", 0),
    )
    spec = engine.RuleSpec(id=0, **checked.__dict__)
    try:
        # Not compile_ruleset(): its cache is for the rule sets messages are screened with.
        engine.CompiledRuleSet([spec])
    except engine.RuleError as exc:
        if checked.kind == "regex":
            raise DomainError(
                "regex_unsupported", f"Screening cannot use this regular expression. {exc}"
            ) from None
        code = "pattern_too_short" if "too short" in str(exc) else "rule_invalid"
        raise DomainError(code, str(exc)) from None
    return checked


def check_not_duplicate(rule: Rule, exclude_id: int | None = None) -> None:
    same = Rule.objects.filter(
        scope=rule.scope,
        agency=rule.agency_id,
        facility=rule.facility_id,
        disables__isnull=True,
        kind=rule.kind,
        pattern__iexact=rule.pattern,
        other__iexact=rule.other,
        distance=rule.distance,
    )
    if exclude_id is not None:
        same = same.exclude(pk=exclude_id)
    existing = same.first()
    if existing is not None:
        state = "" if existing.is_active else " (switched off: switch it on instead)"
        raise DomainError(
            "duplicate_rule",
            f"This scope already has that rule{state}: {describe(existing)}, "
            f"{existing.get_category_display().lower()}.",
        )


def save_rule(rule: Rule) -> None:
    """Save, turning a lost race on the uniqueness constraints into the same clear error."""
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        raise DomainError("duplicate_rule", "This scope already has that rule.") from None


def tidy_note(note: object) -> str:
    return " ".join(str(note or "").split())[:300]


# --- services ----------------------------------------------------------------------------


def _owner(facility: Facility | None, agency: Agency | None) -> tuple[str, int | None, int | None]:
    if facility is not None and agency is not None:
        raise DomainError("bad_scope", "A rule belongs to one facility or one agency, not both.")
    if facility is not None:
        return Scope.FACILITY, None, facility.pk
    if agency is not None:
        return Scope.AGENCY, agency.pk, None
    return Scope.BASELINE, None, None


class RuleInput(SpecFields):
    """What a person writes for a rule: its matching fields and why it exists."""

    note: str


def create_rule(
    *,
    actor: User | None,
    kind: str,
    pattern: str,
    category: str,
    action: str,
    severity: int = 1,
    other: str = "",
    distance: int = 0,
    note: str = "",
    facility: Facility | None = None,
    agency: Agency | None = None,
    source: str = "",
) -> Rule:
    """A new rule for one facility, one agency, or (neither given) the baseline."""
    scope, agency_id, facility_id = _owner(facility, agency)
    check_may_manage(actor, scope, agency_id, facility_id)
    checked = validate_rule(
        {
            "kind": kind,
            "pattern": pattern,
            "category": category,
            "action": action,
            "severity": severity,
            "other": other,
            "distance": distance,
        }
    )
    now = clock.now()
    rule = Rule(
        scope=scope,
        agency_id=agency_id,
        facility_id=facility_id,
        note=tidy_note(note),
        source=source,
        created_by=actor,
        created_at=now,
        updated_at=now,
        **checked.__dict__,
    )
    check_not_duplicate(rule)
    with transaction.atomic():
        save_rule(rule)
        change = record_change(actor, rule, What.CREATED, None)
        record_versions(
            affected(scope, agency_id, facility_id),
            actor=actor,
            summary=f"Added {describe(rule)} ({rule.owner_label})",
            change=change,
        )
    return rule


def update_rule(*, actor: User | None, rule_id: int, **changes: Any) -> Rule:
    """Change a rule's matching fields or note. Its scope never changes."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise DomainError(
            "bad_field", f"These fields cannot be changed: {', '.join(sorted(unknown))}."
        )
    with transaction.atomic():
        rule = rule_for(actor, rule_id)
        rule = Rule.objects.select_for_update().get(pk=rule.pk)
        check_may_manage(actor, rule.scope, rule.agency_id, rule.facility_id)
        before = rule.as_dict()
        fields = {name: changes.get(name, getattr(rule, name)) for name in EDITABLE}
        checked = validate_rule(fields)
        for name, value in checked.__dict__.items():
            setattr(rule, name, value)
        rule.note = tidy_note(fields["note"])
        if rule.as_dict() == before:
            return rule  # nothing changed: no history, no new version
        rule.updated_at = clock.now()
        check_not_duplicate(rule, exclude_id=rule.pk)
        save_rule(rule)
        change = record_change(actor, rule, What.EDITED, before)
        record_versions(
            affected(rule.scope, rule.agency_id, rule.facility_id),
            actor=actor,
            summary=f"Edited rule #{rule.pk}: {describe(rule)} ({rule.owner_label})",
            change=change,
        )
    return rule


def set_rule_active(*, actor: User | None, rule_id: int, active: bool) -> Rule:
    """Switch one of your own scope's rules on or off (an inherited rule is switched off
    for your scope with ``disable_inherited`` instead)."""
    with transaction.atomic():
        rule = rule_for(actor, rule_id)
        rule = Rule.objects.select_for_update().get(pk=rule.pk)
        check_may_manage(actor, rule.scope, rule.agency_id, rule.facility_id)
        if rule.is_active == active:
            return rule
        before = rule.as_dict()
        rule.is_active = active
        rule.updated_at = clock.now()
        rule.save(update_fields=["is_active", "updated_at"])
        change = record_change(actor, rule, What.ENABLED if active else What.DISABLED, before)
        verb = "Switched on" if active else "Switched off"
        record_versions(
            affected(rule.scope, rule.agency_id, rule.facility_id),
            actor=actor,
            summary=f"{verb} rule #{rule.pk}: {describe(rule)} ({rule.owner_label})",
            change=change,
        )
    return rule


def _inheritable(rule: Rule, scope: str, agency_id: int | None) -> None:
    """A facility may switch off baseline rules and its agency's; an agency, baseline ones."""
    allowed = rule.scope == Scope.BASELINE or (
        scope == Scope.FACILITY and rule.scope == Scope.AGENCY and rule.agency_id == agency_id
    )
    if not allowed:
        raise DomainError(
            "not_inherited",
            "Only a rule inherited from above can be switched off here; switch your own "
            "rules off directly.",
        )


def _switch(
    actor: User | None, rule_id: int, facility: Facility | None, agency: Agency | None, *, off: bool
) -> Rule:
    scope, agency_id, facility_id = _owner(facility, agency)
    if scope == Scope.BASELINE:
        raise DomainError("bad_scope", "Say which facility or agency the rule is switched off for.")
    with transaction.atomic():
        check_may_manage(actor, scope, agency_id, facility_id)
        rule = rule_for(actor, rule_id)
        _inheritable(rule, scope, facility.agency_id if facility else agency_id)
        switch = switch_for(rule, facility=facility, agency_id=agency_id)
        if switch is not None:
            switch = Rule.objects.select_for_update().get(pk=switch.pk)
        if (switch is not None and switch.is_active) == off:
            state = "already switched off" if off else "not switched off"
            raise Conflict("rule_switch_unchanged", f"That rule is {state} here.")
        before = switch.as_dict() if switch is not None else None
        now = clock.now()
        if switch is None:
            switch = Rule(
                **spec_fields(rule),
                scope=scope,
                agency_id=agency_id,
                facility_id=facility_id,
                disables=rule,
                created_by=actor,
                created_at=now,
            )
        switch.is_active = off
        switch.updated_at = now
        save_rule(switch)
        what = What.DISABLED if off else What.ENABLED
        owner = facility or agency
        change = record_change(actor, switch, what, before, facility_id=facility_id)
        verb = "Switched off" if off else "Switched back on"
        record_versions(
            affected(scope, agency_id, facility_id),
            actor=actor,
            summary=f"{verb} inherited rule #{rule.pk}: {describe(rule)} (for {owner})",
            change=change,
        )
    return switch


def disable_inherited(
    *,
    actor: User | None,
    rule_id: int,
    facility: Facility | None = None,
    agency: Agency | None = None,
) -> Rule:
    """Switch off an inherited rule for one facility (or, by an agency admin, for every
    facility of the agency). Returns the switch row."""
    return _switch(actor, rule_id, facility, agency, off=True)


def enable_inherited(
    *,
    actor: User | None,
    rule_id: int,
    facility: Facility | None = None,
    agency: Agency | None = None,
) -> Rule:
    """Undo ``disable_inherited``: the inherited rule is in force here again."""
    return _switch(actor, rule_id, facility, agency, off=False)


def set_detector_actions(
    *, actor: User | None, facility: Facility, actions: Mapping[str, str], known: Iterable[str]
) -> FacilityPolicy:
    """Set what each screening detector does at a facility: flag, block or off. ``known``
    is the detectors that exist (homeward.screening.detectors.DETECTORS)."""
    known = set(known)
    bad = {name for name in actions if name not in known}
    if bad:
        raise DomainError("unknown_detector", f"No such detector: {', '.join(sorted(bad))}.")
    if any(value not in DETECTOR_ACTIONS for value in actions.values()):
        raise DomainError("unknown_action", "Each detector's action is flag, block or off.")

    def change(policy: FacilityPolicy) -> dict[str, Any] | None:
        before = dict(policy.detector_actions or {})
        after = {**before, **actions}
        if after == before:
            return None
        policy.detector_actions = after
        return {"before": before, "after": after}

    return _change_policy(actor, facility, "detector_actions", "detectors.changed", change)


def set_second_opinion(*, actor: User | None, facility: Facility, clears: bool) -> FacilityPolicy:
    """Whether the classifier may clear, at a facility, a message only the library's word
    layers flagged when its words read as innocent (``stack.second_opinion``)."""

    def change(policy: FacilityPolicy) -> dict[str, Any] | None:
        if policy.second_opinion_clears == clears:
            return None
        policy.second_opinion_clears = clears
        return {"clears": clears}

    return _change_policy(
        actor, facility, "second_opinion_clears", "second_opinion.changed", change
    )


def _change_policy(
    actor: User | None,
    facility: Facility,
    field: str,
    action: str,
    change: Callable[[FacilityPolicy], dict[str, Any] | None],
) -> FacilityPolicy:
    """Change one screening setting of a facility's policy under its lock (``change`` sets
    it and says what changed, or None for nothing) and record it in the audit log."""
    with transaction.atomic():
        check_may_manage(actor, Scope.FACILITY, None, facility.pk)
        policy = FacilityPolicy.objects.select_for_update().get(facility=facility)
        data = change(policy)
        if data is None:
            return policy
        policy.save(update_fields=[field])
        audit.record(
            actor=actor or "system", action=action, obj=policy, facility_id=facility.pk, data=data
        )
    return policy


__all__ = [
    "EDITABLE",
    "admin_facilities",
    "create_rule",
    "disable_inherited",
    "enable_inherited",
    "is_agency_admin",
    "may_manage",
    "record_version",
    "rule_for",
    "set_detector_actions",
    "set_rule_active",
    "set_second_opinion",
    "update_rule",
]
