"""Reads of a contact's payments that only the API needs, scoped to the contact who asks
(wallets and the facilities they may pay at are in ``homeward.ledger.selectors``).
Anything not theirs is a 404 (``NotFound``)."""

from __future__ import annotations

from django.db.models import QuerySet

from homeward.core.errors import NotFound
from homeward.ledger.models import Payment
from homeward.people.models import Contact


def payments_of_contact(contact: Contact) -> QuerySet[Payment]:
    return Payment.objects.filter(contact=contact).select_related("facility", "resident")


def payment_for_contact(contact: Contact, payment_id: int) -> Payment:
    try:
        return payments_of_contact(contact).get(pk=payment_id)
    except Payment.DoesNotExist:
        raise NotFound() from None
