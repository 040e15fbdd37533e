"""Helpers for console tests: messages waiting for review, connections waiting for staff."""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.connections import services as connections
from homeward.connections.models import Connection
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import StaffMembership
from homeward.review.models import ReviewTask
from homeward.screening.models import Rule


@pytest.fixture
def make_task(world, run_jobs):
    """Send a message from contact_a to resident at facility 1 (which reviews everything)."""

    def make(body: str = "Thinking of you, Maria. See you Sunday.") -> ReviewTask:
        connection = world.contact_a.connections.get()
        message = messaging.send_message(
            sender=world.contact_a, connection_id=connection.pk, body=body
        ).message
        run_jobs()
        return ReviewTask.objects.get(message=message)

    return make


@pytest.fixture
def facility_2_task(world, run_jobs) -> ReviewTask:
    """A flagged message at facility 2, which reviews flagged messages only."""
    Rule.objects.create(facility=world.facility_2, pattern="money", category="fraud")
    connection = t.connect(world.contact_b, world.resident_2)
    message = messaging.send_message(
        sender=world.contact_b, connection_id=connection.pk, body="Send the money"
    ).message
    run_jobs()
    return ReviewTask.objects.get(message=message)


@pytest.fixture
def other_reviewer_1(world):
    """A second reviewer at facility 1."""
    return t.make_staff("rev1b", role=StaffMembership.Role.REVIEWER, facility=world.facility_1)


@pytest.fixture
def pending_connection(world) -> Connection:
    """contact_b asks to write to resident; both agree; facility 1 wants staff approval."""
    policy = world.facility_1.policy
    policy.staff_approval = True
    policy.save()
    asked = connections.request_connection(
        contact=world.contact_b, facility=world.facility_1, number=world.resident.number
    ).connection
    connection = connections.respond_to_request(
        resident=world.resident, connection_id=asked.pk, accept=True
    )
    assert connection.status == Connection.Status.PENDING_STAFF
    return connection


def status_of(message_or_task) -> str:
    message_or_task.refresh_from_db()
    return message_or_task.status


def message_status(task: ReviewTask) -> str:
    return Message.objects.get(pk=task.message_id).status
