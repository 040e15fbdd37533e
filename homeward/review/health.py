"""How the review desk is doing, for the console's overview: per reviewer, decisions per
hour and the median time from claiming a message to deciding it; per queue, the oldest
item and how many are overdue."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Min, Q

from homeward.people import access
from homeward.people.models import User
from homeward.review.models import ReviewTask

WINDOW = dt.timedelta(hours=24)


@dataclass(frozen=True)
class ReviewerPace:
    reviewer: str
    reviewer_id: int
    decisions: int
    active_hours: int  # hours of the window in which they decided at least once
    median_seconds: float | None  # from claiming a message to deciding it

    @property
    def per_hour(self) -> str:
        return f"{self.decisions / self.active_hours:.1f}" if self.active_hours else "—"

    @property
    def median(self) -> str:
        if self.median_seconds is None:
            return "—"
        seconds = round(self.median_seconds)
        return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


@dataclass(frozen=True)
class QueueHealth:
    oldest_at: dt.datetime | None
    overdue: int


def pace(staff: User, *, now: dt.datetime) -> list[ReviewerPace]:
    """Each reviewer's decisions in the last 24 hours at the staff member's facilities."""
    facilities = access.staff_facilities(staff, access.REVIEW_ROLES)
    rows = (
        ReviewTask.objects.filter(
            facility__in=facilities,
            decided_at__gte=now - WINDOW,
            decided_by__isnull=False,
            status__in=(ReviewTask.Status.DONE, ReviewTask.Status.DECIDING),
        )
        .values_list("decided_by_id", "decided_by__username", "claimed_at", "decided_at")
        .order_by()
    )
    decided: dict[tuple[int, str], list[tuple[dt.datetime | None, dt.datetime]]] = defaultdict(list)
    for reviewer_id, username, claimed_at, decided_at in rows:
        if decided_at is not None:
            decided[(reviewer_id, username)].append((claimed_at, decided_at))
    found = []
    for (reviewer_id, username), times in decided.items():
        spans = [(d - c).total_seconds() for c, d in times if c is not None and d >= c]
        hours = {d.replace(minute=0, second=0, microsecond=0) for _, d in times}
        found.append(
            ReviewerPace(
                reviewer=username,
                reviewer_id=reviewer_id,
                decisions=len(times),
                active_hours=len(hours),
                median_seconds=statistics.median(spans) if spans else None,
            )
        )
    return sorted(found, key=lambda p: (-p.decisions, p.reviewer))


def queue_health(staff: User, *, now: dt.datetime) -> QueueHealth:
    facilities = access.staff_facilities(staff, access.REVIEW_ROLES)
    open_tasks = ReviewTask.objects.filter(facility__in=facilities, status=ReviewTask.Status.OPEN)
    oldest = open_tasks.aggregate(oldest=Min("created_at"))["oldest"]
    return QueueHealth(oldest_at=oldest, overdue=open_tasks.filter(due_at__lt=now).count())


@dataclass(frozen=True)
class Backlog:
    waiting: int
    overdue: int


def deployment_backlog(*, now: dt.datetime) -> Backlog:
    """Messages waiting for a reviewer across the deployment, for the operator's metrics
    (numbers only: no facility, message or person is named)."""
    totals = ReviewTask.objects.filter(status=ReviewTask.Status.OPEN).aggregate(
        waiting=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now))
    )
    return Backlog(waiting=totals["waiting"], overdue=totals["overdue"])
