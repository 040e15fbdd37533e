"""Enforcement under real parallelism (PostgreSQL): blocks confirmed at once suspend a
person once, and a suspension starting while messages are being sent lets none slip
through."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection as db
from django.db import transaction

from homeward.core import clock
from homeward.core.errors import DomainError
from homeward.enforcement import restrictions
from homeward.enforcement.models import Restriction, Violation
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.messaging import services as messaging
from homeward.messaging.models import Message

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(db.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]


def test_eight_blocks_confirmed_at_once_suspend_the_contact_once(world):
    connection = world.contact_a.connections.get()
    sent = [
        messaging.send_message(
            sender=world.contact_a, connection_id=connection.pk, body=f"A gram, {n}"
        ).message.pk
        for n in range(8)
    ]
    for message_id in sent:  # screening sends each to review (Greenhaven reviews all)
        with transaction.atomic():
            message = messaging.begin_screening(message_id=message_id)
            assert message is not None
            messaging.finish_screening(message=message, to="in_review", screened_at=clock.now())

    def block(index: int) -> str:
        messaging.block(message_id=sent[index], actor=world.reviewer_1, category="drugs")
        return "ok"

    assert in_threads(8, block) == ["ok"] * 8
    assert Violation.objects.filter(contact=world.contact_a).count() == 8
    [suspension] = Restriction.objects.all()
    assert suspension.kind == "suspension" and suspension.violations.count() >= 3


def test_a_suspension_starting_during_twenty_sends_lets_none_through(world):
    connection = world.contact_a.connections.get()

    def act(index: int) -> str:
        try:
            if index == 0:
                restrictions.impose(
                    staff=world.facility_admin,
                    facility=world.facility_1,
                    subject=world.contact_a,
                    kind="suspension",
                    reason="Threats",
                    ends_at=clock.now() + dt.timedelta(days=5),
                )
            else:
                messaging.send_message(
                    sender=world.contact_a, connection_id=connection.pk, body=f"Hi {index}"
                )
            return "ok"
        except DomainError as error:
            return error.code

    results = in_threads(21, act)
    assert results[0] == "ok"
    assert set(results[1:]) <= {"ok", "messaging_suspended"}
    # Whatever was accepted before the suspension was returned (and refunded); nothing is
    # still on its way.
    accepted = results[1:].count("ok")
    assert Message.objects.count() == accepted
    assert not Message.objects.exclude(status=Message.Status.RETURNED).exists()


def test_thirty_appeals_of_one_blocked_message_at_once_file_one(world):
    from homeward.enforcement import appeals
    from homeward.enforcement.models import Appeal
    from homeward.personas import blocked_by_reviewer

    message = blocked_by_reviewer(
        world.reviewer_1,
        sender=world.contact_a,
        connection_id=world.contact_a.connections.get().pk,
        body="A recipe",
        reason="drugs",
    )

    def appeal(index: int) -> str:
        try:
            appeals.appeal_message(
                appellant=world.contact_a, message_id=message.pk, statement=f"Please {index}"
            )
            return "ok"
        except DomainError as error:
            return error.code

    results = in_threads(30, appeal)
    assert results.count("ok") == 1
    assert set(results) == {"ok", "already_appealed"}
    assert Appeal.objects.filter(message=message).count() == 1
