"""Conversations: the list, one conversation with every message's timeline, and sending."""

from __future__ import annotations

import sys

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from homeward.connections import access as connection_access
from homeward.connections.models import Connection
from homeward.connections.words import connection_words
from homeward.core import clock, form_tokens, keyset
from homeward.core.errors import DomainError, NotFound
from homeward.core.ids import whole_number
from homeward.core.views import show_error
from homeward.enforcement import appeals, restrictions
from homeward.ledger import charges, pricing
from homeward.ledger.pricing.words import payer_words
from homeward.messaging import selectors
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.messaging.words import message_outcome, sent_words
from homeward.people import notices
from homeward.people.models import Contact
from homeward.people.words import short_name
from homeward.web.access import contact_required
from homeward.web.requests import ContactRequest

S = Message.Status
ALREADY_USED = gettext_lazy(
    "This form already sent another message, so this text was not sent. "
    "It is below: press Send to send it as a new message."
)
# The live price asks with a character count; more than any facility allows is refused by
# the send anyway, so a bigger number is only priced as this many.
MAX_PRICED_CHARACTERS = 1_000_000
# Messages on one page of a conversation; "Earlier messages" leads to the ones before.
PAGE_SIZE = 50


@require_GET
@contact_required
def conversation_list(request: ContactRequest) -> HttpResponse:
    contact = request.contact
    conversations = [
        {"connection": c, "short_name": short_name(c.resident)}
        for c in selectors.conversations_of_contact(contact)
    ]
    return render(request, "web/conversations.html", {"conversations": conversations})


def _connection(contact: Contact, connection_id: int) -> Connection:
    try:
        return connection_access.connection_for_contact(contact, connection_id)
    except NotFound as error:
        raise Http404(error.message) from None


def _mark_replies_read(contact: Contact, connection: Connection) -> None:
    """Opening the conversation is reading it: the resident sees their replies were read."""
    messaging.mark_conversation_read(reader=contact, connection_id=connection.pk)


def why_no_compose(connection: Connection) -> str:
    """Why the contact cannot write here, or '' when they can."""
    resident = connection.resident
    if not resident.in_custody:
        return _("%(name)s has been released, so messaging here has ended.") % {
            "name": resident.first_name
        }
    if resident.facility_id != connection.facility_id:
        return _("%(name)s is no longer at %(facility)s.") % {
            "name": resident.first_name,
            "facility": connection.facility.name,
        }
    if not connection.is_active:
        return _("You cannot write here: %(why)s") % {"why": connection_words(connection)}
    restriction = restrictions.on(connection)
    if restriction is not None:
        return restrictions.describe(restriction, reader=connection.contact)
    return ""


def _page(
    request: HttpRequest,
    connection: Connection,
    *,
    body: str = "",
    client_token: str = "",
    prepaid_reply: bool = False,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    policy = connection.facility.policy
    no_compose = why_no_compose(connection)
    contact = connection.contact
    window = keyset.window(
        selectors.visible_to_contact(connection),
        size=PAGE_SIZE,
        **keyset.asked(request.GET),
    )
    shown = window.rows
    offers = appeals.offers_for_messages(contact, shown) if contact is not None else {}
    items = [
        {
            "message": m,
            "mine": m.to_resident,
            "timeline": selectors.shown_timeline(m),
            "outcome": message_outcome(m, show_reasons=policy.show_block_reasons),
            "appeal": offers.get(m.pk),
        }
        for m in shown
    ]
    restriction = restrictions.on(connection)
    agency = connection.facility.agency
    # The agency's notice is asked for in the form until this contact has accepted it.
    notice = (
        None
        if no_compose or contact is None or notices.has_accepted(contact, agency.pk)
        else notices.current(agency)
    )
    context = {
        "connection": connection,
        "short_name": short_name(connection.resident),
        "items": items,
        "window": window,
        "policy": policy,
        "why_no_compose": no_compose,
        "price_box": None
        if no_compose
        else price_box(
            connection, characters=charged_characters(body), prepaid_reply=prepaid_reply
        ),
        "body": body,
        "error": error,
        "client_token": client_token or form_tokens.new(),
        # Only a page fetched by its address can carry its token there (not a refusal
        # shown in answer to a send).
        "token_param": form_tokens.PARAM if request.method == "GET" else "",
        "status_words": connection_words(connection),
        "zone_name": connection.facility.timezone.replace("_", " "),
        "restriction": restriction,
        "agency_notice": notice,
        "agency_notice_text": notices.sentences(notice) if notice else [],
        "restriction_appeal": appeals.offer_for_restriction(contact, restriction)
        if restriction is not None and contact is not None
        else None,
    }
    return render(request, "web/conversation.html", context, status=status)


@require_POST
@contact_required
def appeal_message(request: ContactRequest, connection_id: int, message_id: int) -> HttpResponse:
    contact = request.contact
    connection = _connection(contact, connection_id)
    try:
        appeals.appeal_message(
            appellant=contact, message_id=message_id, statement=request.POST.get("statement", "")
        )
    except NotFound:
        raise Http404("No such message.") from None
    except DomainError as error:
        messages.error(request, _("Your appeal was not sent: %(why)s") % {"why": error.message})
    else:
        messages.success(request, _("Your appeal was sent. You will be told the decision."))
    url = reverse("web:conversation", args=[connection.pk])
    return redirect(f"{url}#message-{message_id}")


@require_POST
@contact_required
def appeal_restriction(request: ContactRequest, connection_id: int) -> HttpResponse:
    contact = request.contact
    connection = _connection(contact, connection_id)
    restriction = restrictions.on(connection)
    if restriction is None:
        messages.error(
            request, _("Your messaging here is not suspended: there is nothing to appeal.")
        )
        return redirect("web:conversation", connection_id=connection.pk)
    try:
        appeals.appeal_restriction(
            appellant=contact,
            restriction_id=restriction.pk,
            statement=request.POST.get("statement", ""),
        )
    except NotFound:
        messages.error(request, _("Only the person whose messaging is stopped can appeal it."))
    except DomainError as error:
        messages.error(request, _("Your appeal was not sent: %(why)s") % {"why": error.message})
    else:
        messages.success(request, _("Your appeal was sent. You will be told the decision."))
    return redirect("web:conversation", connection_id=connection.pk)


@require_GET
@contact_required
def conversation_detail(request: ContactRequest, connection_id: int) -> HttpResponse:
    contact = request.contact
    connection = _connection(contact, connection_id)
    _mark_replies_read(contact, connection)
    return _page(request, connection, client_token=form_tokens.of_address(request))


@require_POST
@contact_required
def send(request: ContactRequest, connection_id: int) -> HttpResponse:
    contact = request.contact
    connection = _connection(contact, connection_id)
    body = request.POST.get("body", "")
    prepaid_reply = request.POST.get("prepaid_reply") == "1"
    # A token we did not make is replaced: a fresh one still sends the message once.
    token = form_tokens.checked(request.POST.get("client_token", ""))
    try:
        if request.POST.get("accept_agency_notice"):
            notices.accept(
                contact=contact,
                agency=connection.facility.agency,
                version=whole_number(request.POST.get("agency_notice_version", "")) or 0,
            )
        message, created = messaging.send_message(
            sender=contact,
            connection_id=connection.pk,
            body=body,
            client_token=token,
            prepaid_reply=prepaid_reply,
        )
    except DomainError as error:
        if isinstance(error, NotFound):
            show_error(request, error)
        reused = error.code == "idempotency_key_reused"
        # Keep what they wrote: nothing typed is lost to a refusal. A form already used for
        # another message gets a fresh token, so Send now sends this text once.
        return _page(
            request,
            connection,
            body=body,
            client_token=form_tokens.new() if reused else token,
            prepaid_reply=prepaid_reply,
            error=str(ALREADY_USED) if reused else error.message,
            status=error.status,
        )
    if created:
        messages.success(request, sent_words(message))
    else:  # the same form sent again (Back, a double tap, a retry): nothing more was sent
        messages.info(
            request, _("This message was already sent; it was not sent or charged again.")
        )
    url = reverse("web:conversation", args=[connection.pk])
    return redirect(form_tokens.address(url, anchor=f"message-{message.pk}"))


def charged_characters(body: str) -> int:
    """How many characters the send will charge for: the text as the service keeps it
    (line endings made one, control characters dropped, ends trimmed). A blank draft is 0,
    which prices as the shortest message."""
    try:
        return len(messaging.validate_body(body, limit=sys.maxsize))
    except DomainError:
        return 0


def _characters_asked(query: QueryDict) -> int:
    """The live price is asked with ``characters`` (the page counts them, so the text
    itself stays out of addresses and logs) or with the ``body`` itself."""
    if "body" in query:
        return charged_characters(query.get("body", ""))
    try:
        count = int(query.get("characters", "0"))
    except ValueError:
        return 0
    return min(max(count, 0), MAX_PRICED_CHARACTERS)


def price_box(connection: Connection, *, characters: int, prepaid_reply: bool) -> dict:
    """What the price box next to Send shows for a message of ``characters``."""
    now = clock.now()
    try:
        schedule = pricing.schedule_in_force(connection.facility_id, now)
    except DomainError as error:
        return {"connection": connection, "unavailable": error.message}
    offered = charges.prepaid_reply_offered(schedule)
    prepaid_reply = prepaid_reply and offered  # a stale tick at a facility that stopped
    preview = charges.preview(
        connection=connection,
        to_resident=True,
        characters=characters,
        at=now,
        prepaid_reply=prepaid_reply,
    )
    after = preview.balance_after
    return {
        "connection": connection,
        "free": pricing.model_of(schedule).free_words(schedule, to_resident=True),
        "preview": preview,
        "payer_words": payer_words(connection, preview.price),
        "shortfall": -after if after is not None and after < 0 else 0,
        "offered": offered,
        "prepaid_reply": prepaid_reply,
        "hint": pricing.model_of(schedule).draft_hint(schedule),
    }


@require_GET
@never_cache  # a wallet balance: never kept by a shared cache or the browser
@contact_required
def price(request: ContactRequest, connection_id: int) -> HttpResponse:
    """The price box alone, for the page to refresh as the person types."""
    contact = request.contact
    connection = _connection(contact, connection_id)
    box = price_box(
        connection,
        characters=_characters_asked(request.GET),
        prepaid_reply=request.GET.get("prepaid_reply") == "1",
    )
    return render(request, "web/_price.html", {"box": box})
