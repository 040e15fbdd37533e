"""What enforcement hears of from the apps below it, in the transaction of each move."""

from __future__ import annotations

from homeward.enforcement import services
from homeward.messaging.models import Message


def message_moved(message: Message, source: str, target: str) -> None:
    """A blocked message: a violation when a person (not screening alone) blocked it."""
    if target == Message.Status.BLOCKED:
        services.record_block(message, confirmed_by=services.blocker_of(message))
