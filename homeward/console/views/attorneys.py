"""The privileged attorney channel for agency admins: offer it or not, verify attorneys,
make their connections privileged. Everyone else gets a 403 page; another agency's is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from homeward.console.access import administered_agency, auditor_required
from homeward.console.attorney_forms import ChannelForm, PrivilegeForm, VerifyForm
from homeward.console.requests import StaffRequest
from homeward.core.errors import DomainError, NotFound
from homeward.monitoring import access as monitoring_access
from homeward.monitoring import privileged


@auditor_required
def page(request: StaffRequest) -> HttpResponse:
    agencies = [
        {
            "agency": agency,
            "attorneys": privileged.attorneys_of(agency),
            "connections": privileged.privileged_connections(agency),
        }
        for agency in monitoring_access.retention_agencies(request.user)
    ]
    context = {"agencies": agencies, "verify_form": VerifyForm()}
    return render(request, "console/attorneys.html", context)


@require_POST
@auditor_required
def offer(request: StaffRequest, agency_id: int) -> HttpResponse:
    agency = administered_agency(request.user, agency_id)
    form = ChannelForm(request.POST)
    offered = form.is_valid() and form.cleaned_data["offered"]
    try:
        privileged.set_offered(staff=request.user, agency=agency, offered=offered)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Saved.")
    return redirect("console:attorneys")


@require_POST
@auditor_required
def verify(request: StaffRequest, agency_id: int) -> HttpResponse:
    agency = administered_agency(request.user, agency_id)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the attorney's email, bar number and state.")
        return redirect("console:attorneys")
    try:
        contact = monitoring_access.contact_at(agency, form.cleaned_data["email"])
        privileged.verify_attorney(
            staff=request.user,
            agency=agency,
            contact=contact,
            bar_number=form.cleaned_data["bar_number"],
            bar_state=form.cleaned_data["bar_state"],
        )
    except NotFound:
        messages.error(request, f"No contact with that email is connected at {agency.name}.")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{contact.display_name} is verified as an attorney.")
    return redirect("console:attorneys")


@require_POST
@auditor_required
def make_privileged(request: StaffRequest, agency_id: int) -> HttpResponse:
    agency = administered_agency(request.user, agency_id)
    form = PrivilegeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the connection's number.")
        return redirect("console:attorneys")
    try:
        connection = monitoring_access.connection_at(agency, form.cleaned_data["connection"])
        privileged.make_privileged(staff=request.user, connection=connection)
    except NotFound:
        messages.error(request, f"No such connection at {agency.name}.")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The connection is privileged now.")
    return redirect("console:attorneys")
