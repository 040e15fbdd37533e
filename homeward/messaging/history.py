"""What staff may read of residents, contacts and their messages, with every read audited.

Staff may read any message of their facilities (nothing is private from the facility), and
every staff read is written to the audit log. The functions here that return message bodies
write their audit event themselves, so no page can show a message without leaving a trace.
Anything outside the staff member's facilities is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from homeward.connections.models import Connection
from homeward.core import audit, keyset
from homeward.core.errors import NotFound
from homeward.facilities.models import Facility
from homeward.messaging.models import Message
from homeward.people import access
from homeward.people.models import Contact, Resident, User

PAGE_SIZE = 50
SEARCH_LIMIT = 50


def _facilities(staff: User) -> QuerySet[Facility]:
    return access.staff_facilities(staff, access.READ_ROLES)


def _messages(staff: User) -> QuerySet[Message]:
    """The messages staff may read: their facilities', never a privileged channel's."""
    return (
        Message.objects.filter(facility__in=_facilities(staff), connection__privileged=False)
        .select_related(
            "facility", "connection", "connection__contact", "connection__resident", "screening"
        )
        .order_by("-created_at", "-id")
    )


def residents_for_staff(staff: User) -> QuerySet[Resident]:
    """Residents who are now at one of the staff member's facilities."""
    return Resident.objects.filter(facility__in=_facilities(staff)).select_related(
        "facility", "housing_unit"
    )


def search_residents(*, staff: User, query: str) -> list[Resident]:
    """Residents of the staff member's facilities whose number or name matches every word.

    A search is a staff read too, so it is audited with the words searched for.
    """
    query = " ".join(query.split())
    if not query:
        return []
    residents = residents_for_staff(staff)
    for word in query.split():
        residents = residents.filter(
            Q(number__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word)
        )
    found = list(residents.order_by("last_name", "first_name", "id")[:SEARCH_LIMIT])
    audit.record(
        actor=staff,
        action="resident.searched",
        data={"query": query, "residents": [r.pk for r in found]},
    )
    return found


def resident_for_staff(*, staff: User, resident_id: int) -> Resident:
    resident = residents_for_staff(staff).filter(pk=resident_id).first()
    if resident is None:
        raise NotFound()
    return resident


def connections_for_staff(*, staff: User, resident: Resident) -> QuerySet[Connection]:
    """The resident's connections at the staff member's facilities, newest change first."""
    return (
        Connection.objects.filter(resident=resident, facility__in=_facilities(staff))
        .select_related("contact", "contact__user", "facility")
        .order_by("-updated_at", "-id")
    )


def resident_history(
    *, staff: User, resident: Resident, before: str = "", after: str = ""
) -> History:
    """One page of every message to and from the resident (both directions, every status)
    at the staff member's facilities, newest first, before or after a cursor. Audited with
    the ids shown."""
    messages = _messages(staff).filter(resident=resident)
    shown = _page(messages, before=before, after=after)
    audit.record(
        actor=staff,
        action="resident.history_viewed",
        obj=resident,
        facility_id=resident.facility_id,
        data={"messages": [m.pk for m in shown.rows]},
    )
    return History(shown, _refuse_privileged(staff, resident, f"resident {resident.pk}"))


@dataclass(frozen=True)
class History:
    """One page of a person's history, and how many privileged messages it leaves out."""

    window: keyset.Window[Message]
    privileged: int


def _page(messages: QuerySet[Message], *, before: str, after: str) -> keyset.Window[Message]:
    return keyset.window(messages, size=PAGE_SIZE, before=before, after=after, newest_first=True)


def _privileged_count(*, staff: User, person: Resident | Contact) -> int:
    """How many privileged messages of ``person`` at the staff member's facilities a
    history leaves out."""
    mine = Q(resident=person) if isinstance(person, Resident) else Q(contact=person)
    return Message.objects.filter(
        mine, facility__in=_facilities(staff), connection__privileged=True
    ).count()


def _refuse_privileged(staff: User, person: Resident | Contact, where: str) -> int:
    """Record that a history left out privileged messages (every refusal is logged); how
    many it left out."""
    hidden = _privileged_count(staff=staff, person=person)
    if hidden:
        audit.record(
            actor=staff,
            action="privileged.read_refused",
            data={"messages": hidden, "where": where},
        )
    return hidden


def contact_for_staff(*, staff: User, contact_id: int) -> Contact:
    """A contact with a connection or a message at the staff member's facilities."""
    facilities = _facilities(staff)
    contact = Contact.objects.select_related("user").filter(pk=contact_id).first()
    if contact is None:
        raise NotFound()
    known_here = (
        Connection.objects.filter(contact=contact, facility__in=facilities).exists()
        or Message.objects.filter(contact=contact, facility__in=facilities).exists()
    )
    if not known_here:
        raise NotFound()
    return contact


def contact_connections_for_staff(*, staff: User, contact: Contact) -> QuerySet[Connection]:
    return (
        Connection.objects.filter(contact=contact, facility__in=_facilities(staff))
        .select_related("resident", "facility")
        .order_by("-updated_at", "-id")
    )


def contact_history(*, staff: User, contact: Contact, before: str = "", after: str = "") -> History:
    """One page of the contact's messages at the staff member's facilities, newest first."""
    messages = _messages(staff).filter(contact=contact)
    shown = _page(messages, before=before, after=after)
    audit.record(
        actor=staff,
        action="contact.history_viewed",
        obj=contact,
        data={"messages": [m.pk for m in shown.rows]},
    )
    return History(shown, _refuse_privileged(staff, contact, f"contact {contact.pk}"))


def record_message_view(*, staff: User, message: Message) -> None:
    """A staff member opened one message (on the review page)."""
    audit.record(actor=staff, action="message.viewed", obj=message, facility_id=message.facility_id)
