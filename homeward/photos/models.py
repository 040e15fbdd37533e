"""A photo a contact uploads, and the bank of perceptual hashes photos are matched against.

A photo arrives (``intake.receive``) as its raw bytes, kept privately while a job checks it
(``intake.check``): decoded in full, re-encoded as a JPEG with no metadata, with a thumbnail,
its hashes and the signals a reviewer reads (text in it, a nudity score, a near match in the
hash bank). Only then may it be attached to a message (``sending``); attached, it waits for
a person's decision (``review``) unless the facility approves photos with no signal at once.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from homeward.core.models import StatusEvent
from homeward.facilities.models import Agency, Facility
from homeward.people.models import Contact
from homeward.photos.storage import photo_storage

# A perceptual hash is 64 bits, stored in a signed 64-bit column (``hashing.signed``).
# The bank also keeps it as four 16-bit chunks, each indexed (``bank`` says why).
CHUNKS = 4
CHUNK_BITS = 16


def stored_name(photo: Photo, filename: str) -> str:
    """One folder per photo inside its facility's: ``<facility>/<photo>/<file>``."""
    return f"{photo.facility_id}/{photo.pk}/{filename}"


class Photo(models.Model):
    class Status(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        READY = "ready", _("Ready")
        REFUSED = "refused", _("Refused")
        ATTACHED = "attached", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        BLOCKED = "blocked", _("Not delivered")

    class BlockReason(models.TextChoices):
        """Why a reviewer blocks a photo (photos have reasons of their own)."""

        NUDITY = "nudity", _("Nudity or sexual content")
        GANG = "gang", _("Gang signs or symbols")
        WEAPONS_DRUGS = "weapons_drugs", _("Weapons or drugs shown")
        MINOR = "minor", _("A minor shown where the facility forbids it")
        TEXT = "text", _("Text in the image")
        CONTRABAND = "contraband", _("Contraband hidden in the picture")

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="photos")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="photos")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CHECKING)
    refusal_code = models.CharField(
        max_length=40, blank=True, help_text="Why the check refused it (intake.REFUSALS)."
    )
    refusal_message = models.TextField(
        blank=True, help_text="The refusal in English; pages word it again from the code."
    )
    # What arrived, as read from its header before anything was decoded.
    source_format = models.CharField(max_length=8)
    original_bytes = models.PositiveBigIntegerField()
    original_sha256 = models.CharField(max_length=64)
    # What is kept once the check is done: a JPEG with no metadata, upright.
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    byte_size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    phash = models.BigIntegerField(null=True, blank=True)
    # The raw upload until the check is done; the kept image and its thumbnail after.
    upload = models.FileField(
        storage=photo_storage, upload_to=stored_name, max_length=200, blank=True
    )
    image = models.FileField(
        storage=photo_storage, upload_to=stored_name, max_length=200, blank=True
    )
    thumbnail = models.FileField(
        storage=photo_storage, upload_to=stored_name, max_length=200, blank=True
    )
    created_at = models.DateTimeField()
    checked_at = models.DateTimeField(null=True, blank=True)
    # What the check found for a reviewer: text read in the picture and the text rules it
    # hit, the nudity model's score, and the nearest hash in the bank within reach.
    text_found = models.TextField(blank=True)
    text_hits = models.JSONField(
        default=list, blank=True, help_text="Text rules hit: [{rule, category, action, text}]."
    )
    nudity = models.FloatField(null=True, blank=True, help_text="0 to 1.")
    bank_distance = models.PositiveSmallIntegerField(null=True, blank=True)
    bank_reason = models.CharField(max_length=300, blank=True)
    # The message it was sent with, its place there, and the decision on it.
    message = models.ForeignKey(
        "messaging.Message",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="photos",
    )
    position = models.PositiveSmallIntegerField(default=0)
    attached_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    block_reason = models.CharField(max_length=20, choices=BlockReason.choices, blank=True)
    block_note = models.CharField(max_length=500, blank=True)
    # When retention removed its picture, thumbnail and the text read in it (``removal``).
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["message", "position"], name="photo_message_position"),
            # The photo queue: attached photos of some facilities, oldest first.
            models.Index(
                fields=["facility", "attached_at"],
                condition=models.Q(status="attached"),
                name="photo_queue",
            ),
            models.Index(fields=["contact", "created_at"], name="photo_contact_created"),
            models.Index(fields=["facility", "status"], name="photo_facility_status"),
            models.Index(fields=["sha256"], name="photo_sha256"),
            # The sweep's look for photos waiting too long for their check (``sweep``).
            models.Index(
                fields=["created_at"], condition=models.Q(status="checking"), name="photo_checking"
            ),
        ]

    def __str__(self) -> str:
        return f"photo {self.pk} ({self.status})"


class PhotoEvent(StatusEvent):
    """Who moved a photo from one status to another, and when."""

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16)
    to_status = models.CharField(max_length=16)


class PhotoHash(models.Model):
    """A perceptual hash in an agency's bank: photos near it are flagged. A row with no
    facility holds for the whole agency. Written only by ``bank.add``, which fills the
    chunks from the hash."""

    hash = models.BigIntegerField()
    chunk_0 = models.IntegerField()
    chunk_1 = models.IntegerField()
    chunk_2 = models.IntegerField()
    chunk_3 = models.IntegerField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="photo_hashes")
    facility = models.ForeignKey(
        Facility,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="photo_hashes",
        help_text="Empty: the hash holds at every facility of the agency.",
    )
    photo = models.ForeignKey(
        Photo, null=True, blank=True, on_delete=models.SET_NULL, related_name="bank_entries"
    )
    reason = models.CharField(max_length=300)
    added_at = models.DateTimeField()

    class Meta:
        # A near match looks each chunk up within one agency (bank.near): one index each.
        # The console lists an admin's part of the bank a page at a time, oldest first,
        # within their agency (bank.Scope).
        indexes = [
            models.Index(fields=["agency", f"chunk_{i}"], name=f"photohash_agency_chunk_{i}")
            for i in range(CHUNKS)
        ] + [models.Index(fields=["agency", "added_at", "id"], name="photohash_agency_added")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    **{f"chunk_{i}__gte": 0 for i in range(CHUNKS)},
                    **{f"chunk_{i}__lt": 1 << CHUNK_BITS for i in range(CHUNKS)},
                ),
                name="photohash_chunks_are_16_bits",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hash & 0xFFFF_FFFF_FFFF_FFFF:016x} ({self.reason})"
