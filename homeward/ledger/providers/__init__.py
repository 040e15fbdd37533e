"""Payment providers: where card money comes from and goes back to.

A provider starts a payment (``begin``), turns a webhook into an event after checking its
signature (``parse_webhook``), and sends a refund to the card (``refund``). The ledger
never talks to a card company except through one of these.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Protocol

from django.conf import settings

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeward.ledger.models import Payment, Payout


@dataclass(frozen=True)
class Begun:
    """What the provider said when a payment started."""

    status: str  # "succeeded", "declined" or "pending"
    provider_ref: str = ""
    provider_charge: str = ""
    redirect_url: str = ""  # where the payer finishes paying (hosted checkout)
    card_last4: str = ""
    failure_reason: str = ""


@dataclass(frozen=True)
class Event:
    """A webhook, checked and understood."""

    event_id: str
    type: str
    provider_ref: str  # which payment it is about
    outcome: str = ""  # "succeeded", "declined", or "" for events that change nothing
    provider_charge: str = ""
    failure_reason: str = ""
    payment_id: int | None = None  # our own id, when the provider carries it back


class Provider(Protocol):
    name: str

    def begin(self, payment: Payment, *, card: str, return_url: str) -> Begun: ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> Event: ...

    def refund(self, payout: Payout) -> str: ...


# Every provider a deployment can choose, by the name PAYMENT_PROVIDER, stored payments and
# webhook addresses use. Each is the module of that name here, which defines ``PROVIDER``.
# Adding one: its module, and its name in this list.
NAMES = ("sandbox", "stripe")


def get(name: str | None = None) -> Provider:
    name = name or settings.PAYMENT_PROVIDER
    if name not in NAMES:
        raise KeyError(name)
    provider: type[Provider] = import_module(f"{__name__}.{name}").PROVIDER
    return provider()
