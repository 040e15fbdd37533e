"""Screening as a service: text and a facility's rules in, a verdict and its hits out.

Screening knows nothing of messages: whoever routes messages (``review.intake``) screens a
message's text here and keeps the result.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from homeward.facilities.models import Facility
from homeward.screening import engine
from homeward.screening.layers.stack import EVERY_LAYER, WITHOUT_CLEARING, Layers
from homeward.screening.selectors import rules_in_force
from homeward.screening.signals import current_generation


@dataclass(frozen=True)
class Screened:
    verdict: engine.Verdict
    rules_version: str  # the fingerprint of the rule set it ran with
    engine: str = engine.ENGINE_NAME


def screen_text(facility: Facility, text: str) -> Screened:
    """Screen ``text`` with the rules and detectors in force at ``facility``, and every layer
    (concepts, slang, decoders, language, the classifier)."""
    compiled = compiled_rules(facility)
    actions = facility.policy.detector_actions or {}
    verdict = compiled.screen(text, detector_actions=actions, layers=layers_at(facility))
    return Screened(verdict=verdict, rules_version=compiled.version)


def layers_at(facility: Facility) -> Layers:
    """Every layer, with the second opinion clearing unless the facility switched it off."""
    return EVERY_LAYER if facility.policy.second_opinion_clears else WITHOUT_CLEARING


# Each facility's compiled rules in this process, with the rules generation they were read
# under: while it is still the one in force, screening reads one row instead of every rule
# (and hashing them to find the compiled set).
_compiled: OrderedDict[tuple[int, int], tuple[str, engine.CompiledRuleSet]] = OrderedDict()
_compiled_lock = threading.Lock()
COMPILED_FACILITIES = 512


def compiled_rules(facility: Facility) -> engine.CompiledRuleSet:
    """The compiled rules in force at ``facility``, read from the database only when a rule
    changed since this process last read them."""
    generation = current_generation()  # before the rules: never newer than what is cached
    key = (facility.pk, facility.agency_id)
    with _compiled_lock:
        held = _compiled.get(key)
        if held is not None and held[0] == generation:
            _compiled.move_to_end(key)
            return held[1]
    cache = Path(settings.SCREENING_CACHE_DIR) if settings.SCREENING_CACHE_DIR else None
    compiled = engine.compile_ruleset(rules_in_force(facility), cache_dir=cache)
    with _compiled_lock:
        _compiled[key] = (generation, compiled)
        _compiled.move_to_end(key)
        while len(_compiled) > COMPILED_FACILITIES:
            _compiled.popitem(last=False)
    return compiled


def warm() -> None:
    """Load everything the layers load on first use (the lemmatiser's dictionaries, the
    concept and slang lexicons, the decoders' gate, the classifier's weights), by
    screening one short text with every layer: a few seconds, once per process."""
    engine.compile_ruleset([]).screen(
        "Warming up: the kids say hi, 5-19-3 and see you Sunday.",
        detector_actions={},
        layers=EVERY_LAYER,
    )
