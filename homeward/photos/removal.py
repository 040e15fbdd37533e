"""Photos that go: with their message's text at the end of retention, and photos uploaded
but never sent.

At the end of retention (``monitoring.retention``) a message's photos lose their picture
and thumbnail (deleted from storage in the same transaction that marks them removed, so a
row that says "removed" never points at a file still kept) and the text read in them;
what the record needs stays: the row, its times, status, decision, size and hashes. A
photo under a legal hold is never reached: retention removes only messages no hold covers.

A photo uploaded and never sent is deleted, files and row, ``UNSENT_KEPT`` after it
arrived (``discard_unsent``, run by the photo sweep).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from homeward.core import audit, clock
from homeward.photos.models import Photo
from homeward.photos.storage import photo_storage

# An unsent photo is offered for sending for a day (``access.UNSENT_FOR``), and kept a day
# more, then deleted.
UNSENT_KEPT = dt.timedelta(days=2)
# What a text hit keeps once the photo's content is removed: never the words it matched.
KEPT_OF_A_HIT = frozenset({"rule", "category", "action"})


def remove_for_messages(message_ids: Iterable[int], now: dt.datetime) -> int:
    """Remove the pictures of the photos of ``message_ids`` (inside the caller's
    transaction). Returns how many photos lost their pictures."""
    photos = list(
        Photo.objects.select_for_update()
        .filter(message_id__in=list(message_ids), removed_at__isnull=True)
        .order_by("pk")
    )
    for photo in photos:
        _delete_files(photo)
        photo.text_found = ""
        photo.text_hits = [
            {key: value for key, value in hit.items() if key in KEPT_OF_A_HIT}
            for hit in photo.text_hits
        ]
        photo.removed_at = now
    Photo.objects.bulk_update(
        photos, ["image", "thumbnail", "upload", "text_found", "text_hits", "removed_at"]
    )
    return len(photos)


def discard_unsent(now: dt.datetime | None = None) -> int:
    """Delete every photo (files and row) uploaded more than ``UNSENT_KEPT`` ago and never
    sent. Returns how many went."""
    now = now or clock.now()
    old = Photo.objects.filter(
        message__isnull=True,
        status__in=(Photo.Status.READY, Photo.Status.REFUSED),
        created_at__lte=now - UNSENT_KEPT,
    ).values_list("pk", flat=True)
    discarded = 0
    for photo_id in list(old.iterator()):
        with transaction.atomic():
            photo = (
                Photo.objects.select_for_update().filter(pk=photo_id, message__isnull=True).first()
            )
            if photo is None:
                continue  # sent meanwhile
            _delete_files(photo)
            audit.record(
                actor="photo sweep",
                action="photo.unsent_discarded",
                obj=photo,
                facility_id=photo.facility_id,
                data={"contact": photo.contact_id, "sha256": photo.sha256},
            )
            photo.delete()
            discarded += 1
    return discarded


def _delete_files(photo: Photo) -> None:
    for stored in (photo.image, photo.thumbnail, photo.upload):
        if stored.name:
            photo_storage.delete(stored.name)
            stored.name = ""


def oldest_unsent() -> dt.datetime | None:
    """When the oldest photo still kept unsent arrived (None: there is none)."""
    return (
        Photo.objects.filter(
            message__isnull=True, status__in=(Photo.Status.READY, Photo.Status.REFUSED)
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
