"""What one message costs the database, counted statement by statement: submitting it,
and the one job that screens and delivers it when nobody needs to see it. A change that
adds a statement to every message shows here (the figures are in README's benchmarks).

Savepoints are left out: the test runs inside a transaction, where each of the service's
own transactions is a savepoint; in production they are BEGIN and COMMIT."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from homeward import builders as t
from homeward.jobs import services as jobs
from homeward.jobs.models import Job
from homeward.messaging import services as messaging
from homeward.messaging.models import Message

pytestmark = pytest.mark.django_db

# Counted on 2026-12-03: submitting, 12 (11 before on PostgreSQL, which now also sends the
# NOTIFY that wakes a worker); the work after it, claims included, 26 before in two jobs
# (screen, then deliver) and 21 now in one.
SUBMIT = 12
SCREEN_AND_DELIVER = 21


def statements(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def test_a_message_nobody_needs_to_see_costs_few_statements_and_one_job():
    facility = t.make_facility("counted", policy={"review_mode": "flagged", "sample_percent": 0})
    contact = t.make_contact("family@example.org")
    link = t.connect(contact, t.make_resident(facility, "C1001"))
    # One message first, so that what is read once per process (rules, lexicons) is read.
    messaging.send_message(sender=contact, connection_id=link.pk, body="A first letter.")
    jobs.run_pending("warm")

    with CaptureQueriesContext(connection) as submitting:
        sent = messaging.send_message(
            sender=contact, connection_id=link.pk, body="Hello, all is well at home."
        ).message
    with CaptureQueriesContext(connection) as working:
        claimed = jobs.claim("counted", limit=1)
        for job in claimed:
            jobs.run(job, "counted")

    sent.refresh_from_db()
    assert sent.status == Message.Status.DELIVERED
    assert [job.kind for job in claimed] == ["screen_message"]  # one job, not two
    assert not Job.objects.filter(status=Job.Status.QUEUED).exists()
    assert len(statements(submitting)) <= SUBMIT, statements(submitting)
    assert len(statements(working)) <= SCREEN_AND_DELIVER, statements(working)
