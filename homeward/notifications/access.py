"""What each person may read of notifications: their own, and nothing else."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from homeward.notifications.events import CONTACT_EVENTS
from homeward.notifications.models import Notification, Preference
from homeward.people.models import Contact, Resident

NOTICES_SHOWN = 20


def preferences_of(contact: Contact) -> list[tuple[str, str, bool]]:
    """(event, label, on) for every contact event, in the order of ``events``."""
    off = set(
        Preference.objects.filter(contact=contact, enabled=False).values_list("event", flat=True)
    )
    return [(e.name, str(e.label), e.name not in off) for e in CONTACT_EVENTS]


def unread_notices(resident: Resident) -> tuple[list[Notification], int]:
    """A resident's unread kiosk notices, newest first (at most ``NOTICES_SHOWN``), and how
    many more older ones are unread (counted by the database only when the page is full)."""
    unread = Notification.objects.filter(
        resident=resident, channel=Notification.Channel.KIOSK, read_at__isnull=True
    )
    shown = list(unread.order_by("-created_at", "-id")[:NOTICES_SHOWN])
    more = unread.count() - len(shown) if len(shown) == NOTICES_SHOWN else 0
    return shown, more


def digest_hour() -> str:
    """When the daily digest goes out, in words: "6 pm (America/New_York time)"."""
    hour = settings.NOTIFICATION_DIGEST_HOUR
    twelve = hour % 12 or 12
    if hour < 12:
        clock_hour = _("%(hour)s am") % {"hour": twelve}
    else:
        clock_hour = _("%(hour)s pm") % {"hour": twelve}
    return _("%(hour)s (%(zone)s time)") % {
        "hour": clock_hour,
        "zone": settings.NOTIFICATION_DIGEST_TIME_ZONE,
    }
