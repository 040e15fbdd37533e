"""A contact's connections: ask to connect, answer invitations, withdraw a request, block."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from homeward.api import present
from homeward.api.auth import contact_of
from homeward.api.errors import can_answer
from homeward.api.schemas import ConnectionIn, ConnectionOut, NoticeAcceptIn, NoticeOut
from homeward.connections import access as connection_access
from homeward.connections import services as connections
from homeward.facilities import selectors as facilities
from homeward.people import notices

router = Router(tags=["connections"])


@router.get("", response=list[ConnectionOut], operation_id="connections_list")
def list_connections(request: HttpRequest) -> list[ConnectionOut]:
    mine = connection_access.connections_of_contact(contact_of(request))
    return present.connections_out(list(mine))


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
    "asked_too_soon",
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


@router.post(
    "/{connection_id}/withdraw", response=ConnectionOut, operation_id="connections_withdraw"
)
@can_answer("not_found", "not_pending", "illegal_transition")
def withdraw_request(request: HttpRequest, connection_id: int) -> ConnectionOut:
    """Take back a connection still waiting for the resident or for staff (`requested`,
    `pending_staff`): it becomes `withdrawn`, and you may ask again (POST /connections) a
    day later (409 asked_too_soon before then). Withdrawing again answers the same; one
    already answered is 409 not_pending."""
    connection = connections.withdraw(contact=contact_of(request), connection_id=connection_id)
    return present.connection_out(connection)


@router.post("/{connection_id}/block", response=ConnectionOut, operation_id="connections_block")
@can_answer("not_found", "illegal_transition")
def block_connection(request: HttpRequest, connection_id: int) -> ConnectionOut:
    """Stop all messaging with this resident. Messages still on their way are returned.
    A block is final: there is no unblock, here or on the web (say so before asking the
    person to confirm). To take back a request not answered yet, withdraw it instead."""
    connection = connections.block(by=contact_of(request), connection_id=connection_id)
    return present.connection_out(connection)


@router.get("/{connection_id}/notice", response=NoticeOut, operation_id="connections_notice")
@can_answer("not_found")
def notice(request: HttpRequest, connection_id: int) -> NoticeOut:
    """The monitoring notice of the resident's agency now in force: how long it keeps
    messages, and whether it offers attorneys a privileged channel. Show it, then accept it
    (POST) before sending: it gets a new version whenever these change."""
    contact = contact_of(request)
    agency = connection_access.connection_for_contact(contact, connection_id).facility.agency
    return present.notice_out(notices.current(agency), contact=contact)


@router.post(
    "/{connection_id}/notice", response=NoticeOut, operation_id="connections_notice_accept"
)
@can_answer("not_found", "notice_outdated")
def accept_notice(request: HttpRequest, connection_id: int, data: NoticeAcceptIn) -> NoticeOut:
    """Accept the notice you showed (by its version); 409 notice_outdated when another
    version is in force by then: show that one. Accepting again changes nothing."""
    contact = contact_of(request)
    agency = connection_access.connection_for_contact(contact, connection_id).facility.agency
    notice = notices.accept(contact=contact, agency=agency, version=data.version)
    return present.notice_out(notice, contact=contact)
