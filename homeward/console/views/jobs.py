"""Background jobs that gave up, so an admin can see why and try them again."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from homeward.console.access import admin_required
from homeward.console.requests import StaffRequest
from homeward.core.errors import Conflict, NotFound
from homeward.jobs import access as job_access
from homeward.jobs import services
from homeward.people import access


def _administered(request: StaffRequest) -> list[int]:
    facilities = access.staff_facilities(request.user, access.ADMIN_ROLES)
    return list(facilities.values_list("id", flat=True))


@admin_required
def dead_jobs(request: StaffRequest) -> HttpResponse:
    context = {"jobs": job_access.dead_jobs_in(_administered(request))}
    return render(request, "console/jobs.html", context)


@require_POST
@admin_required
def retry(request: StaffRequest, job_id: int) -> HttpResponse:
    try:
        job = job_access.dead_job_in(_administered(request), job_id)
    except NotFound:
        raise Http404("No such job.") from None
    try:
        services.retry_dead(job_id=job.pk, actor=request.user)
    except Conflict:  # someone retried it a moment ago
        messages.info(request, "That job is already queued again.")
        return redirect("console:jobs")
    messages.success(request, f"Job {job.kind} #{job.pk} is queued to run again.")
    return redirect("console:jobs")
