"""Money to a resident's trust account, by card, over one of your connections. The
resident spends it at the facility (commissary, phone time, their replies where they pay).
It answers as paying into a wallet does; the facility is the connection's."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from homeward.api import present
from homeward.api.auth import contact_of
from homeward.api.card_payments import check_total, pay_by_card
from homeward.api.schemas import (
    DepositOut,
    DepositQuoteOut,
    TrustDepositIn,
    TrustDepositQuoteIn,
    with_errors,
)
from homeward.ledger import payments

router = Router(tags=["money"])


@router.post(
    "/{connection_id}/trust-deposit-quote",
    response={200: DepositQuoteOut, **with_errors(400, 401, 404, 409, 422)},
    summary="What money to a trust account would cost",
)
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
    response={(200, 201): DepositOut, **with_errors(400, 401, 402, 404, 409, 422)},
    summary="Send money to a resident's trust account by card",
)
def trust_deposit(
    request: HttpRequest, connection_id: int, data: TrustDepositIn
) -> Status[DepositOut]:
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
    check_total(
        contact=contact,
        facility=connection.facility,
        amount=data.amount_cents,
        expected=data.expected_total_cents,
        resident=connection.resident,
    )
    return pay_by_card(
        contact=contact,
        facility=connection.facility,
        amount=data.amount_cents,
        card=data.card,
        idempotency_key=data.idempotency_key,
        connection_id=connection.pk,
    )
