"""The resident's inbox and conversations: read, reply, block."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from homeward.connections import access as connection_access
from homeward.connections import services as connection_services
from homeward.connections.models import Connection
from homeward.core import clock, form_tokens, keyset
from homeward.core.errors import DomainError, NotFound
from homeward.core.ids import whole_number
from homeward.core.views import show_error
from homeward.enforcement import appeals, restrictions
from homeward.kiosk.auth import resident_required
from homeward.kiosk.forms import ReplyForm
from homeward.kiosk.requests import KioskRequest
from homeward.kiosk.views.common import connection_or_404, contact_name, nav_context
from homeward.ledger import charges, pricing
from homeward.ledger.pricing.words import reply_payer_words
from homeward.messaging import selectors as message_selectors
from homeward.messaging import services as message_services
from homeward.messaging import words as message_words
from homeward.messaging.models import Message
from homeward.notifications import access as notification_access
from homeward.notifications import services as notification_services
from homeward.people.models import Resident
from homeward.photos import access as photo_access
from homeward.photos.files import photo_response
from homeward.photos.models import Photo
from homeward.screening import categories

C = Connection.Status
CLOSED = (C.BLOCKED, C.ENDED)
# Messages on one page of a conversation on the kiosk; links lead to earlier and later ones.
PAGE_SIZE = 30
# Conversations on one page of the inbox.
INBOX_PAGE = 20


@dataclass
class InboxRow:
    connection: Connection
    unread: int


def _inbox_connections(resident: Resident) -> QuerySet[Connection]:
    """Active conversations, and closed ones that still have messages to look back on, the
    most recently changed first."""
    mine = connection_access.connections_of_resident(resident)
    mine = mine.annotate(has_messages=message_selectors.has_messages())
    found = mine.filter(Q(status=C.ACTIVE) | Q(status__in=CLOSED, has_messages=True))
    return found.order_by("-updated_at", "-pk")


@require_GET
@resident_required
def inbox(request: KioskRequest) -> HttpResponse:
    """The resident's conversations, ``INBOX_PAGE`` to a page (a long stay gathers many
    past ones; a page that is not a number shows the first, one out of range the last),
    and the notices they have not seen."""
    resident = request.resident
    unread = message_selectors.unread_counts_for_resident(resident.pk)
    page = Paginator(_inbox_connections(resident), INBOX_PAGE).get_page(request.GET.get("page"))
    rows = [InboxRow(connection, unread.get(connection.pk, 0)) for connection in page]
    notices, more_notices = notification_access.unread_notices(resident)
    context = {
        "rows": rows,
        "page": page,
        "notices": notices,
        "more_notices": more_notices,
        **nav_context(request),
    }
    return render(request, "kiosk/inbox.html", context)


@require_POST
@resident_required
def notices_read(request: KioskRequest) -> HttpResponse:
    """The resident dismissed the notices they were shown (only their own: the service
    scopes to them); one that arrived after the page was drawn, or an older one beyond the
    page, stays for next time."""
    posted = request.POST.getlist("shown")[: notification_access.NOTICES_SHOWN]
    shown = [n for n in map(whole_number, posted) if n is not None]
    notification_services.mark_notices_read(resident=request.resident, shown=shown)
    return redirect("kiosk:inbox")


@dataclass
class MessageRow:
    message: Message
    mine: bool
    new: bool
    timeline: list[tuple[str, dt.datetime]]
    block_reason: str
    returned_because: str = ""  # in the reader's language
    appeal: appeals.Offer | None = None
    photos: list[Photo] = field(default_factory=list)  # approved, of a delivered message


def _message_rows(
    shown: list[Message], connection: Connection, newly_read: set[int]
) -> list[MessageRow]:
    show_reasons = connection.facility.policy.show_block_reasons
    rows = []
    offers = appeals.offers_for_messages(connection.resident, shown)
    delivered = (Message.Status.DELIVERED, Message.Status.READ)
    photos = photo_access.approved_of_messages(
        m.pk for m in shown if m.to_resident and m.status in delivered
    )
    for message in shown:
        mine = not message.to_resident
        reason = ""
        if mine and message.block_category and show_reasons:
            reason = categories.label(message.block_category)
        rows.append(
            MessageRow(
                message=message,
                mine=mine,
                new=message.pk in newly_read,
                timeline=message_selectors.shown_timeline(message) if mine else [],
                block_reason=reason,
                returned_because=message_words.return_reason(message),
                appeal=offers.get(message.pk),
                photos=photos.get(message.pk, []),
            )
        )
    return rows


def _mark_delivered_read(resident: Resident, connection: Connection) -> set[int]:
    """Opening the conversation reads it: the sender then sees 'read'."""
    return set(
        message_services.mark_conversation_read(reader=resident, connection_id=connection.pk)
    )


def _characters(body: str) -> int:
    """What the send will charge for: the text as the service keeps it; blank is 0, which
    prices as the shortest message."""
    try:
        return len(message_services.validate_body(body, limit=sys.maxsize))
    except DomainError:
        return 0


def _reply_price(connection: Connection, body: str) -> dict:
    """The price of the reply being written, shown next to Send (for an empty reply: the
    shortest one)."""
    now = clock.now()
    try:
        schedule = pricing.schedule_in_force(connection.facility_id, now)
    except DomainError:
        return {"unavailable": True}
    model = pricing.model_of(schedule)
    free = model.free_words(schedule, to_resident=False)
    if free:
        return {"free": free}
    preview = charges.preview(
        connection=connection, to_resident=False, characters=_characters(body), at=now
    )
    after = preview.balance_after
    return {
        "preview": preview,
        "payer_words": reply_payer_words(
            preview.price.payer, contact_name=contact_name(connection)
        ),
        "shortfall": -after if after is not None and after < 0 else 0,
        "note": model.kiosk_reply_note(schedule),
    }


def _render_conversation(
    request: KioskRequest,
    resident: Resident,
    connection: Connection,
    *,
    form: ReplyForm | None = None,
    newly_read: set[int] | None = None,
    status: int = 200,
) -> HttpResponse:
    limit = connection.facility.policy.message_length_limit
    restriction = restrictions.on(connection)
    if form is None:  # a page fetched by its address: its form's token is the address's
        form = ReplyForm(limit=limit, initial={"client_token": form_tokens.of_address(request)})
        form.fields["client_token"].widget.attrs["data-address-param"] = form_tokens.PARAM
    window = keyset.window(
        message_selectors.visible_to_resident(connection),
        size=PAGE_SIZE,
        **keyset.asked(request.GET),
    )
    context = {
        "connection": connection,
        "rows": _message_rows(window.rows, connection, newly_read or set()),
        "window": window,
        "form": form or ReplyForm(limit=limit),
        "limit": limit,
        "can_reply": connection.is_active and restriction is None,
        "restricted": restrictions.describe(restriction, reader=resident) if restriction else "",
        "restriction": restriction,
        "restriction_appeal": appeals.offer_for_restriction(resident, restriction)
        if restriction
        else None,
        **nav_context(request),
    }
    if context["can_reply"]:
        body = form.data.get("body", "") if form is not None and form.is_bound else ""
        context["price"] = _reply_price(connection, body)
    return render(request, "kiosk/conversation.html", context, status=status)


@require_GET
@resident_required
def conversation(request: KioskRequest, connection_id: int) -> HttpResponse:
    resident = request.resident
    connection = connection_or_404(resident, connection_id)
    newly_read = _mark_delivered_read(resident, connection)
    return _render_conversation(request, resident, connection, newly_read=newly_read)


ALREADY_USED = gettext_lazy(
    "This form already sent another reply, so this text was not sent. "
    "It is below: press Send to send it as a new reply."
)


@require_POST
@resident_required
def reply(request: KioskRequest, connection_id: int) -> HttpResponse:
    resident = request.resident
    connection = connection_or_404(resident, connection_id)
    limit = connection.facility.policy.message_length_limit
    form = ReplyForm(request.POST, limit=limit)
    form.is_valid()  # both fields are optional; the service judges the text
    token = form.cleaned_data.get("client_token", "").strip() or form_tokens.new()
    try:
        _sent, created = message_services.send_message(
            sender=resident,
            connection_id=connection.pk,
            body=form.cleaned_data.get("body", ""),
            client_token=token,
        )
    except DomainError as error:
        connection.refresh_from_db()
        if error.code == "idempotency_key_reused":  # the form sent another reply before
            messages.error(request, ALREADY_USED)
            data = request.POST.copy()
            data["client_token"] = form_tokens.new()  # Send now sends this text, once
            form = ReplyForm(data, limit=limit)
            form.is_valid()
        else:
            show_error(request, error)
        # Not enough money answers 402, like the API; what they wrote stays in the box.
        return _render_conversation(request, resident, connection, form=form, status=error.status)
    if created:
        messages.success(
            request,
            _(
                "Your reply is on its way. It is checked by the facility before it is "
                "delivered; you can follow it below."
            ),
        )
    else:  # the same form sent again (Back, a double tap): nothing more was sent
        messages.info(request, _("This reply was already sent; it was not sent or charged again."))
    return redirect(form_tokens.address(reverse("kiosk:conversation", args=[connection.pk])))


@require_POST
@resident_required
def block(request: KioskRequest, connection_id: int) -> HttpResponse:
    resident = request.resident
    connection = connection_or_404(resident, connection_id)
    try:
        connection_services.block(by=resident, connection_id=connection.pk)
    except DomainError as error:
        show_error(request, error)
        return redirect("kiosk:conversation", connection_id=connection.pk)
    messages.success(
        request,
        _(
            "You blocked %(name)s. They cannot write to you any more, and messages still on "
            "their way were returned."
        )
        % {"name": contact_name(connection)},
    )
    return redirect("kiosk:inbox")


@require_POST
@resident_required
def appeal_message(request: KioskRequest, connection_id: int, message_id: int) -> HttpResponse:
    """Appeal a blocked reply of the resident's."""
    resident = request.resident
    connection = connection_or_404(resident, connection_id)
    try:
        appeals.appeal_message(
            appellant=resident, message_id=message_id, statement=request.POST.get("statement", "")
        )
    except DomainError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Your appeal was sent. You will be told the decision here."))
    return redirect("kiosk:conversation", connection_id=connection.pk)


@require_POST
@resident_required
def appeal_restriction(request: KioskRequest, connection_id: int) -> HttpResponse:
    """Appeal the suspension or revocation that stops the resident's messaging on this
    conversation."""
    resident = request.resident
    connection = connection_or_404(resident, connection_id)
    restriction = restrictions.on(connection)
    if restriction is None:
        messages.error(
            request, _("Your messaging here is not suspended: there is nothing to appeal.")
        )
        return redirect("kiosk:conversation", connection_id=connection.pk)
    try:
        appeals.appeal_restriction(
            appellant=resident,
            restriction_id=restriction.pk,
            statement=request.POST.get("statement", ""),
        )
    except DomainError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Your appeal was sent. You will be told the decision here."))
    return redirect("kiosk:conversation", connection_id=connection.pk)


@require_GET
@resident_required
def photo(request: KioskRequest, photo_id: int) -> HttpResponse:
    """One photo sent to this resident, full screen: the whole picture and the way back."""
    try:
        shown = photo_access.shown_to_resident(request.resident, photo_id)
    except NotFound:
        raise Http404("No such photo.") from None
    message = shown.message
    assert message is not None  # a photo shown to a resident was sent with a message
    context = {"photo": shown, "connection_id": message.connection_id, **nav_context(request)}
    return render(request, "kiosk/photo.html", context)


@require_GET
@resident_required
def photo_file(request: KioskRequest, photo_id: int, size: str) -> HttpResponse:
    try:
        shown = photo_access.shown_to_resident(request.resident, photo_id)
    except NotFound:
        raise Http404("No such photo.") from None
    return photo_response(shown, size)
