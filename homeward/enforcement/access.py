"""Who may read which violations: staff, of the facilities they serve."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from homeward.core import audit
from homeward.core.errors import NotFound
from homeward.enforcement.models import Appeal, Restriction, Violation
from homeward.people import access
from homeward.people.models import Contact, Resident, User

RECORD_SHOWN = 10


def record_of(staff: User, person: Contact | Resident) -> QuerySet[Violation]:
    """A person's violations at the staff member's facilities, newest first (at most
    ``RECORD_SHOWN``), void ones included and marked."""
    facilities = access.staff_facilities(staff, access.READ_ROLES)
    scope = {"contact": person} if isinstance(person, Contact) else {"resident": person}
    return (
        Violation.objects.filter(facility__in=facilities, **scope)
        .select_related("facility", "confirmed_by")
        .order_by("-created_at", "-id")[:RECORD_SHOWN]
    )


def restriction_for(staff: User, restriction_id: int) -> Restriction:
    """A restriction imposed at one of the staff member's facilities; else NotFound."""
    found = (
        Restriction.objects.select_related("facility", "contact", "resident", "connection")
        .filter(pk=restriction_id, facility__in=access.staff_facilities(staff))
        .first()
    )
    if found is None:
        raise NotFound(_("No such restriction."))
    return found


def appeal_for(staff: User, appeal_id: int) -> Appeal:
    """An appeal at one of the staff member's facilities; else NotFound."""
    found = (
        Appeal.objects.select_related(
            "facility",
            "message__connection__resident",
            "message__connection__contact",
            "restriction",
            "contact",
            "resident",
            "assigned_to",
            "decided_against",
            "decided_by",
        )
        .filter(pk=appeal_id, facility__in=access.staff_facilities(staff))
        .first()
    )
    if found is None:
        raise NotFound(_("No such appeal."))
    if found.message is not None and found.message.connection.privileged:
        # A block appealed before the connection became privileged: its text is the
        # attorney's, and staff never read it. The refusal is logged, as histories do.
        audit.record(
            actor=staff,
            action="privileged.read_refused",
            obj=found,
            facility_id=found.facility_id,
            data={"messages": 1, "where": f"appeal {found.pk}"},
        )
        raise NotFound(_("No such appeal."))
    return found
