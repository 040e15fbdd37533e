"""The sentences about prices that every surface shows (the web's facility page and price
box, the kiosk, the console), kept here so they say the same thing. Each model adds its own
in its module; these are the ones models share."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homeward.connections.models import Connection
from homeward.core import features
from homeward.core.templatetags.money import dollars, percent
from homeward.facilities.models import FacilityPolicy
from homeward.ledger.models import PriceSchedule
from homeward.ledger.pricing.base import MessagePrice, Pack

Payer = PriceSchedule.Payer


def takes_photos(schedule: PriceSchedule) -> bool:
    """Whether photos can be sent where ``schedule`` prices messages (the feature is built
    and the facility takes them): only then do the facts speak of photos."""
    if not features.PHOTOS:
        return False
    policy = FacilityPolicy.objects.filter(facility_id=schedule.facility_id).first()
    return policy is not None and policy.photos_allowed


def photo_facts(schedule: PriceSchedule, sentence: str = "") -> list[tuple[str, str]]:
    """The fact about photos, where the facility takes them: ``sentence``, or by default
    the price of each photo from ``photo_cents``."""
    if not takes_photos(schedule):
        return []
    if not sentence:
        sentence = (
            _("Each photo adds %(price)s.") % {"price": dollars(schedule.photo_cents)}
            if schedule.photo_cents
            else _("Photos cost nothing more.")
        )
    return [(_("Photos"), sentence)]


def who_pays(schedule: PriceSchedule) -> str:
    if schedule.payer == Payer.AGENCY:
        return _("The agency pays for every message, both ways. You pay nothing to write.")
    if schedule.payer == Payer.RECIPIENT:
        return _(
            "The person who receives a message pays for it (“collect”): your messages are "
            "paid from the resident's trust account, and you pay for their replies from your "
            "wallet here."
        )
    if schedule.payer == Payer.SENDER_PREPAYS_REPLY:
        return _(
            "The person who writes pays: you pay for your messages from your wallet here. A "
            "reply you did not pay for in advance is paid from the resident's trust account."
        )
    return _(
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
    facts = [(_("Messages"), price), *(extra or [])]
    if packs:
        on_sale = "; ".join(pack.words for pack in packs)
        facts.append(
            (
                _("Stamp packs"),
                _(
                    "Optional: %(packs)s. Unused stamps are refunded at what they cost when you "
                    "ask for your money back."
                )
                % {"packs": on_sale},
            )
        )
    if schedule.payer == Payer.SENDER_PREPAYS_REPLY:
        facts.append(
            (
                _("Replies"),
                _(
                    "When you write, you can also pay for the resident's reply in advance: "
                    "%(price)s."
                )
                % {"price": reply_price},
            )
        )
    facts.append((_("Who pays"), who_pays(schedule)))
    if schedule.message_cap_cents is not None:
        cap = dollars(schedule.message_cap_cents)
        facts.append(
            (_("Price limit"), _("By law, no message costs more than %(cap)s.") % {"cap": cap})
        )
    return facts


def deposit_fee_words(schedule: PriceSchedule) -> str:
    flat, basis_points = schedule.deposit_fee_flat_cents, schedule.deposit_fee_bp
    cap = schedule.deposit_fee_cap_cents
    if cap == 0 or not (flat or basis_points):
        return _("No fee to add money.")
    if flat and basis_points:
        fee = _("%(flat)s plus %(percent)s of the amount") % {
            "flat": dollars(flat),
            "percent": percent(basis_points),
        }
    elif flat:
        fee = dollars(flat)
    else:
        fee = _("%(percent)s of the amount") % {"percent": percent(basis_points)}
    if cap is not None:
        return _(
            "%(fee)s, at most %(cap)s, each time you add money. The fee is shown before you pay."
        ) % {"fee": fee, "cap": dollars(cap)}
    return _("%(fee)s, each time you add money. The fee is shown before you pay.") % {"fee": fee}


def money_facts(schedule: PriceSchedule) -> list[tuple[str, str]]:
    """The facts every schedule has: the deposit fee and the account fee."""
    account = schedule.account_fee_cents
    if account:
        once = _("%(fee)s, once, with your first deposit here.") % {"fee": dollars(account)}
    else:
        once = _("None.")
    return [(_("Adding money"), deposit_fee_words(schedule)), (_("Account fee"), once)]


def stamps_words(count: int) -> str:
    return ngettext("%(count)s stamp", "%(count)s stamps", count) % {"count": f"{count:,}"}


def payer_words(connection: Connection, price: MessagePrice) -> str:
    """Who pays for a message the contact writes, said to the contact."""
    if price.stamps:
        return ngettext(
            "Paid with %(count)s stamp of the %(held)s you bought: nothing is taken from your "
            "wallet.",
            "Paid with %(count)s stamps of the %(held)s you bought: nothing is taken from your "
            "wallet.",
            price.stamps,
        ) % {"count": f"{price.stamps:,}", "held": price.stamps_left}
    if price.payer == "contact":
        return _("Paid from your wallet.")
    name = connection.resident.first_name
    if price.payer == "resident":
        return _("Paid from %(name)s's trust account. You pay nothing for this message.") % {
            "name": name
        }
    return _("Paid by the agency. You pay nothing for this message.")


def reply_payer_words(payer: str, *, contact_name: str) -> str:
    """Who pays for a reply the resident writes, said to the resident."""
    if payer == "resident":
        return _("Paid from your trust account.")
    if payer == "contact":
        return _("Paid by %(name)s (collect). You pay nothing for this reply.") % {
            "name": contact_name
        }
    return _("Paid by the agency. You pay nothing for this reply.")
