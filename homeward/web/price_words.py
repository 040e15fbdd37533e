"""Plain words about prices: what a facility charges, who pays, and the fees.
Kept out of templates so the facility page and the compose box say the same."""

from __future__ import annotations

from homeward.connections.models import Connection
from homeward.core import features
from homeward.core.templatetags.money import dollars, percent
from homeward.ledger import stamps as stamp_packs
from homeward.ledger.charges import MessagePrice
from homeward.ledger.models import PriceSchedule
from homeward.web.words import plural

Model = PriceSchedule.Model
Payer = PriceSchedule.Payer
FREE_WORDS = "Messaging is free at this facility (paid by the agency)."


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
    if schedule.model != Model.STAMPS:
        return ""
    return (
        f"One stamp ({dollars(schedule.stamp_cents)}) covers up to "
        f"{plural(schedule.chars_per_stamp, 'character')}; longer messages take more stamps."
    )


def _message_price(schedule: PriceSchedule) -> str:
    if schedule.model == Model.PER_MESSAGE:
        return f"{dollars(schedule.per_message_cents)} per message, whatever its length."
    return (
        f"Paid in stamps of {dollars(schedule.stamp_cents)}. One stamp covers up to "
        f"{plural(schedule.chars_per_stamp, 'character')} of text; longer messages take more "
        "stamps."
    )


def _reply_price(schedule: PriceSchedule) -> str:
    if schedule.model == Model.PER_MESSAGE:
        price = dollars(schedule.per_message_cents)
    else:
        cents = schedule.reply_stamps * schedule.stamp_cents
        price = f"{stamps(schedule.reply_stamps)} ({dollars(cents)})"
    return f"When you write, you can also pay for the resident's reply in advance: {price}."


def _who_pays(schedule: PriceSchedule) -> str:
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


def price_facts(schedule: PriceSchedule) -> list[tuple[str, str]]:
    """(heading, sentence) pairs: everything a price schedule charges, before anyone pays."""
    facts: list[tuple[str, str]] = []
    if schedule.model == Model.FREE:
        facts.append(("Messages", FREE_WORDS))
    else:
        facts.append(("Messages", _message_price(schedule)))
        if schedule.model == Model.STAMPS and features.PHOTOS:  # only once photos exist
            extra = stamps(schedule.photo_stamps)
            cents = schedule.photo_stamps * schedule.stamp_cents
            facts.append(("Photos", f"Each photo adds {extra} ({dollars(cents)})."))
        packs = stamp_packs.packs_of(schedule)
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
            facts.append(("Replies", _reply_price(schedule)))
        facts.append(("Who pays", _who_pays(schedule)))
        if schedule.message_cap_cents is not None:
            cap = dollars(schedule.message_cap_cents)
            facts.append(("Price limit", f"By law, no message costs more than {cap}."))
    facts.append(("Adding money", deposit_fee_words(schedule)))
    account = schedule.account_fee_cents
    once = f"{dollars(account)}, once, with your first deposit here." if account else "None."
    facts.append(("Account fee", once))
    return facts
