"""Who may see what. Every staff query is scoped through these helpers."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from homeward.facilities.models import Facility
from homeward.people.models import StaffMembership, User

Role = StaffMembership.Role
# Roles that may decide on messages and connections.
REVIEW_ROLES = (Role.REVIEWER, Role.FACILITY_ADMIN, Role.AGENCY_ADMIN)
# Roles that may read any message of their facilities.
READ_ROLES = (Role.REVIEWER, Role.INVESTIGATOR, Role.FACILITY_ADMIN, Role.AGENCY_ADMIN)


def staff_facilities(user: User, roles: Iterable[str] = READ_ROLES) -> QuerySet[Facility]:
    if not user.is_authenticated:
        return Facility.objects.none()
    memberships = StaffMembership.objects.filter(user=user, role__in=list(roles))
    whole_agencies = memberships.filter(facility__isnull=True).values("agency_id")
    single = memberships.filter(facility__isnull=False).values("facility_id")
    return Facility.objects.filter(Q(agency_id__in=whole_agencies) | Q(id__in=single))


def can_review(user: User, facility_id: int) -> bool:
    return staff_facilities(user, REVIEW_ROLES).filter(id=facility_id).exists()
