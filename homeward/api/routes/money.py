"""Money: what a message will cost, wallets, card payments into them, receipts and the
statement. Every amount is whole cents; money moves only through the ledger's services."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from homeward.api import present, selectors
from homeward.api.auth import contact_of
from homeward.api.card_payments import check_total, pay_by_card
from homeward.api.schemas import (
    DepositIn,
    DepositOut,
    DepositQuoteIn,
    DepositQuoteOut,
    IdempotentIn,
    PaymentOut,
    QuoteIn,
    QuoteOut,
    RefundOut,
    StatementLineOut,
    WalletOut,
    with_errors,
)
from homeward.connections import selectors as connections
from homeward.core import clock
from homeward.core.errors import DomainError
from homeward.ledger import charges, payments, statements
from homeward.ledger import selectors as money
from homeward.messaging.services import validate_body

quote_router = Router(tags=["money"])
wallets_router = Router(tags=["money"])
payments_router = Router(tags=["money"])
statement_router = Router(tags=["money"])


REFUND_REASON = "Refund requested by you"


@quote_router.post(
    "/{connection_id}/quote",
    response={200: QuoteOut, **with_errors(400, 401, 404, 422)},
    summary="What a message would cost",
)
def quote_message(request: HttpRequest, connection_id: int, data: QuoteIn) -> QuoteOut:
    """The price of sending ``body`` now, itemised, and your wallet before and after. The
    body is checked as sending checks it (400 message_empty, message_too_long), so the
    price is the one sending would charge. Where you hold enough stamps, ``stamps`` says
    how many would pay for it instead of money."""
    connection = connections.connection_for_contact(contact_of(request), connection_id)
    body = validate_body(data.body, limit=connection.facility.policy.message_length_limit)
    preview = charges.preview(
        connection=connection,
        to_resident=True,
        characters=len(body),
        at=clock.now(),
        prepaid_reply=data.prepaid_reply,
    )
    return present.quote_out(preview)


@wallets_router.get("", response={200: list[WalletOut], **with_errors(401)})
def list_wallets(request: HttpRequest) -> list[WalletOut]:
    """A wallet per facility where you have a connection or have paid in, by name, with
    the stamps you hold there and the stamp packs on sale."""
    return [present.wallet_out(wallet) for wallet in money.wallets_of_contact(contact_of(request))]


@wallets_router.post(
    "/{facility_code}/deposit-quote",
    response={200: DepositQuoteOut, **with_errors(400, 401, 404, 422)},
    summary="What a deposit would cost",
)
def quote_deposit(
    request: HttpRequest, facility_code: str, data: DepositQuoteIn
) -> DepositQuoteOut:
    """Every fee, itemised, before any money moves. Nothing is saved. Only at facilities
    where you have a connection (404 elsewhere)."""
    contact = contact_of(request)
    facility = money.facility_for_deposits(contact, facility_code)
    return present.deposit_quote_out(
        payments.quote(facility=facility, amount=data.amount_cents, contact=contact)
    )


@wallets_router.post(
    "/{facility_code}/deposits",
    response={(200, 201): DepositOut, **with_errors(400, 401, 402, 404, 409, 422)},
    summary="Pay into your wallet by card",
)
def deposit(request: HttpRequest, facility_code: str, data: DepositIn) -> Status[DepositOut]:
    """201 with the new payment: ``succeeded`` (credited now) or ``pending`` (credited when
    the card company confirms; see GET /payments/{id}). 200 with the same payment when
    ``idempotency_key`` repeats: nothing is charged twice; 409 idempotency_key_reused when it
    repeats with another amount or card. A declined card is 402
    card_declined with the ``payment_id`` of the declined record; try again with a new key.
    Send the quote's ``total_cents`` as ``expected_total_cents`` to be refused (409
    total_changed) rather than charged a total you were not shown. Only at facilities where
    you have a connection (404 elsewhere).
    """
    contact = contact_of(request)
    facility = money.facility_for_deposits(contact, facility_code)
    check_total(
        contact=contact,
        facility=facility,
        amount=data.amount_cents,
        expected=data.expected_total_cents,
    )
    return pay_by_card(
        contact=contact,
        facility=facility,
        amount=data.amount_cents,
        card=data.card,
        idempotency_key=data.idempotency_key,
    )


@wallets_router.post(
    "/{facility_code}/refund",
    response={(200, 201): RefundOut, **with_errors(400, 401, 404, 409, 422)},
    summary="Send your wallet back to your cards",
)
def refund(request: HttpRequest, facility_code: str, data: IdempotentIn) -> Status[RefundOut]:
    """Everything in your wallet at this facility goes back to the cards it came from, newest
    payment first, with no fee; unused stamps first come back to the wallet at what they
    cost. Each payout is paid by the card company shortly after (see GET /payments/{id}).
    201 with the payouts; an empty wallet refunds nothing (200 with 0 and no payouts); a
    repeated ``idempotency_key`` answers 200 with what the first request did and moves
    nothing more (409 idempotency_key_reused for another facility's wallet). Only at
    facilities where you have a wallet (404 elsewhere)."""
    contact = contact_of(request)
    facility = money.facility_with_wallet(contact, facility_code)
    given = data.idempotency_key.strip()
    if not given:
        raise DomainError("key_required", "Every refund needs an idempotency key.")
    payouts, asked_now = payments.refund_wallet(
        contact=contact,
        facility=facility,
        reason=REFUND_REASON,
        key=f"api-refund:{contact.pk}:{given}",
    )
    # 201 when this request sent money back; 200 for an empty wallet or a repeat.
    return Status(201 if asked_now and payouts else 200, present.refund_out(payouts))


@payments_router.get("/{payment_id}", response={200: PaymentOut, **with_errors(401, 404)})
def payment_receipt(request: HttpRequest, payment_id: int) -> PaymentOut:
    """One of your payments, as its receipt: into a wallet or to a trust account."""
    return present.payment_out(selectors.payment_for_contact(contact_of(request), payment_id))


@statement_router.get("", response={200: list[StatementLineOut], **with_errors(401)})
def statement(request: HttpRequest) -> list[StatementLineOut]:
    """Everything that moved your money, oldest first, with each wallet's balance after."""
    return [present.statement_line_out(line) for line in statements.statement(contact_of(request))]
