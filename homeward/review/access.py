"""Review tasks as staff may see them: those of the facilities where they review. Any
other id is "not found"."""

from __future__ import annotations

from django.db.models import QuerySet

from homeward.core.errors import NotFound
from homeward.people import access as people_access
from homeward.people.models import User
from homeward.review.models import ReviewTask


def queue_for(staff: User) -> QuerySet[ReviewTask]:
    """Open tasks in the staff member's facilities, most urgent first."""
    facilities = people_access.staff_facilities(staff, people_access.REVIEW_ROLES)
    return (
        ReviewTask.objects.filter(status=ReviewTask.Status.OPEN, facility__in=facilities)
        .select_related("message", "facility", "claimed_by")
        .order_by("due_at", "id")
    )


def task_for(staff: User, task_id: int, *, lock: bool = False) -> ReviewTask:
    """A task of the staff member's facilities, in any status; anything else is a 404."""
    facilities = people_access.staff_facilities(staff, people_access.REVIEW_ROLES)
    tasks = ReviewTask.objects.filter(facility__in=facilities)
    if lock:
        tasks = tasks.select_for_update(of=("self",))
    task = tasks.filter(pk=task_id).first()
    if task is None:
        raise NotFound()
    return task
