"""Connections as each person may see them: a contact's own, a resident's own, and staff's
in the facilities where they review. Any other id is "not found"."""

from __future__ import annotations

from django.db.models import QuerySet

from homeward.connections.models import OPEN_STATUSES, Connection
from homeward.core.errors import NotFound
from homeward.facilities.models import Facility
from homeward.people import access
from homeward.people.models import Contact, Resident, User


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


def connection_for_staff(staff: User, connection_id: int) -> Connection:
    """A connection in any of the staff member's facilities (any role), in any status."""
    connection = (
        Connection.objects.filter(pk=connection_id, facility__in=access.staff_facilities(staff))
        .select_related("resident", "contact", "facility")
        .first()
    )
    if connection is None:
        raise NotFound()
    return connection


def connections_of_contact(contact: Contact) -> QuerySet[Connection]:
    return Connection.objects.filter(contact=contact).select_related(
        "resident", "facility", "facility__policy"
    )


def open_connections_at(contact: Contact, facility: Facility) -> QuerySet[Connection]:
    """The contact's connections at ``facility`` that are active or waiting to be (for the
    resident, the contact or staff)."""
    return connections_of_contact(contact).filter(facility=facility, status__in=OPEN_STATUSES)


def connection_for_contact(contact: Contact, connection_id: int) -> Connection:
    try:
        return connections_of_contact(contact).get(pk=connection_id)
    except Connection.DoesNotExist:
        raise NotFound() from None


def connections_of_resident(resident: Resident) -> QuerySet[Connection]:
    return Connection.objects.filter(resident=resident).select_related("contact", "contact__user")


def connection_for_resident(resident: Resident, connection_id: int) -> Connection:
    try:
        return connections_of_resident(resident).get(pk=connection_id)
    except Connection.DoesNotExist:
        raise NotFound() from None


def connection_between(contact: Contact, resident: Resident) -> Connection | None:
    """The contact's connection with this resident, in any status, if there is one."""
    return connections_of_contact(contact).filter(resident=resident).first()
