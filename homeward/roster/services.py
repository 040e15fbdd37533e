"""Roster events that touch everything a resident has: for now, release. (Booking a
released person again is in ``bookings``.)

A release closes messaging. Messages still on their way are returned and refunded; money
set aside for prepaid replies goes back to the contacts' wallets; the trust account is paid
out to the person; and a contact left with no one to write to at that facility gets their
wallet refunded to the card, with no fee. A closed wallet keeps its statement. The resident
is given a code to download their archive (``messaging.archive_codes``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction

from homeward.connections.models import Connection
from homeward.core import audit, clock
from homeward.core.errors import Conflict, NotFound
from homeward.core.hooks import Hook
from homeward.ledger import charges, payments, words
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Transaction
from homeward.messaging import archive_codes
from homeward.messaging import services as messaging
from homeward.people import access
from homeward.people.models import Resident, User

K = Account.Kind


@dataclass(frozen=True)
class Release:
    """What a release did, for the person who pressed the button."""

    resident: Resident
    messages_returned: int
    trust_paid_out: int  # cents
    refunded_to_cards: int  # cents, from the wallets of contacts left with no one to write to
    contacts_refunded: int
    archive: archive_codes.Issued  # the code to hand over: shown once


# Called in the releasing transaction before the trust account is paid out: the kiosk
# registers closing (and charging) a session the resident still has open, so the minutes
# used are paid before the balance leaves.
resident_released: Hook[[Resident]] = Hook("resident_released")


def release_key(resident: Resident, what: str) -> str:
    """The idempotency key of one money movement of the resident's release: one release
    for each stay in custody (``Resident.stays``: a person released, booked again and
    released again is refunded again), the first stay's keys as they always were."""
    stay = "" if resident.stays == 1 else f".{resident.stays}"
    return f"release:{resident.pk}{stay}:{what}"


def _administered(staff: User, resident_id: int) -> Resident:
    """The resident, locked to the transaction's end, if ``staff`` administers their
    facility (NotFound otherwise). NO KEY: a send that opens the resident's first trust or
    reply account checks the foreign key with a KEY SHARE lock, which FOR UPDATE would
    block (a deadlock with the connection the send holds)."""
    resident = Resident.objects.select_for_update(no_key=True).filter(pk=resident_id).first()
    if (
        resident is None
        or not access.staff_facilities(staff, access.ADMIN_ROLES)
        .filter(pk=resident.facility_id)
        .exists()
    ):
        raise NotFound()
    return resident


def release_resident(*, staff: User, resident_id: int) -> Release:
    with transaction.atomic():
        resident = _administered(staff, resident_id)
        if not resident.in_custody:
            raise Conflict("already_released", f"{resident.full_name} is already released.")
        resident.status = Resident.Status.RELEASED
        resident.save(update_fields=["status"])
        facility = resident.facility
        connections = list(
            Connection.objects.select_for_update(of=("self",))
            .select_related("contact", "resident", "facility")
            .filter(resident=resident)
        )
        returned = 0
        for connection in connections:
            returned += messaging.return_pending_messages(
                connection=connection, reason="resident released"
            )
            _return_reply_credit(connection)
        resident_released(resident)
        trust_paid = _pay_out_trust(resident)
        refunded, refunded_contacts = 0, 0
        audit.record(actor=staff, action="resident.released", obj=resident, facility_id=facility.pk)
        wrote = {c.contact for c in connections if c.facility_id == facility.pk}
        # An invitation not yet taken up has no contact, and so no wallet.
        for contact in {c for c in wrote if c is not None}:
            still_writing = Connection.objects.filter(
                contact=contact,
                facility=facility,
                status=Connection.Status.ACTIVE,
                resident__status=Resident.Status.IN_CUSTODY,
            ).exists()
            if not still_writing:
                payouts, _ = payments.refund_wallet(
                    contact=contact,
                    facility=facility,
                    reason=words.RELEASED.stored(name=resident.first_name),
                    key=release_key(resident, f"wallet:{contact.pk}"),
                )
                refunded += sum(payout.amount_cents for payout in payouts)
                refunded_contacts += bool(payouts)
        # The kiosk is closed to them now: their archive opens with this code.
        issued = archive_codes.issue(resident=resident, staff=staff)
    return Release(resident, returned, trust_paid, refunded, refunded_contacts, issued)


def _return_reply_credit(connection: Connection) -> None:
    held = ledger.balance_of(
        kind=K.REPLY_CREDIT, contact=connection.contact, resident=connection.resident
    )
    if held:
        ledger.post(
            key=release_key(connection.resident, f"reply_credit:{connection.contact_id}"),
            kind=Transaction.Kind.RELEASE,
            postings=[
                (charges.reply_credit(connection), -held),
                (charges.wallet(connection.contact, connection.facility), held),
            ],
            memo=words.REPLIES_RETURNED_AT_RELEASE.stored(),
            contact=connection.contact,
            facility=connection.facility,
        )


def _pay_out_trust(resident: Resident) -> int:
    # Locked before it is read, so nothing (a kiosk charge) takes money between the read
    # and the payout.
    trust = Account.objects.select_for_update().filter(kind=K.TRUST, resident=resident).first()
    held = trust.balance if trust is not None else 0
    if held:
        ledger.post(
            key=release_key(resident, "trust"),
            kind=Transaction.Kind.RELEASE,
            postings=[
                (charges.trust(resident), -held),
                (ledger.account_for(kind=K.PAYMENT_CLEARING), held),
            ],
            memo=words.TRUST_PAID_AT_RELEASE.stored(
                name=resident.full_name, day=f"{clock.now():%Y-%m-%d}"
            ),
            facility=resident.facility,
        )
    return held


# The digits of a kiosk PIN an admin gives (the kiosk takes up to twelve).
PIN_DIGITS = 6


def new_pin(*, staff: User, resident_id: int) -> str:
    """A new kiosk PIN for a resident in custody (facility and agency admins: a resident
    who forgot theirs, or was never given one), returned to be handed over and never
    stored but hashed; the old PIN stops working. Audited, without the PIN."""
    with transaction.atomic():
        resident = _administered(staff, resident_id)
        if not resident.in_custody:
            raise Conflict(
                "already_released",
                f"{resident.full_name} is released: the kiosk is closed to them.",
            )
        pin = "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))
        resident.set_pin(pin)
        resident.save(update_fields=["pin_hash"])
        audit.record(
            actor=staff, action="resident.pin_given", obj=resident, facility_id=resident.facility_id
        )
    return pin
