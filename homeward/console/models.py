"""What the console itself remembers: which version of the staff monitoring notice each
staff member accepted, and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StaffNoticeAcceptance(models.Model):
    """One row per staff member and notice version; a new version means a new row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_acceptances"
    )
    version = models.CharField(max_length=32)
    accepted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="one_acceptance_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.user} accepted {self.version} at {self.accepted_at:%Y-%m-%d %H:%M}"
