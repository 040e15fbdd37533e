"""Money: what a message will cost, wallets, card payments into them, receipts and the
statement. Every amount is whole cents; money moves only through the ledger's services."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Status

from homeward.api import deprecation, present
from homeward.api.auth import contact_of
from homeward.api.errors import can_answer
from homeward.api.idempotency import scoped_key
from homeward.api.schemas import (
    DepositIn,
    DepositQuoteIn,
    DepositQuoteOut,
    IdempotentIn,
    PaymentOut,
    QuoteIn,
    QuoteOut,
    RefundOut,
    StatementLineDeprecatedOut,
    StatementPageOut,
    StatementQuery,
    WalletOut,
)
from homeward.connections import access as connections
from homeward.core import clock
from homeward.ledger import access as money
from homeward.ledger import charges, payments, statements, words
from homeward.messaging.services import check_can_send, validate_body
from homeward.photos.access import may_carry

quote_router = Router(tags=["money"])
wallets_router = Router(tags=["money"])
payments_router = Router(tags=["money"])
statement_router = Router(tags=["money"])
# The old addresses, kept for one release as deprecated aliases (docs/api-changelog.md).
old_quote_router = Router(tags=["deprecated"])
old_statement_router = Router(tags=["deprecated"])


REFUND_REASON = words.REFUND_REQUESTED.stored()
# What the card payments of both kinds (wallet, trust account) can answer.
CARD_PAYMENT_ERRORS = (
    "bad_amount",
    "key_required",
    "card_not_accepted",
    "card_declined",
    "provider_error",
    "provider_unavailable",
    "no_price_schedule",
    "total_changed",
    "idempotency_key_reused",
    "not_found",
)


def pay_by_card(started: payments.Started) -> Status[PaymentOut]:
    """201 with a payment this request made, 200 with the one a repeated key made; 402
    card_declined with its ``payment_id`` when the card company said no."""
    started.refuse_if_declined()
    out = present.deposit_out(started.payment, started.redirect_url)
    # 201 or 200 as the service decided when it saved the payment (never a look before).
    return Status(201 if started.created else 200, out)


def return_url() -> str:
    """Where a hosted checkout sends the payer back: their wallets on the website."""
    return settings.SITE_URL + reverse("web:wallets")


QUOTE_ERRORS = (
    "not_found",
    "connection_blocked",
    "connection_not_active",
    "resident_released",
    "resident_moved",
    "message_empty",
    "message_too_long",
    "prepaid_reply_not_offered",
    "no_price_schedule",
    "photos_not_offered",
    "photos_not_on_privileged",
    "too_many_photos",
)


@quote_router.post(
    "/{connection_id}/quote",
    response=QuoteOut,
    summary="What a message would cost",
    operation_id="messages_quote",
)
@can_answer(*QUOTE_ERRORS)
def quote_message(request: HttpRequest, connection_id: int, data: QuoteIn) -> QuoteOut:
    """The price of sending ``body`` now, with ``photos`` photos, itemised, and your wallet
    before and after. The body is checked as sending checks it (400 message_empty,
    message_too_long; with photos it may be empty), and so is the number of photos, so the
    price is the one sending would charge. Where you hold enough stamps, ``stamps`` says
    how many would pay for it instead of money. A connection that cannot send has no
    price: blocked is 403 connection_blocked, not active (pending, declined, closed) 409
    connection_not_active, the resident released or moved 409, as sending answers."""
    connection = connections.connection_for_contact(contact_of(request), connection_id)
    check_can_send(connection)  # a quote never prices a message that could not be sent
    may_carry(connection, data.photos)
    photos = data.photos
    body = validate_body(
        data.body, limit=connection.facility.policy.message_length_limit, may_be_empty=photos > 0
    )
    preview = charges.preview(
        connection=connection,
        to_resident=True,
        characters=len(body),
        at=clock.now(),
        prepaid_reply=data.prepaid_reply,
        photos=photos,
    )
    return present.quote_out(preview)


@old_quote_router.post(
    "/{connection_id}/quote",
    response=QuoteOut,
    summary="What a message would cost (deprecated: POST /conversations/{id}/quote)",
    operation_id="messages_quote_deprecated",
    deprecated=True,
)
@can_answer(*QUOTE_ERRORS)
def quote_message_deprecated(
    request: HttpRequest, connection_id: int, data: QuoteIn, response: HttpResponse
) -> QuoteOut:
    """The old address of POST /conversations/{connection_id}/quote, which answers the
    same; kept for one release (see the changelog). Its answers carry `Deprecation` and a
    `Link` to the new address."""
    deprecation.mark(response, successor=f"/api/v1/conversations/{connection_id}/quote")
    return quote_message(request, connection_id, data)


@wallets_router.get("", response=list[WalletOut], operation_id="wallets_list")
@can_answer("no_price_schedule")
def list_wallets(request: HttpRequest) -> list[WalletOut]:
    """A wallet per facility where you have a connection or have paid in, by name, with
    the stamps you hold there and the stamp packs on sale."""
    return [present.wallet_out(wallet) for wallet in money.wallets_of_contact(contact_of(request))]


@wallets_router.post(
    "/{facility_code}/deposit-quote",
    response=DepositQuoteOut,
    summary="What a deposit would cost",
    operation_id="wallet_deposit_quote",
)
@can_answer("not_found", "bad_amount", "no_price_schedule")
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
    response={(200, 201): PaymentOut},
    summary="Pay into your wallet by card",
    operation_id="wallet_deposit",
)
@can_answer(*CARD_PAYMENT_ERRORS)
def deposit(request: HttpRequest, facility_code: str, data: DepositIn) -> Status[PaymentOut]:
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
    started = payments.start(
        contact=contact,
        facility=facility,
        amount=data.amount_cents,
        key=scoped_key("api", contact, data.idempotency_key),
        card=data.card,
        expected_total=data.expected_total_cents,
        return_url=return_url(),
    )
    return pay_by_card(started)


@wallets_router.post(
    "/{facility_code}/refund",
    response={(200, 201): RefundOut},
    summary="Send your wallet back to your cards",
    operation_id="wallet_refund",
)
@can_answer("not_found", "key_required", "idempotency_key_reused", "refund_unmatched")
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
    payouts, asked_now = payments.refund_wallet(
        contact=contact,
        facility=facility,
        reason=REFUND_REASON,
        key=scoped_key("api-refund", contact, data.idempotency_key),
    )
    # 201 when this request sent money back; 200 for an empty wallet or a repeat.
    return Status(201 if asked_now and payouts else 200, present.refund_out(payouts))


@payments_router.get("/{payment_id}", response=PaymentOut, operation_id="payments_get")
@can_answer("not_found")
def payment_receipt(request: HttpRequest, payment_id: int) -> PaymentOut:
    """One of your payments, as its receipt: into a wallet or to a trust account."""
    return present.payment_out(money.payment_of_contact(contact_of(request), payment_id))


@statement_router.get("", response=StatementPageOut, operation_id="statement_get")
def statement(request: HttpRequest, page: Query[StatementQuery]) -> StatementPageOut:
    """What moved your money, a page at a time, oldest first within a page: the newest
    lines, or those before a page's `older` cursor; with each wallet's balance after each
    line."""
    found = statements.statement_page(contact_of(request), before=page.before, size=page.limit)
    return StatementPageOut(
        lines=[present.statement_line_out(line) for line in reversed(found.lines)],
        older=found.earlier,
    )


@old_statement_router.get(
    "",
    response=list[StatementLineDeprecatedOut],
    summary="Your statement (deprecated: GET /me/statement)",
    operation_id="statement_get_deprecated",
    deprecated=True,
)
def statement_deprecated(
    request: HttpRequest, response: HttpResponse
) -> list[StatementLineDeprecatedOut]:
    """The old address of GET /me/statement, answering the whole statement as one list,
    where `facility` is the name alone (the new one gives pages, and `{code, name}` as
    everywhere else); kept for one release."""
    deprecation.mark(response, successor="/api/v1/me/statement")
    return [
        StatementLineDeprecatedOut(
            **present.statement_line_out(line).model_dump(exclude={"facility"}),
            facility=line.facility,
        )
        for line in statements.statement(contact_of(request))
    ]
