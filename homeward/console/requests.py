"""The request a console view receives, typed: who is signed in and what they may do.

The console's decorators (``homeward.console.access``) check the person and then hand the
view one of these, so a view reads ``request.user`` as a staff ``User`` and
``request.staff`` as their roles, with no guessing and no casts in the views.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from homeward.people import access
from homeward.people.models import User


@dataclass(frozen=True)
class StaffContext:
    """What the console layout needs to know about the person signed in."""

    roles: frozenset[str]

    @property
    def can_review(self) -> bool:
        return bool(self.roles & set(access.REVIEW_ROLES))

    @property
    def can_admin(self) -> bool:
        return bool(self.roles & set(access.ADMIN_ROLES))

    @property
    def can_search(self) -> bool:
        return bool(self.roles & set(access.SEARCH_ROLES))

    @property
    def can_audit(self) -> bool:
        return bool(self.roles & set(access.AUDIT_ROLES))


class SigningInRequest(HttpRequest):
    """A staff member who typed their password, during the later sign-in steps (second
    factor, monitoring notice): the user is known, the console is not open yet."""

    user: User


class StaffRequest(SigningInRequest):
    """A console page's request, once ``staff_required`` let it through: a signed-in staff
    member who passed every sign-in step and holds a role the page accepts."""

    staff: StaffContext
