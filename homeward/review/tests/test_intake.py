"""Intake (review/intake.py): a submitted message is screened once, its result kept with the
rule-set version, and it goes on: blocked (refunded where the facility refunds), to a
person with a review task, or approved for delivery, as the verdict and the facility's
review mode say."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from homeward import builders as t
from homeward.connections import services as connections
from homeward.connections.models import Connection
from homeward.facilities.models import Facility, FacilityPolicy
from homeward.jobs.models import Job
from homeward.ledger import charges
from homeward.ledger.models import Account
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.review.intake import screen_and_route
from homeward.review.models import ReviewTask, ScreeningResult
from homeward.screening.models import Rule

if TYPE_CHECKING:
    from homeward.personas import World

S = Message.Status
Mode = FacilityPolicy.ReviewMode


def send(connection: Connection, body: str) -> Message:
    return messaging.send_message(
        sender=connection.contact, connection_id=connection.pk, body=body
    ).message


def at_facility(**policy: object) -> Connection:
    """A contact connected to a resident at a new facility with this policy, selling 40¢
    stamps, with $5 in the contact's wallet."""
    facility = t.make_facility(policy=dict(policy), prices={"model": "stamps", "stamp_cents": 40})
    contact = t.make_contact()
    t.pay_in(contact, facility, 500)
    return t.connect(contact, t.make_resident(facility))


def wallet(connection: Connection) -> int:
    account = charges.wallet(connection.contact, connection.facility)
    return Account.objects.get(pk=account.pk).balance


def rule(facility: Facility, pattern: str, action: str, category: str = "escape") -> Rule:
    return Rule.objects.create(
        scope="facility", facility=facility, pattern=pattern, category=category, action=action
    )


def delivery_jobs(message: Message) -> int:
    return Job.objects.filter(kind="deliver_message", payload__message_id=message.pk).count()


def test_a_block_verdict_blocks_and_refunds_without_a_person(db: None) -> None:
    connection = at_facility(review_mode=Mode.EVERYTHING)
    rule(connection.facility, "over the wall", "block")
    message = send(connection, "Meet me over the wall")
    assert wallet(connection) == 460
    screen_and_route(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == S.BLOCKED and message.block_category == "escape"
    assert message.screened_at is not None
    assert wallet(connection) == 500
    assert not ReviewTask.objects.filter(message=message).exists()  # even where all is read
    assert delivery_jobs(message) == 0
    result = ScreeningResult.objects.get(message=message)
    assert result.verdict == "block" and result.categories == ["escape"]
    assert result.rules_version  # which rule set decided it is kept


def test_a_block_where_the_facility_keeps_the_charge_is_not_refunded(db: None) -> None:
    connection = at_facility(refund_on_block=False)
    rule(connection.facility, "over the wall", "block")
    message = send(connection, "Meet me over the wall")
    screen_and_route(message_id=message.pk)
    assert Message.objects.get(pk=message.pk).status == S.BLOCKED
    assert wallet(connection) == 460


@pytest.mark.parametrize("mode", Mode.values)
def test_a_flag_goes_to_a_person_in_every_mode(db: None, mode: str) -> None:
    connection = at_facility(review_mode=mode, sample_percent=0)
    rule(connection.facility, "the yard", "flag", category="gang")
    message = send(connection, "See you in the yard")
    screen_and_route(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == S.IN_REVIEW and message.in_review_at is not None
    task = ReviewTask.objects.get(message=message)
    assert task.reason == ReviewTask.Reason.FLAGGED
    assert task.status == ReviewTask.Status.OPEN and task.facility == connection.facility
    assert task.due_at > task.created_at
    assert wallet(connection) == 460  # charged; the reviewer decides about the money
    assert delivery_jobs(message) == 0


@pytest.mark.parametrize(
    ("mode", "sample_percent", "status", "reason"),
    [
        (Mode.EVERYTHING, 0, S.IN_REVIEW, ReviewTask.Reason.ALL),
        (Mode.FLAGGED_SAMPLE, 100, S.IN_REVIEW, ReviewTask.Reason.SAMPLE),
        # Approved by screening, and delivered in the same job: nobody needs to see it.
        (Mode.FLAGGED_SAMPLE, 0, S.DELIVERED, None),
        (Mode.FLAGGED, 100, S.DELIVERED, None),
        (Mode.AUTOMATIC, 100, S.DELIVERED, None),
    ],
)
def test_a_clear_message_goes_where_the_review_mode_says(
    db: None, mode: str, sample_percent: int, status: str, reason: str | None
) -> None:
    connection = at_facility(review_mode=mode, sample_percent=sample_percent)
    message = send(connection, "Happy birthday, love you")
    screen_and_route(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == status
    task = ReviewTask.objects.filter(message=message).first()
    assert (task.reason if task else None) == reason
    assert delivery_jobs(message) == 0  # delivered here, or waiting for a reviewer
    if status == S.DELIVERED:
        assert message.approved_at is not None and message.delivered_at is not None
    assert ScreeningResult.objects.get(message=message).verdict == "clear"


@pytest.mark.parametrize(
    ("body", "routed"),
    [
        ("Happy birthday", S.DELIVERED),
        ("Meet me over the wall", S.BLOCKED),
        ("In the yard", S.IN_REVIEW),
    ],
)
def test_screening_twice_routes_once(db: None, body: str, routed: str) -> None:
    connection = at_facility(review_mode=Mode.FLAGGED_SAMPLE, sample_percent=0)
    rule(connection.facility, "over the wall", "block")
    rule(connection.facility, "the yard", "flag", category="gang")
    message = send(connection, body)
    screen_and_route(message_id=message.pk)
    assert Message.objects.get(pk=message.pk).status == routed
    after_first = (
        Message.objects.get(pk=message.pk).status,
        message.events.count(),
        ReviewTask.objects.count(),
        Job.objects.count(),
        wallet(connection),
        ScreeningResult.objects.get(message=message).at,
    )
    screen_and_route(message_id=message.pk)
    assert (
        Message.objects.get(pk=message.pk).status,
        message.events.count(),
        ReviewTask.objects.count(),
        Job.objects.count(),
        wallet(connection),
        ScreeningResult.objects.get(message=message).at,
    ) == after_first


def test_a_message_returned_before_screening_is_left_returned(world: World) -> None:
    connection = world.contact_a.connections.get()
    message = send(connection, "Are you there?")
    connections.block(by=world.resident, connection_id=connection.pk)
    screen_and_route(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == S.RETURNED
    assert not ScreeningResult.objects.filter(message=message).exists()
    assert not ReviewTask.objects.exists()


def test_what_the_second_opinion_cleared_is_kept_with_the_result(db: None) -> None:
    from homeward.screening.tests.test_second_opinion import INNOCENT

    connection = at_facility(review_mode=Mode.EVERYTHING, sample_percent=0)
    message = send(connection, INNOCENT[1])  # slang the second opinion clears
    screen_and_route(message_id=message.pk)
    result = ScreeningResult.objects.get(message=message)
    assert result.verdict == "clear" and result.hits == []
    assert [(hit["layer"], hit["action"]) for hit in result.cleared] == [("slang", "flag")]
    assert result.cleared_because.startswith("the words read as innocent")
    assert ReviewTask.objects.get(message=message).reason == ReviewTask.Reason.ALL

    policy = connection.facility.policy
    policy.second_opinion_clears = False
    policy.save()
    again = send(connection, INNOCENT[1])
    screen_and_route(message_id=again.pk)
    result = ScreeningResult.objects.get(message=again)
    assert result.verdict == "flag" and result.cleared == [] and result.cleared_because == ""
    assert ReviewTask.objects.get(message=again).reason == ReviewTask.Reason.FLAGGED
