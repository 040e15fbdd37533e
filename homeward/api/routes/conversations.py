"""Conversations (one per connection) and their messages.

Reading is not opening: listing messages changes nothing, so a phone syncing in the
background sends no false read receipts. Replies become read only when the app says so,
with POST /conversations/{id}/read (what the person saw) or POST /messages/{id}/read.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from homeward.api import deprecation, present
from homeward.api.auth import contact_of
from homeward.api.errors import can_answer
from homeward.api.schemas import (
    ConversationOut,
    ConversationPageOut,
    ConversationsPageQuery,
    ConversationsQuery,
    MessageIn,
    MessageOut,
    MessagePage,
    PageQuery,
    ReadIn,
    ReadOut,
)
from homeward.api.sync import CONDITIONAL, etag, lagging_cursor, rewound, unchanged
from homeward.connections import access as connections
from homeward.connections.models import Connection
from homeward.core import keyset
from homeward.messaging import selectors, services
from homeward.messaging.models import Message
from homeward.people.models import Contact
from homeward.photos import access as photos
from homeward.photos import sending

router = Router(tags=["conversations"])
messages_router = Router(tags=["conversations"])
pages_router = Router(tags=["conversations"])


@pages_router.get(
    "",
    response={200: ConversationPageOut, 304: None},
    operation_id="conversations_pages",
    openapi_extra=CONDITIONAL,
)
def conversation_pages(
    request: HttpRequest, response: HttpResponse, asked: Query[ConversationsPageQuery]
) -> Status[ConversationPageOut | None]:
    """Your conversations a page at a time: active connections and past ones that have
    messages, the most recent first (an attorney may have hundreds). With
    ``updated_after`` (the newest ``updated_at`` you hold), only those that changed since
    (and in the minute before it, again), paged the same way. Answers an ``ETag``: send it
    back as ``If-None-Match`` and a page that has not changed is 304 with no body."""
    found = selectors.conversations_of_contact(
        contact_of(request), changed_after=rewound(asked.updated_after)
    )
    first = (asked.page - 1) * asked.limit
    rows = list(found[first : first + asked.limit + 1])  # one more: is there a next page?
    answer = ConversationPageOut(
        conversations=present.conversations_out(rows[: asked.limit]),
        next_page=asked.page + 1 if len(rows) > asked.limit else None,
    )
    return _tagged(request, response, answer)


@router.get(
    "",
    response={200: list[ConversationOut], 304: None},
    summary="Your conversations (deprecated: GET /me/conversations)",
    operation_id="conversations_list",
    openapi_extra=CONDITIONAL,
    deprecated=True,
)
def list_conversations(
    request: HttpRequest, response: HttpResponse, sync: Query[ConversationsQuery]
) -> Status[list[ConversationOut] | None]:
    """Every conversation as one list, as GET /me/conversations gives them a page at a
    time (with ``updated_after``, only those that changed since, and an ``ETag``); kept for
    one release."""
    deprecation.mark(response, successor="/api/v1/me/conversations")
    found = selectors.conversations_of_contact(
        contact_of(request), changed_after=rewound(sync.updated_after)
    )
    answer = present.conversations_out(list(found))
    return _tagged(request, response, answer)


@router.get(
    "/{connection_id}/messages",
    response={200: MessagePage, 304: None},
    operation_id="messages_list",
    openapi_extra=CONDITIONAL,
)
@can_answer("not_found")
def list_messages(
    request: HttpRequest, response: HttpResponse, connection_id: int, page: Query[PageQuery]
) -> Status[MessagePage | None]:
    """One page of the conversation, oldest first: the newest messages, or those before or
    after a cursor from an earlier page. With ``updated_after`` (a page's ``sync``), only the
    messages that changed since, in the order they changed. Answers an ``ETag``: send it back
    as ``If-None-Match`` and a page that has not changed is 304 with no body. Reading this
    list marks nothing read; POST /conversations/{id}/read does."""
    contact = contact_of(request)
    connection = connections.connection_for_contact(contact, connection_id)
    if page.updated_after:
        answer = _changed_page(connection, contact, page)
    else:
        answer = _page(connection, contact, page)
    return _tagged(request, response, answer)


def _page(connection: Connection, contact: Contact, page: PageQuery) -> MessagePage:
    # Each message's appeal (and its facility, for its sentence) in the same query; the
    # facility's policy for the appeal window of a blocked message not yet appealed.
    window = keyset.window(
        selectors.visible_to_contact(connection).select_related(
            "appeal__facility", "facility__policy"
        ),
        size=page.limit,
        before=page.before,
        after=page.after,
    )
    return MessagePage(
        messages=_messages_out(window.rows, connection, contact),
        older=window.older,
        newer=window.last or page.after or None,
        sync=lagging_cursor(),
    )


def _changed_page(connection: Connection, contact: Contact, page: PageQuery) -> MessagePage:
    changed = selectors.changed_in_conversation(
        connection, size=page.limit, after=page.updated_after
    )
    reached = changed.rows[-1] if changed.next else None
    return MessagePage(
        messages=_messages_out(changed.rows, connection, contact),
        older=None,
        newer=changed.next,
        sync=lagging_cursor(reached),
    )


def _messages_out(
    rows: list[Message], connection: Connection, contact: Contact
) -> list[MessageOut]:
    show = connection.facility.policy.show_block_reasons
    sent_photos = photos.of_messages(message.pk for message in rows)
    return [
        present.message_out(
            message, show_block_reasons=show, reader=contact, photos=sent_photos.get(message.pk, [])
        )
        for message in rows
    ]


def _tagged(request: HttpRequest, response: HttpResponse, answer: Any) -> Status[Any]:
    """The answer with its ETag, or 304 with none of it when the asker holds it already."""
    tag = etag(answer)
    response["ETag"] = tag
    if unchanged(request, tag):
        return Status(304, None)
    return Status(200, answer)


@router.post(
    "/{connection_id}/messages",
    response={(200, 201): MessageOut},
    summary="Send a message",
    operation_id="messages_send",
)
@can_answer(
    "not_found",
    "message_empty",
    "message_too_long",
    "prepaid_reply_not_offered",
    "connection_blocked",
    "messaging_suspended",
    "messaging_revoked",
    "connection_not_active",
    "notice_not_accepted",
    "resident_released",
    "resident_moved",
    "no_price_schedule",
    "insufficient_funds",
    "idempotency_key_reused",
    "illegal_transition",
    "photos_not_offered",
    "photos_not_on_privileged",
    "too_many_photos",
    "photo_not_found",
    "photo_not_ready",
    "photo_refused",
)
def send_message(request: HttpRequest, connection_id: int, data: MessageIn) -> Status[MessageOut]:
    """201 with the new message; 200 with the earlier one, as first answered, when
    ``idempotency_key`` repeats with the same message; 409 idempotency_key_reused when it
    repeats with another text, connection, ``prepaid_reply`` or photos (nothing is sent).
    The message is charged as it is accepted (POST .../quote says how much first); 402
    insufficient_funds when the payer lacks the money, and then nothing is sent.
    With ``photo_ids`` (your ready photos, POST /photos) the photos go with it, each
    charged on its own, all or nothing; the message reaches the resident once each photo
    is decided. Photos cannot go on a privileged channel (403 photos_not_on_privileged)."""
    contact = contact_of(request)
    if data.photo_ids:
        message, created = sending.send(
            contact=contact,
            connection_id=connection_id,
            body=data.body,
            photo_ids=data.photo_ids,
            client_token=data.key,
            prepaid_reply=data.prepaid_reply,
        )
    else:
        message, created = services.send_message(
            sender=contact,
            connection_id=connection_id,
            body=data.body,
            client_token=data.key,
            prepaid_reply=data.prepaid_reply,
        )
    out = _message_out(message, contact)
    return Status(201 if created else 200, out)


@router.post(
    "/{connection_id}/read",
    response=ReadOut,
    summary="Mark the replies you have seen read",
    operation_id="conversations_read",
)
@can_answer("not_found", "illegal_transition")
def read_conversation(request: HttpRequest, connection_id: int, data: ReadIn) -> ReadOut:
    """Marks the replies delivered to you in this conversation read, up to and including
    ``up_to_message_id`` (the newest one the person saw), or all of them without it; the
    resident then sees them read. Reading again changes nothing. Only your own
    conversations (404 otherwise, and nothing changes)."""
    contact = contact_of(request)
    connection = connections.connection_for_contact(contact, connection_id)
    marked = services.mark_conversation_read(
        reader=contact, connection_id=connection.pk, up_to_message_id=data.up_to_message_id
    )
    return ReadOut(marked_read=marked)


@messages_router.get(
    "/{message_id}",
    response=MessageOut,
    summary="One message",
    operation_id="messages_get",
)
@can_answer("not_found")
def get_message(request: HttpRequest, message_id: int) -> MessageOut:
    """One message of your conversations, as the list shows it: one you sent, or a reply
    that reached you (404 not_found for any other, as for one that does not exist). Follow
    one message's status with it instead of listing the conversation again."""
    contact = contact_of(request)
    return _message_out(selectors.message_seen_by_contact(contact, message_id), contact)


@messages_router.post(
    "/{message_id}/read",
    response=MessageOut,
    summary="Mark one reply read",
    operation_id="messages_read",
)
@can_answer("not_found", "illegal_transition")
def mark_read(request: HttpRequest, message_id: int) -> MessageOut:
    """Mark a delivered reply read; the resident then sees it was read."""
    contact = contact_of(request)
    message = services.mark_read(reader=contact, message_id=message_id)
    return _message_out(message, contact)


def _message_out(message: Message, contact: Contact) -> MessageOut:
    """One message, with its photos, as ``contact`` sees it."""
    return present.message_out(
        message,
        show_block_reasons=message.facility.policy.show_block_reasons,
        reader=contact,
        photos=photos.of_messages([message.pk]).get(message.pk, []),
    )
