"""A second factor for every staff account: an authenticator app (TOTP) and ten single-use
recovery codes.

django-otp keeps the devices (``otp_totp`` for the app, ``otp_static`` for the recovery
codes) and throttles wrong codes itself: after each failure the device refuses every code
for twice as long as before (1, 2, 4, 8 ... seconds), until a right one.

Recovery codes are kept only as an HMAC keyed with the server's SECRET_KEY. A plain hash
would not do: a code has only 50 random bits, so anyone with a copy of the database could
try every code offline. Without the key, the stored values give nothing to try against.
Rotating SECRET_KEY keeps the codes working while the old key is in SECRET_KEY_FALLBACKS.

Every state change here is one service function with its own transaction and audit event.
Failures are counted by django-otp inside the transaction that checks the code, and the
error is raised only after that transaction has committed, so a refusal never rolls back
its own count.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import django_otp
from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device, ThrottlingMixin
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward.core import audit
from homeward.core.errors import Conflict, DomainError, NotFound
from homeward.people import access
from homeward.people.models import StaffMembership, User

Role = StaffMembership.Role
RECOVERY_CODES = 10
APP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
# Made on the server's command line for a platform operator (a superuser) of the admin.
OPERATOR_APP_NAME = "Operator authenticator (operator_second_factor)"
# Only seed_demo names a device this way; demo_code prints codes for no other device.
DEMO_APP_NAME = "Demo authenticator (seed_demo)"
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
# Keeps these digests apart from every other HMAC made with SECRET_KEY.
_RECOVERY_KEY_SALT = "homeward.people.second_factor.recovery-code"


class WrongCode(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "wrong_code", _("That code is not right. Try the newest code, or a recovery code.")
        )


class TooManyCodes(DomainError):
    status = 429

    def __init__(self, seconds: int) -> None:
        super().__init__(
            "too_many_codes",
            ngettext(
                "Too many wrong codes. Wait %(seconds)s second, then type the newest code.",
                "Too many wrong codes. Wait %(seconds)s seconds, then type the newest code.",
                seconds,
            )
            % {"seconds": seconds},
        )


@dataclass(frozen=True)
class Enrolled:
    device: TOTPDevice
    recovery_codes: list[str]  # shown once, never stored as typed


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _digest(code: str, *, secret: str | None = None) -> str:
    # StaticToken.token holds 16 characters: 64 bits of an HMAC-SHA256 keyed with the
    # server's secret key (``secret`` is an older key from SECRET_KEY_FALLBACKS).
    mac = salted_hmac(_RECOVERY_KEY_SALT, _normalise(code), secret=secret, algorithm="sha256")
    return mac.hexdigest()[:16]


def _stored_digest(device: StaticDevice, code: str) -> str:
    """The digest of ``code`` as this device stored it: under the current key, or under an
    older key still in SECRET_KEY_FALLBACKS (codes made before a key rotation)."""
    digests = [_digest(code), *(_digest(code, secret=k) for k in settings.SECRET_KEY_FALLBACKS)]
    if len(digests) > 1:
        found = device.token_set.filter(token__in=digests).values_list("token", flat=True)
        return found.first() or digests[0]
    return digests[0]


def _recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _i in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def new_app(*, user: User, name: str, confirmed: bool) -> TOTPDevice:
    """A new authenticator app device (django-otp's manager is untyped: this says what it
    makes)."""
    device: TOTPDevice = TOTPDevice.objects.create(user=user, name=name, confirmed=confirmed)
    return device


def has_app(user: User) -> bool:
    """Whether ``user`` has a confirmed authenticator app (and so must verify, not enrol)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verified_in_session(user: User) -> bool:
    """Whether ``user`` (a request's user) passed a second factor in this session.
    django-otp's middleware marks the request's user with the device that verified it;
    a user without that mark (loaded outside a request) has not."""
    device: Device | None = getattr(user, "otp_device", None)
    return device is not None


def current_code(device: TOTPDevice) -> str:
    """The code the authenticator app shows now (for the demo and for tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def seconds_left(device: TOTPDevice) -> int:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return int(device.step - (totp.time - device.t0) % device.step)


def pending_app(*, user: User) -> TOTPDevice:
    """The unconfirmed app a staff member is enrolling: the same secret on every reload
    until they confirm it, so a code from the app they already scanned keeps working."""
    with transaction.atomic():
        if has_app(user):
            raise Conflict("already_enrolled", _("This account already has a second factor."))
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None:
            device = new_app(user=user, name=APP_NAME, confirmed=False)
            audit.record(actor=user, action="staff.second_factor_enrolment_started", obj=user)
        return device


def confirm_app(*, user: User, code: str) -> Enrolled:
    """The staff member typed a code from the app they just scanned: the app becomes their
    second factor, and ten recovery codes are made (returned once, stored as digests)."""
    with transaction.atomic():
        if has_app(user):
            raise Conflict("already_enrolled", _("This account already has a second factor."))
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None:
            raise Conflict(
                "no_enrolment", _("Start again: open the enrolment page for a new code.")
            )
        codes: list[str] = []
        allowed, wait = device.verify_is_allowed()
        verified = allowed and device.verify_token(_normalise(code))
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _replace_recovery_codes(user)
            audit.record(
                actor=user,
                action="staff.second_factor_enrolled",
                obj=user,
                data={"recovery_codes": len(codes)},
            )
        else:
            audit.record(actor=user, action="staff.second_factor_failed", obj=user)
    if not allowed:
        raise TooManyCodes(_seconds_until(wait))
    if not verified:
        raise WrongCode()
    return Enrolled(device=device, recovery_codes=codes)


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [_recovery_code() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=_digest(c)) for c in codes)
    return codes


def verify(*, user: User, code: str) -> Device:
    """Check a code from the app, or a recovery code (which then stops working). Returns
    the device that accepted it, for ``django_otp.login``."""
    typed = _normalise(code)
    is_app_code = typed.isdigit() and len(typed) == 6
    device: TOTPDevice | StaticDevice | None
    if is_app_code:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        audit.record(actor=user, action="staff.second_factor_failed", obj=user)
        raise WrongCode()
    allowed, wait = _verify_is_allowed(device)
    if not allowed:
        raise TooManyCodes(_seconds_until(wait))
    token = typed if isinstance(device, TOTPDevice) else _stored_digest(device, typed)
    # django_otp.verify_token locks the device row, so two requests cannot both use one
    # code, and commits the failure count whatever the answer.
    accepted: Device | None = django_otp.verify_token(user, device.persistent_id, token)
    if accepted is None:
        audit.record(actor=user, action="staff.second_factor_failed", obj=user)
        raise WrongCode()
    data: dict[str, object] = {"method": "app" if is_app_code else "recovery_code"}
    if not is_app_code:
        data["recovery_codes_left"] = StaticToken.objects.filter(device_id=accepted.pk).count()
    audit.record(actor=user, action="staff.second_factor_verified", obj=user, data=data)
    return accepted


def _verify_is_allowed(device: ThrottlingMixin) -> tuple[bool, dict[str, Any] | None]:
    """django-otp's throttle: (True, None), or (False, when the device may be tried again)."""
    allowed, wait = device.verify_is_allowed()
    return allowed, wait


def _seconds_until(wait: dict[str, Any] | None) -> int:
    if not wait or "locked_until" not in wait:
        return 1
    # django-otp times its throttle with the real clock, so this does too.
    return max(1, int((wait["locked_until"] - timezone.now()).total_seconds()) + 1)


def users_with_app(users: QuerySet[User] | list[User]) -> set[int]:
    """Which of ``users`` have a confirmed authenticator app (one query for a list)."""
    ids = TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list(
        "user_id", flat=True
    )
    return set(ids)


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@dataclass(frozen=True)
class StaffRow:
    user: User  # memberships (with facility and agency) already fetched
    enrolled: bool


# Staff on one page of the staff list.
STAFF_PAGE = 100


@dataclass(frozen=True)
class StaffPage:
    rows: list[StaffRow]
    next: str | None  # the username to read on from (``after``), if there are more


def staff_rows(admin: User, *, after: str = "", size: int = STAFF_PAGE) -> StaffPage:
    """A page of the staff list an admin sees: everyone they may reset, by username, from
    just after ``after`` (or the first), with their roles and whether they have set up an
    app, in a fixed number of queries."""
    people = access.staff_managed_by(admin)
    if after:
        people = people.filter(username__gt=after)
    found = list(
        people.prefetch_related(
            Prefetch(
                "memberships",
                queryset=StaffMembership.objects.select_related("facility", "agency").order_by(
                    "pk"
                ),
            )
        )[: size + 1]
    )
    shown = found[:size]
    enrolled = users_with_app(shown)
    rows = [StaffRow(user=person, enrolled=person.pk in enrolled) for person in shown]
    return StaffPage(rows, shown[-1].username if len(found) > size else None)


def reset(*, actor: User, staff_user_id: int) -> User:
    """Remove a staff member's app and recovery codes; they enrol again at their next page.
    Anyone outside the admin's scope is not found, and nothing changes."""
    with transaction.atomic():
        target = access.staff_managed_by(actor).filter(pk=staff_user_id).first()
        if target is None:
            raise NotFound(_("No staff member here has that id."))
        apps = TOTPDevice.objects.filter(user=target).delete()[1].get("otp_totp.TOTPDevice", 0)
        StaticDevice.objects.filter(user=target).delete()
        audit.record(
            actor=actor,
            action="staff.second_factor_reset",
            obj=target,
            data={"apps_removed": apps},
        )
    return target


def enrol_demo(*, user: User) -> TOTPDevice:
    """A confirmed app for a demo account, marked so that ``demo_code`` may print its codes."""
    with transaction.atomic():
        device = new_app(user=user, name=DEMO_APP_NAME, confirmed=True)
        audit.record(actor="seed_demo", action="staff.second_factor_enrolled", obj=user)
    return device


def demo_app(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, name=DEMO_APP_NAME, confirmed=True).first()


def enrol_operator(*, username: str, replace: bool = False) -> TOTPDevice:
    """A new authenticator app for a platform operator (an active superuser), who signs in
    to the Django admin with a password and its code. Only someone with a shell on the
    deployment can run this, so it needs no code of its own. ``replace`` removes the
    operator's old app (a lost phone); without it an operator who has one is refused."""
    with transaction.atomic():
        user = (
            User.objects.select_for_update()
            .filter(username=username.strip(), is_superuser=True, is_active=True)
            .first()
        )
        if user is None:
            raise NotFound(_("No active superuser has that username."))
        if has_app(user) and not replace:
            raise Conflict(
                "already_enrolled",
                _(
                    "This operator already has an authenticator app. Use --replace to remove "
                    "it and set up a new one."
                ),
            )
        TOTPDevice.objects.filter(user=user).delete()
        device = new_app(user=user, name=OPERATOR_APP_NAME, confirmed=True)
        audit.record(
            actor="operator",
            action="operator.second_factor_enrolled",
            obj=user,
            data={"replaced": replace},
        )
    return device
