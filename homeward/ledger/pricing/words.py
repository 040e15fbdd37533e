"""The sentences about prices that every surface shows (the web's facility page and price
box, the kiosk, the console), kept here so they say the same thing. Each model adds its own
in its module; these are the ones models share."""

from __future__ import annotations

from homeward.connections.models import Connection
from homeward.core.templatetags.money import dollars, percent
from homeward.core.words import plural
from homeward.ledger.models import PriceSchedule
from homeward.ledger.pricing.base import MessagePrice, Pack

Payer = PriceSchedule.Payer


def who_pays(schedule: PriceSchedule) -> str:
    if schedule.payer == Payer.AGENCY:
        return "The agency pays for every message, both ways. You pay nothing to write."
    if schedule.payer == Payer.RECIPIENT:
        return (
            "The person who receives a message pays for it (“collect”): your messages are "
            "paid from the resident's trust account, and you pay for their replies from your "
            "wallet here."
        )
    if schedule.payer == Payer.SENDER_PREPAYS_REPLY:
        return (
            "The person who writes pays: you pay for your messages from your wallet here. A "
            "reply you did not pay for in advance is paid from the resident's trust account."
        )
    return (
        "The person who writes pays: you pay for your messages from your wallet here, and "
        "residents pay for their replies from their trust account."
    )


def paid_messages_facts(
    schedule: PriceSchedule,
    *,
    price: str,
    reply_price: str,
    extra: list[tuple[str, str]] | None = None,
    packs: list[Pack] | None = None,
) -> list[tuple[str, str]]:
    """The facts of a model where someone pays for each message: its price (``price``), any
    ``extra`` facts, the packs on sale, the prepaid reply, who pays, and the legal cap."""
    facts = [("Messages", price), *(extra or [])]
    if packs:
        on_sale = "; ".join(pack.words for pack in packs)
        facts.append(
            (
                "Stamp packs",
                f"Optional: {on_sale}. Unused stamps are refunded at what they cost "
                "when you ask for your money back.",
            )
        )
    if schedule.payer == Payer.SENDER_PREPAYS_REPLY:
        facts.append(
            (
                "Replies",
                "When you write, you can also pay for the resident's reply in advance: "
                f"{reply_price}.",
            )
        )
    facts.append(("Who pays", who_pays(schedule)))
    if schedule.message_cap_cents is not None:
        cap = dollars(schedule.message_cap_cents)
        facts.append(("Price limit", f"By law, no message costs more than {cap}."))
    return facts


def deposit_fee_words(schedule: PriceSchedule) -> str:
    flat, basis_points = schedule.deposit_fee_flat_cents, schedule.deposit_fee_bp
    cap = schedule.deposit_fee_cap_cents
    if cap == 0 or not (flat or basis_points):
        return "No fee to add money."
    if flat and basis_points:
        fee = f"{dollars(flat)} plus {percent(basis_points)} of the amount"
    elif flat:
        fee = dollars(flat)
    else:
        fee = f"{percent(basis_points)} of the amount"
    limit = f", at most {dollars(cap)}" if cap is not None else ""
    return f"{fee}{limit}, each time you add money. The fee is shown before you pay."


def money_facts(schedule: PriceSchedule) -> list[tuple[str, str]]:
    """The facts every schedule has: the deposit fee and the account fee."""
    account = schedule.account_fee_cents
    once = f"{dollars(account)}, once, with your first deposit here." if account else "None."
    return [("Adding money", deposit_fee_words(schedule)), ("Account fee", once)]


def stamps_words(count: int) -> str:
    return plural(count, "stamp")


def payer_words(connection: Connection, price: MessagePrice) -> str:
    """Who pays for a message the contact writes, said to the contact."""
    if price.stamps:
        return (
            f"Paid with {stamps_words(price.stamps)} of the {price.stamps_left} you bought: "
            "nothing is taken from your wallet."
        )
    if price.payer == "contact":
        return "Paid from your wallet."
    name = connection.resident.first_name
    if price.payer == "resident":
        return f"Paid from {name}'s trust account. You pay nothing for this message."
    return "Paid by the agency. You pay nothing for this message."


def reply_payer_words(payer: str, *, contact_name: str) -> str:
    """Who pays for a reply the resident writes, said to the resident."""
    if payer == "resident":
        return "Paid from your trust account."
    if payer == "contact":
        return f"Paid by {contact_name} (collect). You pay nothing for this reply."
    return "Paid by the agency. You pay nothing for this reply."
