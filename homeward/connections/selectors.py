from __future__ import annotations

from django.db.models import QuerySet

from homeward.connections.models import Connection
from homeward.core.errors import NotFound
from homeward.people.models import Contact, Resident


def connections_of_contact(contact: Contact) -> QuerySet[Connection]:
    return Connection.objects.filter(contact=contact).select_related(
        "resident", "facility", "facility__policy"
    )


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
