"""Console read queries that span domain apps: connections awaiting staff, dead jobs.

Each is scoped to the staff member's facilities; an id outside scope is "not found".
"""

from __future__ import annotations

from django.db.models import QuerySet

from homeward.connections.models import Connection
from homeward.core.errors import NotFound
from homeward.jobs.models import Job
from homeward.messaging.models import Message
from homeward.people import access
from homeward.people.models import User

JOB_LIMIT = 200


def connections_awaiting(staff: User) -> QuerySet[Connection]:
    """Connections waiting for staff approval in the facilities where this person reviews."""
    return (
        Connection.objects.filter(
            status=Connection.Status.PENDING_STAFF,
            facility__in=access.staff_facilities(staff, access.REVIEW_ROLES),
        )
        .select_related("contact", "contact__user", "resident", "facility")
        .order_by("updated_at", "id")
    )


def connection_for_reviewer(staff: User, connection_id: int) -> Connection:
    """A connection in one of the staff member's review facilities, in any status."""
    connection = (
        Connection.objects.filter(
            pk=connection_id, facility__in=access.staff_facilities(staff, access.REVIEW_ROLES)
        )
        .select_related("resident")
        .first()
    )
    if connection is None:
        raise NotFound()
    return connection


def _message_id(job: Job) -> int | None:
    value = job.payload.get("message_id") if isinstance(job.payload, dict) else None
    return value if isinstance(value, int) else None


def _visible(staff: User, admin_roles: tuple[str, ...], jobs: list[Job]) -> list[Job]:
    """Jobs about a message at one of the admin's facilities, and jobs that belong to no
    facility (system work). Jobs about other facilities' messages are not theirs to see."""
    message_ids = {m for m in map(_message_id, jobs) if m is not None}
    facility_of = dict(Message.objects.filter(pk__in=message_ids).values_list("pk", "facility_id"))
    mine = set(access.staff_facilities(staff, admin_roles).values_list("id", flat=True))
    return [
        job
        for job in jobs
        if facility_of.get(_message_id(job)) is None or facility_of[_message_id(job)] in mine
    ]


def dead_jobs_for(staff: User, admin_roles: tuple[str, ...]) -> list[Job]:
    """The most recent dead jobs this admin may see, newest first."""
    newest = Job.objects.filter(status=Job.Status.DEAD).order_by("-finished_at", "-id")
    jobs = list(newest[: JOB_LIMIT * 5])
    return _visible(staff, admin_roles, jobs)[:JOB_LIMIT]


def dead_job_for(staff: User, admin_roles: tuple[str, ...], job_id: int) -> Job:
    job = Job.objects.filter(pk=job_id, status=Job.Status.DEAD).first()
    if job is None or not _visible(staff, admin_roles, [job]):
        raise NotFound()
    return job
