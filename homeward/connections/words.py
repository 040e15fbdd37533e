"""Where a connection stands and what happens next, said to the contact. Kept here, not in
a surface, so every page (and later the API and emails) says the same."""

from __future__ import annotations

from homeward.connections.models import Connection
from homeward.facilities.connection_policies import rule_of
from homeward.facilities.models import Facility
from homeward.people.models import Resident

C = Connection.Status


def connection_words(connection: Connection) -> str:
    """Where this connection stands, said to the contact."""
    name = connection.resident.first_name
    facility = connection.facility.name
    status = connection.status
    if status == C.DECLINED:
        if connection.initiated_by == Connection.Side.CONTACT:
            return f"{name} declined your request."
        return "You declined this invitation."
    if status == C.BLOCKED:
        if connection.blocked_by == Connection.Side.CONTACT:
            return "You blocked this connection. Messaging has stopped."
        return "This connection is blocked. Messaging has stopped."
    words: dict[str, str] = {
        C.REQUESTED: f"Waiting for {name} to accept your request.",
        C.INVITED: f"{name} invited you to connect.",
        C.PENDING_STAFF: f"Waiting for staff at {facility} to approve the connection.",
        C.ACTIVE: "Connected. You can write to each other.",
        C.DENIED: f"Staff at {facility} did not approve this connection.",
        C.EXPIRED: "The invitation expired.",
        C.ENDED: f"Staff at {facility} ended this connection. Messaging has stopped.",
    }
    return words.get(status, connection.get_status_display())


def connection_next_step(connection: Connection) -> str:
    """What the contact can do about it now, or '' if nothing."""
    name = connection.resident.first_name
    if not connection.resident.in_custody:
        return f"{name} has been released, so messaging here has ended."
    status = connection.status
    if status == C.DECLINED and connection.initiated_by == Connection.Side.CONTACT:
        return "You can ask again from the facility page."
    steps: dict[str, str] = {
        C.REQUESTED: f"Nothing to do yet. {name} will see your request at the kiosk.",
        C.INVITED: "Accept to start writing, or decline.",
        C.PENDING_STAFF: "Nothing to do yet. You can write as soon as staff approve.",
        C.ACTIVE: "Open the conversation to write.",
        C.EXPIRED: f"Ask {name} to invite you again.",
    }
    return steps.get(status, "")


def after_request_words(connection: Connection) -> str:
    """The flash shown right after asking to connect: what happens next."""
    name = connection.resident.first_name
    if connection.status == C.ACTIVE:
        return f"You are connected with {name}. You can write now."
    if connection.status == C.PENDING_STAFF:
        return (
            f"Your request is waiting for staff at {connection.facility.name} to approve it. "
            "You can write as soon as they do."
        )
    if connection.status == C.REQUESTED:
        return (
            f"Your request was sent. It is waiting for {name} to accept it at the kiosk; "
            "you can write once they do."
        )
    return connection_words(connection)


def ask_hint(facility: Facility, resident: Resident) -> str:
    """Said under the "Ask to connect" button: what the press will start."""
    return rule_of(facility.policy).ask_hint(
        facility.policy, facility=facility.name, resident=resident.first_name
    )
