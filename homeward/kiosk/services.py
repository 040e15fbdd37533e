"""Kiosk devices and resident sign-in. Each state change here owns its transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from homeward.core import audit, clock
from homeward.core.errors import DomainError, PermissionDenied
from homeward.facilities.models import Facility
from homeward.kiosk.models import KioskDevice
from homeward.people import access, throttle
from homeward.people.models import Resident, StaffMembership, User

Role = StaffMembership.Role
MAX_DEVICE_FAILURES = throttle.KIOSK_DEVICE.limit
# Marked here, translated where it is said (tests look for the English in a page).
WRONG_CREDENTIALS = gettext_noop(
    "That resident number and PIN do not match. Check them and try again."
)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def admin_facilities(staff: User) -> QuerySet[Facility]:
    """The facilities where ``staff`` may register kiosks."""
    return access.staff_facilities(staff, access.ADMIN_ROLES)


def register_device(*, staff: User, facility: Facility, name: str) -> tuple[KioskDevice, str]:
    """Make this facility trust a new device. Returns the device and its raw token.

    The raw token is shown to no one: the caller puts it in the device's cookie.
    """
    if not admin_facilities(staff).filter(pk=facility.pk).exists():
        raise PermissionDenied(
            _("Only an admin of this facility can register a kiosk."), "not_facility_admin"
        )
    name = name.strip()
    if not name:
        raise DomainError("name_required", _("Give the kiosk a name, such as where it stands."))
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        device = KioskDevice.objects.create(
            facility=facility,
            name=name[:100],
            token_hash=hash_token(raw),
            registered_by=staff,
            registered_at=clock.now(),
        )
        audit.record(
            actor=staff,
            action="kiosk.device_registered",
            obj=device,
            facility_id=facility.pk,
            data={"name": device.name},
        )
    return device, raw


def device_for_token(raw: str) -> KioskDevice | None:
    """The active device this token belongs to, or None."""
    if not raw:
        return None
    return (
        KioskDevice.objects.select_related("facility", "facility__policy")
        .filter(token_hash=hash_token(raw), is_active=True)
        .first()
    )


# --- kiosk hours ---------------------------------------------------------------------------


def _hhmm(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def hours_text(facility: Facility) -> str:
    start, end = facility.policy.kiosk_hours
    return _("%(start)s to %(end)s") % {"start": start, "end": end}


def kiosk_open(facility: Facility, at: dt.datetime | None = None) -> bool:
    """Is it within the facility's kiosk hours, facility-local?

    The closing minute itself still counts as open, so "00:00"–"23:59" means all day.
    """
    start, end = (_hhmm(v) for v in facility.policy.kiosk_hours)
    local = (at or clock.now()).astimezone(ZoneInfo(facility.timezone))
    now = local.time().replace(second=0, microsecond=0)
    if start <= end:
        return start <= now <= end
    return now >= start or now <= end  # a span that runs past midnight


# --- sign-in -------------------------------------------------------------------------------


def _record_failure(device: KioskDevice, number: str) -> None:
    audit.record(
        actor=f"kiosk:{device.pk}",
        action="kiosk.signin_failed",
        obj=device,
        facility_id=device.facility_id,
        data={"number": number},
    )


def sign_in(*, device: KioskDevice, number: str, pin: str) -> Resident:
    """Check a resident number and PIN typed at ``device``; return the resident.

    Every refusal is a DomainError whose message can be shown as is. A wrong number and a
    wrong PIN give the same message, so the kiosk never confirms that a number exists.
    """
    facility = device.facility
    if not kiosk_open(facility):
        raise PermissionDenied(
            _("The kiosk is open from %(hours)s. Please come back then.")
            % {"hours": hours_text(facility)},
            "kiosk_closed",
        )
    number = throttle.normalise_number(number)
    # Counted per number and per device before the PIN is checked (people.throttle), so a
    # burst of guesses cannot slip past; a lock ends after 15 minutes or when staff
    # release it in the console. Leaving the block without succeeded() counts a failure.
    with throttle.begin_kiosk(
        facility_id=facility.pk, device_id=device.pk, device_name=device.name, number=number
    ) as attempt:
        resident = (
            Resident.objects.select_related("facility", "facility__policy")
            .filter(agency_id=facility.agency_id, facility=facility, number__iexact=number)
            .first()
        )
        if resident is None or not resident.check_pin(pin):
            _record_failure(device, number)
            raise PermissionDenied(_(WRONG_CREDENTIALS), "signin_failed")
        # A good sign-in clears the count, so old typos do not lock the person out later.
        attempt.succeeded()
    if not resident.in_custody:
        raise PermissionDenied(_("Messaging has ended for this account."), "resident_released")
    with transaction.atomic():
        audit.record(
            actor=resident,
            action="kiosk.signin",
            obj=resident,
            facility_id=facility.pk,
            data={"device": device.pk},
        )
    return resident


def sign_out(*, resident: Resident, device: KioskDevice | None, reason: str = "") -> None:
    audit.record(
        actor=resident,
        action="kiosk.signout",
        obj=resident,
        facility_id=resident.facility_id,
        data={"device": device.pk if device else None, "reason": reason},
    )
