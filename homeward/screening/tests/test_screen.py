from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from homeward.screening import engine
from homeward.screening.engine import RuleSpec
from homeward.screening.models import Rule

RULES = [
    RuleSpec(1, "phrase", "break out", "escape", "block"),
    RuleSpec(2, "phrase", "gun", "weapons", "flag"),
]


def test_whole_words_only_and_case_insensitive():
    verdict = engine.screen("The GUN show; a gunner; shotgun. Let's Break\nOut!", RULES)
    assert verdict.verdict == "block"
    assert [(h.rule, h.text) for h in verdict.hits] == [(2, "GUN"), (1, "Break\nOut")]
    assert verdict.categories == ["escape", "weapons"]


def test_hits_point_at_the_original_text():
    text = "café — we could break   out"
    [hit] = engine.screen(text, RULES).hits
    assert text[hit.start : hit.end] == "break   out"


def test_clear_text_has_no_hits():
    verdict = engine.screen("See you at the escape room on Sunday", RULES)
    assert verdict.verdict == "clear" and verdict.hits == []


def test_ruleset_version_changes_with_the_rules():
    assert engine.ruleset_version(RULES) != engine.ruleset_version(RULES[:1])
    assert engine.ruleset_version(RULES) == engine.ruleset_version(list(reversed(RULES)))


@pytest.fixture
def rules(world):
    Rule.objects.create(pattern="cash app", category="fraud", action="flag")
    Rule.objects.create(facility=world.facility_1, pattern="yard", category="other", action="flag")
    return world


def run_screen(*args: str) -> list[dict]:
    out = StringIO()
    call_command("screen", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_screen_command_reads_json_lines_with_facility_rules(rules, tmp_path):
    source = tmp_path / "in.jsonl"
    lines = [{"id": 1, "text": "send it by Cash App"}, {"id": "b", "text": "meet in the yard"}]
    source.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    baseline = run_screen(str(source))
    assert [r["verdict"] for r in baseline] == ["flag", "clear"]
    local = run_screen(str(source), "--facility", "greenhaven")
    assert [r["verdict"] for r in local] == ["flag", "flag"]
    assert local[1] == {
        "id": "b",
        "verdict": "flag",
        "categories": ["other"],
        "hits": [
            {
                "rule": local[1]["hits"][0]["rule"],
                "category": "other",
                "action": "flag",
                "start": 12,
                "end": 16,
                "text": "yard",
                "layer": "rule",
                "detail": "",
            }
        ],
    }


def test_screen_command_reads_a_plain_text_file(rules, tmp_path):
    source = tmp_path / "letter.txt"
    source.write_text("Pay me on cash app\nthanks", encoding="utf-8")
    [result] = run_screen(str(source))
    # Every layer screens, as in production: the rules' fraud, and whatever the layers add.
    assert result["id"] == "letter.txt" and "fraud" in result["categories"]


def test_screen_command_errors_are_clear(rules, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run_screen(str(tmp_path / "missing.txt"))
    with pytest.raises(CommandError, match="facility"):
        run_screen(str(tmp_path / "missing.txt"), "--facility", "nowhere")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "ok"}\n{"text": "no id"}\n', encoding="utf-8")
    with pytest.raises(CommandError, match="Line 2"):
        run_screen(str(bad))


def test_screen_command_runs_the_detectors_as_the_facility_set_them(rules, tmp_path):
    source = tmp_path / "relay.txt"
    source.write_text("Call my cousin at 512-555-0199 tonight", encoding="utf-8")
    [baseline] = run_screen(str(source))
    assert baseline["verdict"] == "flag" and baseline["categories"] == ["relay"]
    assert baseline["hits"][0]["text"] == "512-555-0199"
    policy = rules.facility_1.policy
    policy.detector_actions = {"phone": "off"}
    policy.save()
    [local] = run_screen(str(source), "--facility", "greenhaven")
    assert local["verdict"] == "clear"


def test_screen_command_shows_what_the_second_opinion_cleared_as_the_facility_set_it(
    rules, tmp_path
):
    from homeward.screening.tests.test_second_opinion import INNOCENT

    source = tmp_path / "film.txt"
    source.write_text(INNOCENT[1], encoding="utf-8")  # slang the second opinion clears
    [baseline] = run_screen(str(source))
    assert baseline["verdict"] == "clear" and baseline["hits"] == []
    assert [hit["layer"] for hit in baseline["cleared"]] == ["slang"]
    assert baseline["cleared_because"].startswith("the words read as innocent")
    policy = rules.facility_1.policy
    policy.second_opinion_clears = False
    policy.save()
    [local] = run_screen(str(source), "--facility", "greenhaven")
    assert local["verdict"] == "flag" and "cleared" not in local
    assert [hit["layer"] for hit in local["hits"]] == ["slang"]
