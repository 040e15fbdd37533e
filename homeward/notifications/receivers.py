"""Which status moves tell whom: the receivers of the messaging and connections hooks,
registered when Django starts (``apps``). Each runs in the transaction of the move."""

from __future__ import annotations

from homeward.connections.models import Connection
from homeward.messaging.models import Message
from homeward.notifications.services import notify
from homeward.screening import categories

S = Message.Status
C = Connection.Status


def message_moved(message: Message, source: str, target: str) -> None:
    if message.to_resident and target not in (S.BLOCKED, S.RETURNED):
        return
    if not message.to_resident and target != S.DELIVERED:
        return
    connection = message.connection
    if connection.contact is None:
        return
    ours: dict[str, object] = {}
    if target == S.DELIVERED:
        event = "reply_waiting"
    elif target == S.BLOCKED:
        event = "message_blocked"
        shown = connection.facility.policy.show_block_reasons and message.block_category
        ours["reason"] = categories.label(message.block_category) if shown else ""
    else:
        event = "message_returned"
        ours["reason"] = message.return_reason
    notify(
        event=event,
        key=f"message:{message.pk}:{target}",
        contact=connection.contact,
        facility_id=message.facility_id,
        ours=ours,
        theirs={"name": connection.resident.full_name},
    )


def connection_moved(connection: Connection, source: str, target: str) -> None:
    contact, resident = connection.contact, connection.resident
    if contact is None:  # an invitation to an address with no account yet
        return
    key = f"connection:{connection.pk}:{target}:{connection.updated_at.isoformat()}"

    def tell_resident(event: str) -> None:
        notify(
            event=event,
            key=key,
            resident=resident,
            facility_id=connection.facility_id,
            theirs={"name": contact.display_name},
        )

    if target == C.REQUESTED:
        tell_resident("connection_requested")
        return
    if target == C.ACTIVE:
        event = "connection_approved"
        tell_resident("connection_started")
    elif target == C.DENIED or (target == C.DECLINED and source == C.REQUESTED):
        # Declined by the resident or denied by staff; a contact declining an invitation
        # is not told of their own choice.
        event = "connection_declined"
    elif target == C.ENDED:
        event = "connection_ended"
    else:
        return
    notify(
        event=event,
        key=key,
        contact=contact,
        facility_id=connection.facility_id,
        theirs={"name": resident.full_name},
    )
