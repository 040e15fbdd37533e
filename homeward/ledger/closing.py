"""Money when a contact closes their account: nothing may be on its way in, and what is
left goes back to the cards it came from (receivers of ``people.account``'s hooks)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from homeward.connections.models import Connection
from homeward.core.errors import Conflict
from homeward.ledger import charges, payments, words
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Payment, Transaction
from homeward.people.models import Contact

REASON = words.ACCOUNT_CLOSED.stored()


def refuse_closing_while_paying(contact: Contact) -> None:
    """``may_close``: a payment the card company has not answered yet would land in a
    closed account."""
    if Payment.objects.filter(contact=contact, status=Payment.Status.PENDING).exists():
        raise Conflict(
            "payment_pending",
            _(
                "A payment is still being processed. Try again in a few minutes, once it has "
                "gone through or been declined; nothing was changed."
            ),
        )


def refund_every_wallet(contact: Contact) -> None:
    """``account_closed``: replies paid ahead and never used come back to the wallets, then
    every wallet (and its unused stamps) goes back to its cards, after the connections
    ended and returned what was on its way."""
    _return_reply_credits(contact)
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


def _return_reply_credits(contact: Contact) -> None:
    for connection in Connection.objects.filter(contact=contact).select_related("facility"):
        held = ledger.balance_of(
            kind=Account.Kind.REPLY_CREDIT, contact=contact, resident=connection.resident
        )
        if held:
            ledger.post(
                key=f"account:{contact.pk}:closed:reply_credit:{connection.resident_id}",
                kind=Transaction.Kind.MESSAGE_REFUND,
                postings=[
                    (charges.reply_credit(connection), -held),
                    (charges.wallet(contact, connection.facility), held),
                ],
                memo=words.REPLIES_RETURNED_ACCOUNT_CLOSED.stored(),
                contact=contact,
                facility=connection.facility,
            )
