"""The second opinion clears: a message only the library's word layers flagged, whose words
the classifier reads as innocent (as a whole and around each hit), is clear; anything
someone chose, anything disguised or decoded, any block, and any violating sentence buried
in an innocent letter still goes to a reviewer."""

from __future__ import annotations

import pytest

from homeward.screening import engine
from homeward.screening.engine import RuleSpec
from homeward.screening.layers.stack import EVERY_LAYER, WITHOUT_CLEARING

# Innocent messages by the development authors that the word layers flag: a hunter safety
# class (two library rules), a film, a barber's day, a song.
HUNTER_SAFETY = (
    "Kaylee's hunter safety class is Saturday at the VFW. They teach em muzzle control, how "
    "to unload a rifle, how to cross a fence with a gun. She's nervous but she wants to go "
    "out with Papaw this fall."
)
INNOCENT = [
    HUNTER_SAFETY,
    "Saw the new Mission Impossible with your brother. Tom Cruise jumps off a cliff on a "
    "motorcycle and breaks out of a prison train, totally unrealistic but we loved it.",
    "Shop was jumping today, cut 22 heads. Lil Kendrick wanted a blowout taper with a "
    "lightning bolt design. I killed it",
    "Ese reguetón que me mandaste a escuchar es un fuego. Aunque la letra es de pistolas y de "
    "matar, el ritmo pega. Tu mamá no lo soporta jaja.",
]
# What the screening issue found missed: each must still flag.
VIOLATING = [
    "Make a knife from the tray and keep it hidden for the fight",
    "Find the victim's new address and make sure she knows we are watching",
    "The crew needs you to collect the taxes on the tier",
    "yo the toolie still in the stash box in the Impala?",
    "mándame el perico en la tarjeta de cumpleaños",
]


def screen(compiled, text: str, layers=EVERY_LAYER) -> engine.Verdict:
    return compiled.screen(text, detector_actions={}, layers=layers)


@pytest.mark.parametrize("text", INNOCENT)
def test_an_innocent_message_only_the_word_layers_flagged_is_cleared(compiled, text):
    kept = screen(compiled, text, WITHOUT_CLEARING)
    assert kept.verdict == "flag" and not kept.cleared
    assert {h.layer for h in kept.hits} <= {"rule", "concept", "slang"}
    verdict = screen(compiled, text)
    assert verdict.verdict == "clear" and verdict.hits == []
    # The same hits, kept to show why, and the words that made them innocent.
    assert verdict.cleared == kept.hits
    assert verdict.cleared_because.startswith("the words read as innocent: violating evidence")
    assert "words that drove it: '" in verdict.cleared_because


@pytest.mark.parametrize("text", VIOLATING)
def test_what_the_issue_found_missed_still_flags(compiled, text):
    verdict = screen(compiled, text)
    assert verdict.verdict == "flag" and not verdict.cleared


@pytest.mark.parametrize("sentence", VIOLATING[:3])
def test_a_violating_sentence_in_an_innocent_letter_is_not_cleared_with_it(compiled, sentence):
    letter = " ".join([INNOCENT[1], INNOCENT[2], sentence + ".", HUNTER_SAFETY])
    verdict = screen(compiled, letter)
    assert verdict.verdict == "flag" and not verdict.cleared


def test_a_facilitys_own_rule_is_never_cleared(library):
    own = RuleSpec(id=90_001, kind="phrase", pattern="muzzle control", category="weapons")
    compiled = engine.compile_ruleset([*library, own])
    verdict = screen(compiled, HUNTER_SAFETY)
    assert verdict.verdict == "flag" and not verdict.cleared
    assert 90_001 in {h.rule for h in verdict.hits}


def test_a_block_is_never_cleared(library):
    blocked = RuleSpec(id=90_002, kind="phrase", pattern="gun", category="weapons", action="block")
    compiled = engine.compile_ruleset([*library, engine.baseline(blocked)])
    verdict = screen(compiled, HUNTER_SAFETY)
    assert verdict.verdict == "block" and not verdict.cleared


def test_a_disguised_library_word_is_not_cleared(compiled):
    plain = screen(compiled, HUNTER_SAFETY, WITHOUT_CLEARING)
    rifle = next(h for h in plain.hits if h.layer == "rule" and h.text == "rifle")
    disguised = HUNTER_SAFETY.replace("unload a rifle", "unload a r1fle")
    kept = screen(compiled, disguised, WITHOUT_CLEARING)
    assert rifle.rule in {h.rule for h in kept.hits}
    verdict = screen(compiled, disguised)
    assert verdict.verdict == "flag" and not verdict.cleared


def test_without_the_classifier_nothing_is_cleared(compiled):
    from homeward.screening.layers.stack import WITHOUT_CLASSIFIER

    verdict = screen(compiled, HUNTER_SAFETY, WITHOUT_CLASSIFIER)
    assert verdict.verdict == "flag" and not verdict.cleared


@pytest.mark.django_db
def test_a_message_is_screened_as_its_facility_set_the_second_opinion(world):
    from homeward.screening.services import screen_text

    facility = world.facility_1
    assert screen_text(facility, INNOCENT[1]).verdict.verdict == "clear"
    facility.policy.second_opinion_clears = False
    facility.policy.save()
    screened = screen_text(facility, INNOCENT[1]).verdict
    assert screened.verdict == "flag" and [h.layer for h in screened.hits] == ["slang"]
