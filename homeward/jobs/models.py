from __future__ import annotations

from django.db import models
from django.db.models import Q


class Job(models.Model):
    """A unit of background work. The database is the queue."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        DEAD = "dead", "Dead (gave up)"

    kind = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    facility_id = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="The facility the work is for (its admins see it if it fails); empty for "
        "work of the whole deployment.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    run_after = models.DateTimeField(db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    locked_by = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run_after", "id"]
        indexes = [
            # Each claim reads the oldest due jobs from here, however long the backlog and
            # however many finished jobs the table holds: only queued rows are in it.
            models.Index(
                fields=["run_after", "id"], condition=Q(status="queued"), name="job_queued"
            ),
            models.Index(fields=["lease_until"], condition=Q(status="running"), name="job_running"),
            # For pruning finished jobs (``services.prune``).
            models.Index(fields=["finished_at"], condition=Q(status="done"), name="job_done"),
            models.Index(fields=["status", "facility_id"], name="job_status_facility"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"
