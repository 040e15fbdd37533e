"""Connections that need staff: approve or deny new ones, end active ones."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from homeward.connections import access as connection_access
from homeward.connections import services
from homeward.connections.models import Connection
from homeward.console.access import reviewer_required
from homeward.console.forms import ConnectionDecisionForm, EndConnectionForm
from homeward.console.requests import StaffRequest
from homeward.core import keyset
from homeward.core.errors import DomainError, NotFound
from homeward.core.views import show_error


def _in_scope(request: StaffRequest, connection_id: int) -> Connection:
    # The services check scope too, but a connection id that does not exist at all would
    # fail there with a server error; this turns every out-of-scope id into a plain 404.
    try:
        return connection_access.connection_for_reviewer(request.user, connection_id)
    except NotFound:
        raise Http404("No such connection.") from None


# Connections waiting for approval on one page, the longest-waiting first.
PAGE_SIZE = 50


@reviewer_required
def waiting(request: StaffRequest) -> HttpResponse:
    # Read from the front a page after the last one seen (no OFFSET, no count), however
    # many are waiting.
    after = request.GET.get("after", "")
    page = keyset.forward(
        connection_access.connections_awaiting(request.user),
        size=PAGE_SIZE,
        after=after,
        field="updated_at",
    )
    context = {"connections": page.rows, "page": page, "after": after}
    return render(request, "console/connections.html", context)


@require_POST
@reviewer_required
def decide(request: StaffRequest, connection_id: int) -> HttpResponse:
    _in_scope(request, connection_id)
    form = ConnectionDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(map(str, errors)))
        return redirect("console:connections")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        connection = services.staff_decide(
            staff=request.user,
            connection_id=connection_id,
            approve=approve,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        show_error(request, error)
        return redirect("console:connections")
    who = connection.contact.display_name if connection.contact else connection.invite_email
    verb = "approved; they can write now" if approve else "denied"
    messages.success(
        request, f"The connection of {who} with {connection.resident.full_name} is {verb}."
    )
    return redirect("console:connections")


@require_POST
@reviewer_required
def end(request: StaffRequest, connection_id: int) -> HttpResponse:
    connection = _in_scope(request, connection_id)
    form = EndConnectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the connection is ended.")
    else:
        try:
            services.staff_end(
                staff=request.user,
                connection_id=connection_id,
                reason=form.cleaned_data["reason"],
            )
            messages.success(
                request, "The connection is ended. Messages on their way were returned."
            )
        except DomainError as error:
            show_error(request, error)
    return redirect("console:resident", resident_id=connection.resident_id)
