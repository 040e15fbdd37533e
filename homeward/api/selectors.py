"""Reads of a contact's money that the API needs, each scoped to the contact who asks.

Anything not theirs is a 404 (``NotFound``), never a 403 that confirms it exists. These
read the ledger's tables; they belong with ``homeward.ledger`` once it has a selectors
module, and the web wallet pages could share them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from homeward.connections import selectors as connections
from homeward.core import clock
from homeward.core.errors import DomainError, NotFound
from homeward.facilities.models import Facility
from homeward.ledger import pricing, stamps
from homeward.ledger.models import Account, Payment, Transaction
from homeward.people.models import Contact


@dataclass(frozen=True)
class Wallet:
    facility: Facility
    balance: int  # cents
    stamps: int  # stamps bought ahead and not used yet
    packs: list[stamps.Pack]  # on sale to this contact there now, in the schedule's order


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
        )
        for facility in ordered
    ]


def facility_of_contact(contact: Contact, code: str) -> Facility:
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


def payments_of_contact(contact: Contact) -> QuerySet[Payment]:
    return Payment.objects.filter(contact=contact).select_related("facility", "resident")


def payment_for_contact(contact: Contact, payment_id: int) -> Payment:
    try:
        return payments_of_contact(contact).get(pk=payment_id)
    except Payment.DoesNotExist:
        raise NotFound() from None


def payment_with_key(contact: Contact, key: str) -> Payment | None:
    """The contact's payment started with this idempotency key, if there is one."""
    return payments_of_contact(contact).filter(key=key).first()


def money_moved_with_key(key: str) -> bool:
    """Whether the ledger already holds a movement with this idempotency key: a repeat."""
    return Transaction.objects.filter(idempotency_key=key).exists()
