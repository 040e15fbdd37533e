"""Reads of a contact's money, each scoped to the contact who asks: the web wallet pages
and the API share them. Anything not theirs is a NotFound, never a 403 that confirms it
exists."""

from __future__ import annotations

from dataclasses import dataclass

from homeward.connections import access as connections
from homeward.core import clock
from homeward.core.errors import DomainError, NotFound
from homeward.facilities.models import Facility
from homeward.ledger import pricing, stamps
from homeward.ledger.models import Account
from homeward.people.models import Contact


@dataclass(frozen=True)
class Wallet:
    facility: Facility
    balance: int  # cents
    stamps: int  # stamps bought ahead and not used yet
    packs: list[stamps.Pack]  # on sale to this contact there now, in the schedule's order
    can_deposit: bool  # they have a connection there (a wallet alone is for refunds)


def packs_on_sale(facility: Facility) -> list[stamps.Pack]:
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
        facilities[wallet.facility_id] = wallet.facility  # type: ignore[assignment]
        balances[wallet.facility_id] = wallet.balance
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
        raise NotFound("You have no connection at this facility; there is no wallet of yours here.")
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
        raise NotFound("You have no wallet at this facility.")
    return facility
