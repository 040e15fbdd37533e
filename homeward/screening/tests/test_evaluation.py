"""The evaluation corpus is what its generator makes, and the evaluation counts right."""

from __future__ import annotations

import io
import json
import unicodedata
from collections import Counter

import pytest

from homeward.screening.engine import RuleSpec
from homeward.screening.evaluation import generate
from homeward.screening.evaluation.generate import CATEGORIES, CORPUS_PATH
from homeward.screening.evaluation.metrics import (
    Sample,
    category_scores,
    false_alarms,
    obfuscation_scores,
    summarize,
    worst_misses,
)
from homeward.screening.evaluation.obfuscate import OBFUSCATIONS
from homeward.screening.evaluation.run import load_baseline, load_corpus, report, screen_all


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return [json.loads(line) for line in CORPUS_PATH.read_text(encoding="utf-8").splitlines()]


def test_the_corpus_file_is_exactly_what_the_generator_makes():
    assert CORPUS_PATH.read_text(encoding="utf-8") == generate.render(generate.build_corpus())
    assert generate.main(["--check"]) == 0


def test_the_corpus_is_large_and_covers_every_category_and_obfuscation(corpus):
    assert len(corpus) >= 1500
    assert len({r["id"] for r in corpus}) == len(corpus)
    assert {tuple(r) for r in corpus} == {("id", "text", "label", "obfuscation", "lang", "hard")}
    violating = [r for r in corpus if r["label"] != "innocent"]
    assert {r["label"] for r in violating} == set(CATEGORIES)
    assert {r["obfuscation"] for r in violating} == {"none", *OBFUSCATIONS}
    assert {r["lang"] for r in corpus} == {"en", "es"}
    for category in CATEGORIES:  # both languages, every form of every category
        forms = Counter((r["lang"], r["obfuscation"]) for r in violating if r["label"] == category)
        assert len(forms) == 2 * (1 + len(OBFUSCATIONS))


def test_about_a_third_of_the_innocent_messages_are_hard(corpus):
    innocent = [r for r in corpus if r["label"] == "innocent"]
    assert len(innocent) >= 500
    assert 0.30 <= sum(r["hard"] for r in innocent) / len(innocent) <= 0.36
    assert len({r["text"] for r in innocent}) == len(innocent)
    texts = " ".join(r["text"] for r in innocent)
    for trap in ("escape room", "killing it at work", "flu shot", "weed the garden", "the bomb"):
        assert trap in texts


def test_every_violating_message_appears_in_each_disguise_of_its_key_words(corpus):
    by_id = {r["id"]: r for r in corpus}
    plain = [r for r in corpus if r["label"] != "innocent" and r["obfuscation"] == "none"]
    for record in plain:
        base = record["id"].split(":")[0]
        forms = {o: by_id[f"{base}:{o}"]["text"] for o in OBFUSCATIONS}
        assert record["text"] not in forms.values()
        assert any(
            "\u0400" <= c <= "\u052f" or "\u0370" <= c <= "\u03ff" for c in forms["homoglyph"]
        )
        assert any("\uff01" <= c <= "\uff5e" for c in forms["fullwidth"])
        assert any(unicodedata.category(c) == "Cf" for c in forms["zero_width"])
        assert any(unicodedata.category(c) == "Mn" for c in forms["combining_marks"])
        assert len(forms["repeated_letters"]) > len(record["text"])


# --- the arithmetic, on a corpus small enough to count by hand ---------------------------

RULES = [
    RuleSpec(1, kind="phrase", pattern="escape", category="escape", action="block"),
    RuleSpec(2, kind="phrase", pattern="gun", category="weapons", action="flag"),
]
TINY = [
    Sample("escape-1:none", "we will escape tonight", "escape", "none", "en", False),
    Sample("escape-2:leet", "we leave at dawn", "escape", "leet", "en", False),
    Sample("weapons-1:none", "bring the gun", "weapons", "none", "en", False),
    Sample("weapons-2:spaced", "hide the knife and escape", "weapons", "spaced", "en", False),
    Sample("escape-3:spaced", "escape with the gun", "escape", "spaced", "en", False),
    Sample("innocent-1", "we did an escape room", "innocent", "none", "en", True),
    Sample("innocent-2", "love you, see you sunday", "innocent", "none", "en", False),
]


@pytest.fixture(scope="module")
def tiny_results():
    return screen_all(TINY, RULES, None)


def test_precision_and_recall_per_category(tiny_results):
    scores = category_scores(tiny_results)
    assert set(scores) == {"escape", "weapons"}
    escape, weapons = scores["escape"], scores["weapons"]
    # escape: caught right in escape-1 and escape-3; falsely in weapons-2 and innocent-1.
    assert (escape.tp, escape.fp, escape.fn) == (2, 2, 1)
    assert escape.precision == 0.5
    assert escape.recall == pytest.approx(2 / 3)
    # weapons: weapons-1 right; escape-3 also carries weapons; weapons-2 was caught only
    # as escape, which does not count for weapons.
    assert (weapons.tp, weapons.fp, weapons.fn) == (1, 1, 1)
    assert weapons.precision == weapons.recall == 0.5


def test_precision_and_recall_per_obfuscation(tiny_results):
    scores = obfuscation_scores(tiny_results)
    assert (scores["none"].tp, scores["none"].fp, scores["none"].fn) == (2, 1, 0)
    assert scores["none"].precision == pytest.approx(2 / 3)
    assert scores["none"].recall == 1.0
    assert scores["leet"].recall == 0.0
    assert scores["leet"].precision is None  # nothing caught: precision is undefined
    assert (scores["spaced"].tp, scores["spaced"].recall) == (2, 1.0)


def test_summary_rates_and_targets(tiny_results):
    summary = summarize(tiny_results)
    assert (summary.violating.count, summary.violating.total) == (4, 5)
    assert (summary.violating_right_category.count, summary.violating_right_category.total) == (
        3,
        5,
    )
    assert (summary.plain.count, summary.plain.total) == (2, 2)
    assert (summary.obfuscated.count, summary.obfuscated.total) == (2, 3)
    assert summary.obfuscated_right_category.count == 1
    assert (summary.innocent_flagged.count, summary.innocent_flagged.total) == (1, 2)
    assert (summary.hard_flagged.count, summary.hard_flagged.total) == (1, 1)
    assert (summary.ordinary_flagged.count, summary.ordinary_flagged.total) == (0, 1)
    assert [met for *_, met in summary.targets] == [False, False]


def test_the_misses_and_false_alarms_are_listed(tiny_results):
    assert [s.id for s, _ in worst_misses(tiny_results)] == ["escape-2:leet"]
    assert [s.id for s, _ in false_alarms(tiny_results)] == ["innocent-1"]
    out = io.StringIO()
    report(tiny_results, rules=len(RULES), seconds=0.01, limit=20, out=out)
    printed = out.getvalue()
    assert "share of innocent messages flagged" in printed
    assert "escape-2:leet" in printed and "innocent-1" in printed
    assert "MISSED" in printed


def test_the_baseline_library_screens_the_corpus():
    """The real thing runs end to end (a slice of it, to keep the test quick); the figures
    themselves are reported by `make eval-screening`, not asserted here."""
    samples = load_corpus()[::25]
    results = screen_all(samples, load_baseline(), {})
    assert len(results) == len(samples)
    assert {o.verdict for _, o in results} <= {"clear", "flag", "block"}
