"""Plain words about prices for contacts. The sentences themselves live with the pricing
models (``ledger/pricing/``), so the facility page, the compose box, the kiosk and the
console say the same; this module only says them to the contact ("you", "your wallet")."""

from __future__ import annotations

from homeward.connections.models import Connection
from homeward.ledger import pricing
from homeward.ledger.models import PriceSchedule
from homeward.ledger.pricing import MessagePrice, deposit_fee_words, price_facts
from homeward.web.words import plural

__all__ = ["deposit_fee_words", "payer_words", "price_facts", "stamp_hint"]


def stamps(count: int) -> str:
    return plural(count, "stamp")


def payer_words(connection: Connection, price: MessagePrice) -> str:
    """Who pays for a message the contact writes, said to the contact."""
    payer = price.payer
    if price.stamps:
        return (
            f"Paid with {stamps(price.stamps)} of the {price.stamps_left} you bought: nothing "
            "is taken from your wallet."
        )
    if payer == "contact":
        return "Paid from your wallet."
    name = connection.resident.first_name
    if payer == "resident":
        return f"Paid from {name}'s trust account. You pay nothing for this message."
    return "Paid by the agency. You pay nothing for this message."


def stamp_hint(schedule: PriceSchedule) -> str:
    """Under the price of a draft: how the price grows with the text, '' when it does not."""
    return pricing.model_of(schedule).draft_hint(schedule)
