"""How the job queue is doing, for ``/healthz`` and ``/metrics``: how much due work waits,
how long the oldest due job has waited (the lag), and how many jobs gave up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q

from homeward.jobs.models import Job


@dataclass(frozen=True)
class QueueState:
    due: int  # queued and due now, or held under a lease that has run out
    running: int
    dead: int
    lag_seconds: float  # how long the oldest due job has waited; 0 with none waiting
    due_by_kind: dict[str, int]


def queue_state(now: dt.datetime) -> QueueState:
    """One pass over the unfinished jobs (done ones are not read, whatever their number)."""
    waiting = Q(status=Job.Status.QUEUED, run_after__lte=now) | Q(
        status=Job.Status.RUNNING, lease_until__lt=now
    )
    unfinished = Job.objects.filter(
        status__in=[Job.Status.QUEUED, Job.Status.RUNNING, Job.Status.DEAD]
    )
    due_by_kind = dict(
        unfinished.filter(waiting)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    totals = unfinished.aggregate(
        running=Count("id", filter=Q(status=Job.Status.RUNNING)),
        dead=Count("id", filter=Q(status=Job.Status.DEAD)),
        oldest=Min("run_after", filter=waiting),
    )
    oldest = totals["oldest"]
    return QueueState(
        due=sum(due_by_kind.values()),
        running=totals["running"],
        dead=totals["dead"],
        lag_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
        due_by_kind=due_by_kind,
    )
