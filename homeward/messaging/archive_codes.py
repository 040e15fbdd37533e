"""Archive codes: how a released resident, who has no kiosk any more, takes their archive.

A release gives the resident a code (and an admin can give a new one, which replaces the
old): twelve letters and digits from an alphabet without look-alikes, shown once to the
staff member to hand over, or emailed to an address the resident gives. It works with the
resident's number at their facility only, until ``ARCHIVE_CODE_DAYS`` after it was given.
Only a keyed digest is kept. Every code typed is counted first (``people.throttle``): five
wrong ones lock that number for an hour, and a network that tries many numbers is stopped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from homeward.core import audit, clock, links
from homeward.core.errors import Conflict, DomainError, NotFound
from homeward.facilities.models import Facility
from homeward.messaging.models import ArchiveCode
from homeward.people import access, emails, throttle
from homeward.people.models import Resident, User

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0 or 1
LENGTH = 12
WRONG = gettext_lazy(
    "That code does not open an archive for that resident number. Check both, or ask the "
    "facility for a new code."
)


@dataclass(frozen=True)
class Issued:
    code: str  # shown once
    expires_at: dt.datetime
    emailed_to: str


def _digest(code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, b"homeward.archive-code:" + code.encode(), hashlib.sha256).hexdigest()


def _normal(typed: str) -> str:
    """A typed code as it was given: upper case, without spaces and dashes."""
    return "".join(c for c in typed.upper() if c.isalnum())


def shown(code: str) -> str:
    """The code as people read it: "ABCD-EFGH-JKLM"."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def issue(*, resident: Resident, staff: User | None, email: str = "") -> Issued:
    """A new code for a released resident, replacing any earlier one; emailed to ``email``
    if given. ``staff`` None is the release itself (its caller checked who may release)."""
    if staff is not None and not (
        access.staff_facilities(staff, access.ADMIN_ROLES).filter(pk=resident.facility_id).exists()
    ):
        raise NotFound()
    if resident.in_custody:
        raise Conflict(
            "in_custody",
            _("%(name)s is not released: the kiosk is theirs.") % {"name": resident.full_name},
        )
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    now = clock.now()
    expires = now + dt.timedelta(days=settings.ARCHIVE_CODE_DAYS)
    with transaction.atomic():
        # One code gives way to the next, one at a time: two admins giving a code at once
        # leave one code that works, never two (and the database allows only one).
        list(Resident.objects.select_for_update(no_key=True).filter(pk=resident.pk).values("pk"))
        ArchiveCode.objects.filter(resident=resident, replaced_at__isnull=True).update(
            replaced_at=now
        )
        ArchiveCode.objects.create(
            resident=resident,
            digest=_digest(code),
            issued_by=staff,
            issued_at=now,
            expires_at=expires,
            emailed_to=email,
        )
        audit.record(
            actor=staff or "system",
            action="archive.code_issued",
            obj=resident,
            facility_id=resident.facility_id,
            data={"emailed": bool(email), "expires_at": expires.isoformat()},
        )
        if email:
            # The day it ends at the facility (the email shows it in the reader's words).
            local = expires.astimezone(zoneinfo.ZoneInfo(resident.facility.timezone))
            emails.queue(
                to=email,
                template="archive_code",
                # Written in the resident's language (chosen at the kiosk), else English.
                language=resident.language or settings.LANGUAGE_CODE,
                ours={
                    "code": shown(code),
                    "until": local.date(),
                    "link": links.absolute("released", ""),
                    "facility": resident.facility.name,
                    # What the download form asks for (the name is not it).
                    "facility_code": resident.facility.code,
                    "number": resident.number,
                },
                theirs={"name": resident.first_name},
            )
    return Issued(code=code, expires_at=expires, emailed_to=email)


def redeem(*, facility_code: str, number: str, code: str, address: str | None) -> ArchiveCode:
    """The code, with its released resident, that these three open. Counted before it is checked;
    a wrong code, an expired or replaced one, another resident's, or a resident in custody
    all get the same answer (``archive_code_wrong``, 400), and a locked number or network
    a 429."""
    facility = Facility.objects.filter(code=facility_code.strip().lower()).first()
    if facility is None:
        raise DomainError("archive_code_wrong", str(WRONG))
    with throttle.begin_archive_code(
        facility_id=facility.pk, number=number, address=address
    ) as attempt:
        now = clock.now()
        resident = Resident.objects.filter(
            facility=facility,
            number__iexact=throttle.normalise_number(number),
            status=Resident.Status.RELEASED,
        ).first()
        found = (
            ArchiveCode.objects.filter(
                resident=resident,
                digest=_digest(_normal(code)),
                replaced_at__isnull=True,
                expires_at__gt=now,
            )
            .select_related("resident__facility")
            .first()
        )
        if resident is None or found is None:
            raise DomainError("archive_code_wrong", str(WRONG))
        attempt.succeeded()
    audit.record(
        actor=resident,
        action="archive.code_used",
        obj=resident,
        facility_id=resident.facility_id,
    )
    return found


def still_open(code_id: int) -> Resident | None:
    """The resident whose code ``code_id`` is, while it works (not expired, not replaced by
    a newer one): a session opened with a code ends with it."""
    found = (
        ArchiveCode.objects.filter(pk=code_id, replaced_at__isnull=True, expires_at__gt=clock.now())
        .select_related("resident__facility")
        .first()
    )
    return found.resident if found is not None else None


def live_code_of(resident: Resident) -> ArchiveCode | None:
    """The code that works now, if any (for staff: when it ends, whether it was emailed)."""
    return (
        ArchiveCode.objects.filter(
            resident=resident, replaced_at__isnull=True, expires_at__gt=clock.now()
        )
        .order_by("-issued_at")
        .first()
    )
