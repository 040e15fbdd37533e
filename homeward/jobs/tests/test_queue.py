"""The jobs table: leases, retries with backoff, dead letters, crash recovery."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from homeward.core import clock
from homeward.jobs import registry, services
from homeward.jobs.models import Job
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.review import intake

calls: list[int] = []


@registry.handler("test_flaky")
def flaky(*, fail_times: int, key: int) -> None:
    calls.append(key)
    if calls.count(key) <= fail_times:
        raise RuntimeError("temporary failure")


@pytest.fixture(autouse=True)
def _reset_calls():
    calls.clear()


def test_failing_job_is_retried_with_backoff_then_succeeds(db):
    job = services.enqueue("test_flaky", fail_times=1, key=1)
    services.run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert job.attempts == 1
    assert "temporary failure" in job.last_error
    assert job.run_after > clock.now()
    assert services.run_pending() == 0  # not due yet
    with clock.frozen_at(job.run_after + dt.timedelta(seconds=1)):
        services.run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert calls == [1, 1]


def test_job_that_keeps_failing_goes_dead_and_can_be_retried(db, settings):
    job = services.enqueue("test_flaky", fail_times=99, key=2)
    moment = clock.now()
    for _ in range(job.max_attempts):
        moment += dt.timedelta(hours=2)
        with clock.frozen_at(moment):
            services.run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.DEAD
    assert job.attempts == job.max_attempts
    services.retry_dead(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.QUEUED, 0)


def test_worker_killed_mid_job_leaves_it_for_another_after_the_lease(db, settings):
    job = services.enqueue("test_flaky", fail_times=0, key=3)
    [claimed] = services.claim("worker-that-dies")
    assert claimed.pk == job.pk
    # The dead worker never finishes. Before the lease runs out nobody else takes the job.
    assert services.claim("worker-2") == []
    later = clock.now() + dt.timedelta(seconds=settings.JOB_LEASE_SECONDS + 1)
    with clock.frozen_at(later):
        [again] = services.claim("worker-2")
        assert again.pk == job.pk
        assert services.run(again, "worker-2")
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    # If the first worker wakes up, it finds the job is no longer its own and does nothing.
    assert services.run(claimed, "worker-that-dies") is False
    assert calls == [3]


def test_screening_twice_has_the_effect_of_once(world):
    connection = world.contact_a.connections.get()
    message = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="hi"
    ).message
    intake.screen_and_route(message_id=message.pk)
    intake.screen_and_route(message_id=message.pk)  # a retried job
    message.refresh_from_db()
    assert message.status == Message.Status.IN_REVIEW
    assert message.events.filter(to_status=Message.Status.IN_REVIEW).count() == 1
    services.run_pending()  # the queued job finds the work done
    assert message.events.filter(to_status=Message.Status.SCREENING).count() == 1


def test_worker_command_runs_due_jobs_once(world):
    connection = world.contact_a.connections.get()
    message = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="hi"
    ).message
    call_command("worker", "--once")
    message.refresh_from_db()
    assert message.status == Message.Status.IN_REVIEW
    assert not Job.objects.exclude(status=Job.Status.DONE).exists()


def test_unknown_job_kind_is_refused(db):
    with pytest.raises(ValueError):
        services.enqueue("no_such_kind")
