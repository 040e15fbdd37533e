"""How workers take work: ten jobs per claim, oldest first, abandoned ones before new ones,
read from an index of queued jobs only (never by sorting the backlog), unstarted jobs put
back when a worker stops, and finished jobs pruned after JOB_RETENTION_DAYS."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from homeward.core import clock
from homeward.jobs import registry, services
from homeward.jobs.models import Job

pytestmark = pytest.mark.django_db

ran: list[int] = []


@registry.handler("test_counted")
def counted(*, key: int) -> None:
    ran.append(key)


@pytest.fixture(autouse=True)
def _reset():
    ran.clear()


def queued(count: int, *, start: dt.datetime | None = None) -> list[Job]:
    start = start or clock.now() - dt.timedelta(minutes=10)
    made = []
    for key in range(count):
        job = services.enqueue("test_counted", key=key)
        Job.objects.filter(pk=job.pk).update(run_after=start + dt.timedelta(seconds=key))
        made.append(job)
    return made


def test_a_claim_takes_the_oldest_due_jobs_abandoned_ones_first():
    jobs = queued(5)
    later = services.enqueue("test_counted", key=99, run_after=clock.now() + dt.timedelta(hours=1))
    # A worker died holding a job: its lease ran out.
    Job.objects.filter(pk=jobs[3].pk).update(
        status=Job.Status.RUNNING, lease_until=clock.now() - dt.timedelta(seconds=1), attempts=1
    )
    claimed = services.claim("w1", limit=3)
    assert [j.pk for j in claimed] == [jobs[3].pk, jobs[0].pk, jobs[1].pk]
    assert all(j.locked_by == "w1" and j.status == Job.Status.RUNNING for j in claimed)
    assert Job.objects.get(pk=jobs[3].pk).attempts == 2
    rest = services.claim("w2", limit=10)
    assert [j.pk for j in rest] == [jobs[2].pk, jobs[4].pk]  # not the one due in an hour
    assert Job.objects.get(pk=later.pk).status == Job.Status.QUEUED


def test_run_pending_claims_in_batches_and_runs_everything_once():
    queued(25)
    assert services.run_pending("w", limit=100) == 25
    assert sorted(ran) == list(range(25))
    assert Job.objects.filter(status=Job.Status.DONE).count() == 25


def test_a_stopping_worker_puts_back_what_it_claimed_but_did_not_start():
    jobs = queued(10)
    seen = []

    def stop_after_three() -> bool:
        seen.append(1)
        return len(ran) >= 3

    assert services.run_pending("w", should_stop=stop_after_three) == 3
    left = Job.objects.filter(status=Job.Status.QUEUED).order_by("run_after")
    assert [j.pk for j in left] == [j.pk for j in jobs[3:]]
    assert all(j.attempts == 0 and j.locked_by == "" and j.lease_until is None for j in left)
    assert services.run_pending("w2") == 7  # another worker takes them at once


def test_finished_jobs_are_pruned_after_the_retention_period_and_dead_ones_kept():
    old, recent = queued(2)
    services.run_pending("w")
    dead = services.enqueue("test_counted", key=7)
    Job.objects.filter(pk=dead.pk).update(
        status=Job.Status.DEAD, finished_at=clock.now() - dt.timedelta(days=30)
    )
    waiting = services.enqueue("test_counted", key=8, run_after=clock.now() + dt.timedelta(days=1))
    Job.objects.filter(pk=old.pk).update(finished_at=clock.now() - dt.timedelta(days=8))
    Job.objects.filter(pk=recent.pk).update(finished_at=clock.now() - dt.timedelta(days=6))

    assert services.prune(older_than=dt.timedelta(days=7)) == 1
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, dead.pk, waiting.pk}
    assert services.prune(older_than=dt.timedelta(days=7)) == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plans")
def test_a_claim_reads_the_queued_index_without_sorting_the_backlog():
    queued(3)
    # Plans for a table with thousands of finished jobs and a backlog: make scans and sorts
    # costly, so the plan is the one such a table gets whatever rows earlier tests left
    # behind (rolled-back rows make a small table look bigger; its plan flips to reading
    # another index, or the queued one as a bitmap, and sorting). A plan still sorting here
    # means no index gives the claim its order.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        sql, params = services._due(clock.now())[:10].query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "job_queued" in plan, plan
    assert "Sort" not in plan, plan


def test_a_slow_batch_leaves_the_rest_of_its_jobs_to_other_workers(monkeypatch):
    # Behind a slow job, what the worker has not started goes back at once, unspent.
    monkeypatch.setattr(services, "BATCH_SECONDS", 0)
    queued(5)
    assert services.run_pending("w") == 5  # one job a claim, the rest put back each time
    assert sorted(ran) == list(range(5))
    assert set(Job.objects.values_list("status", "attempts")) == {(Job.Status.DONE, 1)}


def test_a_job_whose_worker_dies_every_time_is_given_up_on():
    [job] = queued(1)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING,
        attempts=job.max_attempts,
        lease_until=clock.now() - dt.timedelta(seconds=1),
    )
    assert services.claim("w", limit=10) == []
    job.refresh_from_db()
    assert job.status == Job.Status.DEAD and job.finished_at is not None
    assert "worker stopped" in job.last_error
    assert ran == []
