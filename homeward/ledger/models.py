"""A double-entry ledger in integer cents. Append-only: corrections are new transactions."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Account(models.Model):
    class Kind(models.TextChoices):
        CONTACT_WALLET = "contact_wallet", _("Contact wallet")
        TRUST = "trust", _("Resident trust account")
        AGENCY_FUNDING = "agency_funding", _("Agency funding")
        PLATFORM_REVENUE = "platform_revenue", _("Platform revenue")
        FACILITY_SHARE = "facility_share", _("Facility share")
        PAYMENT_CLEARING = "payment_clearing", _("Payment clearing")
        REFUNDS_PAYABLE = "refunds_payable", _("Refunds payable")
        REPLY_CREDIT = "reply_credit", _("Prepaid replies")
        STAMPS = "stamps", _("Stamps (counted in stamps, not cents)")
        STAMPS_HELD = "stamps_held", _("Money paid for stamps not yet used")
        STAMP_ISSUE = "stamp_issue", _("Stamps issued by the facility")

    # What belongs to a person can never go below zero; the platform's own accounts
    # (clearing, agency funding, stamps issued) may, because they mirror the outside.
    PERSONAL = (Kind.CONTACT_WALLET, Kind.TRUST, Kind.REPLY_CREDIT, Kind.STAMPS, Kind.STAMPS_HELD)
    STAMP_UNIT = "STP"  # the "currency" of stamp accounts: one unit is one stamp

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
    balance = models.BigIntegerField(default=0, help_text=_("Cents; the sum of its postings."))

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
    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("Deposit")
        TRUST_DEPOSIT = "trust_deposit", _("Money to a trust account")
        MESSAGE_CHARGE = "message_charge", _("Message")
        MESSAGE_REFUND = "message_refund", _("Refund for a message")
        STAMP_PACK = "stamp_pack", _("Stamp pack")
        STAMPS_RETURNED = "stamps_returned", _("Unused stamps returned")
        PAYOUT = "payout", _("Refund to your card")
        PAYOUT_SENT = "payout_sent", _("Refund sent to the card")
        RELEASE = "release", _("Settled at release")
        KIOSK_TIME = "kiosk_time", _("Time at the kiosk")

    kind = models.CharField(max_length=40)
    idempotency_key = models.CharField(max_length=200, unique=True)
    request_hash = models.CharField(max_length=64)
    memo = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    # Who and what the money moved for: statements and reports read these.
    contact = models.ForeignKey(
        "people.Contact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_transactions",
    )
    facility = models.ForeignKey(
        "facilities.Facility",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_transactions",
    )
    message = models.ForeignKey(
        "messaging.Message",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_transactions",
    )
    payment = models.ForeignKey(
        "ledger.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_transactions",
    )

    class Meta:
        indexes = [
            models.Index(fields=["contact", "created_at"]),
            models.Index(fields=["facility", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Ledger transactions are never changed; post a reversal.")
        super().save(*args, **kwargs)


class Posting(models.Model):
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount = models.BigIntegerField(help_text=_("Cents: positive credits the account."))

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="posting_moves_money")]

    def __str__(self) -> str:
        return f"{self.amount:+d} to account {self.account_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Ledger postings are never changed; post a reversal.")
        super().save(*args, **kwargs)


class PriceSchedule(models.Model):
    """A facility's prices from ``effective_from`` until the next schedule takes over."""

    class Model(models.TextChoices):
        FREE = "free", _("Free (paid by the agency)")
        STAMPS = "stamps", _("Stamps")
        PER_MESSAGE = "per_message", _("Per message")
        PER_MINUTE = "per_minute", _("Per minute at the kiosk")

    class Payer(models.TextChoices):
        SENDER = "sender", _("The sender")
        RECIPIENT = "recipient", _("The recipient")
        SENDER_PREPAYS_REPLY = "sender_prepays_reply", _("The sender, who may prepay the reply")
        AGENCY = "agency", _("The agency")

    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, related_name="price_schedules"
    )
    effective_from = models.DateTimeField()
    model = models.CharField(max_length=20, choices=Model.choices)
    payer = models.CharField(max_length=30, choices=Payer.choices, default=Payer.SENDER)
    chars_per_stamp = models.PositiveIntegerField(default=2000)
    stamp_cents = models.PositiveIntegerField(default=0)
    photo_stamps = models.PositiveIntegerField(default=1)
    photo_cents = models.PositiveIntegerField(
        default=0,
        help_text=_(
            "Per message and per minute: the price of each photo. Free: what each photo costs "
            "the agency. (Stamps price a photo in photo_stamps.)"
        ),
    )
    reply_stamps = models.PositiveIntegerField(default=1)
    per_message_cents = models.PositiveIntegerField(
        default=0,
        help_text=_("Per message: the price. Free: what each message costs the agency."),
    )
    per_minute_cents = models.PositiveIntegerField(
        default=0,
        help_text=_("Per minute: each started minute at a kiosk, from the trust account."),
    )
    message_cap_cents = models.PositiveIntegerField(null=True, blank=True)
    deposit_fee_flat_cents = models.PositiveIntegerField(default=0)
    deposit_fee_bp = models.PositiveIntegerField(default=0, help_text=_("Basis points: 250 = 2.5%"))
    deposit_fee_cap_cents = models.PositiveIntegerField(null=True, blank=True)
    account_fee_cents = models.PositiveIntegerField(default=0)
    stamp_packs = models.JSONField(
        default=list,
        blank=True,
        help_text=_('Stamps model: packs on sale, e.g. [{"stamps": 10, "cents": 350}].'),
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["facility", "-effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(chars_per_stamp__gte=1), name="stamp_holds_text"),
            models.CheckConstraint(condition=Q(deposit_fee_bp__lte=10_000), name="fee_at_most_all"),
        ]

    def __str__(self) -> str:
        return f"{self.get_model_display()} at {self.facility} from {self.effective_from:%Y-%m-%d}"


class Payment(models.Model):
    """Money coming in from a card: into a contact's wallet at a facility, or into a
    resident's trust account. The ledger moves only when the provider says it succeeded."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the card company")
        SUCCEEDED = "succeeded", _("Paid")
        DECLINED = "declined", _("Declined")

    contact = models.ForeignKey("people.Contact", on_delete=models.PROTECT, related_name="payments")
    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, related_name="payments"
    )
    resident = models.ForeignKey(
        "people.Resident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        help_text=_("Set for money to a trust account; empty for a wallet deposit."),
    )
    key = models.CharField(max_length=200, unique=True, help_text=_("The form's idempotency key."))
    provider = models.CharField(max_length=20)
    provider_ref = models.CharField(max_length=200, blank=True, db_index=True)
    provider_charge = models.CharField(
        max_length=200, blank=True, help_text=_("The provider's id to refund against.")
    )
    amount_cents = models.PositiveIntegerField()
    fee_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="USD")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    card_last4 = models.CharField(max_length=4, blank=True)
    checkout_url = models.URLField(
        max_length=1000, blank=True, help_text=_("Where the payer finishes (hosted checkout).")
    )
    failure_reason = models.CharField(max_length=200, blank=True)
    refunded_cents = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(refunded_cents__lte=models.F("amount_cents")),
                name="refund_at_most_the_deposit",
            )
        ]

    def __str__(self) -> str:
        return f"Payment {self.receipt_number} ({self.status})"

    @property
    def receipt_number(self) -> str:
        return f"HW-{self.pk:08d}"

    @property
    def total_cents(self) -> int:
        return self.amount_cents + self.fee_cents


class Payout(models.Model):
    """Money going back to the card it came from (no fee), paid by a job after commit."""

    class Status(models.TextChoices):
        PENDING = "pending", _("On its way")
        SENT = "sent", _("Sent to the card")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="payouts")
    amount_cents = models.PositiveIntegerField()
    reason = models.CharField(max_length=200)
    refund_key = models.CharField(
        max_length=200, db_index=True, help_text=_("The refund request this payout belongs to.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    provider_ref = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Payout of {self.amount_cents} to {self.payment}"


class EmptyRefund(models.Model):
    """A wallet refund asked for under a key when there was nothing to give back. Kept so
    that the same key answers "nothing" again, and never refunds a later deposit."""

    key = models.CharField(max_length=200, unique=True)
    contact = models.ForeignKey("people.Contact", on_delete=models.PROTECT, related_name="+")
    facility = models.ForeignKey("facilities.Facility", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Nothing to refund under {self.key}"


class WebhookEvent(models.Model):
    """Every provider event we accepted, once: a repeat of the same id is ignored."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=200)
    type = models.CharField(max_length=100)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="one_event_per_id")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.event_id}"
