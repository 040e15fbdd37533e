"""The staff monitoring notice: staff accept the current version before using the console.

The notice belongs to the console (it is what staff are told about the console), so its
record and its one service live here rather than in a domain app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction

from homeward.console.models import StaffNoticeAcceptance
from homeward.core import audit, clock
from homeward.people.models import User


def current_version() -> str:
    return settings.STAFF_MONITORING_NOTICE_VERSION


def accepted(user: User) -> StaffNoticeAcceptance | None:
    """This staff member's acceptance of the current version, if any."""
    return StaffNoticeAcceptance.objects.filter(user=user, version=current_version()).first()


def accept(*, user: User) -> StaffNoticeAcceptance:
    """Record that ``user`` accepted the current notice (once per version; a second accept
    keeps the first time)."""
    version = current_version()
    try:
        with transaction.atomic():
            row = StaffNoticeAcceptance.objects.create(
                user=user, version=version, accepted_at=clock.now()
            )
            audit.record(
                actor=user,
                action="staff.notice_accepted",
                obj=row,
                data={"version": version},
            )
    except IntegrityError:  # accepted in another tab a moment ago
        return StaffNoticeAcceptance.objects.get(user=user, version=version)
    return row
