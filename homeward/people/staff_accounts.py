"""Staff accounts an admin adds, and a new password for one who lost theirs.

An admin adds staff inside what they look after (``places_for``): a facility admin adds
reviewers, investigators and facility admins at their facilities; an agency admin adds them
at any facility of their agencies, and reviewers, investigators and agency admins across a
whole agency. A new account has no password: the admin is shown, once, a link where its
owner chooses one. An admin gives someone they look after (``access.staff_managed_by``) a
new link when a password is lost or may be known to someone else: the old password stops
working at once and every session of the account ends. A link is Django's password-reset
token, bound to the password and the last sign-in: it works once, and for
``PASSWORD_RESET_TIMEOUT``. The second factor is the owner's app, as before
(``second_factor.reset`` starts it again). An admin deactivates someone who has left: they
cannot sign in, every session and token of theirs ends and their password is gone;
reactivating them gives a new link, so a password from before never comes back. Every
step is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from homeward.core import audit, clock
from homeward.core.errors import Conflict, DomainError, NotFound
from homeward.facilities.models import Agency, Facility
from homeward.people import access, account, throttle
from homeward.people.models import StaffMembership, User

Role = StaffMembership.Role
USERNAME_LONGEST = 150
NAME_LONGEST = 150


@dataclass(frozen=True)
class Place:
    """Where a new staff member may work: one facility, or every facility of an agency."""

    key: str  # "facility:<id>" or "agency:<id>"
    label: str
    agency_id: int
    facility_id: int | None

    @property
    def roles(self) -> tuple[str, ...]:
        return access.FACILITY_ROLES if self.facility_id is not None else access.AGENCY_ROLES


@dataclass(frozen=True)
class Link:
    """A staff member and the address where they choose a password (shown once)."""

    user: User
    path: str


def places_for(admin: User) -> list[Place]:
    """Where ``admin`` may add staff: each agency they administer whole and its
    facilities, and each facility they are a facility admin of; by name."""
    own = StaffMembership.objects.filter(user=admin)
    agency_ids = set(own.filter(role=Role.AGENCY_ADMIN).values_list("agency_id", flat=True))
    facility_ids = set(
        own.filter(role=Role.FACILITY_ADMIN, facility__isnull=False).values_list(
            "facility_id", flat=True
        )
    )
    places = [
        Place(f"agency:{agency.pk}", f"Every facility of {agency.name}", agency.pk, None)
        for agency in Agency.objects.filter(pk__in=agency_ids).order_by("name", "pk")
    ]
    facilities = Facility.objects.filter(agency_id__in=agency_ids) | Facility.objects.filter(
        pk__in=facility_ids
    )
    places += [
        Place(f"facility:{f.pk}", f.name, f.agency_id, f.pk)
        for f in facilities.distinct().order_by("name", "pk")
    ]
    return places


def add_staff(
    *,
    admin: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    place: str,
) -> Link:
    """A new staff account with one membership, and the link where its owner chooses a
    password. Refused (nothing made) for a place or role the admin may not give, a username
    taken in any letter case, or fields that are not what they should be."""
    username = throttle.username_as_typed(username.strip())
    first_name, last_name, email = first_name.strip(), last_name.strip(), email.strip().lower()
    _check_username(username)
    if not first_name or not last_name:
        raise DomainError("name_required", _("Give the staff member's first and last names."))
    if len(first_name) > NAME_LONGEST or len(last_name) > NAME_LONGEST:
        raise DomainError(
            "name_too_long",
            _("Names are at most %(count)s characters.") % {"count": NAME_LONGEST},
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise DomainError("email_invalid", _("That email address is not valid.")) from None
    chosen = next((p for p in places_for(admin) if p.key == place), None)
    if chosen is None:
        raise NotFound(_("You do not look after that place."))
    if role not in chosen.roles:
        raise DomainError(
            "role_not_here",
            _(
                "Agency admins work across a whole agency, and facility admins at one "
                "facility; choose the role again."
            ),
        )
    try:
        with transaction.atomic():
            if User.objects.filter(username__iexact=username).exists():
                raise _username_taken(username)
            user = User(
                username=username,
                first_name=first_name,
                last_name=last_name,
                email=email,
                date_joined=clock.now(),
            )
            user.set_unusable_password()
            user.save()
            StaffMembership.objects.create(
                user=user, agency_id=chosen.agency_id, facility_id=chosen.facility_id, role=role
            )
            audit.record(
                actor=admin,
                action="staff.added",
                obj=user,
                facility_id=chosen.facility_id,
                data={"role": role, "place": chosen.label},
            )
    except IntegrityError:  # the same username added by another admin at the same moment
        raise _username_taken(username) from None
    return Link(user, password_path(user))


def new_password_link(*, admin: User, staff_user_id: int) -> Link:
    """A new link for a staff member the admin looks after; their password stops working
    now (and with it every session of theirs). Anyone else is not found, and nothing
    changes."""
    with transaction.atomic():
        target = _managed(admin, staff_user_id)
        if not target.is_active:
            raise Conflict(
                "staff_inactive",
                _("%(username)s is deactivated: reactivate them to give them a link.")
                % {"username": target.username},
            )
        _stop_password(target)
        audit.record(actor=admin, action="staff.password_link_made", obj=target)
    return Link(target, password_path(target))


def deactivate(*, admin: User, staff_user_id: int) -> User:
    """Someone the admin looks after stops being able to sign in: the account is inactive,
    its password gone, every session and token of it ended. Their memberships stay (their
    work stays theirs in the audit trail). Already inactive: nothing changes. Anyone else
    is not found, and nothing changes."""
    with transaction.atomic():
        target = _managed(admin, staff_user_id)
        if not target.is_active:
            return target
        target.is_active = False
        target.save(update_fields=["is_active"])
        _stop_password(target)
        audit.record(actor=admin, action="staff.deactivated", obj=target)
    return target


def reactivate(*, admin: User, staff_user_id: int) -> Link:
    """A deactivated account the admin looks after can sign in again once its owner
    chooses a new password from the link made here (the old one never comes back)."""
    with transaction.atomic():
        target = _managed(admin, staff_user_id)
        if target.is_active:
            raise Conflict(
                "staff_active",
                _("%(username)s is active already.") % {"username": target.username},
            )
        target.is_active = True
        target.save(update_fields=["is_active"])
        _stop_password(target)
        audit.record(actor=admin, action="staff.reactivated", obj=target)
    return Link(target, password_path(target))


def _managed(admin: User, staff_user_id: int) -> User:
    """The account, locked, if ``admin`` looks after it; NotFound otherwise."""
    target = access.staff_managed_by(admin).select_for_update().filter(pk=staff_user_id).first()
    if target is None:
        raise NotFound(_("No staff member you look after has that id."))
    return target


def _stop_password(user: User) -> None:
    """The password stops working now, and with it every session and token of the
    account."""
    user.set_unusable_password()
    user.save(update_fields=["password"])
    account.password_changed(user)


def password_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("console:choose_password", args=[uid, token])


def link_user(uid: str, token: str) -> User:
    """The staff member a link is for, while it is good (used once, or expired: refused;
    a contact's own reset link opens nothing here)."""
    staff = User.objects.filter(pk__in=StaffMembership.objects.values("user_id"))
    user = account.user_of_link(uid, token, staff)
    if user is None:
        raise _link_invalid()
    return user


def choose_password(*, uid: str, token: str, password: str) -> User:
    """Set the password a link asks for. The link works once (two tabs cannot both use
    it: the second reads the row after the first has changed it)."""
    with transaction.atomic():
        pk = link_user(uid, token).pk
        User.objects.select_for_update().filter(pk=pk).first()
        user = link_user(uid, token)  # again, holding the row
        account.check_new_password(user, password)
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(actor=user, action="staff.password_chosen", obj=user)
        account.password_changed(user)
        throttle.release(name=user.get_username(), actor=user)
    return user


def _check_username(username: str) -> None:
    if not username:
        raise DomainError("username_required", _("Choose a username."))
    if len(username) > USERNAME_LONGEST:
        raise DomainError(
            "username_too_long",
            _("A username is at most %(count)s characters.") % {"count": USERNAME_LONGEST},
        )
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise DomainError(
            "username_invalid",
            _("A username holds letters, digits and @ . + - _ only (no spaces)."),
        ) from None


def _username_taken(username: str) -> Conflict:
    return Conflict(
        "username_taken",
        _("The username %(username)s is taken; choose another.") % {"username": username},
    )


def _link_invalid() -> DomainError:
    return DomainError(
        "link_invalid",
        _(
            "This link is not valid: it was used already, has expired, or is incomplete. "
            "Ask an admin for a new one."
        ),
    )
