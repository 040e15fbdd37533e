"""Where a connection stands and what happens next, said to the contact. Kept here, not in
a surface, so every page (and later the API and emails) says the same."""

from __future__ import annotations

from django.utils.translation import gettext as _

from homeward.connections.models import Connection
from homeward.facilities.connection_policies import rule_of
from homeward.facilities.models import Facility
from homeward.people.models import Resident

C = Connection.Status


def connection_words(connection: Connection) -> str:
    """Where this connection stands, said to the contact."""
    said = {"name": connection.resident.first_name, "facility": connection.facility.name}
    status = connection.status
    if status == C.DECLINED:
        if connection.initiated_by == Connection.Side.CONTACT:
            return _("%(name)s declined your request.") % said
        return _("You declined this invitation.")
    if status == C.WITHDRAWN:
        return _("You withdrew this request.")
    if status == C.BLOCKED:
        if connection.blocked_by == Connection.Side.CONTACT:
            return _("You blocked this connection. Messaging has stopped.")
        return _("This connection is blocked. Messaging has stopped.")
    if status == C.REQUESTED:
        return _("Waiting for %(name)s to accept your request.") % said
    if status == C.INVITED:
        return _("%(name)s invited you to connect.") % said
    if status == C.PENDING_STAFF:
        return _("Waiting for staff at %(facility)s to approve the connection.") % said
    if status == C.ACTIVE:
        return _("Connected. You can write to each other.")
    if status == C.DENIED:
        return _("Staff at %(facility)s did not approve this connection.") % said
    if status == C.EXPIRED:
        return _("The invitation expired.")
    if status == C.ENDED:
        return _("Staff at %(facility)s ended this connection. Messaging has stopped.") % said
    return str(connection.get_status_display())


def connection_next_step(connection: Connection) -> str:
    """What the contact can do about it now, or '' if nothing."""
    said = {"name": connection.resident.first_name}
    if not connection.resident.in_custody:
        return _("%(name)s has been released, so messaging here has ended.") % said
    status = connection.status
    if status == C.WITHDRAWN or (
        status == C.DECLINED and connection.initiated_by == Connection.Side.CONTACT
    ):
        return _("You can ask again from the facility page.")
    if status == C.REQUESTED:
        return _("Nothing to do yet. %(name)s will see your request at the kiosk.") % said
    if status == C.INVITED:
        return _("Accept to start writing, or decline.")
    if status == C.PENDING_STAFF:
        return _("Nothing to do yet. You can write as soon as staff approve.")
    if status == C.ACTIVE:
        return _("Open the conversation to write.")
    if status == C.EXPIRED:
        return _("Ask %(name)s to invite you again.") % said
    return ""


def after_request_words(connection: Connection) -> str:
    """The flash shown right after asking to connect: what happens next."""
    said = {"name": connection.resident.first_name, "facility": connection.facility.name}
    if connection.status == C.ACTIVE:
        return _("You are connected with %(name)s. You can write now.") % said
    if connection.status == C.PENDING_STAFF:
        return (
            _(
                "Your request is waiting for staff at %(facility)s to approve it. You can write "
                "as soon as they do."
            )
            % said
        )
    if connection.status == C.REQUESTED:
        return (
            _(
                "Your request was sent. It is waiting for %(name)s to accept it at the kiosk; "
                "you can write once they do."
            )
            % said
        )
    return connection_words(connection)


def ask_hint(facility: Facility, resident: Resident) -> str:
    """Said under the "Ask to connect" button: what the press will start."""
    return rule_of(facility.policy).ask_hint(
        facility.policy, facility=facility.name, resident=resident.first_name
    )
