"""A contact's connections: ask to connect, answer invitations, block."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from homeward.api import present
from homeward.api.auth import contact_of
from homeward.api.schemas import ConnectionIn, ConnectionOut, with_errors
from homeward.connections import selectors
from homeward.connections import services as connections
from homeward.facilities import selectors as facilities

router = Router(tags=["connections"])

CHANGE_ERRORS = with_errors(401, 404, 409)


@router.get("", response={200: list[ConnectionOut], **with_errors(401)})
def list_connections(request: HttpRequest) -> list[ConnectionOut]:
    mine = selectors.connections_of_contact(contact_of(request))
    return [present.connection_out(connection) for connection in mine]


@router.post(
    "",
    response={201: ConnectionOut, **with_errors(401, 403, 404, 409, 422)},
    summary="Ask to connect with a resident",
)
def request_connection(request: HttpRequest, data: ConnectionIn) -> Status[ConnectionOut]:
    """At an 'open' facility the connection is active at once; where residents accept
    requests it waits as 'requested'; where only residents invite, 403 invite_only."""
    facility = facilities.facility_by_code(data.facility)
    connection = connections.request_connection(
        contact=contact_of(request), facility=facility, number=data.number
    )
    return Status(201, present.connection_out(connection))


@router.post("/{connection_id}/accept", response={200: ConnectionOut, **CHANGE_ERRORS})
def accept_invitation(request: HttpRequest, connection_id: int) -> ConnectionOut:
    connection = connections.respond_to_invitation(
        contact=contact_of(request), connection_id=connection_id, accept=True
    )
    return present.connection_out(connection)


@router.post("/{connection_id}/decline", response={200: ConnectionOut, **CHANGE_ERRORS})
def decline_invitation(request: HttpRequest, connection_id: int) -> ConnectionOut:
    connection = connections.respond_to_invitation(
        contact=contact_of(request), connection_id=connection_id, accept=False
    )
    return present.connection_out(connection)


@router.post("/{connection_id}/block", response={200: ConnectionOut, **CHANGE_ERRORS})
def block_connection(request: HttpRequest, connection_id: int) -> ConnectionOut:
    """Stop all messaging with this resident. Messages still on their way are returned."""
    connection = connections.block(by=contact_of(request), connection_id=connection_id)
    return present.connection_out(connection)
