"""A contact's connections: ask to connect, answer invitations, block."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from homeward.api import present
from homeward.api.auth import contact_of
from homeward.api.errors import can_answer
from homeward.api.schemas import ConnectionIn, ConnectionOut
from homeward.connections import access as connection_access
from homeward.connections import services as connections
from homeward.facilities import selectors as facilities

router = Router(tags=["connections"])


@router.get("", response=list[ConnectionOut], operation_id="connections_list")
def list_connections(request: HttpRequest) -> list[ConnectionOut]:
    mine = connection_access.connections_of_contact(contact_of(request))
    return [present.connection_out(connection) for connection in mine]


@router.post(
    "",
    response={200: ConnectionOut, 201: ConnectionOut},
    summary="Ask to connect with a resident",
    operation_id="connections_request",
    # No idempotency_key: the resident asked for is the key. Asking again answers 200.
    openapi_extra={"x-idempotent-by": ["facility", "number"]},
)
@can_answer(
    "facility_not_found",
    "resident_not_found",
    "invite_only",
    "connection_closed",
    "resident_released",
    "contact_cap_reached",
    "illegal_transition",
)
def request_connection(request: HttpRequest, data: ConnectionIn) -> Status[ConnectionOut]:
    """At an 'open' facility the connection is active at once; where residents accept
    requests it waits as 'requested'; where only residents invite, 403 invite_only. Asking
    again for the same resident answers 200 with the connection asked for before."""
    facility = facilities.facility_by_code(data.facility)
    connection, created = connections.request_connection(
        contact=contact_of(request), facility=facility, number=data.number
    )
    return Status(201 if created else 200, present.connection_out(connection))


@router.post("/{connection_id}/accept", response=ConnectionOut, operation_id="connections_accept")
@can_answer(
    "not_found",
    "not_pending",
    "invitation_expired",
    "resident_released",
    "contact_cap_reached",
    "illegal_transition",
)
def accept_invitation(request: HttpRequest, connection_id: int) -> ConnectionOut:
    connection = connections.respond_to_invitation(
        contact=contact_of(request), connection_id=connection_id, accept=True
    )
    return present.connection_out(connection)


@router.post("/{connection_id}/decline", response=ConnectionOut, operation_id="connections_decline")
@can_answer(
    "not_found",
    "not_pending",
    "invitation_expired",
    "resident_released",
    "contact_cap_reached",
    "illegal_transition",
)
def decline_invitation(request: HttpRequest, connection_id: int) -> ConnectionOut:
    connection = connections.respond_to_invitation(
        contact=contact_of(request), connection_id=connection_id, accept=False
    )
    return present.connection_out(connection)


@router.post("/{connection_id}/block", response=ConnectionOut, operation_id="connections_block")
@can_answer("not_found", "illegal_transition")
def block_connection(request: HttpRequest, connection_id: int) -> ConnectionOut:
    """Stop all messaging with this resident. Messages still on their way are returned."""
    connection = connections.block(by=contact_of(request), connection_id=connection_id)
    return present.connection_out(connection)
