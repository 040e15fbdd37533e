from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models


class StatusEvent(models.Model):
    """Who moved a row from one status to another, and when: the history a status table
    (``core.transitions``) writes. Each app's event adds its row and its status columns."""

    from_status: str
    to_status: str
    actor_label = models.CharField(max_length=200)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    at = models.DateTimeField()

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status} by {self.actor_label}"


class AuditEvent(models.Model):
    """One thing that someone did that an agency may need to prove later.

    Rows are written without a lock; the sealer (``homeward.core.audit.seal``, run by every
    worker) then gives each a place in the chain (``seq``) and the hash of the row before it,
    so a deleted or edited row breaks the chain (see ``verify_chain``).
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
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def compute_hash(self) -> str:
        body = json.dumps(
            [
                self.seq,
                self.pk,
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
    """The end of the sealed chain: one row, locked by the sealer so the chain never forks."""

    last_hash = models.CharField(max_length=64, default="0" * 64)
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.last_hash
