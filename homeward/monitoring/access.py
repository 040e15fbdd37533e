"""Who may search messages: investigators and admins (``people.access.SEARCH_ROLES``),
over their own facilities only. Reviewers read histories but do not search or export."""

from __future__ import annotations

from django.db.models import QuerySet

from homeward.connections.models import Connection
from homeward.core.errors import NotFound
from homeward.core.ids import whole_number
from homeward.facilities.models import Agency, Facility
from homeward.monitoring.models import Case, LegalHold
from homeward.people import access
from homeward.people.models import Contact, Resident, StaffMembership, User


def search_facilities(staff: User) -> QuerySet[Facility]:
    """The facilities whose messages ``staff`` may search (none for a reviewer)."""
    return access.staff_facilities(staff, access.SEARCH_ROLES)


def retention_agencies(staff: User) -> QuerySet[Agency]:
    """The agencies whose retention and holds ``staff`` looks after (as agency admin)."""
    ids = StaffMembership.objects.filter(user=staff, role__in=access.AUDIT_ROLES).values(
        "agency_id"
    )
    return Agency.objects.filter(pk__in=ids).order_by("name")


def agency_for(staff: User, agency_id: int) -> Agency:
    """An agency ``staff`` administers (its retention, holds, attorneys); else NotFound."""
    agency = retention_agencies(staff).filter(pk=agency_id).first()
    if agency is None:
        raise NotFound("No such agency.")
    return agency


def connection_at(agency: Agency, connection_id: int) -> Connection:
    """A connection at one of the agency's facilities; else NotFound."""
    found = (
        Connection.objects.select_related("facility__agency", "contact")
        .filter(pk=connection_id, facility__agency=agency)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def hold_for(*, staff: User, hold_id: int) -> LegalHold:
    hold = LegalHold.objects.filter(pk=hold_id, agency__in=retention_agencies(staff)).first()
    if hold is None:
        raise NotFound()
    return hold


def subject_named(agency: Agency, kind: str, name: str) -> Resident | Contact | Connection | Case:
    """What a hold at ``agency`` names: a resident by number, a contact by email (one
    connected at the agency), a connection or a case by its number; NotFound otherwise."""
    name = name.strip()
    found: Resident | Contact | Connection | Case | None = None
    if kind == LegalHold.Kind.RESIDENT:
        found = Resident.objects.filter(agency=agency, number__iexact=name).first()
    elif kind == LegalHold.Kind.CONTACT:
        return contact_at(agency, name)
    elif kind == LegalHold.Kind.CONNECTION and (number := whole_number(name)) is not None:
        return connection_at(agency, number)
    elif kind == LegalHold.Kind.CASE and (number := whole_number(name)) is not None:
        found = Case.objects.filter(pk=number, agency=agency).first()
    if found is None:
        raise NotFound()
    return found


def contact_at(agency: Agency, email: str) -> Contact:
    """A contact with a connection at ``agency``, by email; NotFound otherwise."""
    found = Contact.objects.filter(
        user__email__iexact=email.strip(), connections__facility__agency=agency
    ).first()
    if found is None:
        raise NotFound()
    return found
