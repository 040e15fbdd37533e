"""What investigators search: one document per message.

The document is the message's text as written and, where screening's folded view differs
("k.n.1.f.e" folds to "knife"), that view too. The full-text index over it is the
database's own, created in the migration: an FTS5 table on SQLite (``monitoring_fts``,
rowid = the message's id) and, on PostgreSQL, a stored ``document`` tsvector column
(English and Spanish stemming, accents ignored) with a GIN index. Neither is a model field:
``search.py`` queries them, ``index.py`` writes them.
"""

from __future__ import annotations

import operator
from functools import reduce

from django.db import models


class SearchDocument(models.Model):
    message = models.OneToOneField(
        "messaging.Message",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_document",
    )
    # Copies of the message's, so a search filters and sorts without a join.
    facility = models.ForeignKey("facilities.Facility", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    text = models.TextField()

    class Meta:
        indexes = [
            models.Index(fields=["facility", "-created_at"], name="search_facility_new"),
            # Newest first across facilities: a word in one message of five finds its first
            # page by reading the newest documents, not by sorting every match.
            models.Index(fields=["-created_at", "-message"], name="search_newest"),
        ]

    def __str__(self) -> str:
        return f"Search document of message {self.message_id}"


class Entity(models.Model):
    """A phone number, email address, payment handle or street address, kept once however
    messages write it (``entities.normalised``)."""

    class Kind(models.TextChoices):
        PHONE = "phone", "Phone number"
        EMAIL = "email", "Email address"
        PAYMENT = "payment", "Payment handle"
        ADDRESS = "address", "Street address"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=200)
    shown = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="one_entity")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.shown}"


class Mention(models.Model):
    """One message that mentions an entity, and how it wrote it."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="mentions")
    message = models.ForeignKey(
        "messaging.Message", on_delete=models.CASCADE, related_name="mentions"
    )
    # Copies of the message's, so an entity's page filters and groups without joins.
    facility = models.ForeignKey("facilities.Facility", on_delete=models.PROTECT, related_name="+")
    connection = models.ForeignKey(
        "connections.Connection", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    text = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "message"], name="one_mention_a_message")
        ]
        indexes = [
            models.Index(fields=["entity", "facility", "-created_at"], name="mention_entity")
        ]

    def __str__(self) -> str:
        return f"{self.entity} in message {self.message_id}"


class Case(models.Model):
    """Messages an investigator gathers for one matter, to read together and export."""

    agency = models.ForeignKey("facilities.Agency", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    reason = models.TextField(max_length=2000)
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class CaseMessage(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="items")
    message = models.ForeignKey("messaging.Message", on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "message"], name="a_message_once_a_case")
        ]

    def __str__(self) -> str:
        return f"Message {self.message_id} in case {self.case_id}"


# What a hold can name, each its own field (and its kind's value).
HELD = ("resident", "contact", "connection", "case")


class LegalHold(models.Model):
    """Nothing of a resident, a contact, one connection or a case is removed while held."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", "Resident"
        CONTACT = "contact", "Contact"
        CONNECTION = "connection", "Connection"
        CASE = "case", "Case"

    agency = models.ForeignKey("facilities.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact = models.ForeignKey(
        "people.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    connection = models.ForeignKey(
        "connections.Connection",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=500)
    placed_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    released_by = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            # Its kind names the one thing held: retention reads the ids of each kind, and a
            # NULL among them would stop removal for the whole agency.
            models.CheckConstraint(
                condition=reduce(
                    operator.or_,
                    (
                        models.Q(kind=kind, **{f"{other}__isnull": other != kind for other in HELD})
                        for kind in HELD
                    ),
                ),
                name="hold_of_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"Hold on {self.get_kind_display().lower()} ({self.reason})"


class AttorneyVerification(models.Model):
    """A contact an agency's staff verified as an attorney (bar number and state)."""

    agency = models.ForeignKey("facilities.Agency", on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey("people.Contact", on_delete=models.PROTECT, related_name="+")
    bar_number = models.CharField(max_length=40)
    bar_state = models.CharField(max_length=2)
    verified_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "contact"], name="one_verification")
        ]

    def __str__(self) -> str:
        return f"{self.contact} ({self.bar_state} bar {self.bar_number})"
