"""Review tasks as staff may see them: those of the facilities where they review. Any
other id is "not found"."""

from __future__ import annotations

from django.db.models import QuerySet

from homeward.core.errors import NotFound
from homeward.people import access as people_access
from homeward.people.models import User
from homeward.review.models import ReviewTask, Watch

# Who takes escalated messages: the facility's admins and the agency's.
SUPERVISOR_ROLES = people_access.ADMIN_ROLES


def queue_for(staff: User, *, escalated: bool = False) -> QuerySet[ReviewTask]:
    """Open tasks in the staff member's facilities, most urgent first: the reviewers'
    queue, or (``escalated``) the supervisors' queue of the facilities they supervise."""
    roles = SUPERVISOR_ROLES if escalated else people_access.REVIEW_ROLES
    # The ids, not a subquery: PostgreSQL cannot tell how few facilities a subquery names,
    # and scans every task ever reviewed instead of using the facility's index
    # (bench/review.py: 19 ms at 100,000 tasks, 0.1 ms with the ids).
    facilities = list(people_access.staff_facilities(staff, roles).values_list("id", flat=True))
    return (
        ReviewTask.objects.filter(
            status=ReviewTask.Status.OPEN,
            facility_id__in=facilities,
            escalated_at__isnull=not escalated,
        )
        # Never a privileged channel's message (its tasks are cancelled as it becomes so).
        .exclude(message__connection__privileged=True)
        .select_related("message", "facility", "claimed_by")
        .order_by("due_at", "id")
    )


def supervises(staff: User, facility_id: int) -> bool:
    return people_access.staff_facilities(staff, SUPERVISOR_ROLES).filter(pk=facility_id).exists()


def task_for(staff: User, task_id: int, *, lock: bool = False) -> ReviewTask:
    """A task of the staff member's facilities, in any status; anything else is a 404."""
    facilities = people_access.staff_facilities(staff, people_access.REVIEW_ROLES)
    # A privileged attorney channel's message is never shown to staff (its tasks were
    # cancelled when the connection became privileged).
    tasks = ReviewTask.objects.filter(facility__in=facilities).exclude(
        message__connection__privileged=True
    )
    if lock:
        tasks = tasks.select_for_update(of=("self",))
    task = tasks.filter(pk=task_id).first()
    if task is None:
        raise NotFound()
    return task


def watch_for(staff: User, watch_id: int) -> Watch:
    """A watch at one of the staff member's facilities; else NotFound."""
    found = (
        Watch.objects.select_related("facility", "contact", "resident", "connection")
        .filter(pk=watch_id, facility__in=people_access.staff_facilities(staff))
        .first()
    )
    if found is None:
        raise NotFound()
    return found
