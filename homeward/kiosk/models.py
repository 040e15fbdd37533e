"""Registered kiosk devices. Failed sign-ins are counted by ``homeward.people.throttle``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class KioskDevice(models.Model):
    """A terminal or tablet in a facility on which residents may sign in.

    Only the SHA-256 of the device's token is kept: the raw token lives in the device's
    cookie, so a copy of the database cannot be used to impersonate a kiosk.
    """

    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, related_name="kiosk_devices"
    )
    name = models.CharField(max_length=100, help_text=_("Where the device is, e.g. 'B Block 2'."))
    token_hash = models.CharField(max_length=64, unique=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registered_kiosks"
    )
    registered_at = models.DateTimeField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["facility", "name"]

    def __str__(self) -> str:
        return f"{self.name} at {self.facility}"


class KioskSession(models.Model):
    """A resident's time signed in at a kiosk, kept where the facility's pricing model
    charges for it (``PricingModel.charges_kiosk_sessions``).

    Opened at sign-in; closed once, by sign-out or by the sweep of sessions idle past the
    kiosk's time-out (``kiosk/sessions.py``), which also asks the pricing model of the
    schedule in force at sign-in to charge it.
    """

    class End(models.TextChoices):
        SIGNED_OUT = "signed_out", _("Signed out")
        IDLE = "idle", _("Timed out")
        DEVICE = "device", _("Device changed")
        RELEASED = "released", _("Released")
        MOVED = "moved", _("Moved to another facility")
        REPLACED = "replaced", _("Another resident signed in")
        ELSEWHERE = "elsewhere", _("Ended from another kiosk")

    resident = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, related_name="kiosk_sessions"
    )
    device = models.ForeignKey(
        KioskDevice, null=True, on_delete=models.PROTECT, related_name="sessions"
    )
    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, related_name="kiosk_sessions"
    )
    schedule = models.ForeignKey(
        "ledger.PriceSchedule",
        on_delete=models.PROTECT,
        related_name="kiosk_sessions",
        help_text=_("The prices in force at sign-in, which price the whole session."),
    )
    opened_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(help_text=_("The last page the resident opened."))
    closed_at = models.DateTimeField(null=True, blank=True)
    end = models.CharField(max_length=20, choices=End.choices, blank=True)
    seconds = models.PositiveIntegerField(null=True, blank=True, help_text=_("Time counted."))
    units = models.PositiveIntegerField(default=0, help_text=_("Minutes (or units) charged for."))
    charged_cents = models.PositiveIntegerField(default=0)
    shortfall_cents = models.PositiveIntegerField(
        default=0, help_text=_("What the trust account did not cover: not charged, not owed.")
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["resident", "closed_at"])]

    def __str__(self) -> str:
        return f"Kiosk session of {self.resident} from {self.opened_at:%Y-%m-%d %H:%M}"
