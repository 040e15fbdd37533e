"""Prices: which schedule is in force, and the pricing models that read it.

A facility's prices are versioned rows (``PriceSchedule``); each row names a pricing model
(free, per message, stamps, …), and each model is one object in ``registry.MODELS`` with one
interface (``base.PricingModel``): the price of a message and who pays, the checks on a
schedule, the words every surface shows, and what a kiosk session costs. Nothing outside
this package branches on ``schedule.model``: it asks ``model_of(schedule)``.
"""

from __future__ import annotations

from homeward.ledger.models import PriceSchedule
from homeward.ledger.pricing.base import (
    MessagePayer,
    MessagePrice,
    Pack,
    PricingModel,
    Quote,
    SessionCharge,
    Setting,
)
from homeward.ledger.pricing.lookup import (
    deposit_fee,
    next_schedule,
    quote_deposit,
    schedule_in_force,
)
from homeward.ledger.pricing.registry import MODELS, model_named, model_of, settings
from homeward.ledger.pricing.words import deposit_fee_words, money_facts

__all__ = [
    "MODELS",
    "MessagePayer",
    "MessagePrice",
    "Pack",
    "PricingModel",
    "Quote",
    "SessionCharge",
    "Setting",
    "deposit_fee",
    "deposit_fee_words",
    "model_named",
    "model_of",
    "money_facts",
    "next_schedule",
    "price_facts",
    "quote_deposit",
    "quote_message",
    "schedule_in_force",
    "settings",
    "stamps_needed",
]


def quote_message(
    schedule: PriceSchedule, *, characters: int, photos: int = 0, prepaid_reply: bool = False
) -> Quote:
    """The itemised price of one message under ``schedule``."""
    return model_of(schedule).quote_message(
        schedule, characters=characters, photos=photos, prepaid_reply=prepaid_reply
    )


def stamps_needed(
    schedule: PriceSchedule, *, characters: int, photos: int = 0, prepaid_reply: bool = False
) -> int:
    """How many stamps a message takes under ``schedule`` (0 unless priced in stamps)."""
    return model_of(schedule).stamps_needed(
        schedule, characters=characters, photos=photos, prepaid_reply=prepaid_reply
    )


def price_facts(schedule: PriceSchedule) -> list[tuple[str, str]]:
    """(heading, sentence) pairs: everything a price schedule charges, before anyone pays."""
    return [*model_of(schedule).message_facts(schedule), *money_facts(schedule)]
