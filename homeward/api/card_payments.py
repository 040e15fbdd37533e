"""Paying by card through the API, the same way for a wallet and for a trust account:
the shown total checked, the key made the contact's own, a repeat answered 200, a decline
answered 402. The money itself moves only in ``homeward.ledger.payments``."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from ninja import Status

from homeward.api import present
from homeward.api.schemas import DepositOut
from homeward.core.errors import Conflict, DomainError
from homeward.facilities.models import Facility
from homeward.ledger import payments
from homeward.ledger.models import Payment
from homeward.people.models import Contact, Resident


class CardDeclined(DomainError):
    status = 402

    def __init__(self, payment: Payment) -> None:
        reason = payment.failure_reason or "The card was declined."
        super().__init__("card_declined", f"{reason} Nothing was charged.")
        self.details = {"payment_id": payment.pk}  # so the app can show the declined record


def check_total(
    *,
    contact: Contact,
    facility: Facility,
    amount: int,
    expected: int | None,
    resident: Resident | None = None,
) -> None:
    """Refuse (409 total_changed) a total other than the one the payer was shown."""
    if expected is None:
        return
    total = payments.quote(
        facility=facility, amount=amount, resident=resident, contact=contact
    ).total
    if total != expected:
        raise Conflict(
            "total_changed",
            f"The total is now {total} cents, not the {expected} you were shown. Nothing was "
            "charged; check the new quote and pay again.",
        )


def pay_by_card(
    *,
    contact: Contact,
    facility: Facility,
    amount: int,
    card: str,
    idempotency_key: str,
    connection_id: int | None = None,
) -> Status[DepositOut]:
    """Start the payment: 201 when new, 200 with the same payment when the key repeats."""
    given = idempotency_key.strip()
    if not given:
        raise DomainError("key_required", "Every payment needs an idempotency key.")
    # Keys are the contact's own: one contact can never reach another's payment by its key.
    started = payments.start(
        contact=contact,
        facility=facility,
        amount=amount,
        key=f"api:{contact.pk}:{given}",
        card=card,
        connection_id=connection_id,
        return_url=settings.SITE_URL + reverse("web:wallets"),
    )
    payment = started.payment
    if payment.status == Payment.Status.DECLINED:
        raise CardDeclined(payment)
    # 201 or 200 as the service decided when it saved the payment (never a look before).
    return Status(
        201 if started.created else 200, present.deposit_out(payment, started.redirect_url)
    )
