"""Bringing the platform baseline in line with the shipped rule library.

The library files (TOML that operators and oversight bodies read and edit) are the source
of truth for baseline rules. Loading is idempotent: a baseline rule with the same kind,
pattern, other phrase and distance is updated in place when its category, action,
severity or note changed, and left alone otherwise; a new rule is created; a rule that
came from the library and is no longer in it is switched off (never deleted: results that
cite it keep their meaning). A rule an operator switched off stays off. Everything is
checked before anything is written; the load is one transaction, with a change record for
each rule touched, one audit event, and a new rule-set version for every facility.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from homeward.core import audit, clock
from homeward.core.errors import DomainError
from homeward.facilities.models import Facility
from homeward.screening import engine
from homeward.screening.library.loader import (
    LibraryError,
    LibraryRule,
    identity,
    library_entries,
    library_version,
)
from homeward.screening.models import Rule, RuleChange, Scope
from homeward.screening.rule_checks import check_fields
from homeward.screening.rules import record_version

ACTOR_LABEL = "rule library"
UPDATED_FIELDS = ("category", "action", "severity", "note", "source")


def checked_library(languages: tuple[str, ...], directory: Path) -> list[LibraryRule]:
    """Every entry, checked by the loader, by the same field checks the console uses, and
    by compiling the whole set with the production engine."""
    try:
        entries = library_entries(languages, directory=directory)
    except LibraryError as exc:
        raise DomainError("library_invalid", str(exc)) from None
    for entry in entries:
        try:
            check_fields(**engine.spec_fields(entry.spec))
        except DomainError as exc:
            raise DomainError(
                exc.code, f"{entry.file}, rule {entry.number}: {exc.message}"
            ) from None
    try:
        engine.compile_ruleset([entry.spec for entry in entries])
    except engine.RuleError as exc:
        raise DomainError("library_invalid", f"The library does not compile: {exc}") from None
    return entries


def load_library(entries: list[LibraryRule], languages: tuple[str, ...]) -> dict[str, int]:
    """Make the baseline match ``entries`` (of ``languages``); returns what it did."""
    counts = {"created": 0, "updated": 0, "retired": 0, "unchanged": 0}
    with transaction.atomic():
        existing = {
            identity(_identity_spec(row)): row
            for row in Rule.objects.select_for_update().filter(
                scope=Scope.BASELINE, disables__isnull=True
            )
        }
        seen: set[int] = set()
        for entry in entries:
            row = existing.get(identity(entry.spec))
            if row is None:
                row = _create(entry)
                counts["created"] += 1
            elif _update(row, entry):
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
            seen.add(row.pk)
        prefixes = tuple(f"lib:{language}:" for language in languages)
        for row in existing.values():
            if row.pk not in seen and row.source.startswith(prefixes) and row.is_active:
                _retire(row)
                counts["retired"] += 1
        if counts["created"] or counts["updated"] or counts["retired"]:
            summary = (
                "Rule library loaded: {created} added, {updated} updated, {retired} switched off"
            )
            audit.record(
                actor=ACTOR_LABEL,
                action="rules.library_loaded",
                data={**counts, "version": library_version(entries), "rules": len(entries)},
            )
            for facility in [None, *Facility.objects.order_by("pk")]:
                record_version(facility, summary=summary.format(**counts))
    return counts


def _identity_spec(row: Rule) -> engine.RuleSpec:
    return engine.RuleSpec(
        id=row.pk, kind=row.kind, pattern=row.pattern, other=row.other, distance=row.distance
    )


def _create(entry: LibraryRule) -> Rule:
    now = clock.now()
    row = Rule.objects.create(
        **engine.spec_fields(entry.spec),
        scope=Scope.BASELINE,
        note=entry.note[:300],
        source=entry.source,
        created_at=now,
        updated_at=now,
    )
    _record(row, RuleChange.What.CREATED, None)
    return row


def _update(row: Rule, entry: LibraryRule) -> bool:
    wanted = {
        "category": entry.spec.category,
        "action": entry.spec.action,
        "severity": entry.spec.severity,
        "note": entry.note[:300],
        "source": entry.source,
    }
    if all(getattr(row, name) == value for name, value in wanted.items()):
        return False
    before = row.as_dict()
    for name, value in wanted.items():
        setattr(row, name, value)
    row.updated_at = clock.now()
    row.save(update_fields=[*UPDATED_FIELDS, "updated_at"])
    if row.as_dict() != before:  # a new source alone is bookkeeping, not a change
        _record(row, RuleChange.What.EDITED, before)
    return True


def _retire(row: Rule) -> None:
    before = row.as_dict()
    row.is_active = False
    row.updated_at = clock.now()
    row.save(update_fields=["is_active", "updated_at"])
    _record(row, RuleChange.What.DISABLED, before)


def _record(row: Rule, what: str, before: dict[str, Any] | None) -> None:
    """The rule's change history (one audit event covers the whole load)."""
    RuleChange.objects.create(
        rule=row,
        what=what,
        actor=None,
        actor_label=ACTOR_LABEL,
        at=clock.now(),
        before=before,
        after=row.as_dict(),
    )
