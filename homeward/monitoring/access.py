"""Who may search messages: investigators and admins (``people.access.SEARCH_ROLES``),
over their own facilities only. Reviewers read histories but do not search or export."""

from __future__ import annotations

from django.db.models import QuerySet

from homeward.facilities.models import Facility
from homeward.people import access
from homeward.people.models import User


def search_facilities(staff: User) -> QuerySet[Facility]:
    """The facilities whose messages ``staff`` may search (none for a reviewer)."""
    return access.staff_facilities(staff, access.SEARCH_ROLES)
