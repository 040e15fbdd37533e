"""Pieces every signed-in kiosk page shares."""

from __future__ import annotations

from django.http import Http404

from homeward.connections import access as connection_access
from homeward.connections.models import Connection
from homeward.core.errors import NotFound
from homeward.facilities.connection_policies import rule_of
from homeward.kiosk import auth, sessions
from homeward.kiosk.requests import KioskRequest
from homeward.people.models import Resident


def invites_used(resident: Resident) -> bool:
    return rule_of(resident.facility.policy).residents_invite


def nav_context(request: KioskRequest) -> dict[str, object]:
    """What the kiosk header needs: who is signed in, how many requests wait, and the time
    and money of this kiosk's session where it is charged by the minute (its rate, timer and
    the trust account)."""
    resident = request.resident
    here = request.session.get(auth.SESSION_KEY)
    requests = connection_access.connections_of_resident(resident).filter(
        status=Connection.Status.REQUESTED
    )
    return {
        "resident": resident,
        "facility": resident.facility,
        "request_count": requests.count(),
        "invites_used": invites_used(resident),
        "kiosk_session": sessions.banner(resident, here),
        "open_elsewhere": sessions.open_elsewhere(resident, here),
    }


def connection_or_404(resident: Resident, connection_id: int) -> Connection:
    """One of this resident's connections; anyone else's is a 404."""
    try:
        return connection_access.connection_for_resident(resident, connection_id)
    except NotFound:
        raise Http404("No such conversation.") from None


def contact_name(connection: Connection) -> str:
    return connection.contact.display_name if connection.contact else connection.invite_email
