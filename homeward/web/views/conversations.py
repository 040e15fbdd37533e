"""Conversations: the list, one conversation with every message's timeline, and sending."""

from __future__ import annotations

import sys
from collections.abc import Collection

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from homeward.connections import access as connection_access
from homeward.connections.models import Connection
from homeward.connections.words import connection_words
from homeward.core import clock, features, form_tokens, keyset
from homeward.core.errors import DomainError, NotFound
from homeward.core.ids import whole_number
from homeward.core.views import show_error
from homeward.enforcement import appeals, restrictions
from homeward.facilities.models import MAX_PHOTOS_PER_MESSAGE
from homeward.ledger import charges, pricing
from homeward.ledger.pricing.words import payer_words
from homeward.messaging import selectors
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.messaging.words import message_outcome, sent_words
from homeward.people import notices
from homeward.people.models import Contact
from homeward.people.words import short_name
from homeward.photos import access as photo_access
from homeward.photos import intake, sending
from homeward.photos import words as photo_words
from homeward.photos.files import photo_response
from homeward.photos.models import Photo
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
# Conversations on one page of the list (an attorney may have hundreds).
CONVERSATIONS_PAGE = 50


@require_GET
@contact_required
def conversation_list(request: ContactRequest) -> HttpResponse:
    """The contact's conversations, newest first, ``CONVERSATIONS_PAGE`` to a page (a page
    number that is not one shows the first page; one past the end, the last)."""
    found = selectors.conversations_of_contact(request.contact)
    page = Paginator(found, CONVERSATIONS_PAGE).get_page(request.GET.get("page"))
    conversations = [{"connection": c, "short_name": short_name(c.resident)} for c in page]
    context = {"conversations": conversations, "page": page}
    return render(request, "web/conversations.html", context)


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
    chosen: list[int] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    policy = connection.facility.policy
    no_compose = why_no_compose(connection)
    contact = connection.contact
    photos = photo_choice(connection, chosen) if not no_compose else None
    window = keyset.window(
        selectors.visible_to_contact(connection),
        size=PAGE_SIZE,
        **keyset.asked(request.GET),
    )
    shown = window.rows
    offers = appeals.offers_for_messages(contact, shown) if contact is not None else {}
    sent_photos = photo_access.of_messages(m.pk for m in shown)
    items = [
        {
            "message": m,
            "photos": [
                {"photo": photo, "words": photo_words.status_words(photo)}
                for photo in sent_photos.get(m.pk, [])
            ],
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
            connection,
            characters=charged_characters(body),
            prepaid_reply=prepaid_reply,
            photos=len(photos["chosen"]) if photos else 0,
        ),
        "photos": photos,
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
    chosen = _photos_asked(request.POST)
    try:
        if request.POST.get("accept_agency_notice"):
            notices.accept(
                contact=contact,
                agency=connection.facility.agency,
                version=whole_number(request.POST.get("agency_notice_version", "")) or 0,
            )
        if chosen:
            message, created = sending.send(
                contact=contact,
                connection_id=connection.pk,
                body=body,
                photo_ids=chosen,
                client_token=token,
                prepaid_reply=prepaid_reply,
            )
        else:
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
            chosen=chosen,
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


def price_box(
    connection: Connection, *, characters: int, prepaid_reply: bool, photos: int = 0
) -> dict:
    """What the price box next to Send shows for a message of ``characters`` (and
    ``photos`` photos)."""
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
        photos=photos,
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
        photos=_photo_count_asked(request.GET, connection),
    )
    return render(request, "web/_price.html", {"box": box})


def _photo_count_asked(query: QueryDict, connection: Connection) -> int:
    """How many photos the live price is asked for: no more than a message may carry."""
    count = whole_number(query.get("photos", "0")) or 0
    policy = connection.facility.policy
    return min(count, policy.photos_per_message) if policy.photos_allowed else 0


# --- photos ----------------------------------------------------------------------------------


def _photos_asked(form: QueryDict) -> list[int]:
    """The photos ticked to go with the message. A value that is no id is no photo of
    theirs: it is asked for as 0, which is nobody's, so the send says "no such photo"."""
    return [whole_number(value) or 0 for value in form.getlist("photo")]


def photo_choice(
    connection: Connection, chosen: list[int] | None, *, unticked: Collection[int] = ()
) -> dict | None:
    """The photos the compose form offers (the contact's unsent ones for this facility), and
    which are ticked: those ``chosen``, or (None) every ready one but those ``unticked``,
    as many as a message may carry. None where no photos can be sent (not built, the
    facility takes none, a privileged channel)."""
    policy = connection.facility.policy
    if not (features.PHOTOS and policy.photos_allowed) or connection.privileged:
        return None
    contact = connection.contact
    unsent = photo_access.unsent(contact, connection.facility) if contact is not None else []
    ready = [photo.pk for photo in unsent if photo.status == Photo.Status.READY]
    if chosen is None:
        ticked = [pk for pk in ready if pk not in unticked][: policy.photos_per_message]
    else:
        ticked = [pk for pk in ready if pk in chosen]
    return {
        "unsent": [
            {"photo": photo, "words": photo_words.status_words(photo), "ticked": photo.pk in ticked}
            for photo in unsent
        ],
        "chosen": ticked,
        "checking": any(photo.status == Photo.Status.CHECKING for photo in unsent),
        "most": policy.photos_per_message,
        "accept": photo_words.accepted_types(policy),
    }


@require_POST
@contact_required
def upload_photos(request: ContactRequest, connection_id: int) -> HttpResponse:
    """Take the photos chosen in the compose form (the form's "Add photos" button) and show
    the conversation again with what was written kept: each photo is checked in the
    background and can be ticked to go once it is ready."""
    contact = request.contact
    connection = _connection(contact, connection_id)
    files = request.FILES.getlist("photo_file")
    body = request.POST.get("body", "")
    token = form_tokens.checked(request.POST.get("client_token", ""))
    prepaid_reply = request.POST.get("prepaid_reply") == "1"
    if not files:
        return _page(
            request,
            connection,
            body=body,
            client_token=token,
            prepaid_reply=prepaid_reply,
            error=_("Choose one or more photos to add."),
            status=400,
        )
    if len(files) > MAX_PHOTOS_PER_MESSAGE:
        return _page(
            request,
            connection,
            error=_("Add at most %(count)s photos at once; nothing was added.")
            % {"count": MAX_PHOTOS_PER_MESSAGE},
            status=400,
            body=body,
            client_token=token,
            prepaid_reply=prepaid_reply,
        )
    refused = []
    for upload in files:
        try:
            intake.receive(contact=contact, facility=connection.facility, upload=upload)
        except DomainError as error:
            refused.append(
                _("%(file)s was not added: %(why)s")
                % {"file": photo_words.file_name(upload.name), "why": error.message}
            )
    added = len(files) - len(refused)
    if added:
        messages.success(
            request,
            ngettext(
                "%(count)s photo added. It is being checked: tick it to send it once it is ready.",
                "%(count)s photos added. They are being checked: tick them to send them once "
                "they are ready.",
                added,
            )
            % {"count": added},
        )
    chosen = _photos_asked(request.POST)
    return _page(
        request,
        connection,
        chosen=chosen,
        error=" ".join(refused),
        status=400 if refused and not added else 200,
        body=body,
        client_token=token,
        prepaid_reply=prepaid_reply,
    )


@require_GET
@never_cache
@contact_required
def unsent_photos(request: ContactRequest, connection_id: int) -> HttpResponse:
    """The compose form's photos alone, for the page to refresh while some are checked:
    every ready photo ticked but those the person unticked (``unticked``), so a photo that
    has just become ready is ticked to go."""
    connection = _connection(request.contact, connection_id)
    unticked = {whole_number(value) or 0 for value in request.GET.getlist("unticked")}
    choice = photo_choice(connection, None, unticked=unticked)
    if choice is None:
        raise Http404("No photos here.")
    return render(request, "web/_photos.html", {"photos": choice, "connection": connection})


@require_GET
@contact_required
def photo_file(request: ContactRequest, photo_id: int, size: str) -> HttpResponse:
    """One of the contact's own photos as it is kept (re-encoded, no metadata): the
    thumbnail or the picture. Anyone else's is a 404."""
    try:
        photo = photo_access.own_photo(request.contact, photo_id)
    except NotFound:
        raise Http404("No such photo.") from None
    return photo_response(photo, size)
