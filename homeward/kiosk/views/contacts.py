"""Adding contacts from the kiosk: answering requests, and inviting by email."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from homeward.connections import access as connection_access
from homeward.connections import services as connection_services
from homeward.connections.models import Connection
from homeward.core import clock
from homeward.core.errors import DomainError
from homeward.core.views import show_error
from homeward.kiosk.auth import resident_required
from homeward.kiosk.forms import InviteForm
from homeward.kiosk.requests import KioskRequest
from homeward.kiosk.views.common import (
    connection_or_404,
    contact_name,
    invites_used,
    nav_context,
)
from homeward.people.models import Resident

C = Connection.Status


@require_http_methods(["GET"])
@resident_required
def requests(request: KioskRequest) -> HttpResponse:
    resident = request.resident
    mine = connection_access.connections_of_resident(resident)
    context = {
        "waiting": mine.filter(status=C.REQUESTED).order_by("created_at"),
        "pending_staff": mine.filter(status=C.PENDING_STAFF).order_by("created_at"),
        **nav_context(request),
    }
    return render(request, "kiosk/requests.html", context)


def _result_message(connection: Connection) -> str:
    name = contact_name(connection)
    if connection.status == C.PENDING_STAFF:
        return _(
            "You accepted %(name)s. Waiting for staff approval: you can write to each other "
            "once staff approve."
        ) % {"name": name}
    if connection.status == C.ACTIVE:
        return _("You accepted %(name)s. You can now write to each other.") % {"name": name}
    return _("You declined the request from %(name)s.") % {"name": name}


def _respond(
    request: HttpRequest, resident: Resident, connection_id: int, *, accept: bool
) -> HttpResponse:
    # Scope first: someone else's request, or one that does not exist, is a 404.
    connection = connection_or_404(resident, connection_id)
    try:
        connection = connection_services.respond_to_request(
            resident=resident, connection_id=connection.pk, accept=accept
        )
    except DomainError as error:
        show_error(request, error)
    else:
        messages.success(request, _result_message(connection))
    return redirect("kiosk:requests")


@require_POST
@resident_required
def accept(request: KioskRequest, connection_id: int) -> HttpResponse:
    resident = request.resident
    return _respond(request, resident, connection_id, accept=True)


@require_POST
@resident_required
def decline(request: KioskRequest, connection_id: int) -> HttpResponse:
    resident = request.resident
    return _respond(request, resident, connection_id, accept=False)


def _invitations(resident: Resident) -> list[dict[str, object]]:
    """What the resident has sent, with what is happening to each invitation now."""
    now = clock.now()
    sent = connection_access.connections_of_resident(resident).filter(
        initiated_by=Connection.Side.RESIDENT
    )
    rows: list[dict[str, object]] = []
    for connection in sent.order_by("-created_at"):
        lapsed = (
            connection.status == C.INVITED
            and connection.invite_expires_at is not None
            and connection.invite_expires_at < now
        )
        rows.append(
            {
                "connection": connection,
                "email": connection.invite_email
                or (connection.contact and connection.contact.email),
                "status": C.EXPIRED if lapsed else connection.status,
                "status_label": C.EXPIRED.label if lapsed else connection.get_status_display(),
                "waiting": connection.status == C.INVITED and not lapsed,
            }
        )
    return rows


def _invite_result(connection: Connection, email: str, days: int, *, new: bool) -> str:
    if connection.status == C.INVITED and not new:
        return _("You invited %(email)s already; the invitation is waiting for their answer.") % {
            "email": email
        }
    if connection.status == C.INVITED:
        return ngettext(
            "We emailed your invitation to %(email)s. They have %(days)s day to accept it; "
            "you will see here when they do.",
            "We emailed your invitation to %(email)s. They have %(days)s days to accept it; "
            "you will see here when they do.",
            days,
        ) % {"email": email, "days": days}
    if connection.status == C.ACTIVE:
        return _("You are already connected with %(name)s.") % {"name": contact_name(connection)}
    if connection.status == C.PENDING_STAFF:
        return _("Your connection with %(name)s is waiting for staff approval.") % {
            "name": contact_name(connection)
        }
    return _("This invitation is %(status)s.") % {"status": connection.get_status_display().lower()}


@require_http_methods(["GET", "POST"])
@resident_required
def invite(request: KioskRequest) -> HttpResponse:
    resident = request.resident
    form = InviteForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            email = form.cleaned_data["email"].strip().lower()
            asked = clock.now()
            try:
                connection = connection_services.invite_contact(resident=resident, email=email)
            except DomainError as error:
                show_error(request, error)
                status = error.status
            else:
                days = resident.facility.policy.invite_days
                new = connection.updated_at >= asked  # sent now, not one already waiting
                messages.success(request, _invite_result(connection, email, days, new=new))
                return redirect("kiosk:invite")
        else:
            status = 400
    context = {
        "form": form,
        "invitations": _invitations(resident),
        "invite_days": resident.facility.policy.invite_days,
        **nav_context(request),
    }
    template = "kiosk/invite.html" if invites_used(resident) else "kiosk/invite_not_used.html"
    return render(request, template, context, status=status)
