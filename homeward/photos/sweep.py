"""Nothing lost, nothing left: what the photo sweep puts right.

- A photo still "checking" ``PHOTO_CHECK_STALE_MINUTES`` after it arrived, with no check
  job waiting or running (its job gave up, or was lost or pruned), gets its check queued
  again (``requeue_stale``). A photo whose checks gave up ``MAX_CHECK_JOBS`` times is left
  to an operator: its dead jobs show on the jobs page, where they can be retried once the
  cause is fixed; queueing it again and again would only hide it.
- A file in the photos storage that belongs to no photo row (an upload whose transaction
  rolled back after its file was written, a worker that died between writing a check's
  files and committing) is deleted once it is older than ``ORPHAN_AGE`` (``orphans``):
  younger, it may be an upload or a check still under way.

The sweep runs as a job (``photo_sweep``) that an upload queues (``intake.schedule_sweep``)
and that queues itself again while there is anything it may have to put right: photos
checking, or photos that arrived within ``RECENT`` (their orphans, if any, come of age
within it). A quiet deployment has no sweep waiting until the next upload.

Where files are looked for: the storage keeps ``<facility>/<photo>/<file>``
(``models.stored_name``). Every facility folder's photo folders are listed (one listing per
facility); a folder's files are listed only when its photo row is missing, or the photo
arrived within ``RECENT``: an older photo's folder holds only its image and thumbnail,
written in the transaction that committed them.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from homeward.core import audit, clock
from homeward.jobs import services as jobs
from homeward.jobs.models import Job
from homeward.photos import intake, removal
from homeward.photos.models import Photo
from homeward.photos.storage import photo_storage

log = logging.getLogger(__name__)

# A file this old that no photo row names is an orphan (an upload takes seconds, a check
# well under a minute).
ORPHAN_AGE = dt.timedelta(hours=1)
# Photos this recent keep the sweep coming back, and their folders are looked into.
RECENT = dt.timedelta(hours=3)
# Checks queued for one photo before the sweep leaves it to an operator.
MAX_CHECK_JOBS = 3
# Photo folders looked up in the database at a time.
BATCH = 1000
ACTOR = "photo sweep"


@dataclass(frozen=True)
class Swept:
    requeued: int
    deleted: int
    discarded: int = 0


def run(now: dt.datetime | None = None) -> Swept:
    now = now or clock.now()
    return Swept(
        requeued=requeue_stale(now),
        deleted=orphans(now),
        discarded=removal.discard_unsent(now),
    )


def stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=settings.PHOTO_CHECK_STALE_MINUTES)


def requeue_stale(now: dt.datetime | None = None) -> int:
    """Queue the check again of every photo checking for longer than
    ``PHOTO_CHECK_STALE_MINUTES`` whose check is neither waiting nor running. Returns how
    many were queued."""
    now = now or clock.now()
    stale = Photo.objects.filter(
        status=Photo.Status.CHECKING, created_at__lte=now - stale_after()
    ).values_list("pk", "facility_id")
    requeued = 0
    for photo_id, facility_id in stale.iterator():
        with transaction.atomic():
            # The photo's row lock: two sweeps at once queue one check, not two.
            photo = Photo.objects.select_for_update().filter(pk=photo_id).first()
            if photo is None or photo.status != Photo.Status.CHECKING:
                continue
            checks = Job.objects.filter(kind=intake.CHECK_JOB, payload__photo_id=photo_id)
            if checks.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).exists():
                continue  # waiting (perhaps after a failure) or running: it will be done
            if checks.count() >= MAX_CHECK_JOBS:
                log.warning("photo %s: its check gave up %d times", photo_id, MAX_CHECK_JOBS)
                continue
            jobs.enqueue(intake.CHECK_JOB, photo_id=photo_id, facility_id=facility_id)
            audit.record(
                actor=ACTOR, action="photo.check_requeued", obj=photo, facility_id=facility_id
            )
            requeued += 1
    return requeued


def orphans(now: dt.datetime | None = None) -> int:
    """Delete the files in the photos storage older than ``ORPHAN_AGE`` that no photo row
    names. Returns how many went."""
    now = now or clock.now()
    deleted = 0
    try:
        facility_folders, _files = photo_storage.listdir("")
    except FileNotFoundError:
        return 0  # no photo was ever kept (the folder is made by the first)
    for facility_folder in facility_folders:
        photo_folders, _files = photo_storage.listdir(facility_folder)
        folders = sorted((int(name), name) for name in photo_folders if name.isdigit())
        for start in range(0, len(folders), BATCH):
            batch = folders[start : start + BATCH]
            deleted += _orphans_in(facility_folder, batch, now)
    return deleted


def _orphans_in(facility_folder: str, folders: list[tuple[int, str]], now: dt.datetime) -> int:
    """Delete the orphans in these photo folders of one facility's."""
    rows = {
        pk: (created_at, {name for name in names if name})
        for pk, created_at, *names in Photo.objects.filter(
            pk__in=[pk for pk, _name in folders]
        ).values_list("pk", "created_at", "upload", "image", "thumbnail")
    }
    deleted = 0
    for pk, folder in folders:
        row = rows.get(pk)
        if row is not None and row[0] < now - RECENT:
            continue  # long since checked: only its named files are there
        named = row[1] if row is not None else set()
        _dirs, files = photo_storage.listdir(f"{facility_folder}/{folder}")
        for file in files:
            name = f"{facility_folder}/{folder}/{file}"
            if name in named or not _older_than(name, now - ORPHAN_AGE):
                continue
            photo_storage.delete(name)
            log.info("deleted the orphaned photo file %s", name)
            deleted += 1
    return deleted


def _older_than(name: str, cutoff: dt.datetime) -> bool:
    try:
        return photo_storage.get_modified_time(name) < cutoff
    except FileNotFoundError:
        return False  # gone meanwhile


def next_visit(now: dt.datetime | None = None) -> dt.datetime | None:
    """When the sweep should come back: soon while photos are checking or arrived lately;
    when the oldest unsent photo is due to be discarded; None when nothing is left for it."""
    now = now or clock.now()
    if Photo.objects.filter(status=Photo.Status.CHECKING).exists():  # the photo_checking index
        return now + stale_after()
    latest = Photo.objects.order_by("-pk").values_list("created_at", flat=True).first()
    if latest is not None and latest >= now - RECENT:
        return now + stale_after()
    oldest_unsent = removal.oldest_unsent()
    if oldest_unsent is not None:
        return max(oldest_unsent + removal.UNSENT_KEPT, now + stale_after())
    return None
