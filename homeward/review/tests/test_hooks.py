"""Review's receiver of ``messaging.services.message_returned``: a message returned
undelivered leaves the review queue (nobody needs to read it), and a decision already made
stays on record."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from homeward.connections import services as connections
from homeward.core import clock
from homeward.core.errors import Conflict
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.review import services as review
from homeward.review.intake import screen_and_route
from homeward.review.models import ReviewTask
from homeward.review.selectors import queue_counts
from homeward.roster.services import release_resident

if TYPE_CHECKING:
    from homeward.personas import World

S = Message.Status


def in_review(world: World, body: str = "See you Sunday") -> ReviewTask:
    connection = world.contact_a.connections.get()
    message = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body=body
    ).message
    screen_and_route(message_id=message.pk)
    return ReviewTask.objects.get(message=message)


def test_review_listens_for_returned_messages() -> None:
    assert review.cancel_task_of in messaging.message_returned.receivers


def test_a_blocked_connection_takes_its_messages_out_of_the_queue(world: World) -> None:
    waiting, held = in_review(world, "One"), in_review(world, "Two")
    review.claim(staff=world.reviewer_1, task_id=held.pk)
    assert queue_counts(world.reviewer_1, now=clock.now()).open == 2
    connections.block(by=world.contact_a, connection_id=world.contact_a.connections.get().pk)
    for task in (waiting, held):
        task.refresh_from_db()
        assert task.status == ReviewTask.Status.CANCELLED
        assert (task.claimed_by, task.lease_until, task.decision) == (None, None, "")
        assert Message.objects.get(pk=task.message_id).status == S.RETURNED
    assert queue_counts(world.reviewer_1, now=clock.now()).open == 0
    assert review.claim_next(staff=world.reviewer_1) is None
    with pytest.raises(Conflict) as err:  # the reviewer who held one cannot decide it now
        review.decide(staff=world.reviewer_1, task_id=held.pk, decision="approve")
    assert err.value.code == "already_decided"


def test_an_approved_message_returned_at_release_keeps_its_decision(
    world: World, run_jobs: Callable[[], int]
) -> None:
    task = in_review(world)
    review.claim(staff=world.reviewer_1, task_id=task.pk)
    review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
    # The release returns the approved message before the delivery job runs.
    release_resident(staff=world.facility_admin, resident_id=world.resident.pk)
    run_jobs()
    message = Message.objects.get(pk=task.message_id)
    assert message.status == S.RETURNED
    task.refresh_from_db()
    assert (task.status, task.decision, task.decided_by) == (
        ReviewTask.Status.DONE,
        "approve",
        world.reviewer_1,
    )


def test_a_returned_message_without_a_review_task_is_returned_all_the_same(
    world: World,
) -> None:
    connection = world.contact_a.connections.get()
    message = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="Not screened yet"
    ).message
    connections.staff_end(staff=world.reviewer_1, connection_id=connection.pk, reason="Order")
    assert Message.objects.get(pk=message.pk).status == S.RETURNED
    assert not ReviewTask.objects.exists()
