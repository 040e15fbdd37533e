"""The audit log: append an event, verify the chain."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from django.db import transaction

from homeward.core import clock
from homeward.core.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


@runtime_checkable
class Actor(Protocol):
    """Someone who can act: a person's model says how the log names it and, for an account
    that signs in, which user row the event points at. (``people.User`` and
    ``people.Resident`` are actors; the log never imports them.)"""

    @property
    def audit_label(self) -> str: ...

    @property
    def audit_user_id(self) -> int | None: ...


def record(
    *,
    actor: Actor | str | None,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    facility_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. ``actor`` is a person (an ``Actor``) or a string such as "system"."""
    user_id = actor.audit_user_id if isinstance(actor, Actor) else None
    label = actor_label(actor)
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
    # No lock here: every service writes audit events, and one lock for all of them would
    # make every transaction wait for every other. The sealer chains them afterwards.
    return AuditEvent.objects.create(
        at=clock.now(),
        actor_user_id=user_id,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        facility_id=facility_id,
        data=data or {},
    )


def seal(*, limit: int = 5000) -> int:
    """Chain the events written since the last seal, in the order the sealer first sees
    them (an event committed late simply gets a later place). Returns how many it sealed."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        events = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:limit])
        for event in events:
            head.last_seq += 1
            event.seq = head.last_seq
            event.prev_hash = head.last_hash
            event.hash = event.compute_hash()
            event.save(update_fields=["seq", "prev_hash", "hash"])
            head.last_hash = event.hash
        if events:
            head.save(update_fields=["last_seq", "last_hash"])
    return len(events)


def actor_label(actor: Actor | str | None) -> str:
    if isinstance(actor, Actor):
        return actor.audit_label
    return str(actor)


def authors(*, action: str, object_type: str, object_ids: list[int]) -> dict[str, str]:
    """Who did ``action`` to each of these objects: a username, or the actor's label."""
    events = AuditEvent.objects.filter(
        action=action, object_type=object_type, object_id__in=[str(i) for i in object_ids]
    ).select_related("actor_user")
    return {
        event.object_id: event.actor_user.username if event.actor_user else event.actor_label
        for event in events
    }


def verify_chain() -> int | None:
    """Return the id of the first sealed event whose hash or link is wrong, or None if the
    chain is intact. Call ``seal()`` first to include the newest events."""
    previous, expected = GENESIS, 1
    for event in AuditEvent.objects.filter(seq__isnull=False).order_by("seq").iterator():
        if (
            event.seq != expected
            or event.prev_hash != previous
            or event.compute_hash() != event.hash
        ):
            return event.pk
        previous, expected = event.hash, expected + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq != expected - 1:
        return -1  # the newest sealed events were deleted
    return None
