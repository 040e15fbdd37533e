from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A bearer credential a contact's app uses on the JSON API.

    Only the SHA-256 of the key is stored: a leaked database does not leak working tokens.
    The key is shown once, when it is created. ``prefix`` is its first characters, so a
    person can tell their tokens apart without the key. A token works until ``expires_at``
    (fixed when it is made, ``API_TOKEN_DAYS`` on); refreshing swaps it for a new one.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True, help_text=_("e.g. the phone it is on"))
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=16)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    # The token a refresh swapped this one for: a refresh retried with this token (its
    # answer lost) replaces that one while it has never been used (services.refresh_token).
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'API token'})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
