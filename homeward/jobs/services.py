"""Enqueue, claim and run jobs.

Enqueue inside the caller's transaction: the job exists exactly when the change that needs
it was committed, so nothing is lost between a commit and a queue.

A job is claimed by setting a lease. A worker that dies leaves the lease to expire, and
another worker takes the job again; handlers are idempotent, so running twice has the
effect of running once. Each run happens in one transaction together with marking the job
done, so a crash mid-run rolls both back.

A lost database connection is not the job's fault: ``run`` lets it reach the worker, which
reconnects and puts back the jobs it was holding (``release``) instead of counting a
failure against them.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F

from homeward.core import audit, clock, metrics
from homeward.core.errors import Conflict, NotFound
from homeward.core.hooks import Hook
from homeward.jobs import registry, wakeup
from homeward.jobs.models import Job

# A worker is starting, before its first job: the apps whose jobs load data on first use
# (screening's lexicons, dictionaries and compiled gates) load it now, so the first message
# after a start or a deploy waits for nothing.
worker_starting: Hook[[]] = Hook("worker_starting")

log = logging.getLogger(__name__)


def enqueue(
    kind: str,
    *,
    run_after: dt.datetime | None = None,
    facility_id: int | None = None,
    **payload: Any,
) -> Job:
    """Queue ``kind`` with ``payload`` (JSON) to run after this transaction commits. A job
    for one facility names it, so that facility's admins can see it fail and retry it."""
    if not registry.known(kind):
        raise ValueError(f"unknown job kind {kind!r}")
    now = clock.now()
    job = Job.objects.create(
        kind=kind,
        payload=payload,
        facility_id=facility_id,
        run_after=run_after or now,
        created_at=now,
        max_attempts=settings.JOB_MAX_ATTEMPTS,
    )
    if job.run_after <= now:
        wakeup.announce()
    return job


def _abandoned(now: dt.datetime) -> Any:
    """Jobs whose worker's lease ran out (it died, or lost its connection)."""
    return Job.objects.filter(status=Job.Status.RUNNING, lease_until__lt=now).order_by(
        "lease_until", "id"
    )


def _due(now: dt.datetime) -> Any:
    """Queued jobs that are due, oldest first, read in order from the ``job_queued`` index:
    a claim never sorts the backlog."""
    return Job.objects.filter(status=Job.Status.QUEUED, run_after__lte=now).order_by(
        "run_after", "id"
    )


def claim(worker: str, *, limit: int = 1) -> list[Job]:
    """Take up to ``limit`` due jobs for ``worker`` under a lease, abandoned ones first."""
    now = clock.now()
    lease = now + dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)
    with transaction.atomic():
        candidates: list[Job] = []
        for source in (_abandoned(now), _due(now)):
            wanted = limit - len(candidates)
            if not wanted:
                break
            if connection.vendor == "postgresql":
                source = source.select_for_update(skip_locked=True)
            # (SQLite takes the database write lock at BEGIN, IMMEDIATE, so the read and
            # the update below cannot interleave with another worker's.)
            candidates += list(source[:wanted])
        # A job whose every attempt ended with its worker gone (one that kills the worker,
        # say) is given up on, not taken first again and again.
        spent = [
            j for j in candidates if j.status == Job.Status.RUNNING and j.attempts >= j.max_attempts
        ]
        for job in spent:
            job.status = Job.Status.DEAD
            job.finished_at = now
            job.lease_until = None
            job.last_error = (
                f"Given up after {job.attempts} attempts: its worker stopped during the last."
            )
        if spent:
            Job.objects.bulk_update(spent, ["status", "finished_at", "lease_until", "last_error"])
        taken = [j for j in candidates if j not in spent]
        for job in taken:
            job.status = Job.Status.RUNNING
            job.attempts += 1
            job.lease_until = lease
            job.locked_by = worker
        Job.objects.bulk_update(taken, ["status", "attempts", "lease_until", "locked_by"])
    return taken


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(2**attempts * 5, 3600))


def run(job: Job, worker: str) -> bool:
    """Run one claimed job. Returns True when it finished."""
    started = time.perf_counter()
    outcome = "done"
    try:
        with transaction.atomic():
            # Still ours? If our lease ran out and another worker took the job, stop.
            current = Job.objects.select_for_update().get(pk=job.pk)
            if current.status != Job.Status.RUNNING or current.locked_by != worker:
                outcome = "lost"
                return False
            registry.get(job.kind)(**job.payload)
            current.status = Job.Status.DONE
            current.finished_at = clock.now()
            current.lease_until = None
            current.last_error = ""
            current.save(update_fields=["status", "finished_at", "lease_until", "last_error"])
        return True
    except Exception as exc:
        if connection_lost(exc):
            outcome = "lost"
            raise  # the worker reconnects and releases the job; not a failure of the job
        outcome = "failed"
        error = traceback.format_exc(limit=8)
        log.exception("job %s #%s failed (attempt %s)", job.kind, job.pk, job.attempts)
        _record_failure(job.pk, error)
        return False
    finally:
        _count(job.kind, outcome, time.perf_counter() - started)


def _count(kind: str, outcome: str, seconds: float) -> None:
    """Count a run for /metrics. A job that ran is never undone by its count failing (the
    metrics directory removed under a running worker, say)."""
    try:
        metrics.JOBS_RUN.labels(kind, outcome).inc()
        metrics.JOB_SECONDS.labels(kind, outcome).observe(seconds)
    except OSError:
        log.exception("could not count job %s for the metrics", kind)


def _record_failure(job_id: int, error: str) -> None:
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        job.last_error = error[-4000:]
        job.lease_until = None
        if job.attempts >= job.max_attempts:
            job.status = Job.Status.DEAD
            job.finished_at = clock.now()
        else:
            job.status = Job.Status.QUEUED
            job.run_after = clock.now() + backoff(job.attempts)
        job.save()


def connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` says the database connection is gone (server restarted or shut down,
    connection cut, failover), as opposed to an error in the job itself.

    Django has already opened a fresh connection by the time the error reaches us, so the
    error itself has to tell: a client-side failure (no SQLSTATE), a connection exception
    (class 08) or an operator's intervention (57P01-57P05: shutdown, terminated backend)."""
    if isinstance(exc, InterfaceError):
        return True
    cause = exc.__cause__
    if not isinstance(exc, OperationalError) or not isinstance(cause, psycopg.Error):
        return False
    return cause.sqlstate is None or cause.sqlstate.startswith(("08", "57P"))


def release(worker: str) -> int:
    """Put back the jobs ``worker`` still holds, after its connection was cut mid-job.
    A job whose run had committed is done and stays done. Without this the job would
    still be taken again, but only when its lease runs out. Returns how many were put
    back."""
    return Job.objects.filter(status=Job.Status.RUNNING, locked_by=worker).update(
        status=Job.Status.QUEUED,
        lease_until=None,
        locked_by="",
        run_after=clock.now(),
    )


# Jobs a worker claims at once: one transaction to claim ten, not ten. Behind a slow job
# the rest of a batch would wait for this worker alone, so what it has not started after
# BATCH_SECONDS goes back for any worker to take.
BATCH = 10
BATCH_SECONDS = 2.0


def run_pending(
    worker: str = "inline", *, limit: int = 100, should_stop: Callable[[], bool] | None = None
) -> int:
    """Claim and run due jobs until none are left (or ``limit``, or ``should_stop()``).
    Returns how many ran."""
    done = 0
    while done < limit and not (should_stop and should_stop()):
        batch = claim(worker, limit=min(BATCH, limit - done))
        if not batch:
            break
        started = time.monotonic()
        for position, job in enumerate(batch):
            stopping = bool(should_stop and should_stop())
            if stopping or (position and time.monotonic() - started > BATCH_SECONDS):
                _put_back(worker, [j.pk for j in batch[position:]])
                if stopping:
                    return done
                break
            run(job, worker)
            done += 1
    return done


def _put_back(worker: str, job_ids: list[int]) -> None:
    """Jobs claimed in a batch but not started, returned for any worker to take now."""
    Job.objects.filter(pk__in=job_ids, status=Job.Status.RUNNING, locked_by=worker).update(
        status=Job.Status.QUEUED,
        attempts=F("attempts") - 1,
        lease_until=None,
        locked_by="",
    )


def prune(*, older_than: dt.timedelta, batch: int = 5000, batches: int = 100) -> int:
    """Delete the jobs that finished more than ``older_than`` ago (dead jobs stay for an
    operator), ``batch`` at a time, up to ``batches`` of them in one call (500,000 jobs:
    far more than a deployment finishes between two calls). Returns how many went."""
    cutoff = clock.now() - older_than
    finished = Job.objects.filter(status=Job.Status.DONE, finished_at__lt=cutoff)
    gone = 0
    for _ in range(batches):
        ids = list(finished.order_by("finished_at").values_list("pk", flat=True)[:batch])
        if ids:
            gone += Job.objects.filter(pk__in=ids).delete()[0]
        if len(ids) < batch:
            break
    return gone


def retry_dead(*, job_id: int, actor: Any = "system") -> Job:
    """Give a dead job a fresh set of attempts (after the cause has been fixed)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            raise NotFound()
        if job.status != Job.Status.DEAD:
            raise Conflict("job_not_dead", "Only a job that has given up can be retried.")
        audit.record(actor=actor, action="job.retried", obj=job, data={"kind": job.kind})
        job.status = Job.Status.QUEUED
        job.attempts = 0
        job.run_after = clock.now()
        job.finished_at = None
        job.save()
    return job
