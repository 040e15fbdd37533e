"""Screening as a service: text and a facility's rules in, a verdict and its hits out.

Screening knows nothing of messages: whoever routes messages (``review.intake``) screens a
message's text here and keeps the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from homeward.facilities.models import Facility
from homeward.screening import engine
from homeward.screening.layers.stack import EVERY_LAYER
from homeward.screening.selectors import rules_in_force


@dataclass(frozen=True)
class Screened:
    verdict: engine.Verdict
    rules_version: str  # the fingerprint of the rule set it ran with
    engine: str = engine.ENGINE_NAME


def screen_text(facility: Facility, text: str) -> Screened:
    """Screen ``text`` with the rules and detectors in force at ``facility``, and every layer
    (concepts, slang, decoders, language, the classifier)."""
    rules = rules_in_force(facility)
    cache = Path(settings.SCREENING_CACHE_DIR) if settings.SCREENING_CACHE_DIR else None
    compiled = engine.compile_ruleset(rules, cache_dir=cache)
    actions = facility.policy.detector_actions or {}
    verdict = compiled.screen(text, detector_actions=actions, layers=EVERY_LAYER)
    return Screened(verdict=verdict, rules_version=compiled.version)


def warm() -> None:
    """Load everything the layers load on first use (the lemmatiser's dictionaries, the
    concept and slang lexicons, the decoders' gate, the classifier's weights), by
    screening one short text with every layer: a few seconds, once per process."""
    engine.compile_ruleset([]).screen(
        "Warming up: the kids say hi, 5-19-3 and see you Sunday.",
        detector_actions={},
        layers=EVERY_LAYER,
    )
