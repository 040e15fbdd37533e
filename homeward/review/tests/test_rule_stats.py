"""Rule statistics (review/rule_stats.py): how often each rule hits at a facility and how
often reviewers disagree with it, so an administrator can find a rule that catches
innocent words."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from homeward import builders as t
from homeward.core import clock
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.review import services as review
from homeward.review.intake import screen_and_route
from homeward.review.models import ReviewTask, ScreeningResult
from homeward.review.rule_stats import rule_statistics, screened_with
from homeward.screening.models import Rule, RuleSetVersion

if TYPE_CHECKING:
    from homeward.personas import World


def screened(world: World, body: str) -> Message:
    connection = world.contact_a.connections.get()
    message = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body=body
    ).message
    screen_and_route(message_id=message.pk)
    return Message.objects.get(pk=message.pk)


def decide(world: World, message: Message, decision: str) -> None:
    task = ReviewTask.objects.get(message=message)
    review.claim(staff=world.reviewer_1, task_id=task.pk)
    review.decide(
        staff=world.reviewer_1,
        task_id=task.pk,
        decision=decision,
        reason_code="gang" if decision == "block" else "",
    )


def test_hits_and_overrides_are_counted_per_rule(world: World) -> None:
    since = clock.now() - dt.timedelta(minutes=1)
    yard = Rule.objects.create(
        scope="facility", facility=world.facility_1, pattern="yard", category="gang"
    )
    wall = Rule.objects.create(
        scope="facility",
        facility=world.facility_1,
        pattern="over the wall",
        category="escape",
        action="block",
    )
    approved = screened(world, "The yard was sunny; the Yard is big")  # two hits, one message
    blocked = screened(world, "Meet in the yard")
    screened(world, "Meet in the yard again")  # still waiting for a reviewer
    screened(world, "Jump over the wall")
    screened(world, "Nothing to see")
    decide(world, approved, "approve")
    decide(world, blocked, "block")

    stats = rule_statistics(world.facility_1, since=since)
    by_yard = stats[str(yard.pk)]
    assert (by_yard.hits, by_yard.messages, by_yard.reviewed) == (4, 3, 2)
    assert (by_yard.overridden, by_yard.upheld) == (1, 1)
    assert by_yard.override_rate == 0.5 and by_yard.override_percent == "50%"
    assert by_yard.samples == [("yard", 4)]  # what it matched, case folded
    by_wall = stats[str(wall.pk)]
    assert (by_wall.hits, by_wall.messages, by_wall.reviewed) == (1, 1, 0)
    assert by_wall.override_rate is None and by_wall.override_percent == "—"
    assert set(stats) == {str(yard.pk), str(wall.pk)}  # clear messages add nothing


def test_only_this_facility_and_this_period_count(world: World) -> None:
    # The baseline (every facility), sure of itself: a lone word of severity 3 counts alone.
    Rule.objects.create(pattern="yard", category="gang", severity=3)
    old = screened(world, "the yard, last month")
    ScreeningResult.objects.filter(message=old).update(at=clock.now() - dt.timedelta(days=40))
    elsewhere = t.connect(world.contact_b, world.resident_2)
    messaging.send_message(sender=world.contact_b, connection_id=elsewhere.pk, body="the yard")
    screen_and_route(message_id=Message.objects.get(connection=elsewhere).pk)
    assert rule_statistics(world.facility_1, since=clock.now() - dt.timedelta(days=7)) == {}
    stats = rule_statistics(world.facility_2, since=clock.now() - dt.timedelta(days=7))
    assert [entry.messages for entry in stats.values()] == [1]


def test_messages_are_counted_by_the_rule_set_they_were_screened_with(world: World) -> None:
    screened(world, "First")
    Rule.objects.create(
        scope="facility", facility=world.facility_1, pattern="yard", category="gang"
    )
    screened(world, "Second")
    screened(world, "Third")
    fingerprints = list(
        ScreeningResult.objects.order_by("message_id").values_list("rules_version", flat=True)
    )
    assert fingerprints[0] != fingerprints[1] == fingerprints[2]
    # The console names the versions it shows; only their fingerprints matter here.
    versions = [RuleSetVersion(fingerprint=fingerprint) for fingerprint in set(fingerprints)]
    assert screened_with(world.facility_1, versions) == {
        fingerprints[0]: 1,
        fingerprints[1]: 2,
    }
    assert screened_with(world.facility_2, versions) == {}
