from django.db import models

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
    automatic = models.BooleanField(default=False, help_text="Blocked by screening alone.")
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
