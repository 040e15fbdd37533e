"""Several workers and reviewers at once, on PostgreSQL where they really run in parallel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from homeward import builders as t
from homeward.core.errors import Conflict
from homeward.jobs import registry, services
from homeward.jobs.models import Job
from homeward.people.models import StaffMembership
from homeward.review import services as review
from homeward.review.models import ReviewTask

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL's row locks and parallelism"
    ),
]

ran: list[int] = []


@registry.handler("test_count")
def count(*, n: int) -> None:
    ran.append(n)


def in_threads(workers: int, target: Callable[[int], Any]) -> list[Any]:
    results: list[Any] = [None] * workers
    barrier = threading.Barrier(workers)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = target(index)
        except Exception as exc:  # reported to the test through results
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_parallel_workers_never_claim_the_same_job():
    ran.clear()
    for n in range(40):
        services.enqueue("test_count", n=n)
    claimed = in_threads(4, lambda i: [job.pk for job in services.claim(f"w{i}", limit=15)])
    ids = [pk for batch in claimed for pk in batch]
    assert len(ids) == len(set(ids)) == 40


def test_parallel_run_pending_runs_every_job_exactly_once():
    ran.clear()
    for n in range(30):
        services.enqueue("test_count", n=n)
    in_threads(3, lambda i: services.run_pending(f"w{i}"))
    assert sorted(ran) == list(range(30))
    assert Job.objects.filter(status=Job.Status.DONE).count() == 30


def test_two_reviewers_never_hold_the_same_item():
    from homeward.messaging import services as messaging

    facility = t.make_facility("pg-facility")
    resident = t.make_resident(facility)
    contact = t.make_contact()
    connection_ = t.connect(contact, resident)
    messaging.send_message(sender=contact, connection_id=connection_.pk, body="hello")
    services.run_pending()
    task = ReviewTask.objects.get()
    reviewers = [
        t.make_staff(f"pg-rev{i}", role=StaffMembership.Role.REVIEWER, facility=facility)
        for i in range(6)
    ]

    def claim(i: int) -> str:
        try:
            review.claim(staff=reviewers[i], task_id=task.pk)
            return "won"
        except Conflict:
            return "lost"

    outcomes = in_threads(6, claim)
    assert outcomes.count("won") == 1, outcomes
    assert outcomes.count("lost") == 5, outcomes


def test_parallel_approvals_never_pass_the_contact_cap():
    from homeward.connections import services as connections
    from homeward.connections.models import Connection

    facility = t.make_facility("pg-cap", policy={"staff_approval": True, "contact_cap": 2})
    resident = t.make_resident(facility)
    staff = [
        t.make_staff(f"pg-cap-rev{i}", role=StaffMembership.Role.REVIEWER, facility=facility)
        for i in range(5)
    ]
    pending = []
    for i in range(5):
        contact = t.make_contact(f"cap{i}@example.org")
        request = connections.request_connection(
            contact=contact, facility=facility, number=resident.number
        ).connection
        pending.append(
            connections.respond_to_request(resident=resident, connection_id=request.pk, accept=True)
        )

    def approve(i: int) -> str:
        try:
            connections.staff_decide(staff=staff[i], connection_id=pending[i].pk, approve=True)
            return "approved"
        except Conflict:
            return "refused"

    outcomes = in_threads(5, approve)
    assert outcomes.count("approved") == 2, outcomes
    assert Connection.objects.filter(resident=resident, status="active").count() == 2


def test_the_same_request_sent_twice_at_once_makes_one_connection():
    from homeward.connections import services as connections
    from homeward.connections.models import Connection

    facility = t.make_facility("pg-twice")
    resident = t.make_resident(facility)
    contact = t.make_contact("twice@example.org")
    results = in_threads(
        4,
        lambda i: (
            connections.request_connection(
                contact=contact, facility=facility, number=resident.number
            ).connection.pk
        ),
    )
    assert all(isinstance(r, int) for r in results), results
    assert Connection.objects.filter(contact=contact, resident=resident).count() == 1
