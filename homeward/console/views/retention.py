"""Retention and legal holds for agency admins: how long their agency keeps message text,
what the daily job removes next and when, and the holds that stop it. Everyone else gets a
403 page; another agency's hold is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from homeward.console.access import administered_agency, auditor_required
from homeward.console.requests import StaffRequest
from homeward.console.retention_forms import HoldForm, PeriodForm, ReleaseForm
from homeward.core import clock
from homeward.core.errors import DomainError, NotFound
from homeward.monitoring import access as monitoring_access
from homeward.monitoring import retention
from homeward.people import notices


@auditor_required
def page(request: StaffRequest) -> HttpResponse:
    now = clock.now()
    agencies = [
        {
            "agency": agency,
            "period_form": PeriodForm(
                initial={"days": agency.message_retention_days}, prefix=f"a{agency.pk}"
            ),
            "outlook": retention.outlook(agency, now),
            "notice": notices.current(agency),
            "holds": retention.holds_of(agency).select_related(
                "resident", "contact", "case", "placed_by"
            ),
        }
        for agency in monitoring_access.retention_agencies(request.user)
    ]
    context = {"agencies": agencies, "hold_form": HoldForm()}
    return render(request, "console/retention.html", context)


@require_POST
@auditor_required
def set_period(request: StaffRequest, agency_id: int) -> HttpResponse:
    agency = administered_agency(request.user, agency_id)
    form = PeriodForm(request.POST, prefix=f"a{agency.pk}")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("console:retention")
    try:
        retention.set_period(staff=request.user, agency=agency, days=form.cleaned_data["days"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The retention period is saved.")
    return redirect("console:retention")


@require_POST
@auditor_required
def place_hold(request: StaffRequest, agency_id: int) -> HttpResponse:
    agency = administered_agency(request.user, agency_id)
    form = HoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what to hold, which one, and why.")
        return redirect("console:retention")
    try:
        subject = monitoring_access.subject_named(
            agency, form.cleaned_data["kind"], form.cleaned_data["subject"]
        )
        retention.place_hold(
            staff=request.user, agency=agency, subject=subject, reason=form.cleaned_data["reason"]
        )
    except NotFound:
        messages.error(
            request,
            f"No {form.cleaned_data['kind']} “{form.cleaned_data['subject']}” at {agency.name}.",
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, "The hold is placed: nothing it covers is removed until it is released."
        )
    return redirect("console:retention")


@require_POST
@auditor_required
def release_hold(request: StaffRequest, hold_id: int) -> HttpResponse:
    try:
        hold = monitoring_access.hold_for(staff=request.user, hold_id=hold_id)
    except NotFound:
        raise Http404("No such hold.") from None
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the hold is released.")
        return redirect("console:retention")
    try:
        retention.release_hold(staff=request.user, hold=hold, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The hold is released.")
    return redirect("console:retention")
