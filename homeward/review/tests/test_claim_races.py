"""Reviewers pressing at the same moment (PostgreSQL): a task is held by one reviewer,
``claim_next`` hands each task to one reviewer, and a message gets one decision."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection as db

from homeward import builders as t
from homeward.core.errors import DomainError
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import StaffMembership, User
from homeward.review import services as review
from homeward.review.intake import screen_and_route
from homeward.review.models import ReviewTask

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(db.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]


def queue_of(count: int, reviewers: int) -> tuple[list[ReviewTask], list[User]]:
    """``count`` messages waiting at a facility that reviews everything, and its reviewers."""
    facility = t.make_facility()
    contact = t.make_contact()
    link = t.connect(contact, t.make_resident(facility))
    tasks = []
    for n in range(count):
        message = messaging.send_message(
            sender=contact, connection_id=link.pk, body=f"Message {n}"
        ).message
        screen_and_route(message_id=message.pk)
        tasks.append(ReviewTask.objects.get(message=message))
    staff = [
        t.make_staff(
            f"race-rev-{facility.pk}-{n}", role=StaffMembership.Role.REVIEWER, facility=facility
        )
        for n in range(reviewers)
    ]
    return tasks, staff


def code_of(call: Callable[[], object]) -> str:
    """Run ``call``; "ok", or the code of the domain error it raised."""
    try:
        call()
        return "ok"
    except DomainError as error:
        return error.code


def test_eight_reviewers_claiming_one_task_at_once_leave_it_with_one() -> None:
    (task,), staff = queue_of(1, 8)
    outcomes = in_threads(
        8, lambda i: code_of(lambda: review.claim(staff=staff[i], task_id=task.pk))
    )
    assert sorted(outcomes) == ["already_claimed"] * 7 + ["ok"]
    winner = staff[outcomes.index("ok")]
    assert ReviewTask.objects.get(pk=task.pk).claimed_by == winner


def test_reviewers_taking_the_next_task_at_once_never_share_one() -> None:
    tasks, staff = queue_of(5, 6)

    def take(index: int) -> int | None:
        task = review.claim_next(staff=staff[index])
        return task.pk if task else None

    taken = [pk for pk in in_threads(6, take) if pk is not None]
    assert len(taken) == len(set(taken)) == 5  # every task once; the sixth reviewer got none
    held = dict(ReviewTask.objects.values_list("pk", "claimed_by_id"))
    assert len(set(held.values())) == 5


def test_two_decisions_at_once_on_one_task_record_one() -> None:
    (task,), (reviewer,) = queue_of(1, 1)
    review.claim(staff=reviewer, task_id=task.pk)

    def decide(index: int) -> str:
        if index == 0:
            return code_of(
                lambda: review.decide(staff=reviewer, task_id=task.pk, decision="approve")
            )
        return code_of(
            lambda: review.decide(
                staff=reviewer, task_id=task.pk, decision="block", reason_code="drugs"
            )
        )

    outcomes = in_threads(2, decide)
    assert sorted(outcomes) == ["already_decided", "ok"]
    decided = ReviewTask.objects.get(pk=task.pk)
    message = Message.objects.get(pk=task.message_id)
    expected = Message.Status.APPROVED if decided.decision == "approve" else Message.Status.BLOCKED
    assert message.status == expected
    assert message.events.filter(to_status__in=["approved", "blocked"]).count() == 1


def test_a_task_escalated_as_its_lease_runs_out_is_not_another_reviewers(monkeypatch) -> None:
    """Reviewer A escalates a task as A's lease runs out; reviewer B (no supervisor) presses
    claim while the escalation is being written, and sees the task free (the lease is over).
    B's claim waits for the escalation and is refused: only a supervisor decides it."""
    import datetime as dt
    import threading
    import time

    from homeward.core import audit, clock

    (task,), (holder, other) = queue_of(1, 2)
    review.claim(staff=holder, task_id=task.pk)
    escalating = threading.Event()
    record = audit.record

    def recording(**kw):  # inside the escalation, the task held: a pause before commit
        if kw.get("action") == "review.escalated":
            escalating.set()
            time.sleep(1.2)
        return record(**kw)

    monkeypatch.setattr(audit, "record", recording)
    lease = clock.now() + dt.timedelta(seconds=0.3)
    ReviewTask.objects.filter(pk=task.pk).update(lease_until=lease)

    def run(i: int) -> str:
        if i == 0:
            return code_of(lambda: review.escalate(staff=holder, task_id=task.pk, note="Look"))
        assert escalating.wait(10)
        time.sleep(0.5)  # A's lease is over now
        return code_of(lambda: review.claim(staff=other, task_id=task.pk))

    assert in_threads(2, run) == ["ok", "escalated"]
    task.refresh_from_db()
    assert task.escalated_at is not None and task.claimed_by_id is None
