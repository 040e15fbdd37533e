"""A submitted message's way to a person or past one: screen it, keep the result, route it.

This app owns the ``screen_message`` job because routing is review's decision: screening
gives a verdict (``screening.services``), the facility's review mode decides who must read
a clear message (``review.routing``), and messaging moves the message on.
"""

from __future__ import annotations

from django.db import transaction

from homeward.core import clock
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.review import routing, watches
from homeward.review.models import ScreeningResult
from homeward.review.services import open_task
from homeward.screening.services import screen_text

S = Message.Status


def keep_screening(message: Message) -> ScreeningResult:
    """Screen one message with the rules and detectors in force at its facility, and store
    the result with the rule-set version it ran with (and what the second opinion cleared,
    for whoever reads the message later)."""
    screened = screen_text(message.facility, message.body)
    result, _ = ScreeningResult.objects.update_or_create(
        message=message,
        defaults={
            "verdict": screened.verdict.verdict,
            "categories": screened.verdict.categories,
            "hits": screened.verdict.hits_as_dicts(),
            "cleared": screened.verdict.cleared_as_dicts(),
            "cleared_because": screened.verdict.cleared_because,
            "rules_version": screened.rules_version,
            "engine": screened.engine,
            "at": clock.now(),
        },
    )
    return result


def screen_and_route(*, message_id: int) -> None:
    """Screen a submitted message and send it on: to review, to delivery, or blocked.

    Idempotent: a message that has already left 'submitted' is left alone.
    """
    with transaction.atomic():
        message = messaging.begin_screening(message_id=message_id)
        if message is None:
            return
        if message.connection.privileged:
            # An attorney's privileged channel: nobody screens or reviews it.
            messaging.finish_screening(message=message, to=S.APPROVED, screened_at=clock.now())
            return
        result = keep_screening(message)
        if result.verdict == "block":
            category = next(h["category"] for h in result.hits if h["action"] == "block")
            messaging.finish_screening(
                message=message, to=S.BLOCKED, screened_at=result.at, block_category=category
            )
            return
        reason = routing.reason_for(
            verdict=result.verdict,
            policy=message.facility.policy,
            watched=watches.covers(message.connection),
        )
        if reason:
            messaging.finish_screening(message=message, to=S.IN_REVIEW, screened_at=result.at)
            open_task(message=message, reason=reason)
            return
        messaging.finish_screening(message=message, to=S.APPROVED, screened_at=result.at)
