"""Review modes are data plus one routing function each (review/routing.py): every mode has
one, a flag always reaches a person, and the review task records which rule sent it."""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.facilities.models import FacilityPolicy
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.review import routing
from homeward.review.models import ReviewTask

Mode = FacilityPolicy.ReviewMode
Reason = ReviewTask.Reason


def test_every_review_mode_has_a_routing_function():
    assert set(routing.ROUTES) == set(Mode.values)


@pytest.mark.parametrize("mode", Mode.values)
def test_a_flag_reaches_a_person_in_every_mode(mode):
    policy = FacilityPolicy(review_mode=mode, sample_percent=0)
    assert routing.reason_for(verdict="flag", policy=policy) == Reason.FLAGGED


@pytest.mark.parametrize(
    ("mode", "sample_percent", "reason"),
    [
        (Mode.EVERYTHING, 0, Reason.ALL),
        (Mode.FLAGGED, 100, ""),
        (Mode.AUTOMATIC, 100, ""),
        (Mode.FLAGGED_SAMPLE, 0, ""),
        (Mode.FLAGGED_SAMPLE, 100, Reason.SAMPLE),
    ],
)
def test_a_clear_message_is_routed_by_the_facilitys_mode(mode, sample_percent, reason):
    policy = FacilityPolicy(review_mode=mode, sample_percent=sample_percent)
    assert routing.reason_for(verdict="clear", policy=policy) == reason


@pytest.mark.parametrize(
    ("mode", "status", "reason"),
    [
        (Mode.EVERYTHING, Message.Status.IN_REVIEW, Reason.ALL),
        (Mode.FLAGGED_SAMPLE, Message.Status.IN_REVIEW, Reason.SAMPLE),
        (Mode.FLAGGED, Message.Status.DELIVERED, None),
    ],
)
def test_the_review_task_records_the_rule_that_sent_the_message(db, run_jobs, mode, status, reason):
    facility = t.make_facility(policy={"review_mode": mode, "sample_percent": 100})
    contact = t.make_contact("routing@example.org")
    connection = t.connect(contact, t.make_resident(facility))
    sent = messaging.send_message(
        sender=contact, connection_id=connection.pk, body="See you on Sunday, love."
    ).message
    run_jobs()
    sent.refresh_from_db()
    assert sent.status == status
    task = ReviewTask.objects.filter(message=sent).first()
    assert (task.reason if task else None) == reason
