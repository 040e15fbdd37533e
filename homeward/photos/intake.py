"""A photo's way in: refused at once for what its header shows, kept privately, then
checked by a job that trusts nothing in it.

``receive`` runs in the request. It reads no more than ``PHOTO_MAX_BYTES``, identifies the
file by its content (never its name), reads its size in pixels from the header before any
pixel is decoded, refuses what it must with a ``DomainError`` (nothing kept), and otherwise
keeps the raw bytes in the private ``photos`` storage and queues ``photo_check``. The
photo answers at once, in status "checking". Before it reads the file it checks who asks
(``may_upload``: the facility takes photos, the account is open and connected there), and
before it keeps anything it counts the upload (``PHOTO_UPLOADS_PER_HOUR``).

``check`` is that job. It walks the file's structure to its end (``structure``: a
truncated file is damaged; anything after the picture makes a polyglot), decodes it in
full (a truncated image is refused: ``ImageFile.LOAD_TRUNCATED_IMAGES`` stays False),
turns it upright by its EXIF orientation, converts it to sRGB, lays any transparency on
white, and re-encodes it as a JPEG with no metadata at all (no EXIF, GPS, XMP, ICC or
comment), with a thumbnail; it keeps both, with the SHA-256 of the kept JPEG and its
perceptual hash, deletes the raw upload, and marks the photo ready, or refused with a code
and its English message. It may run twice (a worker that died, a retry): it writes the
same files under the same names, and a photo already checked is left as it is.

Every refusal has a code that never changes (``REFUSALS``); pages word it again from the
code in their reader's language (``refusal_message``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import struct
from dataclasses import dataclass, field

import pillow_heif
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import translation
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from homeward.connections import access as connection_access
from homeward.core import audit, clock
from homeward.core.errors import DomainError, PermissionDenied
from homeward.facilities.models import Facility, FacilityPolicy
from homeward.jobs import services as jobs
from homeward.jobs.models import Job
from homeward.people import throttle
from homeward.people.models import Contact
from homeward.photos import bank, hashing, signals, status, structure
from homeward.photos.models import Photo, stored_name
from homeward.photos.storage import photo_storage
from homeward.screening import services as screening

log = logging.getLogger(__name__)

# HEIF and HEIC, as iPhones and many Android phones save them. Thumbnails inside the file
# are never read: only the primary image is.
pillow_heif.register_heif_opener(thumbnails=False)

CHECK_JOB = "photo_check"
SWEEP_JOB = "photo_sweep"
ACTOR = "photo check"

# The formats a photo may come in (Pillow's names). Only these decoders are ever tried.
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
GIF = "GIF"
# Formats that can move: a moving picture is refused (a GIF is taken by its first frame).
MOVING_FORMATS = ("PNG", "WEBP")
# The longest side a photo may have, whatever its pixels: a JPEG holds at most 65,535, and
# no screen shows a strip of 100,000 × 10 pixels as a photo.
MAX_SIDE = 16_384
JPEG_QUALITY = 85
WHITE = (255, 255, 255)

# What decoding a hostile or broken file can raise (pillow-heif raises RuntimeError).
DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    TypeError,
    struct.error,
    RuntimeError,
    Image.DecompressionBombError,
)

REFUSALS: dict[str, Promise] = {
    "photo_too_large": _("This photo is too large: a photo may be at most %(megabytes)s MB."),
    "photo_not_an_image": _(
        "This file is not a photo we can take. Send a JPEG, PNG, WebP or HEIC picture."
    ),
    "photo_gif_not_allowed": _(
        "This facility does not take GIF pictures. Send a JPEG, PNG, WebP or HEIC picture."
    ),
    "photo_too_many_pixels": _(
        "This photo is too big: a photo may have at most %(megapixels)s megapixels, and "
        "%(side)s pixels on its longest side. Send a smaller copy."
    ),
    "photo_animated": _("Moving pictures cannot be sent. Send a still photo."),
    "photo_damaged": _(
        "This photo's file is damaged or incomplete. Send it again, or send another copy."
    ),
    "photo_extra_data": _(
        "This file holds something besides the picture (another file, or a motion photo's "
        "video). Send a still copy of the photo alone."
    ),
}


def refusal_message(code: str) -> str:
    """The refusal ``code`` in the active language, its numbers from the settings now,
    written the language's way."""
    return str(REFUSALS[code]) % {
        "megabytes": _number(settings.PHOTO_MAX_BYTES / 2**20),
        "megapixels": _number(settings.PHOTO_MAX_PIXELS / 1_000_000),
        "side": _number(MAX_SIDE),
    }


def _number(value: float) -> str:
    """15 → "15", 12.5 → "12.5" ("12,5" in Spanish), 16384 → "16,384" ("16.384")."""
    whole = float(value).is_integer()
    return number_format(value, decimal_pos=0 if whole else 1, force_grouping=True)


class PhotoRefused(DomainError):
    """A photo that cannot be taken: the code says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code, refusal_message(code))


# --- in the request -----------------------------------------------------------------------


def receive(*, contact: Contact, facility: Facility, upload: File[bytes]) -> Photo:
    """Take ``upload`` from ``contact`` for ``facility``, or refuse it with nothing kept.
    The photo comes back "checking"; ``check`` makes it ready.

    Refused (a ``DomainError`` with a code) when the facility takes no photos, the
    contact's account is closed or has no connection there that is active or waiting
    (``may_upload``); when the file cannot be taken (``PhotoRefused``: GIFs only where the
    facility's ``photo_gif_allowed`` says so); and when the contact has uploaded
    ``PHOTO_UPLOADS_PER_HOUR`` photos this hour (``throttle.Refused``, 429: counted before
    anything is kept, so parallel uploads cannot pass the limit; a file refused for what it
    is does not count)."""
    policy = may_upload(contact=contact, facility=facility)
    data = _read_within_limit(upload)
    image_format, width, height = identify(data, gif_allowed=policy.photo_gif_allowed)
    throttle.count_photo_upload(contact=contact, limit=settings.PHOTO_UPLOADS_PER_HOUR)
    # Before the upload's transaction: should it roll back after its file was written, the
    # sweep is already waiting to delete the file (``sweep.orphans``).
    schedule_sweep(clock.now() + dt.timedelta(minutes=settings.PHOTO_CHECK_STALE_MINUTES))
    with transaction.atomic():
        photo = Photo.objects.create(
            contact=contact,
            facility=facility,
            source_format=image_format,
            original_bytes=len(data),
            original_sha256=hashlib.sha256(data).hexdigest(),
            width=width,
            height=height,
            created_at=clock.now(),
        )
        name = photo_storage.save(stored_name(photo, "upload"), ContentFile(data))
        try:
            photo.upload.name = name
            photo.save(update_fields=["upload"])
            jobs.enqueue(CHECK_JOB, photo_id=photo.pk, facility_id=facility.pk)
            audit.record(
                actor=contact.user,
                action="photo.received",
                obj=photo,
                facility_id=facility.pk,
                data={"format": image_format, "bytes": len(data), "pixels": width * height},
            )
        except BaseException:
            photo_storage.delete(name)
            raise
    return photo


def may_upload(*, contact: Contact, facility: Facility) -> FacilityPolicy:
    """The facility's policy, when ``contact`` may send it photos; otherwise a
    ``DomainError`` with a code (403)."""
    policy = FacilityPolicy.objects.filter(facility=facility).first()
    if policy is None or not policy.photos_allowed:
        raise PermissionDenied(
            gettext("This facility does not take photos."), code="photos_not_offered"
        )
    if contact.closed_at is not None:
        raise PermissionDenied(gettext("This account is closed."), code="account_closed")
    if not connection_access.open_connections_at(contact, facility).exists():
        raise PermissionDenied(
            gettext(
                "You can send photos only to a facility where you are connected to a resident."
            ),
            code="not_connected",
        )
    return policy


def schedule_sweep(at: dt.datetime | None = None) -> None:
    """Make sure a sweep (``sweep.run``) is waiting: one at a time is enough."""
    if not Job.objects.filter(kind=SWEEP_JOB, status=Job.Status.QUEUED).exists():
        jobs.enqueue(SWEEP_JOB, run_after=at)


def _read_within_limit(upload: File[bytes]) -> bytes:
    """The upload's bytes, refused as soon as they pass ``PHOTO_MAX_BYTES``: by its size
    when it tells one, before a byte is read, and while reading when it does not."""
    limit = settings.PHOTO_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise PhotoRefused("photo_too_large")
    upload.seek(0)
    parts, total = [], 0
    for part in upload.chunks():
        total += len(part)
        if total > limit:
            raise PhotoRefused("photo_too_large")
        parts.append(part)
    data = b"".join(parts)
    if not data:
        raise PhotoRefused("photo_not_an_image")
    return data


def identify(data: bytes, *, gif_allowed: bool) -> tuple[str, int, int]:
    """The format and size in pixels of the picture in ``data``, read from its header
    alone, or ``PhotoRefused``. Pillow's own guard against decompression bombs (a warning
    past ``Image.MAX_IMAGE_PIXELS``, an error past twice that) counts as too many pixels;
    ``PHOTO_MAX_PIXELS``, lower, is checked here before any decoding."""
    formats = (*PHOTO_FORMATS, GIF)
    try:
        with Image.open(io.BytesIO(data), formats=formats) as image:
            image_format = image.format or ""
            width, height = image.size
            if image_format == GIF and not gif_allowed:
                raise PhotoRefused("photo_gif_not_allowed")
            if too_many_pixels(width, height):
                raise PhotoRefused("photo_too_many_pixels")
            if image_format in MOVING_FORMATS and getattr(image, "is_animated", False):
                raise PhotoRefused("photo_animated")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused("photo_too_many_pixels") from None
    except UnidentifiedImageError:
        raise PhotoRefused("photo_not_an_image") from None
    except DECODE_ERRORS:
        raise PhotoRefused("photo_damaged") from None
    if image_format not in formats:
        raise PhotoRefused("photo_not_an_image")
    return image_format, width, height


def too_many_pixels(width: int, height: int) -> bool:
    return (
        width < 1
        or height < 1
        or width * height > settings.PHOTO_MAX_PIXELS
        or max(width, height) > MAX_SIDE
    )


# --- the job ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cleaned:
    """A photo decoded and re-encoded: what is kept of it."""

    jpeg: bytes
    thumbnail: bytes
    width: int
    height: int
    phash: int
    text: str = ""  # read in the picture by OCR
    nudity: float | None = None  # the nudity model's score, 0 to 1


def check(photo_id: int) -> None:
    """Check the photo ``photo_id`` and make it ready, or refuse it. Idempotent.

    The decoding (up to a second and a half for 40 megapixels) runs before the photo's row
    is locked, so no writer waits on it; the outcome is written under the lock, and only
    while the photo is still being checked (a run that finished meanwhile wins)."""
    unchecked = Photo.objects.filter(pk=photo_id).select_related("facility__agency").first()
    outcome = _outcome(unchecked)
    found = _findings(unchecked, outcome) if isinstance(outcome, Cleaned) else Findings()
    with transaction.atomic():
        photo = Photo.objects.select_for_update().filter(pk=photo_id).first()
        if photo is None:
            return
        if photo.status != Photo.Status.CHECKING:
            _forget_upload(photo)  # in case an earlier run could not delete it
            return
        if outcome is None:
            raise RuntimeError(f"photo {photo.pk} is being checked but has no upload")
        if isinstance(outcome, PhotoRefused):
            with translation.override("en"):
                message = refusal_message(outcome.code)
            status.move(
                photo,
                Photo.Status.REFUSED,
                actor=ACTOR,
                refusal_code=outcome.code,
                refusal_message=message,
            )
            _forget_upload(photo)
            return
        # Names are fixed, so what an earlier run wrote before it stopped is overwritten
        # and nothing piles up.
        image_name, thumbnail_name = (
            stored_name(photo, "photo.jpg"),
            stored_name(photo, "thumbnail.jpg"),
        )
        photo_storage.delete(image_name)
        photo_storage.delete(thumbnail_name)
        image_name = photo_storage.save(image_name, ContentFile(outcome.jpeg))
        thumbnail_name = photo_storage.save(thumbnail_name, ContentFile(outcome.thumbnail))
        status.move(
            photo,
            Photo.Status.READY,
            actor=ACTOR,
            image=image_name,
            thumbnail=thumbnail_name,
            width=outcome.width,
            height=outcome.height,
            byte_size=len(outcome.jpeg),
            sha256=hashlib.sha256(outcome.jpeg).hexdigest(),
            phash=outcome.phash,
            text_found=outcome.text,
            text_hits=found.text_hits,
            nudity=outcome.nudity,
            bank_distance=found.bank_distance,
            bank_reason=found.bank_reason,
        )
        _forget_upload(photo)


@dataclass(frozen=True)
class Findings:
    """What the check found against the facility's rules: text rules the picture's text
    hit, and the nearest hash in the bank."""

    text_hits: list[dict[str, object]] = field(default_factory=list)
    bank_distance: int | None = None
    bank_reason: str = ""


def _findings(photo: Photo | None, outcome: Cleaned) -> Findings:
    """The text read in the picture screened with the facility's text rules (hits that
    flag or block are kept), and the bank's nearest hash, if any is near."""
    if photo is None:
        return Findings()
    hits: list[dict[str, object]] = []
    if outcome.text:
        verdict = screening.screen_text(photo.facility, outcome.text).verdict
        hits = [
            {
                "rule": str(hit.rule),
                "category": hit.category,
                "action": hit.action,
                "text": hit.text,
            }
            for hit in verdict.hits
        ]
    near = bank.near(outcome.phash, agency=photo.facility.agency, facility=photo.facility)
    if not near:
        return Findings(text_hits=hits)
    entry, distance = near[0]
    return Findings(text_hits=hits, bank_distance=distance, bank_reason=entry.reason)


def _outcome(photo: Photo | None) -> Cleaned | PhotoRefused | None:
    """What checking the photo's upload gives (nothing to check: None), read and decoded
    outside any transaction."""
    if photo is None or photo.status != Photo.Status.CHECKING or not photo.upload.name:
        return None
    with photo_storage.open(photo.upload.name, "rb") as raw:
        data = raw.read()
    try:
        return clean(data, photo.source_format)
    except PhotoRefused as refusal:
        return refusal


def _forget_upload(photo: Photo) -> None:
    """Clear the photo's raw upload now and delete its file once this commits (deleted
    before, a rolled-back check would find nothing to check on its next try)."""
    name = photo.upload.name
    if not name:
        return
    photo.upload.name = ""
    photo.save(update_fields=["upload"])
    transaction.on_commit(lambda: photo_storage.delete(name), robust=True)


def clean(data: bytes, image_format: str) -> Cleaned:
    """Decode ``data`` (a picture in ``image_format``) in full and re-encode it, or
    ``PhotoRefused``."""
    try:
        structure.check(data, image_format)
    except structure.Extra:
        raise PhotoRefused("photo_extra_data") from None
    except structure.Damaged:
        raise PhotoRefused("photo_damaged") from None
    picture = as_srgb(upright(decode(data, image_format)))
    thumbnail = picture.copy()
    thumbnail.thumbnail((settings.PHOTO_THUMBNAIL,) * 2, Image.Resampling.LANCZOS)
    return Cleaned(
        jpeg=_jpeg(picture),
        thumbnail=_jpeg(thumbnail),
        width=picture.width,
        height=picture.height,
        phash=hashing.phash(picture),
        text=signals.read_text(picture) if settings.PHOTO_READ_TEXT else "",
        nudity=signals.nudity_score(picture) if settings.PHOTO_NUDITY_SCORE else None,
    )


def decode(data: bytes, image_format: str) -> Image.Image:
    """Every pixel of the picture in ``data`` (a GIF's first frame), or ``PhotoRefused``."""
    try:
        image = Image.open(io.BytesIO(data), formats=[image_format])
        if too_many_pixels(*image.size):  # the limit may have been lowered since intake
            raise PhotoRefused("photo_too_many_pixels")
        image.seek(0)
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused("photo_too_many_pixels") from None
    except DECODE_ERRORS:
        raise PhotoRefused("photo_damaged") from None
    return image


def upright(image: Image.Image) -> Image.Image:
    """``image`` turned as its EXIF orientation says; as it is when its EXIF is unreadable
    (a camera's broken metadata is no reason to refuse the picture)."""
    try:
        return ImageOps.exif_transpose(image)
    except DECODE_ERRORS:
        log.info("a photo's EXIF orientation could not be read; it is kept as it is")
        return image


SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def as_srgb(image: Image.Image) -> Image.Image:
    """``image`` as 8-bit RGB in sRGB, transparency laid on white, and nothing of the
    original's metadata."""
    profile = image.info.get("icc_profile")
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        # 16-bit grayscale: scaled to 8 bits (a plain conversion would clip it to white).
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, WHITE)
        image.paste(rgba, mask=rgba.getchannel("A"))
        del rgba
    if isinstance(profile, bytes) and profile:
        image = _profile_to_srgb(image, profile)
    else:
        image = image.convert("RGB")
    image.info = {}
    return image


def _profile_to_srgb(image: Image.Image, profile: bytes) -> Image.Image:
    """Colours converted from the file's colour profile to sRGB; a profile that cannot be
    read, or does not fit the image's mode, is ignored."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(image, source, SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        log.info("a photo's colour profile could not be applied; its colours are kept as they are")
        return image.convert("RGB")
    return converted if converted is not None else image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    """``image`` as a baseline JPEG with no metadata segment (a JFIF header only)."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()
