"""The baseline rule library: readable TOML files, one per language, beside this module.

``load_library()`` reads them into the engine's RuleSpecs (ids "lib:<language>:<n>", n
counting the file's rules from 1). Every entry is checked first; any mistake stops the load
with a LibraryError naming the file, the entry and the problem, so a half-read library
never reaches screening or the database.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from homeward.screening import engine
from homeward.screening.engine import CATEGORIES

LIBRARY_DIR = Path(__file__).resolve().parent
LANGUAGES = ("en", "es")
PAIR_KINDS = ("near", "unless")
MAX_DISTANCE = 20
MAX_PATTERN = 200
FIELDS = {"kind", "pattern", "category", "action", "severity", "other", "distance", "note"}
REQUIRED = ("kind", "pattern", "category", "action", "severity")


class LibraryError(ValueError):
    """A library file that cannot be loaded; the message says where and why."""


@dataclass(frozen=True)
class LibraryRule:
    """One entry of a library file: the rule, why it exists, and where it was written."""

    spec: engine.RuleSpec
    note: str
    file: str
    number: int  # 1 for the file's first rule

    @property
    def source(self) -> str:
        return str(self.spec.id)


def load_library(
    languages: Iterable[str] = LANGUAGES, *, directory: Path = LIBRARY_DIR
) -> list[engine.RuleSpec]:
    """The library's rules for these languages, checked, in file order."""
    return [entry.spec for entry in library_entries(languages, directory=directory)]


def library_version(entries: Iterable[LibraryRule]) -> str:
    """A short fingerprint of what the library says (every rule and its note): two loads
    of the same files have the same version, and any change to a rule gives a new one."""
    digest = hashlib.sha256()
    for entry in sorted(entries, key=lambda e: str(e.spec.id)):
        fields = {**engine.spec_fields(entry.spec), "id": str(entry.spec.id), "note": entry.note}
        digest.update(json.dumps(fields, sort_keys=True).encode())
    return digest.hexdigest()[:12]


def library_entries(
    languages: Iterable[str] = LANGUAGES, *, directory: Path = LIBRARY_DIR
) -> list[LibraryRule]:
    """Every entry of the library files, checked one by one and against each other."""
    entries: list[LibraryRule] = []
    seen: dict[tuple[str, str, str, int], LibraryRule] = {}
    for language in languages:
        path = directory / f"{language}.toml"
        for number, raw in enumerate(_read(path), start=1):
            entry = _entry(raw, language, path.name, number)
            key = identity(entry.spec)
            if key in seen:
                first = seen[key]
                raise LibraryError(
                    f"{path.name}, rule {number} ({entry.spec.pattern!r}): duplicate of "
                    f"{first.file} rule {first.number}; each rule may appear once."
                )
            seen[key] = entry
            entries.append(entry)
    return entries


def identity(spec: engine.RuleSpec) -> tuple[str, str, str, int]:
    """What makes two rules the same rule (the database's uniqueness, too)."""
    return (spec.kind, spec.pattern.casefold(), spec.other.casefold(), spec.distance)


def _read(path: Path) -> list[Any]:
    if not path.is_file():
        raise LibraryError(f"{path.name}: no such library file in {path.parent}.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LibraryError(f"{path.name}: not valid TOML: {exc}.") from None
    extra = set(data) - {"rule"}
    if extra:
        raise LibraryError(f"{path.name}: unexpected top-level keys {sorted(extra)}; use [[rule]].")
    rules = data.get("rule", [])
    if not isinstance(rules, list):
        raise LibraryError(f"{path.name}: 'rule' must be a list of [[rule]] tables.")
    return rules


def _entry(raw: Any, language: str, file: str, number: int) -> LibraryRule:
    where = f"{file}, rule {number}"
    if not isinstance(raw, Mapping):
        raise LibraryError(f"{where}: each rule is a [[rule]] table.")
    if isinstance(raw.get("pattern"), str):
        where += f" ({raw['pattern']!r})"
    try:
        spec, note = _check(raw, f"lib:{language}:{number}")
    except LibraryError as exc:
        raise LibraryError(f"{where}: {exc}") from None
    return LibraryRule(spec=spec, note=note, file=file, number=number)


def _text(raw: Mapping[str, Any], name: str, default: str = "") -> str:
    value = raw.get(name, default)
    if not isinstance(value, str):
        raise LibraryError(f"{name} must be text.")
    return value


def _number(raw: Mapping[str, Any], name: str, default: int = 0) -> int:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise LibraryError(f"{name} must be a whole number.")
    return value


def _check(raw: Mapping[str, Any], rule_id: str) -> tuple[engine.RuleSpec, str]:
    unknown = set(raw) - FIELDS
    if unknown:
        raise LibraryError(f"unknown field(s) {sorted(unknown)}; allowed: {sorted(FIELDS)}.")
    missing = [name for name in REQUIRED if name not in raw]
    if missing:
        raise LibraryError(f"missing {', '.join(missing)}.")
    kind, category, action = _text(raw, "kind"), _text(raw, "category"), _text(raw, "action")
    if kind not in engine.KINDS:
        raise LibraryError(f"unknown kind {kind!r}; one of {', '.join(engine.KINDS)}.")
    if category not in CATEGORIES:
        raise LibraryError(f"unknown category {category!r}; one of {', '.join(CATEGORIES)}.")
    if action not in engine.ACTIONS:
        raise LibraryError(f"unknown action {action!r}; one of {', '.join(engine.ACTIONS)}.")
    severity = _number(raw, "severity")
    if not 1 <= severity <= 3:
        raise LibraryError("severity is 1 (low), 2 or 3 (high).")
    # A regex keeps its spaces; a phrase's white space is tidied, as the console does.
    pattern = _text(raw, "pattern").strip() if kind == "regex" else _tidy(_text(raw, "pattern"))
    _check_length(pattern, "pattern")
    other, distance = _tidy(_text(raw, "other")), _number(raw, "distance")
    if kind in PAIR_KINDS:
        _check_length(other, "other")
    elif other:
        raise LibraryError("only near and unless rules have 'other'.")
    if kind == "near" and not 1 <= distance <= MAX_DISTANCE:
        raise LibraryError(f"a near rule needs a distance from 1 to {MAX_DISTANCE} words.")
    if kind != "near" and distance:
        raise LibraryError("only near rules have a distance.")
    if kind == "regex":
        _check_regex(pattern)
    spec = engine.RuleSpec(
        id=rule_id,
        kind=kind,
        pattern=pattern,
        category=category,
        action=action,
        severity=severity,
        other=other,
        distance=distance,
    )
    try:
        engine.atoms_of(spec)
    except engine.RuleError as exc:
        raise LibraryError(str(exc)) from None
    return spec, " ".join(_text(raw, "note").split())


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _check_length(text: str, name: str) -> None:
    if len(text) < 2:
        raise LibraryError(f"{name} is empty or one letter, which would match almost anything.")
    if len(text) > MAX_PATTERN:
        raise LibraryError(f"{name} is longer than {MAX_PATTERN} characters.")


def _check_regex(pattern: str) -> None:
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise LibraryError(f"the regular expression has a mistake: {exc}.") from None
    if compiled.search("") is not None:
        raise LibraryError("the regular expression matches empty text, so it matches everything.")
