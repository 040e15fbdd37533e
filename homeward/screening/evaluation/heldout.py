"""The held-out screening set: messages written by people who never saw the rules.

Twelve parts by twelve authors (their READMEs say who and how they were kept apart):
- ``heldout/development.jsonl`` (author A) and ``heldout/development_{c,e,...,l}.jsonl``
  (authors C and E to L), which the layers are tuned and the classifier trained on
  (``DEVELOPMENT_PATHS``, by author);
- ``validation/validation.jsonl`` (author D), never tuned or trained on and never read: its
  figures say whether what was tuned on the development parts holds for another writer;
- ``frozen/test.jsonl``, frozen before any tuning (its SHA-256 is committed and a test fails
  if it changes), measured only when the work is done, never trained or tuned on.

Each line: ``id``, ``label`` (a category code or "innocent"), ``lang`` (en, es or mixed),
``style`` (plain, slang, misspelled, obfuscated, code, long, hard, attorney) and ``text``.

A message counts as caught when its verdict is flag or block, whatever the category: a
caught message goes to a reviewer either way. The right category is reported beside it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from homeward.screening.engine import CompiledRuleSet, Verdict
from homeward.screening.layers.stack import Layers

EVALUATION = Path(__file__).resolve().parent
DEVELOPMENT_PATH = EVALUATION / "heldout" / "development.jsonl"  # author A's, the first
# Every development part, by its author.
DEVELOPMENT_PATHS = {
    "A": DEVELOPMENT_PATH,
    **{
        author: EVALUATION / "heldout" / f"development_{author.lower()}.jsonl"
        for author in "CEFGHIJKLMNOPQRSTUV"
    },
}
VALIDATION_PATH = EVALUATION / "validation" / "validation.jsonl"
FROZEN_PATH = EVALUATION / "frozen" / "test.jsonl"
INNOCENT = "innocent"
CAUGHT = ("flag", "block")
# The targets on the frozen part.
TARGET_RECALL = 0.90
TARGET_CATEGORY_RECALL = 0.80
TARGET_SPANISH_RECALL = 0.80
TARGET_INNOCENT_FLAGGED = 0.03


@dataclass(frozen=True)
class Message:
    id: str
    label: str
    lang: str
    styles: tuple[str, ...]
    text: str

    @property
    def violating(self) -> bool:
        return self.label != INNOCENT


def load(path: Path) -> list[Message]:
    with path.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    return [
        Message(row["id"], row["label"], row["lang"], tuple(row["style"]), row["text"])
        for row in rows
    ]


@dataclass(frozen=True)
class Result:
    message: Message
    verdict: str
    categories: frozenset[str]
    layers: frozenset[str]  # the layers that hit ("rule", "detector", "concept", ...)

    @property
    def caught(self) -> bool:
        return self.verdict in CAUGHT

    @property
    def right(self) -> bool:
        return self.caught and self.message.label in self.categories


def result_of(message: Message, verdict: Verdict) -> Result:
    return Result(
        message,
        verdict.verdict,
        frozenset(verdict.categories),
        frozenset(h.layer for h in verdict.hits),
    )


def screen_all(
    messages: Sequence[Message], compiled: CompiledRuleSet, layers: Layers | None
) -> list[Result]:
    """Every message through the engine as production screens it: the rules, every detector
    at its default action, and the layers."""
    return [
        result_of(m, compiled.screen(m.text, detector_actions={}, layers=layers)) for m in messages
    ]


# --- the figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    count: int
    total: int

    @property
    def value(self) -> float:
        return self.count / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.value:6.1%} ({self.count}/{self.total})" if self.total else "—"


def share(results: Sequence[Result], which: Callable[[Result], bool]) -> Share:
    return Share(sum(1 for r in results if which(r)), len(results))


@dataclass(frozen=True)
class Figures:
    recall: Share
    right_category: Share
    innocent_flagged: Share
    by_category: dict[str, tuple[Share, Share]]  # caught (any), caught as labelled
    by_language: dict[str, tuple[Share, Share]]  # violating caught, innocent flagged
    by_style: dict[str, tuple[Share, Share]]

    @property
    def targets(self) -> list[tuple[str, Share, str, bool]]:
        """(what, measured, target, met) for each of the issue's targets."""
        # Spanish: the messages labelled "es" (mixed English and Spanish are reported apart).
        spanish = self.by_language.get("es", (Share(0, 0), Share(0, 0)))[0]
        weakest, (lowest, _) = min(
            self.by_category.items(),
            key=lambda item: item[1][0].value,
            default=("none", (Share(0, 0), Share(0, 0))),
        )
        return [
            ("recall, overall", self.recall, f">= {TARGET_RECALL:.2f}",
             self.recall.value >= TARGET_RECALL),
            (f"recall, weakest category ({weakest})", lowest, f">= {TARGET_CATEGORY_RECALL:.2f}",
             lowest.value >= TARGET_CATEGORY_RECALL),
            ("recall, Spanish", spanish, f">= {TARGET_SPANISH_RECALL:.2f}",
             spanish.value >= TARGET_SPANISH_RECALL),
            ("innocent messages flagged", self.innocent_flagged,
             f"<= {TARGET_INNOCENT_FLAGGED:.0%}",
             self.innocent_flagged.value <= TARGET_INNOCENT_FLAGGED),
        ]  # fmt: skip


def _violating_and_innocent(results: Sequence[Result]) -> tuple[Share, Share]:
    violating = [r for r in results if r.message.violating]
    innocent = [r for r in results if not r.message.violating]
    return share(violating, _caught), share(innocent, _caught)


def _caught(result: Result) -> bool:
    return result.caught


def _right(result: Result) -> bool:
    return result.right


def figures(results: Sequence[Result]) -> Figures:
    violating = [r for r in results if r.message.violating]
    innocent = [r for r in results if not r.message.violating]
    by_label: dict[str, list[Result]] = defaultdict(list)
    by_lang: dict[str, list[Result]] = defaultdict(list)
    by_style: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        if r.message.violating:
            by_label[r.message.label].append(r)
        by_lang[r.message.lang].append(r)
        for style in r.message.styles:
            by_style[style].append(r)
    return Figures(
        recall=share(violating, _caught),
        right_category=share(violating, _right),
        innocent_flagged=share(innocent, _caught),
        by_category={k: (share(v, _caught), share(v, _right)) for k, v in sorted(by_label.items())},
        by_language={k: _violating_and_innocent(v) for k, v in sorted(by_lang.items())},
        by_style={k: _violating_and_innocent(v) for k, v in sorted(by_style.items())},
    )


def layer_counts(results: Sequence[Result]) -> dict[str, tuple[int, int, int]]:
    """Per layer: violating messages it hit, those only it caught, innocent ones it hit."""
    hit: Counter[str] = Counter()
    alone: Counter[str] = Counter()
    innocent: Counter[str] = Counter()
    for r in results:
        if not r.caught:
            continue
        for layer in r.layers:
            (hit if r.message.violating else innocent)[layer] += 1
        if r.message.violating and len(r.layers) == 1:
            alone[next(iter(r.layers))] += 1
    return {k: (hit[k], alone[k], innocent[k]) for k in sorted(hit.keys() | innocent.keys())}


def report(name: str, results: Sequence[Result], out: TextIO) -> Figures:
    numbers = figures(results)
    print(f"\n{name}: {len(results)} messages", file=out)
    print("  caught = flagged or blocked, any category (a reviewer reads it either way)", file=out)
    for what, measured, target, met in numbers.targets:
        print(
            f"  {what:40} {str(measured):>20}   target {target:6} {'met' if met else 'MISSED'}",
            file=out,
        )
    print(f"  {'caught with the labelled category':40} {str(numbers.right_category):>20}", file=out)
    print(f"  {'':14} {'caught':>20} {'as labelled':>20}", file=out)
    for label, (caught, right) in numbers.by_category.items():
        print(f"  {label:14} {str(caught):>20} {str(right):>20}", file=out)
    print(f"  {'':14} {'violating caught':>20} {'innocent flagged':>20}", file=out)
    for group in (numbers.by_language, numbers.by_style):
        for key, (caught, flagged) in group.items():
            print(f"  {key:14} {str(caught):>20} {str(flagged):>20}", file=out)
    print(f"  {'layer':14} {'violating hit':>14} {'only it':>8} {'innocent hit':>13}", file=out)
    for layer, (hit, alone, innocent) in layer_counts(results).items():
        print(f"  {layer:14} {hit:14} {alone:8} {innocent:13}", file=out)
    return numbers
