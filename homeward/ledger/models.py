"""A double-entry ledger in integer cents. Append-only: corrections are new transactions."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Account(models.Model):
    class Kind(models.TextChoices):
        CONTACT_WALLET = "contact_wallet", "Contact wallet"
        TRUST = "trust", "Resident trust account"
        AGENCY_FUNDING = "agency_funding", "Agency funding"
        PLATFORM_REVENUE = "platform_revenue", "Platform revenue"
        FACILITY_SHARE = "facility_share", "Facility share"
        PAYMENT_CLEARING = "payment_clearing", "Payment clearing"
        REFUNDS_PAYABLE = "refunds_payable", "Refunds payable"

    # Money that belongs to a person can never go below zero; the platform's own accounts
    # (clearing, agency funding) may, because they mirror money outside the ledger.
    PERSONAL = (Kind.CONTACT_WALLET, Kind.TRUST)

    kind = models.CharField(max_length=20, choices=Kind.choices)
    contact = models.ForeignKey(
        "people.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    agency = models.ForeignKey(
        "facilities.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    facility = models.ForeignKey(
        "facilities.Facility",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    currency = models.CharField(max_length=3, default="USD")
    allow_negative = models.BooleanField(default=False)
    balance = models.BigIntegerField(default=0, help_text="Cents; the sum of its postings.")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(balance__gte=0),
                name="personal_balance_never_negative",
            ),
            models.UniqueConstraint(
                fields=["kind", "contact", "resident", "agency", "facility", "currency"],
                name="one_account_per_owner_and_kind",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        owner = self.contact or self.resident or self.facility or self.agency or "platform"
        return f"{self.get_kind_display()} of {owner}: {self.balance / 100:.2f} {self.currency}"


class Transaction(models.Model):
    kind = models.CharField(max_length=40)
    idempotency_key = models.CharField(max_length=200, unique=True)
    request_hash = models.CharField(max_length=64)
    memo = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Ledger transactions are never changed; post a reversal.")
        super().save(*args, **kwargs)


class Posting(models.Model):
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount = models.BigIntegerField(help_text="Cents: positive credits the account.")

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="posting_moves_money")]

    def __str__(self) -> str:
        return f"{self.amount:+d} to account {self.account_id}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Ledger postings are never changed; post a reversal.")
        super().save(*args, **kwargs)


class PriceSchedule(models.Model):
    """A facility's prices from ``effective_from`` until the next schedule takes over."""

    class Model(models.TextChoices):
        FREE = "free", "Free (paid by the agency)"
        STAMPS = "stamps", "Stamps"
        PER_MESSAGE = "per_message", "Per message"

    class Payer(models.TextChoices):
        SENDER = "sender", "The sender"
        RECIPIENT = "recipient", "The recipient"
        SENDER_PREPAYS_REPLY = "sender_prepays_reply", "The sender, who may prepay the reply"
        AGENCY = "agency", "The agency"

    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, related_name="price_schedules"
    )
    effective_from = models.DateTimeField()
    model = models.CharField(max_length=20, choices=Model.choices)
    payer = models.CharField(max_length=30, choices=Payer.choices, default=Payer.SENDER)
    chars_per_stamp = models.PositiveIntegerField(default=2000)
    stamp_cents = models.PositiveIntegerField(default=0)
    photo_stamps = models.PositiveIntegerField(default=1)
    reply_stamps = models.PositiveIntegerField(default=1)
    per_message_cents = models.PositiveIntegerField(default=0)
    message_cap_cents = models.PositiveIntegerField(null=True, blank=True)
    deposit_fee_flat_cents = models.PositiveIntegerField(default=0)
    deposit_fee_bp = models.PositiveIntegerField(default=0, help_text="Basis points: 250 = 2.5%")
    deposit_fee_cap_cents = models.PositiveIntegerField(null=True, blank=True)
    account_fee_cents = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["facility", "-effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(chars_per_stamp__gte=1), name="stamp_holds_text"),
            models.CheckConstraint(condition=Q(deposit_fee_bp__lte=10_000), name="fee_at_most_all"),
        ]

    def __str__(self) -> str:
        return f"{self.get_model_display()} at {self.facility} from {self.effective_from:%Y-%m-%d}"
