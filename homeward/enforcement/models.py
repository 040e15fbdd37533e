from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from homeward.facilities.models import Facility
from homeward.people.models import Contact, Resident, User
from homeward.screening import categories


class Violation(models.Model):
    """A facility's rule broken by the person who sent a blocked message: the contact (a
    message to a resident) or the resident (a reply). One per message, recorded when a
    reviewer confirms the block; a block overturned voids it, and a void violation counts
    for nothing."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="violations")
    message = models.OneToOneField(
        "messaging.Message", on_delete=models.PROTECT, related_name="violation"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="violations"
    )
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="violations"
    )
    category = models.CharField(max_length=40, choices=categories.CHOICES)
    severity = models.CharField(
        max_length=10, choices=[(s, s.capitalize()) for s in categories.SEVERITIES]
    )
    automatic = models.BooleanField(default=False, help_text=_("Blocked by screening alone."))
    confirmed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact__isnull=False, resident__isnull=True)
                | models.Q(contact__isnull=True, resident__isnull=False),
                name="violation_by_one_person",
            )
        ]
        indexes = [
            models.Index(fields=["contact", "facility", "-created_at"], name="violation_contact"),
            models.Index(fields=["resident", "-created_at"], name="violation_resident"),
        ]

    def __str__(self) -> str:
        return f"{self.category} violation, message {self.message_id}"

    @property
    def counts(self) -> bool:
        return self.voided_at is None


def _default_revoke_at_once() -> list[str]:
    return []


def _default_suspend_at_once() -> list[str]:
    return [categories.ESCAPE, categories.HARASSMENT]


class EnforcementPolicy(models.Model):
    """What a facility does about repeated violations, from ``effective_from`` until the
    next version takes over. Versions are never edited: a change is a new row, so every
    suspension was imposed under the version in force, and the list of versions is the
    history. A facility with no row follows ``DEFAULTS`` (``policies.in_force``)."""

    class OnTheWay(models.TextChoices):
        RETURN = "return", _("Returned undelivered, and refunded")
        HOLD = "hold", _("Held, and delivered when the suspension ends")

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="enforcement_policies"
    )
    effective_from = models.DateTimeField()
    violations_to_suspend = models.PositiveSmallIntegerField(
        default=3, help_text=_("Violations within the window that suspend the person (0: never).")
    )
    violation_window_days = models.PositiveSmallIntegerField(default=30)
    suspension_days = models.PositiveSmallIntegerField(default=30)
    suspensions_to_revoke = models.PositiveSmallIntegerField(
        default=2,
        help_text=_(
            "Suspensions within the window after which the next one is a revocation (0: never)."
        ),
    )
    suspension_window_days = models.PositiveSmallIntegerField(default=180)
    suspend_at_once = models.JSONField(
        default=_default_suspend_at_once,
        blank=True,
        help_text=_("Categories one violation of which suspends at once."),
    )
    revoke_at_once = models.JSONField(
        default=_default_revoke_at_once,
        blank=True,
        help_text=_("Categories one violation of which revokes at once."),
    )
    automatic_blocks_count = models.BooleanField(
        default=False, help_text=_("A block by screening alone counts as a violation.")
    )
    on_the_way = models.CharField(max_length=10, choices=OnTheWay.choices, default=OnTheWay.RETURN)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["facility", "-effective_from", "-id"]
        indexes = [
            models.Index(fields=["facility", "-effective_from"], name="enforcement_policy_at"),
        ]

    def __str__(self) -> str:
        return f"Enforcement at {self.facility} from {self.effective_from:%Y-%m-%d}"


class Restriction(models.Model):
    """A suspension (with an end) or a revocation (none) of someone's messaging: a contact
    at one facility or, imposed by an agency admin, at every facility of the agency; a
    resident; or one connection. In force from ``starts_at`` until ``ends_at`` or until it
    is lifted; sending comes back by itself when it ends. Its changes are its history
    (``RestrictionChange``)."""

    class Kind(models.TextChoices):
        SUSPENSION = "suspension", _("Suspension")
        REVOCATION = "revocation", _("Revocation")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="restrictions")
    agency_wide = models.BooleanField(
        default=False, help_text=_("A contact's restriction at every facility of the agency.")
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="restrictions"
    )
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="restrictions"
    )
    connection = models.ForeignKey(
        "connections.Connection",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="restrictions",
    )
    reason = models.CharField(max_length=500)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    automatic = models.BooleanField(
        default=False, help_text=_("Imposed by the facility's enforcement policy.")
    )
    imposed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    violations = models.ManyToManyField(Violation, blank=True, related_name="restrictions")
    policy = models.ForeignKey(
        EnforcementPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_reason = models.CharField(max_length=500, blank=True)
    undone = models.BooleanField(
        default=False,
        help_text=_("Lifted because a violation it rested on was voided: it counts for nothing."),
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    contact__isnull=False, resident__isnull=True, connection__isnull=True
                )
                | models.Q(contact__isnull=True, resident__isnull=False, connection__isnull=True)
                | models.Q(contact__isnull=True, resident__isnull=True, connection__isnull=False),
                name="restriction_of_one_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="restriction_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(agency_wide=False) | models.Q(contact__isnull=False),
                name="only_contacts_agency_wide",
            ),
        ]
        indexes = [
            models.Index(fields=["contact", "lifted_at"], name="restriction_contact"),
            models.Index(fields=["resident", "lifted_at"], name="restriction_resident"),
            models.Index(fields=["connection", "lifted_at"], name="restriction_connection"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    def in_force(self, at: Any) -> bool:
        return (
            self.lifted_at is None
            and self.starts_at <= at
            and (self.ends_at is None or self.ends_at > at)
        )


class RestrictionChange(models.Model):
    """One step in a restriction's history: imposed, shortened, extended or lifted."""

    class Action(models.TextChoices):
        IMPOSED = "imposed", _("Imposed")
        SHORTENED = "shortened", _("Shortened")
        EXTENDED = "extended", _("Extended")
        LIFTED = "lifted", _("Lifted")

    restriction = models.ForeignKey(Restriction, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=10, choices=Action.choices)
    ends_before = models.DateTimeField(null=True, blank=True)
    ends_after = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["restriction", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"


class Appeal(models.Model):
    """A person asks the facility to look again: at a blocked message they sent, or at a
    suspension or revocation of their messaging. One per message or restriction, within
    the facility's window; decided by someone other than the staff member who made the
    decision appealed (``appeals``)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a decision")
        UPHELD = "upheld", _("Upheld: the decision stands")
        OVERTURNED = "overturned", _("Overturned")

    class Assigned(models.TextChoices):
        REVIEWER = "reviewer", _("Another reviewer of the facility")
        FACILITY_ADMIN = "facility_admin", _("A facility admin")
        AGENCY_ADMIN = "agency_admin", _("An agency admin")
        BLOCKER = "blocker", _("The staff member who decided, as the agency allows")

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="appeals")
    message = models.OneToOneField(
        "messaging.Message",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeal",
    )
    restriction = models.OneToOneField(
        Restriction, null=True, blank=True, on_delete=models.PROTECT, related_name="appeal"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    statement = models.TextField(max_length=1000)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    decided_against = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Who made the decision appealed (none: screening or the policy)."),
    )
    assigned_to = models.ForeignKey(User, on_delete=models.PROTECT, related_name="appeals")
    assigned_as = models.CharField(max_length=16, choices=Assigned.choices)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(message__isnull=False, restriction__isnull=True)
                | models.Q(message__isnull=True, restriction__isnull=False),
                name="appeal_of_one_thing",
            ),
            models.CheckConstraint(
                condition=models.Q(contact__isnull=False, resident__isnull=True)
                | models.Q(contact__isnull=True, resident__isnull=False),
                name="appeal_by_one_person",
            ),
        ]
        indexes = [
            models.Index(fields=["assigned_to", "status", "due_at"], name="appeal_desk"),
            models.Index(fields=["facility", "status", "due_at"], name="appeal_facility"),
        ]

    def __str__(self) -> str:
        return f"Appeal {self.pk} ({self.status})"
