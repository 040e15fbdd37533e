"""Reads of a contact's money, each scoped to the contact who asks: the web wallet pages
and the API share them. Anything not theirs is a NotFound, never a 403 that confirms it
exists."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from homeward.connections import access as connections
from homeward.core import clock
from homeward.core.errors import DomainError, NotFound
from homeward.facilities.models import Facility
from homeward.ledger import pricing, stamps
from homeward.ledger.models import Account, Payment, Payout
from homeward.ledger.pricing.base import Pack
from homeward.people.models import Contact


@dataclass(frozen=True)
class Wallet:
    facility: Facility
    balance: int  # cents
    stamps: int  # stamps bought ahead and not used yet
    packs: list[Pack]  # on sale to this contact there now, in the schedule's order
    can_deposit: bool  # they have a connection there (a wallet alone is for refunds)


def packs_on_sale(facility: Facility) -> list[Pack]:
    try:
        return stamps.packs_of(pricing.schedule_in_force(facility.pk, clock.now()))
    except DomainError:  # no prices published yet: nothing on sale
        return []


def wallets_of_contact(contact: Contact) -> list[Wallet]:
    """A wallet for every facility where the contact has a connection (in any status) or a
    wallet, by facility name. Reading opens no account. Packs are listed only where the
    contact may buy them: where they have a connection."""
    balances: dict[int, int] = {}
    facilities: dict[int, Facility] = {}
    wallets = Account.objects.filter(
        kind=Account.Kind.CONTACT_WALLET, currency="USD", contact=contact, facility__isnull=False
    ).select_related("facility")
    for wallet in wallets:
        facility = wallet.facility
        if facility is None:  # never: the query asks for wallets at a facility
            continue
        facilities[facility.pk] = facility
        balances[facility.pk] = wallet.balance
    connected = set()
    for connection in connections.connections_of_contact(contact):
        facilities.setdefault(connection.facility_id, connection.facility)
        connected.add(connection.facility_id)
    ordered = sorted(facilities.values(), key=lambda facility: (facility.name, facility.pk))
    return [
        Wallet(
            facility=facility,
            balance=balances.get(facility.pk, 0),
            stamps=stamps.stamps_of(contact, facility),
            packs=packs_on_sale(facility) if facility.pk in connected else [],
            can_deposit=facility.pk in connected,
        )
        for facility in ordered
    ]


def facility_for_deposits(contact: Contact, code: str) -> Facility:
    """A facility where the contact has a connection, in any status: where they may pay
    into a wallet (as on the website). Money paid in anywhere else would have no one to
    write to."""
    facility = (
        Facility.objects.select_related("agency", "policy")
        .filter(code=code, connections__contact=contact)
        .distinct()
        .first()
    )
    if facility is None:
        raise NotFound(
            _("You have no connection at this facility; there is no wallet of yours here.")
        )
    return facility


def facility_with_wallet(contact: Contact, code: str) -> Facility:
    """A facility where the contact has a wallet (opened by paying in), connected or not:
    where there can be money of theirs to send back."""
    facility = (
        Facility.objects.filter(
            code=code,
            accounts__kind=Account.Kind.CONTACT_WALLET,
            accounts__contact=contact,
        )
        .distinct()
        .first()
    )
    if facility is None:
        raise NotFound(_("You have no wallet at this facility."))
    return facility


# --- a contact's own payments: their receipts, and money still on its way ---------------


def payments_of_contact(contact: Contact) -> QuerySet[Payment]:
    return Payment.objects.filter(contact=contact).select_related("facility", "resident")


def payment_of_contact(contact: Contact, payment_id: int) -> Payment:
    """One of the contact's payments; anyone else's, or none, is NotFound."""
    try:
        return payments_of_contact(contact).get(pk=payment_id)
    except Payment.DoesNotExist:
        raise NotFound(_("No such receipt.")) from None


def payment_with_key(contact: Contact, key: str) -> Payment | None:
    """The contact's payment started under ``key``, if it was."""
    return payments_of_contact(contact).filter(key=key).first()


def on_the_way(contact: Contact, facility: Facility) -> tuple[QuerySet[Payout], QuerySet[Payment]]:
    """The contact's money still moving at ``facility``: refunds not yet paid to the card,
    and payments the card company has not confirmed."""
    payouts = Payout.objects.filter(
        payment__contact=contact, payment__facility=facility, status=Payout.Status.PENDING
    ).select_related("payment")
    waiting = payments_of_contact(contact).filter(facility=facility, status=Payment.Status.PENDING)
    return payouts, waiting
