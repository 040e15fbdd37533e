"""The audit log: append an event, verify the chain."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from homeward.core import clock
from homeward.core.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def record(
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    facility_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. ``actor`` is a User, a Resident, or a string such as "system"."""
    from homeward.people.models import User

    user = actor if isinstance(actor, User) else None
    label = actor if isinstance(actor, str) else actor_label(actor)
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            at=clock.now(),
            actor_user=user,
            actor_label=label,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            facility_id=facility_id,
            data=data or {},
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save()
        head.last_hash = event.hash
        head.save(update_fields=["last_hash"])
    return event


def actor_label(actor: Any) -> str:
    from homeward.people.models import Resident, User

    if isinstance(actor, User):
        return f"user:{actor.username}"
    if isinstance(actor, Resident):
        return f"resident:{actor.agency_id}:{actor.number}"
    return str(actor)


def verify_chain() -> int | None:
    """Return the id of the first event whose hash or link is wrong, or None if intact."""
    previous = GENESIS
    for event in AuditEvent.objects.order_by("id").iterator():
        if event.prev_hash != previous or event.compute_hash() != event.hash:
            return event.pk
        previous = event.hash
    return None
