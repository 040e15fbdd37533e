"""The built-in sandbox: test card numbers, no real money, webhooks signed like a real
provider's. Used by the demo and in development.

| card number          | what happens                                          |
|----------------------|-------------------------------------------------------|
| 4242 4242 4242 4242  | paid at once                                          |
| 4000 0000 0000 0002  | declined                                              |
| 4000 0000 0000 3220  | pending; paid a few seconds later, by webhook         |
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from homeward.core import clock
from homeward.core.errors import DomainError
from homeward.jobs import services as jobs
from homeward.ledger.providers import Begun, Event

if TYPE_CHECKING:
    from homeward.ledger.models import Payment, Payout

SUCCEEDS = "4242424242424242"
DECLINES = "4000000000000002"
SUCCEEDS_LATE = "4000000000003220"
TEST_CARDS = {SUCCEEDS: "succeeded", DECLINES: "declined", SUCCEEDS_LATE: "pending"}
SIGNATURE_HEADER = "X-Sandbox-Signature"


def sign(body: bytes) -> str:
    return hmac.new(settings.SANDBOX_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()


def webhook(*, event_id: str, type: str, payment_ref: str) -> tuple[bytes, dict[str, str]]:
    """A signed sandbox webhook, as the sandbox's 'card company' would send it."""
    body = json.dumps({"id": event_id, "type": type, "payment": payment_ref}).encode()
    return body, {SIGNATURE_HEADER: sign(body)}


def card_number(card: str) -> str:
    digits = "".join(ch for ch in card if ch.isdigit())
    if len(digits) != len(card.replace(" ", "").replace("-", "")) or digits not in TEST_CARDS:
        raise DomainError(
            "card_not_accepted",
            _("This is the sandbox: use a test card, such as 4242 4242 4242 4242."),
        )
    return digits


class Sandbox:
    name = "sandbox"

    def begin(self, payment: Payment, *, card: str, return_url: str) -> Begun:
        number = card_number(card)
        ref = f"sbx_{payment.pk}"
        outcome = TEST_CARDS[number]
        # Like a real card company, the sandbox also confirms every answer by webhook, so a
        # process that dies before recording the answer still gets it. The late card's
        # only answer is the webhook, a few seconds on.
        late = outcome == "pending"
        jobs.enqueue(
            "sandbox_settle",
            payment_ref=ref,
            outcome="declined" if outcome == "declined" else "succeeded",
            run_after=clock.now() + dt.timedelta(seconds=settings.SANDBOX_LATE_SECONDS * late),
            facility_id=payment.facility_id,
        )
        return Begun(
            status=outcome,
            provider_ref=ref,
            provider_charge=ref,
            card_last4=number[-4:],
            # Stored as it is (in English) and said in the reader's language when shown
            # (``payments.failure_words``).
            failure_reason="Your card was declined." if outcome == "declined" else "",
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> Event:
        given = headers.get(SIGNATURE_HEADER, "")
        if not hmac.compare_digest(given.encode(), sign(body).encode()):
            raise DomainError("bad_signature", _("The webhook signature does not match."))
        try:
            data = json.loads(body)
            event_id, type_, ref = str(data["id"]), str(data["type"]), str(data["payment"])
        except (ValueError, KeyError, TypeError):
            raise DomainError(
                "bad_webhook", _("The webhook body is not a sandbox event.")
            ) from None
        outcome = {"payment.succeeded": "succeeded", "payment.declined": "declined"}.get(type_, "")
        ours = ref.removeprefix("sbx_")
        return Event(
            event_id=event_id,
            type=type_,
            provider_ref=ref,
            outcome=outcome,
            payment_id=int(ours) if ref.startswith("sbx_") and ours.isdigit() else None,
        )

    def refund(self, payout: Payout) -> str:
        return f"sbx_refund_{payout.pk}"


PROVIDER = Sandbox
