"""Which failed jobs a staff member may see: those for the facilities they administer. Work
of the whole deployment (which names no facility, such as an email with its links) is the
operator's, in the Django admin. Any other job is "not found"."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from homeward.core.errors import NotFound
from homeward.jobs.models import Job

JOB_LIMIT = 200


def _dead_in(facility_ids: Iterable[int]) -> QuerySet[Job]:
    return Job.objects.filter(facility_id__in=list(facility_ids), status=Job.Status.DEAD)


def dead_jobs_in(facility_ids: Iterable[int], *, limit: int = JOB_LIMIT) -> list[Job]:
    """The newest dead jobs for these facilities, newest first."""
    return list(_dead_in(facility_ids).order_by("-finished_at", "-id")[:limit])


def dead_job_in(facility_ids: Iterable[int], job_id: int) -> Job:
    job = _dead_in(facility_ids).filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    return job
