from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One thing that someone did that an agency may need to prove later.

    Each row carries the hash of the row before it, so a deleted or edited row breaks the
    chain (see ``homeward.core.audit.verify_chain``).
    """

    at = models.DateTimeField(db_index=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    facility_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def compute_hash(self) -> str:
        body = json.dumps(
            [
                self.prev_hash,
                self.at.isoformat(),
                self.actor_user_id,
                self.actor_label,
                self.action,
                self.object_type,
                self.object_id,
                self.facility_id,
                self.data,
            ],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(body.encode()).hexdigest()


class AuditChainHead(models.Model):
    """A single row locked while an audit event is appended, so the chain never forks."""

    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return self.last_hash
