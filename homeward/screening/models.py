from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Category(models.TextChoices):
    ESCAPE = "escape", "Escape"
    VIOLENCE = "violence", "Violence or threats"
    WEAPONS = "weapons", "Weapons"
    DRUGS = "drugs", "Drugs or contraband"
    GANG = "gang", "Gang activity"
    FRAUD = "fraud", "Fraud or financial"
    SEXUAL = "sexual", "Sexually explicit"
    HARASSMENT = "harassment", "Harassment of victims or witnesses"
    RELAY = "relay", "Third-party relay"
    CODED = "coded", "Coded language"
    OTHER = "other", "Other facility rule"


class Action(models.TextChoices):
    FLAG = "flag", "Flag for review"
    BLOCK = "block", "Block"


class Rule(models.Model):
    """A phrase that screening looks for. Scope: platform baseline (no agency, no facility),
    one agency, or one facility."""

    agency = models.ForeignKey(
        "facilities.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="rules"
    )
    facility = models.ForeignKey(
        "facilities.Facility",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
    )
    phrase = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=Category.choices)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.FLAG)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category", "phrase"]
        constraints = [
            models.CheckConstraint(
                condition=Q(facility__isnull=True) | Q(agency__isnull=True),
                name="rule_has_one_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.phrase!r} → {self.action} ({self.category})"


class ScreeningResult(models.Model):
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
    rules_version = models.CharField(max_length=64)
    engine = models.CharField(max_length=30)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.verdict} for message {self.message_id}"
