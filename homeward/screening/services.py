from __future__ import annotations

from homeward.core import clock
from homeward.messaging.models import Message
from homeward.screening import engine
from homeward.screening.models import ScreeningResult
from homeward.screening.selectors import rules_in_force


def screen_message(message: Message) -> ScreeningResult:
    """Screen one message with the rules in force at its facility and store the result."""
    rules = rules_in_force(message.facility)
    verdict = engine.screen(message.body, rules)
    result, _ = ScreeningResult.objects.update_or_create(
        message=message,
        defaults={
            "verdict": verdict.verdict,
            "categories": verdict.categories,
            "hits": verdict.hits_as_dicts(),
            "rules_version": engine.ruleset_version(rules),
            "engine": engine.ENGINE_NAME,
            "at": clock.now(),
        },
    )
    return result
