"""Reading rules: the rule set in force at a facility, and the rows the console lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from homeward.core.ids import whole_number
from homeward.core.models import AuditEvent
from homeward.facilities.models import Facility
from homeward.screening.engine import RuleSpec, baseline, spec_fields
from homeward.screening.models import Rule, RuleChange, RuleSetVersion, Scope


def _chain(facility: Facility | None) -> Q:
    """Rules that reach a facility: the baseline, its agency's, its own."""
    scope = Q(scope=Scope.BASELINE)
    if facility is not None:
        scope |= Q(scope=Scope.AGENCY, agency_id=facility.agency_id)
        scope |= Q(scope=Scope.FACILITY, facility_id=facility.pk)
    return scope


def spec_of(rule: Rule) -> RuleSpec:
    spec = RuleSpec(id=rule.pk, **spec_fields(rule))
    return baseline(spec) if rule.scope == Scope.BASELINE else spec


def rules_in_force(facility: Facility | None) -> list[RuleSpec]:
    """Baseline rules, then the agency's, then the facility's: the active ones, minus any
    inherited rule that the agency or the facility has switched off."""
    rows = list(Rule.objects.filter(_chain(facility), is_active=True).order_by("id"))
    switched_off = {row.disables_id for row in rows if row.disables_id is not None}
    return [spec_of(row) for row in rows if row.disables_id is None and row.pk not in switched_off]


@dataclass
class RuleRow:
    """One rule as a facility's console lists it."""

    rule: Rule
    inherited: bool  # comes from the baseline or the agency, not the facility itself
    switched_off_by: Rule | None  # the active row that disables it here, if any

    @property
    def in_force(self) -> bool:
        return self.rule.is_active and self.switched_off_by is None


def rule_rows(facility: Facility) -> list[RuleRow]:
    """Every rule that reaches the facility, switched on or off, in category order."""
    rows = list(
        Rule.objects.filter(_chain(facility))
        .select_related("agency", "facility", "created_by")
        .order_by("category", "pattern", "id")
    )
    switches = {
        row.disables_id: row for row in rows if row.disables_id is not None and row.is_active
    }
    # A facility switch wins over an agency one for showing who switched it off here.
    for row in rows:
        if row.disables_id is not None and row.is_active and row.scope == Scope.FACILITY:
            switches[row.disables_id] = row
    return [
        RuleRow(
            rule=row, inherited=row.scope != Scope.FACILITY, switched_off_by=switches.get(row.pk)
        )
        for row in rows
        if row.disables_id is None
    ]


def switch_for(
    rule: Rule, *, facility: Facility | None = None, agency_id: int | None = None
) -> Rule | None:
    """The row (on or off) that disables ``rule`` for one facility or one agency."""
    if facility is not None:
        return Rule.objects.filter(scope=Scope.FACILITY, facility=facility, disables=rule).first()
    return Rule.objects.filter(scope=Scope.AGENCY, agency=agency_id, disables=rule).first()


def rule_at(facility: Facility, rule_id: int) -> Rule | None:
    """A rule (not a switch row) that reaches this facility, on or off."""
    return (
        Rule.objects.filter(_chain(facility), pk=rule_id, disables__isnull=True)
        .select_related("agency", "facility", "created_by")
        .first()
    )


# --- what the console's rule reports read, for a facility the admin already holds (through
# ``access.admin_facilities``)


def rules_by_key(keys: Iterable[str]) -> dict[str, Rule]:
    """The rules that screening hits name by key ("12"); detector keys have no rule."""
    ids = [number for key in keys if (number := whole_number(key)) is not None]
    return {str(rule.pk): rule for rule in Rule.objects.filter(pk__in=ids)}


def versions_at(facility: Facility, *, limit: int) -> list[RuleSetVersion]:
    """The facility's recorded rule-set versions, newest first."""
    return list(
        RuleSetVersion.objects.filter(facility=facility)
        .select_related("created_by")
        .order_by("-number")[:limit]
    )


def version_recorded(facility: Facility, fingerprint: str) -> bool:
    return RuleSetVersion.objects.filter(facility=facility, fingerprint=fingerprint).exists()


def history_at(facility: Facility, rule: Rule) -> list[RuleChange]:
    """The changes to ``rule`` and to the switches that turn it off at this facility or its
    agency, newest first."""
    switches = Rule.objects.filter(disables=rule, facility=facility) | Rule.objects.filter(
        disables=rule, agency_id=facility.agency_id
    )
    return list(
        RuleChange.objects.filter(rule__in=[rule, *switches]).select_related("rule", "actor")
    )


@dataclass(frozen=True)
class LibraryInForce:
    version: str
    rules: int
    loaded_at: dt.datetime


def library_in_force() -> LibraryInForce | None:
    """The baseline library's version as last loaded (None if it never was)."""
    event = AuditEvent.objects.filter(action="rules.library_loaded").order_by("-id").first()
    if event is None or not isinstance(event.data, dict) or "version" not in event.data:
        return None
    return LibraryInForce(
        version=str(event.data["version"]), rules=int(event.data["rules"]), loaded_at=event.at
    )
