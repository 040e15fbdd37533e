"""Money to a resident's trust account, by card, over one of your connections. The
resident spends it at the facility (commissary, phone time, their replies where they pay).
It answers as paying into a wallet does; the facility is the connection's."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from homeward.api import present
from homeward.api.auth import contact_of
from homeward.api.errors import can_answer
from homeward.api.idempotency import scoped_key
from homeward.api.routes.money import CARD_PAYMENT_ERRORS, pay_by_card, return_url
from homeward.api.schemas import DepositQuoteOut, PaymentOut, TrustDepositIn, TrustDepositQuoteIn
from homeward.ledger import payments

router = Router(tags=["money"])


@router.post(
    "/{connection_id}/trust-deposit-quote",
    response=DepositQuoteOut,
    summary="What money to a trust account would cost",
    operation_id="trust_deposit_quote",
)
@can_answer("not_found", "connection_not_active", "bad_amount", "no_price_schedule")
def quote_trust_deposit(
    request: HttpRequest, connection_id: int, data: TrustDepositQuoteIn
) -> DepositQuoteOut:
    """Every fee, itemised, before any money moves. Nothing is saved. Only over your own
    connection (404 otherwise), while it is active and the resident is in custody (409
    connection_not_active otherwise)."""
    connection = payments.trust_recipient(contact_of(request), connection_id)
    return present.deposit_quote_out(
        payments.quote(
            facility=connection.facility,
            amount=data.amount_cents,
            resident=connection.resident,
            contact=connection.contact,
        )
    )


@router.post(
    "/{connection_id}/trust-deposits",
    response={(200, 201): PaymentOut},
    summary="Send money to a resident's trust account by card",
    operation_id="trust_deposit",
)
@can_answer(*CARD_PAYMENT_ERRORS, "connection_not_active")
def trust_deposit(
    request: HttpRequest, connection_id: int, data: TrustDepositIn
) -> Status[PaymentOut]:
    """201 with the new payment (``succeeded``, or ``pending`` until the card company
    confirms); 200 with the same payment when ``idempotency_key`` repeats, so nothing is
    charged twice (409 idempotency_key_reused for another amount, card or recipient); 402
    card_declined with the declined record's ``payment_id``. Send the
    quote's ``total_cents`` as ``expected_total_cents`` to be refused (409 total_changed)
    rather than charged a total you were not shown. Only over your own connection (404
    otherwise), while it is active and the resident is in custody (409
    connection_not_active otherwise)."""
    contact = contact_of(request)
    connection = payments.trust_recipient(contact, connection_id)
    started = payments.start(
        contact=contact,
        facility=connection.facility,
        amount=data.amount_cents,
        key=scoped_key("api", contact, data.idempotency_key),
        card=data.card,
        connection_id=connection.pk,
        expected_total=data.expected_total_cents,
        return_url=return_url(),
    )
    return pay_by_card(started)
