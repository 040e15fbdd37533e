"""Who may search messages: investigators and admins, over their own facilities only.
Reviewers read histories but do not search or export."""

from __future__ import annotations

from django.db.models import QuerySet

from homeward.facilities.models import Facility
from homeward.people import access
from homeward.people.models import StaffMembership, User

Role = StaffMembership.Role
SEARCH_ROLES = (Role.INVESTIGATOR, Role.FACILITY_ADMIN, Role.AGENCY_ADMIN)


def search_facilities(staff: User) -> QuerySet[Facility]:
    """The facilities whose messages ``staff`` may search (none for a reviewer)."""
    return access.staff_facilities(staff, SEARCH_ROLES)
