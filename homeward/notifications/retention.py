"""Telling families before retention removes the text of their messages.

A daily job (``warn_before_removal``: queued when an agency sets a period, then each day
while some agency has one; never at a worker's start, which must not need the database)
looks at every agency with a retention period and emails each contact with messages whose
text becomes due for removal within ``WARN_DAYS`` (journeys ended, text not removed yet):
at most once in ``EVERY_DAYS`` per contact and agency (attorneys too: a privileged
channel's text is kept for the same period). The email says when and what: the
record that a message was sent stays, its words do not. (A legal hold may keep some; the
email does not say which, since holds are not told.)
"""

from __future__ import annotations

import datetime as dt

from django.db.models.lookups import LessThan

from homeward.core import clock, links
from homeward.facilities.models import RETENTION_WARNING_DAYS, Agency
from homeward.jobs import services as jobs
from homeward.jobs.models import Job
from homeward.jobs.registry import handler
from homeward.messaging.models import Message
from homeward.messaging.status import ENDED, journey_ended_at
from homeward.notifications.models import Notification
from homeward.notifications.services import notify
from homeward.people.models import Contact

WARN_DAYS = RETENTION_WARNING_DAYS
# Told again at most this often: shorter than WARN_DAYS, so that every message is in some
# warning at least WARN_DAYS - EVERY_DAYS days before its text goes.
EVERY_DAYS = 7
JOB = "warn_before_removal"


def warn(now: dt.datetime | None = None) -> int:
    """Email the contacts whose messages' text is due within WARN_DAYS and who were not
    told within EVERY_DAYS; returns how many were told now (a contact who turned the email
    off gets a skipped row, which counts)."""
    now = now or clock.now()
    told = 0
    for agency in Agency.objects.filter(message_retention_days__isnull=False):
        days = agency.message_retention_days or 0
        # Text past this is due within WARN_DAYS (a new or shorter period waits
        # WARN_DAYS before removing anything: retention.set_period).
        soon = now - dt.timedelta(days=max(0, days - WARN_DAYS))
        contact_ids = (
            Message.objects.filter(
                LessThan(journey_ended_at(), soon),
                facility__agency=agency,
                content_removed_at__isnull=True,
                status__in=ENDED,
                connection__contact__isnull=False,
            )
            .values_list("connection__contact", flat=True)
            .distinct()
        )
        prefix = f"retention_warning:{agency.pk}:"
        recently_told = {
            int(key.removeprefix(prefix).split(":")[0])
            for key in Notification.objects.filter(
                key__startswith=prefix, created_at__gt=now - dt.timedelta(days=EVERY_DAYS)
            ).values_list("key", flat=True)
        }
        for contact in Contact.objects.filter(pk__in=contact_ids).select_related("user"):
            if contact.pk in recently_told:
                continue
            notify(
                event="retention_warning",
                key=f"{prefix}{contact.pk}:{now:%Y-%m-%d}",
                contact=contact,
                ours={
                    "days": days,
                    "warn_days": WARN_DAYS,
                    "archive": links.absolute("archive", ""),
                },
                theirs={"agency": agency.name},
            )
            told += 1
    return told


def schedule(at: dt.datetime | None = None) -> None:
    """Make sure the daily warning job is waiting, while some agency has a period."""
    if not Agency.objects.filter(message_retention_days__isnull=False).exists():
        return
    if not Job.objects.filter(kind=JOB, status=Job.Status.QUEUED).exists():
        jobs.enqueue(JOB, run_after=at)


def period_set(agency: Agency) -> None:
    """The ``facilities.hooks.retention_period_set`` receiver."""
    schedule()


@handler(JOB)
def warn_before_removal() -> None:
    warn()
    schedule(clock.now() + dt.timedelta(days=1))
