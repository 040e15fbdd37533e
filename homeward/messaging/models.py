from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from homeward.connections.models import Connection
from homeward.core import clock
from homeward.core.models import StatusEvent


class Message(models.Model):
    """One message in the conversation of a connection, in one direction."""

    class Direction(models.TextChoices):
        TO_RESIDENT = "to_resident", _("From the contact to the resident")
        TO_CONTACT = "to_contact", _("From the resident to the contact")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("message status", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("message status", "Submitted")
        SCREENING = "screening", pgettext_lazy("message status", "Being screened")
        IN_REVIEW = "in_review", pgettext_lazy("message status", "In review")
        APPROVED = "approved", pgettext_lazy("message status", "Approved")
        BLOCKED = "blocked", pgettext_lazy("message status", "Not delivered")
        DELIVERED = "delivered", pgettext_lazy("message status", "Delivered")
        READ = "read", pgettext_lazy("message status", "Read")
        RETURNED = "returned", pgettext_lazy("message status", "Returned")

    connection = models.ForeignKey(Connection, on_delete=models.PROTECT, related_name="messages")
    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, related_name="messages"
    )
    # The connection's two people, copied onto the message (a connection never changes
    # them) so that one person's messages across all their connections have an index that
    # gives them newest first: a staff history reads one page, never everything they wrote.
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    contact = models.ForeignKey(
        "people.Contact", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    direction = models.CharField(max_length=12, choices=Direction.choices)
    body = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, db_index=True)
    client_token = models.CharField(
        max_length=64, blank=True, help_text=_("Sent with the form; a repeat submit is ignored.")
    )
    created_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    screened_at = models.DateTimeField(null=True, blank=True)
    in_review_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    blocked_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    block_category = models.CharField(max_length=40, blank=True)
    block_note = models.CharField(max_length=500, blank=True)
    return_reason = models.CharField(max_length=200, blank=True)
    # How many photos were sent with it (``photos.sending``; 0 for most): a message with
    # none is never held for them, and a repeat must ask for as many.
    photo_count = models.PositiveSmallIntegerField(default=0)
    # When retention removed the text (the body then says when and why).
    content_removed_at = models.DateTimeField(null=True, blank=True)
    # When the row last changed: set by every ``save`` (so every status move, which saves
    # through ``core.transitions.StatusTable``), for apps that sync what changed since
    # (``selectors.changed_in_conversation``). ``bulk_create`` takes the clock's now and a
    # COPY the database's; ``bulk_update`` and ``update`` must set it themselves.
    updated_at = models.DateTimeField(default=clock.now, db_default=Now())

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["connection", "created_at"]),
            models.Index(fields=["resident", "created_at", "id"], name="message_resident_newest"),
            models.Index(fields=["contact", "created_at", "id"], name="message_contact_newest"),
            models.Index(fields=["connection", "updated_at", "id"], name="message_changed"),
            # Replies that reached a contact and are not yet opened: counted per connection
            # from these entries alone (the contact's inbox), however long the conversation.
            models.Index(
                fields=["connection"],
                condition=Q(direction="to_contact", status="delivered"),
                name="message_unread_replies",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "direction", "client_token"],
                condition=~Q(client_token=""),
                name="one_message_per_client_token",
            )
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every write is a change a syncing app must see, a status move above all.
        self.updated_at = clock.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)

    @property
    def to_resident(self) -> bool:
        return self.direction == self.Direction.TO_RESIDENT


class MessageEvent(StatusEvent):
    """Who moved a message from one status to another, and when."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)


class ArchiveCode(models.Model):
    """A released resident's way to their archive (``messaging.archive_codes``): a code given
    at release, or later by an admin, that works for this resident only, until it expires.
    Only a keyed digest of the code is kept; the code is shown once."""

    resident = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, related_name="archive_codes"
    )
    digest = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    emailed_to = models.EmailField(blank=True)
    replaced_at = models.DateTimeField(null=True, blank=True)  # a newer code was given

    class Meta:
        indexes = [models.Index(fields=["resident", "expires_at"], name="archive_code_live")]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(replaced_at__isnull=True),
                name="one_archive_code_in_force",
            )
        ]

    def __str__(self) -> str:
        return f"Archive code {self.pk} of resident {self.resident_id}"
