"""Fixtures for kiosk tests: a message carried through review to the resident's inbox.

A browser that is a registered kiosk is ``homeward.personas.device_client``."""

from __future__ import annotations

import pytest

from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import Contact
from homeward.review import services as review


@pytest.fixture
def deliver(world, run_jobs):
    """Send a message from a contact and carry it through review to the resident's inbox."""

    def send(contact: Contact, body: str) -> Message:
        connection = contact.connections.get()
        message = messaging.send_message(
            sender=contact, connection_id=connection.pk, body=body
        ).message
        run_jobs()
        task = review.claim_next(staff=world.reviewer_1)
        if task is not None:
            review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
            run_jobs()
        message.refresh_from_db()
        assert message.status == Message.Status.DELIVERED
        return message

    return send
