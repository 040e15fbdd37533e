"""What enforcement hears of from the apps below it, in the transaction of each move."""

from __future__ import annotations

from homeward.enforcement import services
from homeward.messaging.models import Message, MessageEvent
from homeward.people.models import User


def message_moved(message: Message, source: str, target: str) -> None:
    """A blocked message: a violation when a person (not screening alone) blocked it."""
    if target != Message.Status.BLOCKED:
        return
    event = (
        MessageEvent.objects.filter(message=message, to_status=Message.Status.BLOCKED)
        .select_related("actor_user")
        .order_by("-id")
        .first()
    )
    blocker = event.actor_user if event is not None else None
    services.record_block(message, confirmed_by=blocker if isinstance(blocker, User) else None)
