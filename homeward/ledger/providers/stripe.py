"""Stripe: a hosted Checkout Session for each payment, webhooks checked against the
endpoint's signing secret, refunds against the payment intent.

Stripe's API is form-encoded HTTPS; every call carries an idempotency key, so a retried
call (a job run twice) is answered with the first result.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from homeward.core import clock
from homeward.core.errors import DomainError
from homeward.ledger.providers import Begun, Event

if TYPE_CHECKING:
    from homeward.ledger.models import Payment, Payout

SIGNATURE_HEADER = "Stripe-Signature"
TOLERANCE_SECONDS = 300  # Stripe's own default: older signed events are replays
OUTCOMES = {
    "checkout.session.completed": "succeeded",
    "checkout.session.async_payment_succeeded": "succeeded",
    "checkout.session.async_payment_failed": "declined",
    "checkout.session.expired": "declined",
}


def signature(body: bytes, timestamp: int, secret: str) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(body: bytes, header: str, secret: str, *, now: float | None = None) -> None:
    """Check a ``Stripe-Signature`` header (``t=…,v1=…``) as Stripe documents it."""
    if not secret:  # an empty key is a key anyone can sign with
        raise DomainError("bad_signature", _("Stripe webhooks are not set up here."))
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        name, _equals, value = item.strip().partition("=")
        parts.setdefault(name, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        raise DomainError("bad_signature", _("The webhook signature is missing.")) from None
    expected = signature(body, timestamp, secret)
    if not any(
        hmac.compare_digest(expected.encode(), given.encode()) for given in parts.get("v1", [])
    ):
        raise DomainError("bad_signature", _("The webhook signature does not match."))
    if abs((now if now is not None else clock.now().timestamp()) - timestamp) > TOLERANCE_SECONDS:
        raise DomainError("bad_signature", _("The webhook signature is too old."))


class Stripe:
    name = "stripe"

    def _call(self, path: str, fields: dict[str, Any], *, key: str) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 (always https to Stripe's base)
            f"{settings.STRIPE_API_BASE}{path}",
            data=urllib.parse.urlencode(fields).encode(),
            headers={
                "Authorization": f"Bearer {settings.STRIPE_SECRET_KEY}",
                "Idempotency-Key": key,
                "Content-Type": "application/x-www-form-urlencoded",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
                answer: dict[str, Any] = json.loads(response.read())
                return answer
        except urllib.error.HTTPError as error:
            try:
                detail = json.loads(error.read())["error"]["message"]
            except (ValueError, KeyError, TypeError):
                detail = f"HTTP {error.code}"
            raise DomainError(
                "provider_error",
                _("The card company refused: %(detail)s") % {"detail": detail},
                status=502,
            ) from None
        except (OSError, http.client.HTTPException):  # refused, timed out, reset, hung up
            raise DomainError(
                "provider_unavailable",
                _("The card company could not be reached. Nothing was charged; try again."),
                status=503,
            ) from None
        except ValueError:  # an answer, but not Stripe's JSON (a proxy's error page)
            raise DomainError(
                "provider_error",
                _("The card company's answer could not be read. Nothing was charged; try again."),
                status=502,
            ) from None

    def begin(self, payment: Payment, *, card: str, return_url: str) -> Begun:
        # The name of what is paid for, on the card company's checkout page.
        what = _("Money to a trust account") if payment.resident_id else _("Deposit to your wallet")
        session = self._call(
            "/v1/checkout/sessions",
            {
                "mode": "payment",
                "client_reference_id": str(payment.pk),
                "line_items[0][quantity]": 1,
                "line_items[0][price_data][currency]": payment.currency.lower(),
                "line_items[0][price_data][unit_amount]": payment.total_cents,
                "line_items[0][price_data][product_data][name]": what,
                "success_url": return_url,
                "cancel_url": return_url,
            },
            key=f"homeward-payment-{payment.pk}",
        )
        return Begun(status="pending", provider_ref=session["id"], redirect_url=session["url"])

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> Event:
        verify(body, headers.get(SIGNATURE_HEADER, ""), settings.STRIPE_WEBHOOK_SECRET)
        try:
            event = json.loads(body)
            session = event["data"]["object"]
            event_id, type_ = str(event["id"]), str(event["type"])
        except (ValueError, KeyError, TypeError):
            raise DomainError("bad_webhook", _("The webhook body is not a Stripe event.")) from None
        outcome = OUTCOMES.get(type_, "")
        if type_ == "checkout.session.completed" and session.get("payment_status") != "paid":
            outcome = ""  # a delayed method: the async_payment_* event decides
        reference = str(session.get("client_reference_id") or "")
        return Event(
            event_id=event_id,
            type=type_,
            payment_id=int(reference) if reference.isdigit() else None,
            provider_ref=str(session.get("id", "")),
            outcome=outcome,
            provider_charge=str(session.get("payment_intent") or ""),
            # Stored in English, said in the reader's language (``payments.failure_words``).
            failure_reason="The payment did not go through." if outcome == "declined" else "",
        )

    def refund(self, payout: Payout) -> str:
        refund = self._call(
            "/v1/refunds",
            {"payment_intent": payout.payment.provider_charge, "amount": payout.amount_cents},
            key=f"homeward-payout-{payout.pk}",
        )
        return str(refund["id"])


PROVIDER = Stripe
