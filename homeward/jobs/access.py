"""Which failed jobs a staff member may see: those for the facilities they administer, and
work of the whole deployment (which names no facility). Any other job is "not found"."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from homeward.core.errors import NotFound
from homeward.jobs.models import Job

JOB_LIMIT = 200


def _dead_in(facility_ids: Iterable[int]) -> QuerySet[Job]:
    mine = Q(facility_id__in=list(facility_ids)) | Q(facility_id__isnull=True)
    return Job.objects.filter(mine, status=Job.Status.DEAD)


def dead_jobs_in(facility_ids: Iterable[int], *, limit: int = JOB_LIMIT) -> list[Job]:
    """The newest dead jobs for these facilities and the deployment, newest first."""
    return list(_dead_in(facility_ids).order_by("-finished_at", "-id")[:limit])


def dead_job_in(facility_ids: Iterable[int], job_id: int) -> Job:
    job = _dead_in(facility_ids).filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    return job
