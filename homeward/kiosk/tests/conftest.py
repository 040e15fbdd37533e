"""Helpers for kiosk tests: a browser that is a registered kiosk, and a delivered message."""

from __future__ import annotations

import pytest
from django.test import Client

from homeward import builders as t
from homeward.facilities.models import Facility
from homeward.kiosk.auth import DEVICE_COOKIE
from homeward.kiosk.services import register_device
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import Contact, StaffMembership
from homeward.review import services as review

Role = StaffMembership.Role


def device_client(facility: Facility) -> Client:
    """A fresh browser registered as a kiosk at ``facility``, nobody signed in."""
    admin = t.make_staff(f"kadmin-{facility.code}", role=Role.FACILITY_ADMIN, facility=facility)
    _, token = register_device(staff=admin, facility=facility, name="Hall tablet")
    client = Client()
    client.cookies[DEVICE_COOKIE] = token
    return client


def sign_in(client: Client, number: str, pin: str = t.PIN, **extra: object):
    return client.post("/kiosk/signin/", {"number": number, "pin": pin}, **extra)


@pytest.fixture
def deliver(world, run_jobs):
    """Send a message from a contact and carry it through review to the resident's inbox."""

    def send(contact: Contact, body: str) -> Message:
        connection = contact.connections.get()
        message = messaging.send_message(sender=contact, connection_id=connection.pk, body=body)
        run_jobs()
        task = review.claim_next(staff=world.reviewer_1)
        if task is not None:
            review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
            run_jobs()
        message.refresh_from_db()
        assert message.status == Message.Status.DELIVERED
        return message

    return send
