"""What a message costs, who pays it, and the refund when it is not delivered.

The schedule in force when a message is submitted prices it: its pricing model
(``ledger/pricing/``) says what the message costs and, by the schedule's payer, whose
account pays. This module posts that price and its refund, whatever the model.
``charge_message`` runs inside the caller's transaction (the message submit), so a message
is accepted and charged together or not at all.

Who pays, by the schedule's payer, for each direction:

| payer                 | contact writes                   | resident replies              |
|-----------------------|----------------------------------|-------------------------------|
| sender                | contact's wallet                 | resident's trust account      |
| recipient ("collect") | resident's trust                 | contact's wallet              |
| sender prepays reply  | wallet (+ optional prepaid reply)| the prepaid reply, then trust |
| agency, or free       | agency funding                   | agency funding                |
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext as _

from homeward.connections.models import Connection
from homeward.core.errors import DomainError
from homeward.core.hooks import Hook
from homeward.core.templatetags.money import dollars
from homeward.facilities.models import Facility
from homeward.ledger import pricing, stamps, words
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Posting, PriceSchedule, Transaction
from homeward.ledger.pricing import MessagePayer, MessagePrice
from homeward.people.models import Contact, Resident

K = Account.Kind

# Called in the submit's transaction when a message charged to a contact's wallet left less
# in it than that message cost (not enough for another like it), with the wallet and the
# cents just charged: notifications registers telling the contact.
wallet_running_low: Hook[[Account, int]] = Hook("wallet_running_low")


class ChargedMessage(Protocol):
    """What charging and refunding need of a message. Messaging sits above the ledger, so
    the ledger names no model of it: any object with these attributes will do."""

    @property
    def pk(self) -> int: ...

    @property
    def to_resident(self) -> bool: ...

    @property
    def facility_id(self) -> int: ...

    @property
    def submitted_at(self) -> dt.datetime | None: ...


def prepaid_reply_offered(schedule: PriceSchedule) -> bool:
    return pricing.model_of(schedule).offers_prepaid_reply(schedule)


def wallet(contact: Contact | None, facility: Facility) -> Account:
    """A contact's wallet at one facility (each facility sets its own prices and fees)."""
    return ledger.account_for(kind=K.CONTACT_WALLET, contact=contact, facility=facility)


def trust(resident: Resident) -> Account:
    return ledger.account_for(kind=K.TRUST, resident=resident)


def reply_credit(connection: Connection) -> Account:
    return ledger.account_for(
        kind=K.REPLY_CREDIT, contact=connection.contact, resident=connection.resident
    )


def revenue(facility: Facility) -> Account:
    return ledger.account_for(kind=K.PLATFORM_REVENUE, facility=facility)


def agency_funding(facility: Facility) -> Account:
    return ledger.account_for(
        kind=K.AGENCY_FUNDING,
        agency=facility.agency,
        facility=facility,
    )


def price_message(
    *,
    connection: Connection,
    to_resident: bool,
    characters: int,
    at: dt.datetime,
    prepaid_reply: bool = False,
    photos: int = 0,
) -> MessagePrice:
    """Price one message on ``connection`` (with ``photos`` photos) under the schedule in
    force ``at``."""
    schedule = pricing.schedule_in_force(connection.facility_id, at)
    if prepaid_reply and not (to_resident and prepaid_reply_offered(schedule)):
        raise DomainError(
            "prepaid_reply_not_offered", _("This facility does not offer prepaid replies.")
        )
    return pricing.model_of(schedule).price_message(
        schedule,
        connection=connection,
        to_resident=to_resident,
        characters=characters,
        prepaid_reply=prepaid_reply,
        photos=photos,
    )


@dataclass(frozen=True)
class Preview:
    """What the sender sees before sending: the price and, when they pay it, their
    balance before and after."""

    price: MessagePrice
    balance: int | None  # None: the sender does not pay (the agency or the other side does)

    @property
    def balance_after(self) -> int | None:
        return None if self.balance is None else self.balance - self.price.to_pay

    @property
    def affordable(self) -> bool:
        return self.balance_after is None or self.balance_after >= 0


def preview(
    *,
    connection: Connection,
    to_resident: bool,
    characters: int,
    at: dt.datetime,
    prepaid_reply: bool = False,
    photos: int = 0,
) -> Preview:
    price = price_message(
        connection=connection,
        to_resident=to_resident,
        characters=characters,
        at=at,
        prepaid_reply=prepaid_reply,
        photos=photos,
    )
    sender_pays = price.payer == (MessagePayer.CONTACT if to_resident else MessagePayer.RESIDENT)
    if not sender_pays:
        return Preview(price, None)
    if to_resident:
        balance = ledger.balance_of(
            kind=K.CONTACT_WALLET, contact=connection.contact, facility=connection.facility
        )
    else:
        balance = ledger.balance_of(kind=K.TRUST, resident=connection.resident)
    return Preview(price, balance)


def _postings(connection: Connection, price: MessagePrice) -> list[tuple[Account, int]]:
    facility = connection.facility
    if price.payer == MessagePayer.AGENCY:
        return [(agency_funding(facility), -price.total), (revenue(facility), price.total)]
    earned = price.total - price.reply_credit
    postings: list[tuple[Account, int]] = [(revenue(facility), earned)] if earned else []
    if price.reply_credit:
        postings.append((reply_credit(connection), price.reply_credit))
    if price.from_credit:
        postings.append((reply_credit(connection), -price.from_credit))
    if price.to_pay:
        payer = (
            wallet(connection.contact, facility)
            if price.payer == MessagePayer.CONTACT
            else trust(connection.resident)
        )
        postings.append((payer, -price.to_pay))
    return postings


def prepaid_reply_of(message: ChargedMessage) -> bool:
    """Whether the message's charge set money aside for a reply (a repeat of the send must
    ask for the same)."""
    return Posting.objects.filter(
        transaction__message_id=message.pk,
        transaction__kind=Transaction.Kind.MESSAGE_CHARGE,
        account__kind=K.REPLY_CREDIT,
        amount__gt=0,
    ).exists()


def charge_message(
    *,
    message: ChargedMessage,
    connection: Connection,
    price: MessagePrice,
    photo_ids: Sequence[int] = (),
) -> None:
    """Charge a message being submitted (inside the submit's transaction). A message that
    costs nothing posts nothing; a payer without the money refuses the whole submit.

    Each of the message's photos (``photo_ids``, in the order of ``price.photo_shares``) is
    charged in a transaction of its own, so that a photo blocked later is refunded alone
    (``refund_photo``); the text is charged the rest."""
    if len(photo_ids) != len(price.photo_shares):
        raise ValueError("a message's price must have one share for each of its photos")
    if price.stamps:
        if stamps.lock_and_count(connection.contact, connection.facility) >= price.stamps:
            _charge_stamps(message, connection, price, photo_ids)
            return
        # Another send used the stamps since the price was shown: money pays, as it would
        # have had there been no stamps.
        price = dataclasses.replace(price, stamps=0, stamps_left=0, photo_stamps=0)
    if price.total == 0:
        return
    try:
        _post_charges(message, connection, price, photo_ids)
    except DomainError as error:
        if error.code != "insufficient_funds":
            raise
        raise DomainError(
            "insufficient_funds",
            _not_enough(message, price) % {"price": dollars(price.to_pay)},
            status=402,
        ) from None
    _tell_if_running_low(connection, price)


def _post_charges(
    message: ChargedMessage, connection: Connection, price: MessagePrice, photo_ids: Sequence[int]
) -> None:
    text = dataclasses.replace(
        price, lines=[*price.lines, ("", -sum(price.photo_shares))], photo_shares=()
    )
    if text.total:
        ledger.post(
            key=f"message:{message.pk}:charge",
            kind=Transaction.Kind.MESSAGE_CHARGE,
            postings=_postings(connection, text),
            memo=_memo(message, connection, price),
            contact=connection.contact,
            facility=connection.facility,
            message=message,
        )
    for photo_id, share in zip(photo_ids, price.photo_shares, strict=True):
        if not share:
            continue  # under a legal cap a photo may add nothing
        alone = MessagePrice([("", share)], payer=price.payer)
        ledger.post(
            key=f"{_photo_key(message, photo_id)}:charge",
            kind=Transaction.Kind.MESSAGE_CHARGE,
            postings=_postings(connection, alone),
            memo=_photo_memo(connection, stamps=0),
            contact=connection.contact,
            facility=connection.facility,
            message=message,
        )


def _not_enough(message: ChargedMessage, price: MessagePrice) -> str:
    """Why a payer without the money refuses the submit, with a place for the price."""
    to_resident = message.to_resident
    sender_pays = price.payer == (MessagePayer.CONTACT if to_resident else MessagePayer.RESIDENT)
    in_wallet = price.payer == MessagePayer.CONTACT
    if sender_pays and in_wallet:
        return _(
            "There is not enough money in your wallet for this message (%(price)s). "
            "Nothing was sent or charged."
        )
    if sender_pays:
        return _(
            "There is not enough money in your trust account for this message (%(price)s). "
            "Nothing was sent or charged."
        )
    if in_wallet:
        return _(
            "There is not enough money in the other side's wallet for this message "
            "(%(price)s). Nothing was sent or charged."
        )
    return _(
        "There is not enough money in the other side's trust account for this message "
        "(%(price)s). Nothing was sent or charged."
    )


def _photo_key(message: ChargedMessage, photo_id: int) -> str:
    return f"message:{message.pk}:photo:{photo_id}"


def _tell_if_running_low(connection: Connection, price: MessagePrice) -> None:
    """After a charge to a contact's wallet: when what is left would not pay for another
    message like it, say so through ``wallet_running_low``. (A message paid with stamps
    leaves the wallet as it was.)"""
    if price.payer != MessagePayer.CONTACT or not price.to_pay or connection.contact is None:
        return
    account = wallet(connection.contact, connection.facility)
    if account.balance < price.to_pay:
        wallet_running_low(account, price.to_pay)


def _charge_stamps(
    message: ChargedMessage, connection: Connection, price: MessagePrice, photo_ids: Sequence[int]
) -> None:
    contact, facility = connection.contact, connection.facility
    for_photos = price.photo_stamps * len(photo_ids)
    text_stamps = price.stamps - for_photos
    value = stamps.value_of(contact, facility, text_stamps)
    # The prepaid reply is set aside at its full price (as far as the stamps' value goes),
    # so the reply it prepaid is covered whatever the pack cost.
    reply_share = min(value, price.reply_credit)
    to = [(revenue(facility), value - reply_share)]
    if reply_share:
        to.append((reply_credit(connection), reply_share))
    stamps.spend(
        key=f"message:{message.pk}:charge",
        contact=contact,
        facility=facility,
        count=text_stamps,
        to=to,
        memo=_memo(message, connection, price),
        message=message,
    )
    for photo_id in photo_ids if price.photo_stamps else ():
        stamps.spend(
            key=f"{_photo_key(message, photo_id)}:charge",
            contact=contact,
            facility=facility,
            count=price.photo_stamps,
            to=[(revenue(facility), stamps.value_of(contact, facility, price.photo_stamps))],
            memo=_photo_memo(connection, stamps=price.photo_stamps),
            message=message,
        )


def _photo_memo(connection: Connection, *, stamps: int) -> str:
    return words.photo_memo(name=connection.resident.first_name, stamps=stamps)


def _memo(message: ChargedMessage, connection: Connection, price: MessagePrice) -> str:
    to_resident = message.to_resident
    return words.message_memo(
        name=connection.resident.first_name,
        to_resident=to_resident,
        prepaid_reply=bool(price.reply_credit if to_resident else price.from_credit),
        stamps=price.stamps,
    )


def refund_message(*, message: ChargedMessage, reason: str) -> Transaction | None:
    """Give back what a message cost, to the accounts that paid it (inside the caller's
    transaction): money to where it came from, stamps to the contact; each photo's charge
    too, unless it was refunded already. Idempotent. Money set aside for a prepaid reply
    comes back only as far as the prepaid replies still hold it: a reply already sent has
    used it, and the rest goes back to whoever paid."""
    key = f"message:{message.pk}"
    refund = None
    photo_charges = Transaction.objects.filter(
        message_id=message.pk,
        kind=Transaction.Kind.MESSAGE_CHARGE,
        idempotency_key__startswith=f"{key}:photo:",
    ).values_list("idempotency_key", flat=True)
    # "message:<id>:photo:<photo id>:charge", and ":stamps" after it when paid in stamps
    for photo_id in sorted({int(charge_key.split(":")[3]) for charge_key in photo_charges}):
        refund = refund_photo(message=message, photo_id=photo_id, reason=reason) or refund
    kept = 0
    charge = Transaction.objects.filter(idempotency_key=f"{key}:charge").first()
    if charge is not None:
        postings, kept = _reversal(charge)
        refund = _post_refund(f"{key}:refund", charge, postings, reason) or refund
    paid_in_stamps = Transaction.objects.filter(idempotency_key=f"{key}:charge:stamps").first()
    if paid_in_stamps is not None:
        postings, _ = _reversal(paid_in_stamps)
        if kept:  # the prepaid reply was used: its stamps stay spent
            submitted = message.submitted_at
            assert submitted is not None, "a message that was charged was submitted"
            used = pricing.schedule_in_force(message.facility_id, submitted).reply_stamps
            postings = [(a, n - used if n > 0 else n + used) for a, n in postings]
        refund = _post_refund(f"{key}:refund:stamps", paid_in_stamps, postings, reason) or refund
    return refund


def refund_photo(*, message: ChargedMessage, photo_id: int, reason: str) -> Transaction | None:
    """Give back what the photo ``photo_id`` added to ``message``'s price (inside the
    caller's transaction): money or stamps to whoever paid. Idempotent; None when the photo
    cost nothing."""
    key = _photo_key(message, photo_id)
    refund = None
    for paid in ("", ":stamps"):
        charge = Transaction.objects.filter(idempotency_key=f"{key}:charge{paid}").first()
        if charge is not None:
            postings, _ = _reversal(charge)
            refund = _post_refund(f"{key}:refund{paid}", charge, postings, reason) or refund
    return refund


def _post_refund(
    key: str, charge: Transaction, postings: list[tuple[Account, int]], reason: str
) -> Transaction | None:
    postings = [(account, amount) for account, amount in postings if amount]
    if not postings:  # nothing comes back: a used reply was all it cost
        return None
    return ledger.post(
        key=key,
        kind=Transaction.Kind.MESSAGE_REFUND,
        postings=postings,
        memo=words.REFUND.stored(reason=reason)[:300],
        contact_id=charge.contact_id,
        facility_id=charge.facility_id,
        message_id=charge.message_id,
    )


def _reversal(charge: Transaction) -> tuple[list[tuple[Account, int]], int]:
    """The postings that undo ``charge``, and the cents of a prepaid reply already used
    (which stay spent)."""
    reversed_: list[tuple[Account, int]] = []
    kept = 0
    for posting in charge.postings.select_related("account").order_by("id"):
        amount = -posting.amount
        if posting.account.kind == K.REPLY_CREDIT and amount < 0:
            held = Account.objects.get(pk=posting.account_id).balance
            kept = -amount - min(-amount, held)
            amount += kept
        reversed_.append((posting.account, amount))
    if kept:  # the payer gets back the charge less the prepaid reply already used
        reversed_ = [
            (account, amount - kept if account.kind in PAYING else amount)
            for account, amount in reversed_
        ]
    return reversed_, kept


# The accounts a message is paid from (the others receive).
PAYING = (K.CONTACT_WALLET, K.TRUST, K.AGENCY_FUNDING, K.STAMPS_HELD)
