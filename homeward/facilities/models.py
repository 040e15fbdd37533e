from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from homeward.core.calendar import (
    DEFAULT_HOURS,
    validate_holidays,
    validate_hours,
    validate_timezone,
)

# How long before text falls due families are told (notifications/retention.py), and so how
# long a new or shorter retention period waits before it removes anything.
RETENTION_WARNING_DAYS = 14
# The most photos any facility lets one message carry (``FacilityPolicy.photos_per_message``).
MAX_PHOTOS_PER_MESSAGE = 10
# The longest message any facility may allow (``FacilityPolicy.message_length_limit``), in
# characters: more than three times the default, and a bound on what screening one message
# can cost (a message of 20,000 characters of words never seen before takes a fraction of
# a second; of 100,000, several times that). A longer letter goes as two messages.
MAX_MESSAGE_LENGTH = 20_000


class Agency(models.Model):
    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    state = models.CharField(max_length=2, help_text="Two-letter state or territory code.")
    blocker_decides_appeals = models.BooleanField(
        default=False,
        help_text="Where nobody else at the facility or the agency can decide an appeal, the "
        "staff member who made the decision appealed may (the record says so).",
    )
    privileged_channel = models.BooleanField(
        default=False,
        help_text="Attorneys the agency verified may have a privileged channel: their messages "
        "skip screening and review, and staff cannot search, read or export them.",
    )
    message_retention_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="How many days message text is kept; after that a daily job removes it "
        "(not under a legal hold), keeping a record that the message existed. Empty: kept.",
    )
    removal_starts_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Nothing is removed before this: a period set or shortened takes effect "
        f"{RETENTION_WARNING_DAYS} days later, once families have been told.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(message_retention_days__isnull=True)
                | models.Q(message_retention_days__gte=1),
                name="retention_of_a_day_or_more",
            )
        ]

    def __str__(self) -> str:
        return self.name


def fold_for_search(text: str) -> str:
    """Text as the directory compares it: accents dropped, case folded ("Cañon" → "canon")."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


class Facility(models.Model):
    class Type(models.TextChoices):
        PRISON = "prison", _("State prison")
        JAIL = "jail", _("County jail")
        FEDERAL = "federal", _("Federal institution")
        JUVENILE = "juvenile", _("Juvenile facility")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="facilities")
    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=Type.choices)
    state = models.CharField(max_length=2, db_index=True)
    city = models.CharField(max_length=100)
    address = models.CharField(max_length=300)
    timezone = models.CharField(max_length=60, default="America/New_York")
    services = models.JSONField(default=list, blank=True, help_text="e.g. messaging, photos")
    search_text = models.TextField(
        blank=True,
        editable=False,
        help_text="Name and city folded for the directory search (no case, no accents).",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "facilities"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = fold_for_search(f"{self.name} {self.city}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        try:
            validate_timezone(self.timezone)
        except ValueError as exc:
            raise ValidationError({"timezone": str(exc)}) from exc


class HousingUnit(models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "name"], name="unit_name_per_facility")
        ]

    def __str__(self) -> str:
        return f"{self.facility.code} / {self.name}"


# What a facility may set for each screening detector (see homeward/screening/detectors.py).
DETECTOR_ACTIONS = ("flag", "block", "off")


def _default_hours() -> dict[str, list[str]]:
    return dict(DEFAULT_HOURS)


def _default_kiosk_hours() -> list[str]:
    return ["06:00", "22:00"]


class FacilityPolicy(models.Model):
    """Everything a facility decides about messaging. One row per facility."""

    class ConnectionPolicy(models.TextChoices):
        OPEN = "open", "Open: any verified contact may write"
        CONTACT_REQUESTS = "contact_requests", "Contact requests: the resident accepts"
        RESIDENT_INVITES = "resident_invites", "Resident invites: only the resident adds contacts"

    class ReviewMode(models.TextChoices):
        EVERYTHING = "everything", "Staff review every message"
        FLAGGED = "flagged", "Staff review flagged messages only"
        FLAGGED_SAMPLE = "flagged_sample", "Staff review flagged messages and a random sample"
        AUTOMATIC = "automatic", "Automatic screening only"

    facility = models.OneToOneField(Facility, on_delete=models.CASCADE, related_name="policy")
    connection_policy = models.CharField(
        max_length=20, choices=ConnectionPolicy.choices, default=ConnectionPolicy.CONTACT_REQUESTS
    )
    staff_approval = models.BooleanField(
        default=False, help_text="Staff must approve each connection before messaging starts."
    )
    contact_cap = models.PositiveIntegerField(
        default=30, help_text="Most active contacts one resident may have."
    )
    invite_days = models.PositiveIntegerField(
        default=14, help_text="Days a contact has to accept a resident's invitation."
    )
    review_mode = models.CharField(
        max_length=20, choices=ReviewMode.choices, default=ReviewMode.EVERYTHING
    )
    sample_percent = models.PositiveSmallIntegerField(
        default=10, help_text="Share of clear messages sampled for review (flagged + sample)."
    )
    review_target_hours = models.PositiveIntegerField(
        default=8, help_text="Business hours within which a review is due."
    )
    message_length_limit = models.PositiveIntegerField(
        default=6000,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MESSAGE_LENGTH)],
        help_text=_("Most characters one message may hold (1 to 20,000)."),
    )
    show_block_reasons = models.BooleanField(default=True)
    refund_on_block = models.BooleanField(default=True)
    appeal_window_days = models.PositiveIntegerField(default=14)
    business_hours = models.JSONField(default=_default_hours, blank=True)
    holidays = models.JSONField(default=list, blank=True)
    kiosk_hours = models.JSONField(
        default=_default_kiosk_hours, help_text="Facility-local [open, close] for kiosk use."
    )
    content_rules = models.TextField(
        blank=True, help_text="Plain-language summary of what messages may not contain."
    )
    detector_actions = models.JSONField(
        default=dict,
        blank=True,
        help_text="Screening detector name → flag, block or off; detectors not listed keep "
        "their default.",
    )
    second_opinion_clears = models.BooleanField(
        default=True,
        help_text="The classifier may clear a message only the library's word layers flagged "
        "(concepts, slang, library rules not marked as sure) when its words read as innocent.",
    )
    # Photos (homeward.photos): off until the facility turns them on.
    photos_allowed = models.BooleanField(
        default=False, help_text=_("Contacts may send photos to residents here.")
    )
    photos_per_message = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PHOTOS_PER_MESSAGE)],
        help_text=_("Most photos one message may carry (1 to 10)."),
    )
    photo_gif_allowed = models.BooleanField(
        default=False, help_text=_("GIF pictures are taken (their first frame only).")
    )
    photos_reviewed = models.BooleanField(
        default=True,
        help_text=_("A person reviews every photo unless the facility turns this off."),
    )
    photo_nudity_threshold = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Percent: a photo the nudity model scores at or above this goes to a person, "
            "even where photos are not otherwise reviewed."
        ),
    )
    photo_block_keeps_text = models.BooleanField(
        default=True,
        help_text=_(
            "When a photo is blocked, the message's text (and its other photos) still go. "
            "Off: a blocked photo stops the whole message."
        ),
    )

    class Meta:
        verbose_name_plural = "facility policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    photos_per_message__gte=1, photos_per_message__lte=MAX_PHOTOS_PER_MESSAGE
                ),
                name="photos_per_message_1_to_10",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    message_length_limit__gte=1, message_length_limit__lte=MAX_MESSAGE_LENGTH
                ),
                name="message_length_limit_1_to_20000",
            ),
        ]

    def __str__(self) -> str:
        return f"Policy of {self.facility}"

    def clean(self) -> None:
        try:
            validate_hours(self.business_hours)
            validate_hours({"mon": self.kiosk_hours})
            validate_holidays(self.holidays)
        except (ValueError, TypeError) as exc:
            raise ValidationError(str(exc)) from exc
        if self.sample_percent > 100:
            raise ValidationError("The sample is a percentage from 0 to 100.")
        if self.message_length_limit < 1:
            raise ValidationError("The message length limit must be at least one character.")
        if self.message_length_limit > MAX_MESSAGE_LENGTH:
            raise ValidationError(
                f"The message length limit is at most {MAX_MESSAGE_LENGTH:,} characters;"
                " a longer letter goes as two messages."
            )
        if not isinstance(self.detector_actions, dict) or any(
            value not in DETECTOR_ACTIONS for value in self.detector_actions.values()
        ):
            raise ValidationError("Each detector's action is flag, block or off.")
