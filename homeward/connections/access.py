"""Connections as staff may see them: scoped to the facilities where they review; any
other id is "not found"."""

from __future__ import annotations

from django.db.models import QuerySet

from homeward.connections.models import Connection
from homeward.core.errors import NotFound
from homeward.people import access
from homeward.people.models import User


def connections_awaiting(staff: User) -> QuerySet[Connection]:
    """Connections waiting for staff approval in the facilities where this person reviews."""
    return (
        Connection.objects.filter(
            status=Connection.Status.PENDING_STAFF,
            facility__in=access.staff_facilities(staff, access.REVIEW_ROLES),
        )
        .select_related("contact", "contact__user", "resident", "facility")
        .order_by("updated_at", "id")
    )


def connection_for_reviewer(staff: User, connection_id: int) -> Connection:
    """A connection in one of the staff member's review facilities, in any status."""
    connection = (
        Connection.objects.filter(
            pk=connection_id, facility__in=access.staff_facilities(staff, access.REVIEW_ROLES)
        )
        .select_related("resident")
        .first()
    )
    if connection is None:
        raise NotFound()
    return connection
