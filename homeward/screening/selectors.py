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


def count_in_force(facility: Facility) -> int:
    """How many rules are in force at the facility: ``len(rules_in_force(facility))``,
    counted by the database."""
    switched = Rule.objects.filter(_chain(facility), is_active=True, disables__isnull=False)
    return (
        Rule.objects.filter(_chain(facility), is_active=True, disables__isnull=True)
        .exclude(pk__in=switched.values("disables_id"))
        .count()
    )


# Rules a page of a facility's list shows.
RULES_PAGE = 100


@dataclass(frozen=True)
class RulePage:
    rows: list[RuleRow]
    next: str  # where the next page starts (after the rule with this id), "" at the end


def rule_page(
    facility: Facility, *, category: str = "", query: str = "", after: str = "", size: int = 0
) -> RulePage:
    """One page of the rules that reach the facility (``rule_rows``' order: category, then
    what each looks for), of one category and holding ``query`` in its words if given,
    starting after the rule ``after`` names (a rule id; the first page for anything else)."""
    size = size or RULES_PAGE
    rules = Rule.objects.filter(_chain(facility), disables__isnull=True)
    if category:
        rules = rules.filter(category=category)
    if query:
        rules = rules.filter(Q(pattern__icontains=query) | Q(other__icontains=query))
    after_id = whole_number(after)
    start = None if after_id is None else rules.filter(pk=after_id).first()
    if start is not None:
        rules = rules.filter(
            Q(category__gt=start.category)
            | Q(category=start.category, pattern__gt=start.pattern)
            | Q(category=start.category, pattern=start.pattern, pk__gt=start.pk)
        )
    found = list(
        rules.select_related("agency", "facility", "created_by").order_by(
            "category", "pattern", "id"
        )[: size + 1]
    )
    shown = found[:size]
    return RulePage(_rows_of(facility, shown), str(shown[-1].pk) if len(found) > size else "")


def rule_row(facility: Facility, rule: Rule) -> RuleRow:
    """One rule that reaches the facility, as its list shows it."""
    return _rows_of(facility, [rule])[0]


def _rows_of(facility: Facility, rules: list[Rule], *, every: bool = False) -> list[RuleRow]:
    """The rules as the list shows them, with the active rows that switch each off here (a
    facility's switch shown over its agency's). ``every``: the rules are all of them."""
    switching = Rule.objects.filter(_chain(facility), is_active=True, disables__isnull=False)
    if not every:
        switching = switching.filter(disables__in=[r.pk for r in rules])
    switches: dict[int, Rule] = {}
    for row in switching:
        off = row.disables_id
        if off is not None and (off not in switches or row.scope == Scope.FACILITY):
            switches[off] = row
    return [
        RuleRow(rule=r, inherited=r.scope != Scope.FACILITY, switched_off_by=switches.get(r.pk))
        for r in rules
    ]


def rule_rows(facility: Facility) -> list[RuleRow]:
    """Every rule that reaches the facility, switched on or off, in category order."""
    rules = (
        Rule.objects.filter(_chain(facility), disables__isnull=True)
        .select_related("agency", "facility", "created_by")
        .order_by("category", "pattern", "id")
    )
    return _rows_of(facility, list(rules), every=True)


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
