from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from homeward.core.models import StatusEvent
from homeward.people.models import Contact, Resident


class Connection(models.Model):
    """An approved (or pending, or ended) relationship between one contact and one resident.

    It is also the conversation: every message between the two belongs to it.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for the resident to accept")
        INVITED = "invited", _("Waiting for the contact to accept the invitation")
        PENDING_STAFF = "pending_staff", _("Waiting for staff approval")
        ACTIVE = "active", pgettext_lazy("connection status", "Active")
        DECLINED = "declined", pgettext_lazy("connection status", "Declined")
        WITHDRAWN = "withdrawn", pgettext_lazy("connection status", "Withdrawn")
        DENIED = "denied", _("Denied by staff")
        EXPIRED = "expired", _("Invitation expired")
        BLOCKED = "blocked", pgettext_lazy("connection status", "Blocked")
        ENDED = "ended", pgettext_lazy("connection status", "Ended")

    class Side(models.TextChoices):
        CONTACT = "contact", _("Contact")
        RESIDENT = "resident", _("Resident")
        STAFF = "staff", _("Staff")

    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="connections"
    )
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="connections")
    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, related_name="connections"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    initiated_by = models.CharField(max_length=10, choices=Side.choices)
    invite_email = models.EmailField(blank=True, help_text=_("Set when a resident invites."))
    invite_expires_at = models.DateTimeField(null=True, blank=True)
    blocked_by = models.CharField(max_length=10, choices=Side.choices, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    # An attorney's privileged channel (``monitoring.privileged``): its messages skip
    # screening and review, and staff cannot search, read or export them.
    privileged = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "resident"],
                condition=Q(contact__isnull=False),
                name="one_connection_per_pair",
            ),
            models.UniqueConstraint(
                fields=["invite_email", "resident"],
                condition=Q(contact__isnull=True),
                name="one_open_invite_per_email",
            ),
        ]

    def __str__(self) -> str:
        who = self.contact or self.invite_email
        return f"{who} ↔ {self.resident} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


# A connection active or on its way to it (waiting for the resident, the contact or staff):
# what a closing account ends (``services.end_all_of``), and what lets a contact send a
# facility photos (``access.open_connections_at``).
OPEN_STATUSES = frozenset(
    {
        Connection.Status.REQUESTED,
        Connection.Status.INVITED,
        Connection.Status.PENDING_STAFF,
        Connection.Status.ACTIVE,
    }
)


class ConnectionEvent(StatusEvent):
    """Who moved a connection from one status to another, when, and why."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    reason = models.CharField(max_length=300, blank=True)
