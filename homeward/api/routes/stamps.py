"""Stamp packs: stamps bought ahead from the wallet at a facility, at the pack's price.
Messages there use them before money; unused ones go back to the wallet, at what they
cost, when the wallet is refunded."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from homeward.api.auth import contact_of
from homeward.api.errors import can_answer
from homeward.api.idempotency import scoped_key
from homeward.api.schemas import StampPackIn, StampPackOut
from homeward.ledger import access as money
from homeward.ledger import stamps

router = Router(tags=["money"])


@router.post(
    "/{facility_code}/stamp-packs",
    response={(200, 201): StampPackOut},
    summary="Buy a stamp pack from your wallet",
    operation_id="stamp_packs_buy",
)
@can_answer(
    "not_found",
    "key_required",
    "no_such_pack",
    "insufficient_funds",
    "idempotency_key_reused",
    "no_price_schedule",
)
def buy_stamp_pack(
    request: HttpRequest, facility_code: str, data: StampPackIn
) -> Status[StampPackOut]:
    """Buy pack number ``pack`` (an ``index`` from GET /wallets) with money already in your
    wallet there. 201 when bought; 200 with the same pack when ``idempotency_key`` repeats
    (nothing is bought twice; a different pack under a used key is 409
    idempotency_key_reused). 400 no_such_pack for a pack not on sale now; 402
    insufficient_funds when the wallet holds too little (nothing is bought). Only at
    facilities where you have a connection (404 elsewhere)."""
    contact = contact_of(request)
    facility = money.facility_for_deposits(contact, facility_code)
    pack, bought = stamps.purchase_pack(
        contact=contact,
        facility=facility,
        pack=data.pack,
        key=scoped_key("api-pack", contact, data.idempotency_key),
    )
    held = stamps.stamps_of(contact, facility)
    out = StampPackOut(stamps=pack.stamps, cents=pack.cents, stamps_held=held)
    # 201 or 200 as the service decided under its lock (never a look before).
    return Status(201 if bought else 200, out)
