"""Registered kiosk devices. Failed sign-ins are counted by ``homeward.people.throttle``."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class KioskDevice(models.Model):
    """A terminal or tablet in a facility on which residents may sign in.

    Only the SHA-256 of the device's token is kept: the raw token lives in the device's
    cookie, so a copy of the database cannot be used to impersonate a kiosk.
    """

    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, related_name="kiosk_devices"
    )
    name = models.CharField(max_length=100, help_text="Where the device is, e.g. 'B Block 2'.")
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
