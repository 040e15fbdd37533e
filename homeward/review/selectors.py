"""Read-only questions about the review queue, for the staff console."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from homeward.people.models import User
from homeward.review.access import queue_for
from homeward.review.models import ReviewTask


@dataclass(frozen=True)
class QueueCounts:
    open: int
    overdue: int


def queue_counts(staff: User, *, now: dt.datetime, escalated: bool = False) -> QueueCounts:
    """Open tasks in the staff member's review facilities (or escalated ones, in those they
    supervise), and how many are past due."""
    counts = queue_for(staff, escalated=escalated).aggregate(
        open=Count("id"), overdue=Count("id", Q(due_at__lt=now))
    )
    return QueueCounts(open=counts["open"], overdue=counts["overdue"])


def queue_counts_by_facility(staff: User, *, now: dt.datetime) -> dict[int, QueueCounts]:
    rows = (
        queue_for(staff)
        .order_by()
        .values("facility_id")
        .annotate(open=Count("id"), overdue=Count("id", Q(due_at__lt=now)))
    )
    return {row["facility_id"]: QueueCounts(row["open"], row["overdue"]) for row in rows}


def live_holder(task: ReviewTask, *, now: dt.datetime) -> User | None:
    """Who holds the task under a lease that has not run out, if anyone."""
    if task.claimed_by_id is None or task.lease_until is None or task.lease_until < now:
        return None
    return task.claimed_by
