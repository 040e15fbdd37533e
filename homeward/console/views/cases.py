"""Cases: investigators and admins gather messages of their facilities and export them as
a signed bundle. Reviewers get a 403 page; another agency's case, or a message outside the
staff member's facilities, is not found."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from homeward.console.access import searcher_required
from homeward.console.case_forms import AddToCaseForm, OpenCaseForm
from homeward.console.requests import StaffRequest
from homeward.core import keyset
from homeward.core.errors import DomainError, NotFound
from homeward.monitoring import cases as case_service
from homeward.monitoring.models import Case


@searcher_required
def index(request: StaffRequest) -> HttpResponse:
    agencies = case_service.agencies_of(request.user)
    form = OpenCaseForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            case = case_service.open_case(
                staff=request.user,
                agency=form.cleaned_data["agency"],
                name=form.cleaned_data["name"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("console:case", case.pk)
    context = {"cases": case_service.cases_for(request.user)[:200], "form": form}
    return render(request, "console/cases.html", context, status=400 if form.errors else 200)


def _case(request: StaffRequest, case_id: int) -> Case:
    try:
        return case_service.case_for(staff=request.user, case_id=case_id)
    except NotFound:
        raise Http404("No such case.") from None


@searcher_required
def case(request: StaffRequest, case_id: int) -> HttpResponse:
    found = _case(request, case_id)
    window = case_service.read_page(staff=request.user, case=found, **keyset.asked(request.GET))
    context = {
        "case": found,
        "window": window,
        "hidden": case_service.unreadable_count(staff=request.user, case=found),
    }
    return render(request, "console/case.html", context)


@require_POST
@searcher_required
def add(request: StaffRequest) -> HttpResponse:
    form = AddToCaseForm(request.POST, cases=case_service.cases_for(request.user))
    if not form.is_valid():
        if "case" in form.errors:
            raise Http404("No such case.")
        messages.error(request, "Choose the messages to add.")
        return redirect("console:search")
    found = form.cleaned_data["case"]
    try:
        added = case_service.add_messages(
            staff=request.user, case=found, message_ids=form.cleaned_data["message"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{added} message{'s' if added != 1 else ''} added.")
    return redirect("console:case", found.pk)


@require_POST
@searcher_required
def remove(request: StaffRequest, case_id: int, message_id: int) -> HttpResponse:
    found = _case(request, case_id)
    try:
        case_service.remove_message(staff=request.user, case=found, message_id=message_id)
    except NotFound:
        raise Http404("No such message in this case.") from None
    messages.success(request, "The message is no longer in the case.")
    return redirect("console:case", found.pk)


@require_POST
@searcher_required
def export(request: StaffRequest, case_id: int) -> HttpResponse:
    found = _case(request, case_id)
    bundle = case_service.export(staff=request.user, case=found)
    response = HttpResponse(bundle.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{bundle.filename}"'
    response["X-Manifest-SHA256"] = bundle.manifest_sha256
    return response
