from __future__ import annotations

from django.conf import settings
from django.db import models

from homeward.screening import categories


class ReviewTask(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Waiting"
        # Decided, and within the few seconds its reviewer may still undo it: nothing of
        # the decision has happened yet (``review.services.apply_decision``).
        DECIDING = "deciding", "Decided (can still be undone)"
        DONE = "done", "Decided"
        CANCELLED = "cancelled", "Cancelled"

    class Reason(models.TextChoices):
        FLAGGED = "flagged", "Flagged by screening"
        ALL = "all", "Facility reviews every message"
        SAMPLE = "sample", "Random sample"
        WATCHED = "watched", "On a watch list"

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        BLOCK = "block", "Block"

    message = models.OneToOneField(
        "messaging.Message", on_delete=models.CASCADE, related_name="review_task"
    )
    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, related_name="review_tasks"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_reviews",
    )
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    # A reviewer blocks for one of the screening categories (screening/categories.py); the
    # sender sees its label where the facility shows reasons. There are no review-only
    # reasons.
    reason_code = models.CharField(max_length=20, choices=categories.CHOICES, blank=True)
    note = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decided_reviews",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    effective_at = models.DateTimeField(
        null=True, blank=True, help_text="When a decision takes effect (its undo window ends)."
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    escalation_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["facility", "status", "due_at"])]

    def __str__(self) -> str:
        return f"Review of message {self.message_id} ({self.status})"


class ScreeningResult(models.Model):
    """What screening said of one message, with the rule-set version it ran with. Kept by
    the app that routes messages (``review.intake``): screening itself knows no messages."""

    class Verdict(models.TextChoices):
        CLEAR = "clear", "Clear"
        FLAG = "flag", "Flag for review"
        BLOCK = "block", "Block"

    message = models.OneToOneField(
        "messaging.Message", on_delete=models.CASCADE, related_name="screening"
    )
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    categories = models.JSONField(default=list)
    hits = models.JSONField(default=list, help_text="[{rule, category, action, start, end, text}]")
    cleared = models.JSONField(
        default=list,
        blank=True,
        help_text="Hits the second opinion cleared (the same shape as hits): the library's "
        "word layers found them, and the classifier read the words as innocent.",
    )
    cleared_because = models.TextField(blank=True, default="")
    rules_version = models.CharField(
        max_length=64, help_text="The fingerprint of the rule set (see RuleSetVersion)."
    )
    engine = models.CharField(max_length=30)
    at = models.DateTimeField()

    class Meta:
        db_table = "screening_screeningresult"  # its table from before it moved here

    def __str__(self) -> str:
        return f"{self.verdict} for message {self.message_id}"


class Watch(models.Model):
    """A watch list entry: every message of a contact (at one facility), a resident or one
    connection goes to a person, whatever the facility's review mode, until it expires or
    staff end it."""

    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, related_name="watches"
    )
    contact = models.ForeignKey(
        "people.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="watches"
    )
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="watches"
    )
    connection = models.ForeignKey(
        "connections.Connection",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="watches",
    )
    reason = models.CharField(max_length=500)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    contact__isnull=False, resident__isnull=True, connection__isnull=True
                )
                | models.Q(contact__isnull=True, resident__isnull=False, connection__isnull=True)
                | models.Q(contact__isnull=True, resident__isnull=True, connection__isnull=False),
                name="watch_of_one_subject",
            )
        ]
        indexes = [models.Index(fields=["facility", "ended_at", "expires_at"], name="watch_live")]

    def __str__(self) -> str:
        return f"Watch {self.pk}"
