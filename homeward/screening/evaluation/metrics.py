"""The arithmetic of the screening evaluation: no engine, no I/O, just counting.

A message counts as caught when its verdict is flag or block. For one category, a message
is a true positive when it is labelled with that category and caught with that category
among the verdict's categories; a false positive when it is caught with that category but
labelled otherwise (innocent, or another category); a false negative when it is labelled
with that category and not caught with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

INNOCENT = "innocent"
CAUGHT = frozenset({"flag", "block"})
# The targets: recall on obfuscated violating messages, share of innocent flagged.
TARGET_OBFUSCATED_RECALL = 0.98
TARGET_INNOCENT_FLAGGED = 0.02


@dataclass(frozen=True)
class Sample:
    id: str
    text: str
    label: str
    obfuscation: str
    lang: str
    hard: bool

    @property
    def violating(self) -> bool:
        return self.label != INNOCENT

    @property
    def base(self) -> str:
        """The id of the message this one is a form of ("escape-en-01" for all its forms)."""
        return self.id.split(":", 1)[0]


@dataclass(frozen=True)
class HitView:
    rule: str
    category: str
    action: str
    text: str


@dataclass(frozen=True)
class Outcome:
    verdict: str
    categories: frozenset[str]
    hits: tuple[HitView, ...] = ()

    @property
    def caught(self) -> bool:
        return self.verdict in CAUGHT

    def caught_as(self, category: str) -> bool:
        return self.caught and category in self.categories


Result = tuple[Sample, Outcome]


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass(frozen=True)
class Rate:
    count: int
    total: int

    @property
    def share(self) -> float | None:
        return self.count / self.total if self.total else None


def category_scores(results: Sequence[Result]) -> dict[str, Score]:
    """Precision and recall counts for every category labelled or predicted."""
    categories = {s.label for s, _ in results if s.violating}
    categories |= {c for _, o in results if o.caught for c in o.categories}
    scores = {}
    for category in sorted(categories):
        tp = sum(1 for s, o in results if s.label == category and o.caught_as(category))
        fp = sum(1 for s, o in results if s.label != category and o.caught_as(category))
        fn = sum(1 for s, o in results if s.label == category and not o.caught_as(category))
        scores[category] = Score(tp, fp, fn)
    return scores


def obfuscation_scores(results: Sequence[Result]) -> dict[str, Score]:
    """Per obfuscation type: caught violating (tp), caught innocent (fp), missed violating
    (fn); any category counts, since a caught message goes to a reviewer either way."""
    scores = {}
    for obfuscation in sorted({s.obfuscation for s, _ in results}):
        group = [(s, o) for s, o in results if s.obfuscation == obfuscation]
        tp = sum(1 for s, o in group if s.violating and o.caught)
        fp = sum(1 for s, o in group if not s.violating and o.caught)
        fn = sum(1 for s, o in group if s.violating and not o.caught)
        scores[obfuscation] = Score(tp, fp, fn)
    return scores


def rate(
    results: Iterable[Result], which: Callable[[Sample], bool], hit: Callable[[Result], bool]
) -> Rate:
    chosen = [r for r in results if which(r[0])]
    return Rate(sum(1 for r in chosen if hit(r)), len(chosen))


def caught(result: Result) -> bool:
    return result[1].caught


def caught_right(result: Result) -> bool:
    return result[1].caught_as(result[0].label)


@dataclass(frozen=True)
class Summary:
    violating: Rate
    violating_right_category: Rate
    plain: Rate
    obfuscated: Rate
    obfuscated_right_category: Rate
    innocent_flagged: Rate
    ordinary_flagged: Rate
    hard_flagged: Rate

    @property
    def targets(self) -> list[tuple[str, Rate, str, bool]]:
        """(what, measured, target, met) for each of the issue's targets."""
        recall = self.obfuscated.share or 0.0
        flagged = self.innocent_flagged.share or 0.0
        return [
            (
                "recall on obfuscated violating messages",
                self.obfuscated,
                f">= {TARGET_OBFUSCATED_RECALL:.2f}",
                recall >= TARGET_OBFUSCATED_RECALL,
            ),
            (
                "share of innocent messages flagged",
                self.innocent_flagged,
                f"<= {TARGET_INNOCENT_FLAGGED:.0%}",
                flagged <= TARGET_INNOCENT_FLAGGED,
            ),
        ]


def summarize(results: Sequence[Result]) -> Summary:
    def violating(s: Sample) -> bool:
        return s.violating

    def obfuscated(s: Sample) -> bool:
        return s.violating and s.obfuscation != "none"

    return Summary(
        violating=rate(results, violating, caught),
        violating_right_category=rate(results, violating, caught_right),
        plain=rate(results, lambda s: s.violating and s.obfuscation == "none", caught),
        obfuscated=rate(results, obfuscated, caught),
        obfuscated_right_category=rate(results, obfuscated, caught_right),
        innocent_flagged=rate(results, lambda s: not s.violating, caught),
        ordinary_flagged=rate(results, lambda s: not s.violating and not s.hard, caught),
        hard_flagged=rate(results, lambda s: not s.violating and s.hard, caught),
    )


def worst_misses(results: Sequence[Result], limit: int = 20) -> list[Result]:
    """Violating messages that got through, worst first: a miss on the plain form is a gap
    in the rules; then the messages missed in the most of their forms. One form of each
    message comes before a second form of any, so a short list shows many different gaps."""
    missed = [(s, o) for s, o in results if s.violating and not o.caught]
    forms_missed = Counter(s.base for s, _ in missed)
    missed.sort(key=lambda r: (r[0].obfuscation != "none", r[0].id))
    rank: Counter[str] = Counter()
    ranked = []
    for sample, outcome in missed:
        ranked.append((rank[sample.base], sample, outcome))
        rank[sample.base] += 1
    ranked.sort(key=lambda r: (r[0], r[1].obfuscation != "none", -forms_missed[r[1].base], r[1].id))
    return [(sample, outcome) for _, sample, outcome in ranked[:limit]]


def false_alarms(results: Sequence[Result], limit: int = 20) -> list[Result]:
    """Innocent messages that were caught, blocks first, then the ones with most hits."""
    alarms = [(s, o) for s, o in results if not s.violating and o.caught]
    alarms.sort(key=lambda r: (r[1].verdict != "block", -len(r[1].hits), r[0].id))
    return alarms[:limit]
