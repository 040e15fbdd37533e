"""Photos in the records that leave the system: a person's archive and a case export.

Each photo goes with its message: what became of it (status, the reason it was blocked),
its SHA-256 (of the JPEG kept, so the file can be checked) and its perceptual hash, and
its picture while it is kept (retention removes pictures, never the record).

A person's archive holds what they may see: the contact who sent a photo, every photo of
theirs with its status; the resident who received it, only photos approved for them.
"""

from __future__ import annotations

from homeward.messaging.archive import Attachment
from homeward.messaging.models import Message
from homeward.photos import hashing
from homeward.photos.models import Photo
from homeward.photos.storage import photo_storage


def record(photo: Photo) -> dict[str, object]:
    """What the record says of one photo."""
    return {
        "photo": photo.pk,
        "position": photo.position,
        "status": photo.status,
        "status_label": str(photo.get_status_display()),
        "blocked_because": photo.block_reason or None,
        "width": photo.width,
        "height": photo.height,
        "sha256": photo.sha256,
        "phash": f"{hashing.unsigned(photo.phash):016x}" if photo.phash is not None else None,
        "picture_removed_at": photo.removed_at.isoformat() if photo.removed_at else None,
    }


def picture(photo: Photo) -> bytes | None:
    """The photo's kept JPEG, or None when it is gone."""
    if not photo.image.name:
        return None
    try:
        with photo_storage.open(photo.image.name, "rb") as kept:
            data: bytes = kept.read()
    except FileNotFoundError:
        return None
    return data


def file_name(photo: Photo) -> str:
    return f"photo-{photo.pk}.jpg"


def archive_attachments(messages: list[Message], sent: str) -> dict[int, list[Attachment]]:
    """``messaging.archive``'s provider: the photos of ``messages`` that the archive's owner
    (who writes in direction ``sent``) may see."""
    photos = Photo.objects.filter(message__in=messages).order_by("message_id", "position")
    mine = {message.pk for message in messages if message.direction == sent}
    found: dict[int, list[Attachment]] = {}
    for photo in photos:
        message_id = photo.message_id
        assert message_id is not None
        if message_id not in mine and photo.status != Photo.Status.APPROVED:
            continue  # the recipient sees only photos approved for them
        found.setdefault(message_id, []).append(
            Attachment(
                name=file_name(photo),
                content_type="image/jpeg",
                record=record(photo),
                data=lambda photo=photo: picture(photo),  # type: ignore[misc]
            )
        )
    return found
