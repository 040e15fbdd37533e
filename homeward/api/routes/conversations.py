"""Conversations (one per connection) and their messages."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from homeward.api import present
from homeward.api.auth import contact_of
from homeward.api.schemas import ConversationOut, MessageIn, MessageOut, with_errors
from homeward.connections import selectors as connections
from homeward.messaging import selectors, services

router = Router(tags=["conversations"])
messages_router = Router(tags=["conversations"])


@router.get("", response={200: list[ConversationOut], **with_errors(401)})
def list_conversations(request: HttpRequest) -> list[ConversationOut]:
    """Active connections and past ones that have messages, most recent first."""
    found = selectors.conversations_of_contact(contact_of(request))
    return [present.conversation_out(connection) for connection in found]


@router.get("/{connection_id}/messages", response={200: list[MessageOut], **with_errors(401, 404)})
def list_messages(request: HttpRequest, connection_id: int) -> list[MessageOut]:
    """Reading this list does not mark replies read; POST /messages/{id}/read does."""
    connection = connections.connection_for_contact(contact_of(request), connection_id)
    show = connection.facility.policy.show_block_reasons
    return [
        present.message_out(message, show_block_reasons=show)
        for message in selectors.visible_to_contact(connection)
    ]


@router.post(
    "/{connection_id}/messages",
    response={(200, 201): MessageOut, **with_errors(400, 401, 402, 403, 404, 409, 413, 422)},
    summary="Send a message",
)
def send_message(request: HttpRequest, connection_id: int, data: MessageIn) -> Status[MessageOut]:
    """201 with the new message; 200 with the earlier one, as first answered, when
    ``client_token`` repeats with the same message; 409 idempotency_key_reused when it
    repeats with another text, connection or ``prepaid_reply`` (nothing is sent).
    The message is charged as it is accepted (POST .../quote says how much first); 402
    insufficient_funds when the payer lacks the money, and then nothing is sent."""
    message, created = services.submit_message(
        sender=contact_of(request),
        connection_id=connection_id,
        body=data.body,
        client_token=data.client_token,
        prepaid_reply=data.prepaid_reply,
    )
    show = message.connection.facility.policy.show_block_reasons
    return Status(201 if created else 200, present.message_out(message, show_block_reasons=show))


@messages_router.post("/{message_id}/read", response={200: MessageOut, **with_errors(401, 404)})
def mark_read(request: HttpRequest, message_id: int) -> MessageOut:
    """Mark a delivered reply read; the resident then sees it was read."""
    message = services.mark_read(reader=contact_of(request), message_id=message_id)
    return present.message_out(
        message, show_block_reasons=message.facility.policy.show_block_reasons
    )
