"""The outbox holds under failure and concurrency: a mail server that is down delays an
email, never loses or doubles it; the same event noticed by many transactions at once is
one row and one email (PostgreSQL, real parallel transactions)."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from django.db import connection, transaction

from homeward.core import clock
from homeward.jobs.models import Job
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.notifications import services
from homeward.notifications.models import Notification
from homeward.personas import emails_to

N = Notification


def a_closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nobody listens once the probe is closed


def test_a_mail_server_that_is_down_delays_the_email_and_it_is_sent_once_later(
    world, run_jobs, smtp, settings
):
    up = settings.EMAIL_PORT
    settings.EMAIL_PORT = a_closed_port()
    with transaction.atomic():
        services.notify(event="connection_ended", key="k1", contact=world.contact_a, theirs={})
    run_jobs()
    row = Notification.objects.get(key="k1")
    assert row.status == N.Status.QUEUED and row.sent_at is None  # not lost, not sent
    job = Job.objects.get(kind="send_notification")
    assert job.status == Job.Status.QUEUED and job.attempts == 1 and job.last_error
    settings.EMAIL_PORT = up
    with clock.frozen_at(job.run_after + dt.timedelta(seconds=1)):
        run_jobs()
        run_jobs()
    assert len(emails_to(smtp, "a@example.org")) == 1
    assert Notification.objects.get(key="k1").status == N.Status.SENT


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's parallel writers")
def test_one_event_noticed_by_many_transactions_at_once_is_told_once(world, run_jobs, smtp):
    def tell(_: int) -> int:
        with transaction.atomic():
            return services.notify(
                event="connection_ended", key="raced", contact=world.contact_a, theirs={}
            ).pk

    ids = in_threads(12, tell)
    assert all(isinstance(pk, int) for pk in ids), ids
    assert len(set(ids)) == 1  # every transaction got the one row
    assert Notification.objects.filter(key="raced").count() == 1
    assert Job.objects.filter(kind="send_notification").count() == 1
    run_jobs()
    assert len(emails_to(smtp, "a@example.org")) == 1
