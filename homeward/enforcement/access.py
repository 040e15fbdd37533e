"""Who may read which violations: staff, of the facilities they serve."""

from __future__ import annotations

from django.db.models import QuerySet

from homeward.enforcement.models import Violation
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
