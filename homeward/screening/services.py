from __future__ import annotations

from pathlib import Path

from django.conf import settings

from homeward.core import clock
from homeward.messaging.models import Message
from homeward.screening import engine
from homeward.screening.models import ScreeningResult
from homeward.screening.selectors import rules_in_force


def screen_message(message: Message) -> ScreeningResult:
    """Screen one message with the rules and detectors in force at its facility, and store
    the result with the rule-set version it ran with."""
    rules = rules_in_force(message.facility)
    cache = Path(settings.SCREENING_CACHE_DIR) if settings.SCREENING_CACHE_DIR else None
    compiled = engine.compile_ruleset(rules, cache_dir=cache)
    actions = message.facility.policy.detector_actions or {}
    verdict = compiled.screen(message.body, detector_actions=actions)
    result, _ = ScreeningResult.objects.update_or_create(
        message=message,
        defaults={
            "verdict": verdict.verdict,
            "categories": verdict.categories,
            "hits": verdict.hits_as_dicts(),
            "rules_version": compiled.version,
            "engine": engine.ENGINE_NAME,
            "at": clock.now(),
        },
    )
    return result
