"""Who may see what. Every staff query is scoped through these helpers."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from homeward.facilities.models import Facility
from homeward.people.models import Contact, StaffMembership, User

Role = StaffMembership.Role
# Roles that may decide on messages and connections.
REVIEW_ROLES = (Role.REVIEWER, Role.FACILITY_ADMIN, Role.AGENCY_ADMIN)
# Roles that may read any message of their facilities.
READ_ROLES = (Role.REVIEWER, Role.INVESTIGATOR, Role.FACILITY_ADMIN, Role.AGENCY_ADMIN)
# Roles that look after a facility's staff, devices and settings.
ADMIN_ROLES = (Role.FACILITY_ADMIN, Role.AGENCY_ADMIN)
# Roles that may search messages (reviewers read histories but do not search or export).
SEARCH_ROLES = (Role.INVESTIGATOR, Role.FACILITY_ADMIN, Role.AGENCY_ADMIN)
# Roles that may read their agency's audit log.
AUDIT_ROLES = (Role.AGENCY_ADMIN,)
# Roles a membership holds at one facility, and across a whole agency (what an admin may
# give: ``staff_accounts``).
FACILITY_ROLES = (Role.REVIEWER, Role.INVESTIGATOR, Role.FACILITY_ADMIN)
AGENCY_ROLES = (Role.REVIEWER, Role.INVESTIGATOR, Role.AGENCY_ADMIN)


def contact_of_user(user: User | AnonymousUser | None) -> Contact | None:
    """The contact account of a signed-in user (None for staff, or nobody signed in)."""
    if user is None or not user.is_authenticated:
        return None
    return Contact.objects.filter(user=user).select_related("user").first()


def staff_roles(user: User | AnonymousUser) -> frozenset[str]:
    """Every role this person holds, anywhere (empty for a contact or nobody)."""
    if not user.is_authenticated:
        return frozenset()
    return frozenset(StaffMembership.objects.filter(user=user).values_list("role", flat=True))


def agencies_administered(user: User) -> set[int]:
    """The agencies this person administers whole (an agency admin's membership, with no
    facility): what only an agency admin may do there."""
    if not user.is_authenticated:
        return set()
    return set(
        StaffMembership.objects.filter(
            user=user, role=Role.AGENCY_ADMIN, facility__isnull=True
        ).values_list("agency_id", flat=True)
    )


def staff_facilities(user: User, roles: Iterable[str] = READ_ROLES) -> QuerySet[Facility]:
    if not user.is_authenticated:
        return Facility.objects.none()
    memberships = StaffMembership.objects.filter(user=user, role__in=list(roles))
    whole_agencies = memberships.filter(facility__isnull=True).values("agency_id")
    single = memberships.filter(facility__isnull=False).values("facility_id")
    return Facility.objects.filter(Q(agency_id__in=whole_agencies) | Q(id__in=single))


def can_review(user: User, facility_id: int) -> bool:
    return staff_facilities(user, REVIEW_ROLES).filter(id=facility_id).exists()


def _memberships_managed_by(admin: User) -> Q:
    """Memberships an admin looks after: an agency admin, any membership in their agencies;
    a facility admin, a facility-level membership at one of their facilities that is not
    an agency admin's."""
    own = StaffMembership.objects.filter(user=admin)
    agencies = own.filter(role=Role.AGENCY_ADMIN).values("agency_id")
    facilities = own.filter(role=Role.FACILITY_ADMIN, facility__isnull=False).values("facility_id")
    at_facility = Q(facility_id__in=facilities) & ~Q(role=Role.AGENCY_ADMIN)
    return Q(agency_id__in=agencies) | at_facility


def staff_managed_by(admin: User) -> QuerySet[User]:
    """Staff an admin looks after (resets their second factor, releases their sign-in
    locks): those whose EVERY membership lies inside the admin's scope, so that no admin
    can act on an account that also works somewhere they do not look after. Never a
    superuser (whose app also guards the Django admin), never the admin themselves."""
    inside = _memberships_managed_by(admin)
    has_inside = StaffMembership.objects.filter(inside).values("user_id")
    # exclude() counts a membership whose facility is empty (agency-wide) as outside a
    # facility admin's scope: SQL's NULL never matches the facility list.
    has_outside = StaffMembership.objects.exclude(inside).values("user_id")
    return (
        User.objects.filter(pk__in=has_inside)
        .exclude(pk__in=has_outside)
        .exclude(is_superuser=True)
        .exclude(pk=admin.pk)
        .order_by("username")
    )
