"""Conversations: the list, one conversation with every message's timeline, and sending."""

from __future__ import annotations

import re
import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from homeward.connections import selectors as connection_selectors
from homeward.connections.models import Connection
from homeward.core.errors import DomainError, NotFound
from homeward.core.views import show_error
from homeward.messaging import selectors
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import Contact
from homeward.web import words
from homeward.web.access import contact_required

S = Message.Status
TOKEN = re.compile(r"^[0-9a-f]{32}$")


@require_GET
@contact_required
def conversation_list(request: HttpRequest, *, contact: Contact) -> HttpResponse:
    conversations = [
        {"connection": c, "short_name": words.short_name(c.resident)}
        for c in selectors.conversations_of_contact(contact)
    ]
    return render(request, "web/conversations.html", {"conversations": conversations})


def _connection(contact: Contact, connection_id: int) -> Connection:
    try:
        return connection_selectors.connection_for_contact(contact, connection_id)
    except NotFound as error:
        raise Http404(error.message) from None


def _mark_replies_read(contact: Contact, connection: Connection) -> None:
    """Opening the conversation is reading it: the resident sees their replies were read."""
    messaging.mark_conversation_read(reader=contact, connection_id=connection.pk)


def why_no_compose(connection: Connection) -> str:
    """Why the contact cannot write here, or '' when they can."""
    resident = connection.resident
    if not resident.in_custody:
        return f"{resident.first_name} has been released, so messaging here has ended."
    if resident.facility_id != connection.facility_id:
        return f"{resident.first_name} is no longer at {connection.facility.name}."
    if not connection.is_active:
        return f"You cannot write here: {words.connection_words(connection)}"
    return ""


def _page(
    request: HttpRequest,
    connection: Connection,
    *,
    body: str = "",
    client_token: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    policy = connection.facility.policy
    items = [
        {
            "message": m,
            "mine": m.to_resident,
            "timeline": selectors.timeline(m),
            "outcome": words.message_outcome(m, show_reasons=policy.show_block_reasons),
        }
        for m in selectors.visible_to_contact(connection)
    ]
    context = {
        "connection": connection,
        "short_name": words.short_name(connection.resident),
        "items": items,
        "policy": policy,
        "why_no_compose": why_no_compose(connection),
        "body": body,
        "error": error,
        "client_token": client_token or uuid.uuid4().hex,
        "status_words": words.connection_words(connection),
        "zone_name": connection.facility.timezone.replace("_", " "),
    }
    return render(request, "web/conversation.html", context, status=status)


@require_GET
@contact_required
def conversation_detail(
    request: HttpRequest, connection_id: int, *, contact: Contact
) -> HttpResponse:
    connection = _connection(contact, connection_id)
    _mark_replies_read(contact, connection)
    return _page(request, connection)


@require_POST
@contact_required
def send(request: HttpRequest, connection_id: int, *, contact: Contact) -> HttpResponse:
    connection = _connection(contact, connection_id)
    body = request.POST.get("body", "")
    token = request.POST.get("client_token", "").strip().lower()
    # A token we did not make is dropped: a fresh one still sends the message once.
    token = token if TOKEN.match(token) else uuid.uuid4().hex
    try:
        message = messaging.send_message(
            sender=contact, connection_id=connection.pk, body=body, client_token=token
        )
    except DomainError as error:
        if isinstance(error, NotFound):
            show_error(request, error)
        # Keep what they wrote: nothing typed is lost to a refusal.
        return _page(
            request,
            connection,
            body=body,
            client_token=token,
            error=error.message,
            status=error.status,
        )
    messages.success(request, words.sent_words(message))
    url = reverse("web:conversation", args=[connection.pk])
    return redirect(f"{url}#message-{message.pk}")


def price(*args, **kwargs):  # type: ignore[no-untyped-def]  # placeholder, being written
    raise Http404()
