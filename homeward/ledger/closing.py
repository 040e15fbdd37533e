"""Money when a contact closes their account: nothing may be on its way in, and what is
left goes back to the cards it came from (receivers of ``people.account``'s hooks)."""

from __future__ import annotations

from homeward.core.errors import Conflict
from homeward.ledger import payments
from homeward.ledger.models import Account, Payment
from homeward.people.models import Contact

REASON = "Your account was closed"


def refuse_closing_while_paying(contact: Contact) -> None:
    """``may_close``: a payment the card company has not answered yet would land in a
    closed account."""
    if Payment.objects.filter(contact=contact, status=Payment.Status.PENDING).exists():
        raise Conflict(
            "payment_pending",
            "A payment is still being processed. Try again in a few minutes, once it has "
            "gone through or been declined; nothing was changed.",
        )


def refund_every_wallet(contact: Contact) -> None:
    """``account_closed``: every wallet (and its unused stamps) goes back to its cards, after
    the connections ended and returned what was on its way."""
    wallets = Account.objects.filter(
        kind=Account.Kind.CONTACT_WALLET, contact=contact, facility__isnull=False
    ).select_related("facility")
    for wallet in wallets.order_by("facility_id"):
        assert wallet.facility is not None  # the query asks for wallets at a facility
        payments.refund_wallet(
            contact=contact,
            facility=wallet.facility,
            reason=REASON,
            key=f"account:{contact.pk}:closed:{wallet.facility_id}",
        )
