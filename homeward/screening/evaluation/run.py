"""Screen the labelled sets with the baseline library and report how well it did.

    python -m homeward.screening.evaluation [--strict] [--show N] [--rules-only]
                                            [--part PART ...]

PART: development (author A), development-c, -e, -f, -g, -h, -i, -j, -k, -l, validation
or frozen; every part by default.

Pure Python, no database: the rules come from the library's data files, the verdicts from
the engine every message goes through in production (both views, rules, detectors and
every layer). First the regression corpus (``corpus.jsonl``, made by the same hands as the
rules: it measures memory, not screening), then each part of the held-out set
(``heldout.py``) with every layer, without the classifier and with the rules alone.
With --strict the exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TextIO

from homeward.screening import engine
from homeward.screening.engine import RuleSpec, Verdict
from homeward.screening.evaluation import heldout
from homeward.screening.evaluation.generate import CORPUS_PATH, escape_invisible
from homeward.screening.evaluation.metrics import (
    HitView,
    Outcome,
    Rate,
    Result,
    Sample,
    Score,
    Summary,
    category_scores,
    caught,
    false_alarms,
    obfuscation_scores,
    rate,
    summarize,
    worst_misses,
)
from homeward.screening.layers.stack import EVERY_LAYER, WITHOUT_CLASSIFIER, Layers
from homeward.screening.library.loader import load_library


def load_corpus(path: Path = CORPUS_PATH) -> list[Sample]:
    with path.open(encoding="utf-8") as lines:
        return [Sample(**json.loads(line)) for line in lines if line.strip()]


def outcome_of(verdict: Verdict) -> Outcome:
    """The engine's verdict, reduced to what the evaluation counts."""
    hits = tuple(HitView(str(h.rule), h.category, h.action, h.text) for h in verdict.hits)
    return Outcome(verdict.verdict, frozenset(verdict.categories), hits)


def screen_all(
    samples: Sequence[Sample],
    rules: Sequence[RuleSpec],
    detector_actions: Mapping[str, str] | None,
    layers: Layers | None = None,
) -> list[Result]:
    """Every sample through the engine, as production screens a message: rules compiled
    once, then each text screened with the detectors (None leaves the detectors out) and
    the layers (None leaves them out)."""
    compiled = engine.compile_ruleset(rules)
    return [
        (
            sample,
            outcome_of(
                compiled.screen(sample.text, detector_actions=detector_actions, layers=layers)
            ),
        )
        for sample in samples
    ]


HELDOUT_PARTS = {
    **{
        ("development" if author == "A" else f"development-{author.lower()}"): (
            path,
            f"Held-out set, development part (author {author}; tuned on)",
        )
        for author, path in heldout.DEVELOPMENT_PATHS.items()
    },
    "validation": (
        heldout.VALIDATION_PATH,
        "Held-out set, validation part (author D; never tuned on, never read)",
    ),
    "frozen": (heldout.FROZEN_PATH, "Held-out set, frozen test part (author B; never tuned on)"),
}


def _heldout(part: str, rules: Sequence[RuleSpec]) -> list[str]:
    """Measure one part of the held-out set with every layer and without the classifier;
    the targets it misses (with every layer)."""
    path, title = HELDOUT_PARTS[part]
    messages = heldout.load(path)
    compiled = engine.compile_ruleset(rules)
    started = time.perf_counter()
    results = heldout.screen_all(messages, compiled, EVERY_LAYER)
    seconds = time.perf_counter() - started
    numbers = heldout.report(f"{title}, every layer", results, sys.stdout)
    print(f"  screened in {seconds:.2f} s ({len(messages) / seconds:,.0f} messages/s)")
    if part.startswith("development"):
        print(
            "  (the classifier is trained on this part, so figures with it are not a measurement:"
            " `manage.py train_screening_model` prints its cross-validated ones)"
        )
    without = heldout.screen_all(messages, compiled, WITHOUT_CLASSIFIER)
    plain = heldout.figures(without)
    print(
        f"  without the classifier: recall {plain.recall}, innocent flagged "
        f"{plain.innocent_flagged}"
    )
    rules_only = heldout.figures(heldout.screen_all(messages, compiled, None))
    print(
        f"  rules and detectors alone: recall {rules_only.recall}, innocent flagged "
        f"{rules_only.innocent_flagged}"
    )
    return [f"{part}: {what}" for what, _, _, met in numbers.targets if not met]


def load_baseline() -> list[RuleSpec]:
    """The library's rules as a deployment screens with them (``engine.baseline``)."""
    return [engine.baseline(rule) for rule in load_library()]


# --- the report -------------------------------------------------------------------------


def _ratio(value: float | None) -> str:
    return "   —  " if value is None else f"{value:6.3f}"


def _share(rate_count: int, total: int) -> str:
    return "—" if not total else f"{rate_count / total:.1%} ({rate_count}/{total})"


def _shown(text: str, width: int = 150) -> str:
    text = escape_invisible(text).replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def _category_table(results: Sequence[Result], out: TextIO) -> None:
    scores = category_scores(results)
    anywhere = Counter(s.label for s, o in results if s.violating and o.caught)
    on_innocent = Counter(
        c for s, o in results if not s.violating and o.caught for c in o.categories
    )
    print("\nPer category", file=out)
    print("  caught: flag or block with this category among the verdict's categories", file=out)
    print(
        "  false+: caught with this category but labelled otherwise (innocent+: innocent)", file=out
    )
    print("  any: recall under any category (a reviewer still sees the message)", file=out)
    print(
        f"  {'':12} {'labelled':>8} {'caught':>7} {'missed':>7} {'false+':>7} {'innocent+':>9} "
        f"{'precision':>9} {'recall':>7} {'any':>7}",
        file=out,
    )
    for name, s in scores.items():
        labelled = s.tp + s.fn
        any_share = _ratio(anywhere[name] / labelled if labelled else None)
        print(
            f"  {name:12} {labelled:8} {s.tp:7} {s.fn:7} {s.fp:7} {on_innocent[name]:9} "
            f"{_ratio(s.precision):>9} {_ratio(s.recall):>7} {any_share:>7}",
            file=out,
        )


def _obfuscation_table(scores: Mapping[str, Score], results: Sequence[Result], out: TextIO) -> None:
    innocent = {
        name: sum(1 for s, _ in results if s.obfuscation == name and not s.violating)
        for name in scores
    }
    print("\nPer obfuscation type (caught = flag or block, any category)", file=out)
    print(
        f"  {'':18} {'violating':>9} {'caught':>7} {'recall':>7} {'innocent':>9} "
        f"{'flagged':>8} {'precision':>9}",
        file=out,
    )
    for name, s in sorted(scores.items(), key=lambda item: item[0] != "none"):
        print(
            f"  {name:18} {s.tp + s.fn:9} {s.tp:7} {_ratio(s.recall):>7} {innocent[name]:9} "
            f"{s.fp:8} {_ratio(s.precision):>9}",
            file=out,
        )


def _violating_in(lang: str, sample: Sample) -> bool:
    return sample.violating and sample.lang == lang


def _innocent_in(lang: str, sample: Sample) -> bool:
    return not sample.violating and sample.lang == lang


def _by_language(results: Sequence[Result]) -> list[tuple[str, Rate]]:
    rows = []
    for lang in sorted({s.lang for s, _ in results}):
        rows.append(
            (
                f"violating caught, {lang}",
                rate(results, partial(_violating_in, lang), caught),
            )
        )
        rows.append(
            (
                f"innocent flagged, {lang}",
                rate(results, partial(_innocent_in, lang), caught),
            )
        )
    return rows


def _summary(summary: Summary, results: Sequence[Result], out: TextIO) -> None:
    print("\nTargets (issue 3)", file=out)
    for what, measured, target, met in summary.targets:
        value = _share(measured.count, measured.total)
        print(
            f"  {what:42} {value:>22}   target {target:6}  {'met' if met else 'MISSED'}", file=out
        )
    print("\nOverall", file=out)
    rows = [
        ("violating caught (any category)", summary.violating),
        ("violating caught (right category)", summary.violating_right_category),
        ("plain violating caught", summary.plain),
        ("obfuscated violating caught", summary.obfuscated),
        ("obfuscated caught (right category)", summary.obfuscated_right_category),
        ("innocent flagged", summary.innocent_flagged),
        ("ordinary innocent flagged", summary.ordinary_flagged),
        ("hard innocent flagged", summary.hard_flagged),
        *_by_language(results),
    ]
    for what, measured in rows:
        print(f"  {what:42} {_share(measured.count, measured.total):>22}", file=out)


def _hits(outcome: Outcome) -> str:
    return "; ".join(f"{h.category}/{h.action} {h.text!r} ({h.rule})" for h in outcome.hits)


def _examples(results: Sequence[Result], limit: int, out: TextIO) -> None:
    misses = worst_misses(results, limit)
    print(
        f"\nWorst misses ({len(misses)} shown; plain forms first, then the messages missed "
        "in most forms)",
        file=out,
    )
    for sample, outcome in misses:
        print(f"  {sample.id:32} {sample.label}/{sample.obfuscation}: {outcome.verdict}", file=out)
        print(f"      {_shown(sample.text)}", file=out)
    alarms = false_alarms(results, limit)
    print(f"\nFalse alarms ({len(alarms)} shown; blocks first)", file=out)
    for sample, outcome in alarms:
        hard = " hard" if sample.hard else ""
        print(f"  {sample.id:32}{hard} {outcome.verdict}: {_shown(_hits(outcome), 110)}", file=out)
        print(f"      {_shown(sample.text)}", file=out)


def report(
    results: Sequence[Result], *, rules: int, seconds: float, limit: int, out: TextIO
) -> Summary:
    samples = [s for s, _ in results]
    innocent = [s for s in samples if not s.violating]
    violating = [s for s in samples if s.violating]
    print(
        f"Screening evaluation: {len(samples)} messages ({len(innocent)} innocent, "
        f"{sum(s.hard for s in innocent)} of them hard; {len(violating)} violating, "
        f"{sum(s.obfuscation != 'none' for s in violating)} of them obfuscated)",
        file=out,
    )
    speed = len(samples) / seconds if seconds else 0.0
    print(f"{rules} rules; screened in {seconds:.2f} s ({speed:,.0f} messages/s)", file=out)
    summary = summarize(results)
    _summary(summary, results, out)
    _category_table(results, out)
    _obfuscation_table(obfuscation_scores(results), results, out)
    _examples(results, limit, out)
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate screening on the labelled corpus.")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--show", type=int, default=20, help="misses and false alarms to list")
    parser.add_argument(
        "--rules-only",
        action="store_true",
        help="screen the regression corpus with rules and detectors only (no layers)",
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS_PATH)
    parser.add_argument(
        "--part",
        action="append",
        choices=sorted(HELDOUT_PARTS),
        help="a part of the held-out set to measure as well (repeatable; default: both)",
    )
    args = parser.parse_args(argv)
    args.part = args.part or list(HELDOUT_PARTS)
    samples = load_corpus(args.corpus)
    rules = load_baseline()
    started = time.perf_counter()
    engine.compile_ruleset(rules)  # compiled once (and cached), as a worker does
    compiled = time.perf_counter()
    # {} is the baseline: every detector at its default action, as for a new facility.
    results = screen_all(samples, rules, {}, None if args.rules_only else EVERY_LAYER)
    seconds = time.perf_counter() - compiled
    print(f"{len(rules)} rules compiled in {compiled - started:.2f} s")
    summary = report(results, rules=len(rules), seconds=seconds, limit=args.show, out=sys.stdout)
    missed = [what for what, _, _, met in summary.targets if not met]
    for part in args.part:
        missed += _heldout(part, rules)
    if missed and args.strict:
        print(f"\nTargets missed: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0
