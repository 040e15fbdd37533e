"""The message status machine: the declared table and the one function that moves it."""

from __future__ import annotations

from typing import Any

from django.db.models.functions import Coalesce

from homeward.core.audit import Actor
from homeward.core.hooks import Hook
from homeward.core.transitions import StatusTable
from homeward.messaging.models import Message, MessageEvent

S = Message.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.SCREENING, S.RETURNED}),
    S.SCREENING: frozenset({S.IN_REVIEW, S.APPROVED, S.BLOCKED, S.RETURNED}),
    S.IN_REVIEW: frozenset({S.APPROVED, S.BLOCKED, S.RETURNED}),
    S.APPROVED: frozenset({S.DELIVERED, S.RETURNED}),
    S.DELIVERED: frozenset({S.READ}),
    S.BLOCKED: frozenset({S.APPROVED}),  # overturned on appeal
    S.READ: frozenset(),
    S.RETURNED: frozenset(),
}

# The timestamp each status sets when a message enters it.
STAMP: dict[str, str | None] = {
    S.SUBMITTED: "submitted_at",
    S.SCREENING: None,
    S.IN_REVIEW: "in_review_at",
    S.APPROVED: "approved_at",
    S.BLOCKED: "blocked_at",
    S.DELIVERED: "delivered_at",
    S.READ: "read_at",
    S.RETURNED: "returned_at",
}

# Statuses in which a message is on its way and may still be returned.
PENDING = frozenset({S.SUBMITTED, S.SCREENING, S.IN_REVIEW, S.APPROVED})
# Statuses in which its journey has ended (a blocked one may yet be overturned on appeal).
ENDED = frozenset({S.DELIVERED, S.READ, S.RETURNED, S.BLOCKED})


def journey_ended_at() -> Coalesce:
    """For a query of ended messages: when the journey ended (delivered, returned or
    blocked), the moment a retention period counts from."""
    return Coalesce("delivered_at", "returned_at", "blocked_at")


# Called in the moving transaction after every status change: (message, from, to).
# Notifications registers telling people (a reply is waiting, a message was blocked).
message_moved: Hook[[Message, str, str]] = Hook("message_moved")

TABLE = StatusTable(
    kind="message",
    transitions=TRANSITIONS,
    history=MessageEvent,
    history_field="message",
    stamps={target: name for target, name in STAMP.items() if name},
    moved=message_moved,
)


def move(message: Message, target: str, *, actor: Actor | str | None, **fields: Any) -> Message:
    """Move ``message`` to ``target``, recording who and when, or raise IllegalTransition.

    The caller holds the transaction and a lock on the message row.
    """
    TABLE.move(message, target, actor=actor, **fields)
    return message
