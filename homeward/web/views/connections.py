"""The contact's connections: see where each stands, answer invitations, withdraw a
request, block."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from homeward.connections import access as connection_access
from homeward.connections import services as connections
from homeward.connections.models import Connection
from homeward.connections.words import after_request_words, connection_next_step, connection_words
from homeward.core.errors import DomainError
from homeward.core.views import show_error
from homeward.people.words import short_name
from homeward.web.access import contact_of, contact_required
from homeward.web.requests import ContactRequest

C = Connection.Status
# Statuses a contact may still block from (the transition table allows these).
BLOCKABLE = frozenset({C.REQUESTED, C.INVITED, C.PENDING_STAFF, C.ACTIVE})


def _row(connection: Connection) -> dict:
    return {
        "connection": connection,
        "short_name": short_name(connection.resident),
        "words": connection_words(connection),
        "next_step": connection_next_step(connection),
        "can_block": connection.status in BLOCKABLE,
        "can_withdraw": connection.status in connections.WITHDRAWABLE,
    }


@require_GET
@contact_required
def connection_list(request: ContactRequest) -> HttpResponse:
    contact = request.contact
    everything = list(connection_access.connections_of_contact(contact).order_by("-updated_at"))
    invitations = [_row(c) for c in everything if c.status == C.INVITED]
    others = [_row(c) for c in everything if c.status != C.INVITED]
    context = {
        "invitations": invitations,
        "others": others,
        "unverified_email": "" if contact.email_verified_at else contact.user.email,
    }
    return render(request, "web/connections.html", context)


def _act(
    request: HttpRequest, action: Callable[[], Connection], done: Callable[[Connection], str]
) -> HttpResponse:
    """Run one connection change; say what happened, or why it did not."""
    try:
        connection = action()
    except DomainError as error:
        show_error(request, error)  # out of scope: 404; anything else: a message
    else:
        messages.success(request, done(connection))
    return redirect("web:connections")


@require_POST
@contact_required
def accept(request: ContactRequest, connection_id: int) -> HttpResponse:
    contact = request.contact
    return _act(
        request,
        lambda: connections.respond_to_invitation(
            contact=contact, connection_id=connection_id, accept=True
        ),
        after_request_words,
    )


@require_POST
@contact_required
def decline(request: ContactRequest, connection_id: int) -> HttpResponse:
    contact = request.contact
    return _act(
        request,
        lambda: connections.respond_to_invitation(
            contact=contact, connection_id=connection_id, accept=False
        ),
        lambda c: _("You declined the invitation from %(name)s.") % {"name": c.resident.first_name},
    )


@require_POST
@contact_required
def block(request: ContactRequest, connection_id: int) -> HttpResponse:
    contact = request.contact
    return _act(
        request,
        lambda: connections.block(by=contact, connection_id=connection_id),
        lambda c: (
            _(
                "You blocked %(name)s. Neither of you can send messages on this connection, "
                "and messages still on their way were returned."
            )
            % {"name": c.resident.first_name}
        ),
    )


@require_POST
@contact_required
def withdraw(request: ContactRequest, connection_id: int) -> HttpResponse:
    contact = request.contact
    return _act(
        request,
        lambda: connections.withdraw(contact=contact, connection_id=connection_id),
        lambda c: (
            _("You withdrew your request to %(name)s. You can ask again from the facility page.")
            % {"name": c.resident.first_name}
        ),
    )


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation email. Anyone holding it sees whose invitation it is and
    how to answer: create an account with the invited address, or sign in with it. The
    contact signed in with that address answers it here."""
    try:
        found = connections.invitation_of(token)
    except DomainError as error:
        return render(request, "web/invitation.html", {"error": error}, status=404)
    contact = contact_of(request)
    if request.method == "POST":
        accept = request.POST.get("answer") == "accept"
        if contact is None and accept:
            return redirect_to_login(request.get_full_path())
        invited = contact is not None and contact.user.email.lower() == found.invite_email.lower()
        try:
            if not accept and not invited:  # declining needs only the link sent to them
                connection = connections.decline_invitation_link(token=token)
            else:
                assert contact is not None
                connection = connections.answer_invitation_link(
                    contact=contact, token=token, accept=accept
                )
        except DomainError as error:
            if error.status in (403, 404):  # not theirs: say so, and change nothing
                refused = {"error": error}
                return render(request, "web/invitation.html", refused, status=error.status)
            show_error(request, error)
            return redirect("web:invitation", token=token)
        if accept:
            messages.success(request, after_request_words(connection))
            return redirect("web:connections")
        messages.success(
            request,
            _("You declined the invitation from %(name)s.")
            % {"name": connection.resident.first_name},
        )
        return redirect("web:connections" if invited else "web:home")
    here = request.get_full_path()
    signup = urlencode({"next": here, "email": found.invite_email})  # the address filled in
    context = {
        "invitation": found,
        "short_name": short_name(found.resident),
        "contact": contact,
        "signed_in_as_invited": contact is not None
        and contact.user.email.lower() == found.invite_email.lower(),
        "pending": found.status == C.INVITED,
        "signup": f"{reverse('web:signup')}?{signup}",
        "signin": f"{reverse('web:signin')}?{urlencode({'next': here})}",
    }
    return render(request, "web/invitation.html", context)
