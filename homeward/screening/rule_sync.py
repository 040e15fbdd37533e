"""Bringing the platform baseline in line with the shipped rule library.

The library (TOML files that operators review and edit) is the source of truth for baseline
rules; ``manage.py load_rule_library`` hands its entries here. Each entry carries a stable
``source`` ("lib:en:12"), so loading is idempotent: new entries are added, changed ones
updated, missing ones switched off, each with its RuleChange, and every facility gets one
new rule-set version for the whole load.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from homeward.core import clock
from homeward.core.errors import DomainError
from homeward.people.models import User
from homeward.screening.models import Rule, RuleChange, Scope
from homeward.screening.rule_access import check_may_manage
from homeward.screening.rule_history import affected, record_change, record_versions
from homeward.screening.rules import check_not_duplicate, save_rule, tidy_note, validate_rule

What = RuleChange.What


@dataclass(frozen=True)
class SyncReport:
    added: int
    changed: int
    switched_off: int
    unchanged: int


def sync_baseline(
    entries: Sequence[Mapping[str, Any]], *, prefix: str = "lib:", actor: User | None = None
) -> SyncReport:
    """Make the baseline rules whose ``source`` starts with ``prefix`` match ``entries``
    (the shipped rule library; each entry has a unique ``source`` such as "lib:en:12" and
    the rule's fields): add new rules, update changed ones, switch off ones no longer
    listed. One transaction and one new version per facility, however many rules; a bad
    entry refuses the whole load, and the error names its source."""
    check_may_manage(actor, Scope.BASELINE, None, None)
    sources = [str(entry["source"]) for entry in entries]
    if len(set(sources)) != len(sources) or not all(s.startswith(prefix) for s in sources):
        raise DomainError(
            "bad_source", f"Every library rule needs its own source starting with {prefix!r}."
        )
    counts = {"added": 0, "changed": 0, "switched_off": 0, "unchanged": 0}
    with transaction.atomic():
        existing = {
            rule.source: rule
            for rule in Rule.objects.select_for_update().filter(
                scope=Scope.BASELINE, disables__isnull=True, source__startswith=prefix
            )
        }
        for entry in entries:
            try:
                outcome = _sync_one(entry, existing.get(str(entry["source"])), actor)
            except DomainError as error:
                raise DomainError(error.code, f"{entry['source']}: {error.message}") from None
            counts[outcome] += 1
        listed = set(sources)
        for source, rule in existing.items():
            if source not in listed and rule.is_active:
                before = rule.as_dict()
                rule.is_active = False
                rule.updated_at = clock.now()
                rule.save(update_fields=["is_active", "updated_at"])
                record_change(actor, rule, What.DISABLED, before)
                counts["switched_off"] += 1
        if counts["added"] or counts["changed"] or counts["switched_off"]:
            record_versions(
                affected(Scope.BASELINE, None, None),
                actor=actor,
                summary=f"Rule library loaded: {counts['added']} added, {counts['changed']} "
                f"changed, {counts['switched_off']} switched off",
                change=None,
            )
    return SyncReport(**counts)


def _sync_one(entry: Mapping[str, Any], rule: Rule | None, actor: User | None) -> str:
    fields = {"kind": "phrase", "severity": 1, "other": "", "distance": 0} | dict(entry)
    checked = validate_rule(fields)
    if rule is None:
        now = clock.now()
        rule = Rule(
            scope=Scope.BASELINE,
            source=str(entry["source"]),
            note=tidy_note(entry.get("note")),
            created_by=actor,
            created_at=now,
            updated_at=now,
            **checked.__dict__,
        )
        check_not_duplicate(rule)
        save_rule(rule)
        record_change(actor, rule, What.CREATED, None)
        return "added"
    before = rule.as_dict()
    for name, value in checked.__dict__.items():
        setattr(rule, name, value)
    rule.note = tidy_note(entry.get("note"))
    rule.is_active = True
    if rule.as_dict() == before:
        return "unchanged"
    rule.updated_at = clock.now()
    check_not_duplicate(rule, exclude_id=rule.pk)
    save_rule(rule)
    record_change(actor, rule, What.EDITED, before)
    return "changed"
