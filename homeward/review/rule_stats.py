"""How each rule behaves at a facility: how often it hits, and how often reviewers disagree.

A rule whose hits reviewers keep approving is a bad rule (too broad, or catching innocent
words); one that never hits may be dead weight. The numbers come from stored screening
results (each hit names its rule) joined to the review decision on the same message.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from homeward.facilities.models import Facility
from homeward.review.models import ReviewTask, ScreeningResult
from homeward.screening import layers
from homeward.screening.models import RuleSetVersion

# Matched texts kept per rule, to show what the rule actually catches.
SAMPLES = 8


@dataclass
class RuleStats:
    key: str  # the rule id as the hits store it ("12", "detector:phone"), or a layer
    hits: int = 0  # occurrences
    messages: int = 0  # messages with at least one hit
    reviewed: int = 0  # of those, messages a reviewer decided
    overridden: int = 0  # reviewer approved a message the rule flagged or blocked
    upheld: int = 0  # reviewer blocked it
    matched: Counter[str] = field(default_factory=Counter)

    @property
    def override_rate(self) -> float | None:
        return self.overridden / self.reviewed if self.reviewed else None

    @property
    def override_percent(self) -> str:
        rate = self.override_rate
        return "—" if rate is None else f"{round(rate * 100)}%"

    @property
    def samples(self) -> list[tuple[str, int]]:
        return self.matched.most_common(SAMPLES)


def _rule_key(hit: Mapping[str, object]) -> str:
    return str(hit.get("rule"))


def rule_statistics(facility: Facility, *, since: dt.datetime) -> dict[str, RuleStats]:
    """Statistics per rule key for messages at ``facility`` screened since ``since``."""
    return _statistics(facility, since, _rule_key)


def layer_statistics(facility: Facility, *, since: dt.datetime) -> dict[str, RuleStats]:
    """The same per layer (rule, detector, concept, slang, decoder, language, classifier):
    which layers reviewers agree with."""
    return _statistics(facility, since, layers.layer_of)


def cleared_statistics(facility: Facility, *, since: dt.datetime) -> dict[str, RuleStats]:
    """The same per layer for the hits the second opinion cleared: how often, and what
    reviewers decided where they read the message anyway (a facility reviewing everything,
    or a sample of clear messages). Here ``upheld`` counts a clearing a reviewer proved
    wrong (they blocked the message), ``overridden`` one they agreed with (approved)."""
    return _statistics(facility, since, layers.layer_of, cleared=True)


def _statistics(
    facility: Facility,
    since: dt.datetime,
    key_of: Callable[[Mapping[str, object]], str],
    cleared: bool = False,
) -> dict[str, RuleStats]:
    found = ScreeningResult.objects.filter(message__facility=facility, at__gte=since)
    if cleared:
        found = found.exclude(cleared=[])
    else:
        found = found.exclude(verdict=ScreeningResult.Verdict.CLEAR, hits=[])
    results = found.values_list(
        "cleared" if cleared else "hits",
        "message__review_task__status",
        "message__review_task__decision",
    )
    stats: dict[str, RuleStats] = {}
    for hits, status, decision in results.iterator():
        decided = status == ReviewTask.Status.DONE and bool(decision)
        counted: set[str] = set()
        for hit in hits or []:
            if not isinstance(hit, dict) or hit.get("action") not in ("flag", "block"):
                continue
            key = key_of(hit)
            entry = stats.setdefault(key, RuleStats(key))
            entry.hits += 1
            entry.matched[str(hit.get("text", ""))[:80].casefold()] += 1
            if key in counted:
                continue
            counted.add(key)
            entry.messages += 1
            if decided:
                entry.reviewed += 1
                if decision == ReviewTask.Decision.APPROVE:
                    entry.overridden += 1
                else:
                    entry.upheld += 1
    return stats


def screened_with(facility: Facility, versions: list[RuleSetVersion]) -> dict[str, int]:
    """How many of the facility's messages were screened with each version's fingerprint."""
    fingerprints = {version.fingerprint for version in versions}
    counts: Counter[str] = Counter(
        ScreeningResult.objects.filter(
            message__facility=facility, rules_version__in=fingerprints
        ).values_list("rules_version", flat=True)
    )
    return dict(counts)
