"""The screening engine interface: text in, verdict and hits with spans out.

``screen(text, rules)`` is the only entry point the rest of Homeward uses. This first engine
matches each rule's phrase case-insensitively as whole words, with any run of white space
between the words; a later engine replaces the matching behind the same interface.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache

ENGINE_NAME = "phrase-v1"
VERDICT_ORDER = {"clear": 0, "flag": 1, "block": 2}


@dataclass(frozen=True)
class RuleSpec:
    id: int
    phrase: str
    category: str
    action: str  # "flag" or "block"


@dataclass(frozen=True)
class Hit:
    rule: int
    category: str
    action: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Verdict:
    verdict: str
    hits: list[Hit] = field(default_factory=list)

    @property
    def categories(self) -> list[str]:
        return sorted({hit.category for hit in self.hits})

    def hits_as_dicts(self) -> list[dict[str, object]]:
        return [asdict(hit) for hit in self.hits]


def ruleset_version(rules: Sequence[RuleSpec]) -> str:
    """A fingerprint of the rules a text was screened with."""
    digest = hashlib.sha256()
    for rule in sorted(rules, key=lambda r: r.id):
        digest.update(
            f"{rule.id}\x1f{rule.phrase}\x1f{rule.category}\x1f{rule.action}\x1e".encode()
        )
    return digest.hexdigest()[:16]


@lru_cache(maxsize=4096)
def _compile(phrase: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in phrase.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def screen(text: str, rules: Sequence[RuleSpec]) -> Verdict:
    hits: list[Hit] = []
    for rule in rules:
        if not rule.phrase.strip():
            continue
        for match in _compile(rule.phrase).finditer(text):
            hits.append(
                Hit(rule.id, rule.category, rule.action, match.start(), match.end(), match.group())
            )
    hits.sort(key=lambda h: (h.start, h.end, h.rule))
    verdict = "clear"
    for hit in hits:
        if VERDICT_ORDER[hit.action] > VERDICT_ORDER[verdict]:
            verdict = hit.action
    return Verdict(verdict, hits)
