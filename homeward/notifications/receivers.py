"""Which events tell whom: the receivers of the hooks of the apps below (messaging and
connections status moves, the ledger's money, the sign-in throttle's locks), registered when
Django starts (``apps``). Each runs in the transaction of the event it tells of.

Words made here for an email or a notice (a reason, a sentence) are made in the language of
the person told (``told_in``), not in that of the request the event happened in."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils.translation import gettext as _

from homeward.connections.models import Connection
from homeward.connections.services import invitation_token
from homeward.core import links
from homeward.enforcement import policies, restrictions
from homeward.enforcement import words as appeal_words
from homeward.enforcement.models import Appeal, Restriction, RestrictionChange
from homeward.facilities.models import Facility
from homeward.ledger.models import Account, Payment, Payout, Transaction
from homeward.messaging import words as message_words
from homeward.messaging.models import Message
from homeward.notifications.models import Notification
from homeward.notifications.services import notify, told_in
from homeward.people.models import Contact
from homeward.people.throttle import LOCK_EMAIL_EVERY
from homeward.photos.models import Photo
from homeward.screening import categories

S = Message.Status
C = Connection.Status


def message_moved(message: Message, source: str, target: str) -> None:
    if message.to_resident and target not in (S.BLOCKED, S.RETURNED):
        return
    if not message.to_resident and target != S.DELIVERED:
        return
    connection = message.connection
    if connection.contact is None:
        return
    ours: dict[str, object] = {}
    with told_in(connection.contact):
        if target == S.DELIVERED:
            event = "reply_waiting"
        elif target == S.BLOCKED:
            event = "message_blocked"
            shown = connection.facility.policy.show_block_reasons and message.block_category
            ours["reason"] = str(categories.label(message.block_category)) if shown else ""
        else:
            event = "message_returned"
            ours["reason"] = message_words.return_reason(message)
    notify(
        event=event,
        key=f"message:{message.pk}:{target}",
        contact=connection.contact,
        facility_id=message.facility_id,
        ours=ours,
        theirs={"name": connection.resident.full_name},
    )


def photo_blocked(photo: Photo) -> None:
    """Tell the sender a photo of theirs was blocked (by its reason where the facility
    gives reasons), and that it costs them nothing."""
    message = photo.message
    if message is None:
        return
    connection = message.connection
    policy = connection.facility.policy
    with told_in(photo.contact):
        shown = policy.show_block_reasons and photo.block_reason
        reason = str(Photo.BlockReason(photo.block_reason).label) if shown else ""
    notify(
        event="photo_blocked",
        key=f"photo:{photo.pk}:blocked",
        contact=photo.contact,
        facility_id=photo.facility_id,
        ours={"reason": reason},
        theirs={"name": connection.resident.full_name},
    )


def connection_moved(connection: Connection, source: str, target: str) -> None:
    contact, resident = connection.contact, connection.resident
    key = f"connection:{connection.pk}:{target}:{connection.updated_at.isoformat()}"
    if target == C.INVITED:
        invitation_sent(connection, key)
        return
    if contact is None:
        return

    def tell_resident(event: str) -> None:
        notify(
            event=event,
            key=key,
            resident=resident,
            facility_id=connection.facility_id,
            theirs={"name": contact.display_name},
        )

    if target == C.REQUESTED:
        tell_resident("connection_requested")
        return
    if target == C.ACTIVE:
        event = "connection_approved"
        tell_resident("connection_started")
    elif target == C.DENIED or (target == C.DECLINED and source == C.REQUESTED):
        # Declined by the resident or denied by staff; a contact declining an invitation
        # is not told of their own choice.
        event = "connection_declined"
    elif target == C.ENDED:
        event = "connection_ended"
    else:
        return
    notify(
        event=event,
        key=key,
        contact=contact,
        facility_id=connection.facility_id,
        theirs={"name": resident.full_name},
    )


def invitation_sent(connection: Connection, key: str) -> None:
    """The invited address hears of it, with the link that answers it, whether or not it
    has an account (each invitation once; a new one after a decline or expiry again)."""
    expires = connection.invite_expires_at
    facility = connection.facility
    notify(
        event="invitation",
        key=key,
        address=connection.invite_email,
        facility_id=connection.facility_id,
        ours={
            "link": links.absolute("invitation", invitation_token(connection)),
            # The day, at the facility; the email says it in its reader's words.
            "expires": (
                expires.astimezone(zoneinfo.ZoneInfo(facility.timezone)).date() if expires else None
            ),
        },
        theirs={"name": connection.resident.full_name, "facility": facility.name},
    )


# --- money ------------------------------------------------------------------------------


def payment_succeeded(payment: Payment) -> None:
    """The receipt, once per payment: into the wallet at a facility, or to a resident's
    trust account there."""
    resident = payment.resident
    theirs = {"facility": payment.facility.name}
    if resident is not None:
        theirs["name"] = resident.full_name
    notify(
        event="deposit_receipt",
        key=f"payment:{payment.pk}:succeeded",
        contact=payment.contact,
        facility_id=payment.facility_id,
        ours={
            "number": payment.receipt_number,
            "amount": payment.amount_cents,
            "fee": payment.fee_cents,
            "total": payment.total_cents,
            "card": payment.card_last4,
            "to_trust": resident is not None,
            "receipt": links.absolute("receipt", str(payment.pk)),
        },
        theirs=theirs,
    )


def refund_started(contact: Contact, facility: Facility, payouts: list[Payout]) -> None:
    """One email per refund (keyed on its first payout), however many cards it goes back
    to: the whole amount, and where it came from (the wallet, or trust money sent to a
    resident who had left)."""
    resident = payouts[0].payment.resident
    theirs = {"facility": facility.name}
    if resident is not None:
        theirs["name"] = resident.full_name
    with told_in(contact):
        cards = _cards({payout.payment.card_last4 for payout in payouts})
    notify(
        event="refund",
        key=f"refund:payout:{payouts[0].pk}",
        contact=contact,
        facility_id=facility.pk,
        ours={
            "amount": sum(payout.amount_cents for payout in payouts),
            "cards": cards,
            "from_trust": resident is not None,
        },
        theirs=theirs,
    )


def _cards(last4s: set[str]) -> str:
    """Where a refund goes, in words: "the card ending 4242", "the cards ending 1111 and
    4242", or "the card you paid with" when a card's digits are not known."""
    known = sorted(digits for digits in last4s if digits)
    if not known or len(known) < len(last4s):
        return _("the card you paid with") if len(last4s) == 1 else _("the cards you paid with")
    if len(known) == 1:
        return _("the card ending %(digits)s") % {"digits": known[0]}
    return _("the cards ending %(digits)s and %(last)s") % {
        "digits": ", ".join(known[:-1]),
        "last": known[-1],
    }


def wallet_running_low(wallet: Account, price: int) -> None:
    """Tell the contact their wallet would not pay for another message like the one just
    charged: once until they next pay in, however many more messages they send meanwhile
    (the key names the wallet's latest deposit)."""
    contact, facility = wallet.contact, wallet.facility
    if contact is None or facility is None:
        return
    last_deposit = (
        Transaction.objects.filter(
            kind=Transaction.Kind.DEPOSIT, contact=contact, facility=facility
        )
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    notify(
        event="low_balance",
        key=f"low_balance:{wallet.pk}:after:{last_deposit or 0}",
        contact=contact,
        facility_id=facility.pk,
        ours={"left": wallet.balance, "price": price},
        theirs={"facility": facility.name},
    )


# --- accounts ---------------------------------------------------------------------------


def contact_locked(contact: Contact, locked_at: dt.datetime, until: dt.datetime) -> None:
    """Tell the contact their account was locked, and what to do if it was not them. Like
    staff, at most once a day: a stranger who locks the account again and again must not
    fill its owner's inbox."""
    told_lately = (
        Notification.objects.filter(
            event="signin_locked", contact=contact, created_at__gt=locked_at - LOCK_EMAIL_EVERY
        )
        .exclude(status=Notification.Status.SKIPPED)
        .exists()
    )
    if told_lately:
        return
    notify(
        event="signin_locked",
        key=f"signin_locked:{contact.pk}:{locked_at.isoformat()}",
        contact=contact,
        ours={"minutes": round((until - locked_at).total_seconds() / 60)},
    )


# --- enforcement ------------------------------------------------------------------------


def restriction_changed(restriction: Restriction, action: str) -> None:
    """Tell the people a suspension or revocation stops that it was imposed, changed or
    lifted: a contact by email, a resident by a kiosk notice."""
    step = restriction.changes.order_by("-id").values_list("pk", flat=True).first()
    key = f"restriction:{restriction.pk}:{action}:{step}"
    lifted = action == RestrictionChange.Action.LIFTED
    policy = policies.in_force(restriction.facility)
    returned = restriction.ends_at is None or policy.on_the_way == policy.OnTheWay.RETURN
    contact, resident = restriction.contact, restriction.resident
    if restriction.connection is not None:
        contact, resident = restriction.connection.contact, restriction.connection.resident
    if contact is not None:
        with told_in(contact):
            sentence = str(restrictions.describe(restriction, reader=contact))
        notify(
            event="messaging_restricted",
            key=key,
            contact=contact,
            facility_id=restriction.facility_id,
            ours={
                "sentence": sentence,
                "lifted": lifted,
                "revoked": restriction.ends_at is None,
                "returned": returned,
            },
            theirs={"reason": "" if lifted else restriction.reason},
        )
    if resident is not None:
        with told_in(resident):
            sentence = str(restrictions.describe(restriction, reader=resident))
        notify(
            event="messaging_restricted_notice",
            key=key,
            resident=resident,
            facility_id=restriction.facility_id,
            ours={"sentence": sentence},
        )


def appeal_changed(appeal: Appeal, step: str) -> None:
    """Tell the person who appealed what was decided."""
    if step not in (Appeal.Status.UPHELD, Appeal.Status.OVERTURNED):
        return
    key = f"appeal:{appeal.pk}:{step}"
    if appeal.contact is not None:
        with told_in(appeal.contact):
            sentence = str(appeal_words.decided(appeal))
        notify(
            event="appeal_decided",
            key=key,
            contact=appeal.contact,
            facility_id=appeal.facility_id,
            ours={"sentence": sentence},
            theirs={"reason": appeal.decision_reason},
        )
    elif appeal.resident is not None:
        with told_in(appeal.resident):
            sentence = str(appeal_words.decided(appeal))
        notify(
            event="appeal_decided_notice",
            key=key,
            resident=appeal.resident,
            facility_id=appeal.facility_id,
            ours={"sentence": sentence},
        )
