from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from homeward.core import clock
from homeward.screening import categories


class Action(models.TextChoices):
    FLAG = "flag", "Flag for review"
    BLOCK = "block", "Block"
    EXCEPTION = "exception", "Exception (cancels other hits of its category)"


class Kind(models.TextChoices):
    PHRASE = "phrase", "Phrase (whole words, obfuscation undone)"
    TOLERANT = "tolerant", "Tolerant phrase (separators and repeats allowed)"
    REGEX = "regex", "Regular expression"
    NEAR = "near", "Phrase near another phrase"
    UNLESS = "unless", "Phrase unless another phrase occurs"


class Scope(models.TextChoices):
    BASELINE = "baseline", "Platform baseline"
    AGENCY = "agency", "Agency"
    FACILITY = "facility", "Facility"


# Kinds that combine two phrases: ``pattern`` and ``other``.
PAIR_KINDS = (Kind.NEAR, Kind.UNLESS)
MAX_DISTANCE = 20
MAX_SEVERITY = 3

_OWNER_MATCHES_SCOPE = (
    Q(scope=Scope.BASELINE, agency__isnull=True, facility__isnull=True)
    | Q(scope=Scope.AGENCY, agency__isnull=False, facility__isnull=True)
    | Q(scope=Scope.FACILITY, agency__isnull=True, facility__isnull=False)
)


def _unique_in_scope(scope: str, *owner: str) -> models.UniqueConstraint:
    """One rule per (kind, pattern, other, distance) in each scope, case-insensitively.
    Rows that disable an inherited rule copy its pattern, so they are left out."""
    return models.UniqueConstraint(
        *(F(name) for name in owner),
        F("kind"),
        Lower("pattern"),
        Lower("other"),
        F("distance"),
        condition=Q(scope=scope, disables__isnull=True),
        name=f"rule_unique_{scope}",
    )


class Rule(models.Model):
    """What screening looks for, at one scope: the platform baseline (no agency, no
    facility), one agency (all its facilities), or one facility.

    A row with ``disables`` set is not a rule of its own: it switches off an inherited rule
    (a baseline rule, or an agency rule for one facility) for its scope while it is active.
    """

    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.BASELINE)
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
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PHRASE)
    pattern = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=categories.CHOICES)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.FLAG)
    severity = models.PositiveSmallIntegerField(default=1, help_text="1 (low) to 3 (high).")
    other = models.CharField(
        max_length=200, blank=True, help_text="The second phrase of a near or unless rule."
    )
    distance = models.PositiveSmallIntegerField(
        default=0, help_text="Near rules: the most words between the two phrases."
    )
    note = models.CharField(max_length=300, blank=True, help_text="Why the rule exists.")
    source = models.CharField(
        max_length=40, blank=True, help_text="Where the rule came from, e.g. 'lib:en:12'."
    )
    disables = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="disabled_by",
        help_text="The inherited rule this row switches off for its scope.",
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["category", "pattern", "id"]
        constraints = [
            models.CheckConstraint(condition=_OWNER_MATCHES_SCOPE, name="rule_owner_matches_scope"),
            models.CheckConstraint(
                condition=Q(severity__gte=1, severity__lte=MAX_SEVERITY), name="rule_severity_1_3"
            ),
            models.CheckConstraint(
                condition=Q(distance__lte=MAX_DISTANCE), name="rule_distance_at_most_20"
            ),
            _unique_in_scope(Scope.BASELINE),
            _unique_in_scope(Scope.AGENCY, "agency"),
            _unique_in_scope(Scope.FACILITY, "facility"),
            models.UniqueConstraint(
                fields=["agency", "disables"],
                condition=Q(scope=Scope.AGENCY, disables__isnull=False),
                name="rule_disabled_once_per_agency",
            ),
            models.UniqueConstraint(
                fields=["facility", "disables"],
                condition=Q(scope=Scope.FACILITY, disables__isnull=False),
                name="rule_disabled_once_per_facility",
            ),
        ]
        indexes = [models.Index(fields=["scope", "is_active"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pattern!r} → {self.action} ({self.category})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The scope follows the owner, so a rule can never claim one scope and belong to
        # another (the database checks the same).
        if self.facility_id is not None:
            self.scope = Scope.FACILITY
        elif self.agency_id is not None:
            self.scope = Scope.AGENCY
        else:
            self.scope = Scope.BASELINE
        super().save(*args, **kwargs)

    @property
    def owner_label(self) -> str:
        if self.scope == Scope.FACILITY:
            return str(self.facility)
        if self.scope == Scope.AGENCY:
            return str(self.agency)
        return "Platform baseline"

    def as_dict(self) -> dict[str, object]:
        """The fields a change history records, before and after."""
        return {
            "scope": self.scope,
            "agency": self.agency_id,
            "facility": self.facility_id,
            "kind": self.kind,
            "pattern": self.pattern,
            "category": self.category,
            "action": self.action,
            "severity": self.severity,
            "other": self.other,
            "distance": self.distance,
            "note": self.note,
            "disables": self.disables_id,
            "is_active": self.is_active,
        }


class RuleChange(models.Model):
    """One change to a rule: who, when, what, and the rule before and after."""

    class What(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        DISABLED = "disabled", "Disabled"
        ENABLED = "enabled", "Enabled"

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="changes")
    what = models.CharField(max_length=10, choices=What.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=200)
    at = models.DateTimeField()
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.what} rule {self.rule_id} by {self.actor_label}"


class RuleSetVersion(models.Model):
    """One version of the rules in force at a facility (or of the baseline alone, when
    ``facility`` is empty). A new row is written whenever a change alters the set; its
    fingerprint is what ``ScreeningResult.rules_version`` records for messages screened
    with it."""

    facility = models.ForeignKey(
        "facilities.Facility",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rule_versions",
    )
    number = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64)
    rule_count = models.PositiveIntegerField()
    summary = models.CharField(max_length=300)
    change = models.ForeignKey(
        RuleChange, null=True, blank=True, on_delete=models.SET_NULL, related_name="versions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "number"],
                condition=Q(facility__isnull=False),
                name="ruleset_version_number_per_facility",
            ),
            models.UniqueConstraint(
                fields=["number"],
                condition=Q(facility__isnull=True),
                name="ruleset_version_number_baseline",
            ),
        ]
        indexes = [models.Index(fields=["facility", "fingerprint"])]

    def __str__(self) -> str:
        return f"Rule set v{self.number} ({self.fingerprint})"


class RulesGeneration(models.Model):
    """One row whose token changes, in the same transaction, with every change to any rule
    (``signals.py``): a process keeps each facility's compiled rules until the token it
    read them under is no longer the one in force, so a message is screened without
    reading the rules table again (``services.screen_text``). A token, not a counter: a
    rolled-back change must never make a later, different change look already seen."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token
