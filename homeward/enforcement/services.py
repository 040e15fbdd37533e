"""Enforcement: violations recorded against the person who sent a blocked message.

A violation is written in the transaction that blocks the message (``receivers``), once per
message. What counts: a block a reviewer confirmed, and a block by screening alone where the
facility's enforcement policy says so (by default it does not: a person is not held to a
rule on a machine's word alone). Each violation is put to the facility's policy at once
(``restrictions.after_violation``), and voiding one lifts what the policy imposed on it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from homeward.core import audit, clock
from homeward.core.errors import Conflict, DomainError
from homeward.enforcement import policies, restrictions
from homeward.enforcement.models import Violation
from homeward.messaging.models import Message, MessageEvent
from homeward.people.models import User
from homeward.screening import categories


def record_block(message: Message, *, confirmed_by: User | None) -> Violation | None:
    """Record the violation a blocked message is (in the blocking transaction): against the
    contact who wrote to a resident, or the resident who replied. None when it does not
    count (a block by screening alone, where the facility does not count those). Recording
    twice changes nothing."""
    automatic = confirmed_by is None
    if automatic and not policies.in_force(message.facility).automatic_blocks_count:
        return None
    connection = message.connection
    if message.to_resident:
        if connection.contact is None:  # never: a contact wrote it
            return None
        who: dict[str, object] = {"contact": connection.contact, "resident": None}
    else:
        who = {"contact": None, "resident": connection.resident}
    category = message.block_category or categories.OTHER
    violation, created = Violation.objects.get_or_create(
        message=message,
        defaults={
            "facility_id": message.facility_id,
            "category": category,
            "severity": categories.severity(category),
            "automatic": automatic,
            "confirmed_by": confirmed_by,
            "created_at": clock.now(),
            **who,
        },
    )
    if created:
        audit.record(
            actor=confirmed_by or "screening",
            action="violation.recorded",
            obj=violation,
            facility_id=message.facility_id,
            data={
                "message": message.pk,
                "category": category,
                "against": f"contact:{violation.contact_id}"
                if violation.contact_id
                else f"resident:{violation.resident_id}",
            },
        )
        restrictions.after_violation(violation)
    return violation


def blocker_of(message: Message) -> User | None:
    """The staff member who blocked the message (None: screening blocked it)."""
    event = (
        MessageEvent.objects.filter(message=message, to_status=Message.Status.BLOCKED)
        .select_related("actor_user")
        .order_by("-id")
        .first()
    )
    blocker = event.actor_user if event is not None else None
    return blocker if isinstance(blocker, User) else None


def void(*, violation_id: int, actor: User, reason: str) -> Violation:
    """The block was overturned (an appeal, a second look): the violation counts for
    nothing from now, and the record says who voided it and why."""
    if not reason.strip():
        raise DomainError("reason_required", _("Say why the violation is void."))
    with transaction.atomic():
        violation = Violation.objects.select_for_update().get(pk=violation_id)
        if violation.voided_at is not None:
            raise Conflict("already_void", _("This violation is already void."))
        violation.voided_at = clock.now()
        violation.voided_by = actor
        violation.void_reason = reason.strip()[:300]
        violation.save(update_fields=["voided_at", "voided_by", "void_reason"])
        audit.record(
            actor=actor,
            action="violation.voided",
            obj=violation,
            facility_id=violation.facility_id,
            data={"reason": violation.void_reason},
        )
        restrictions.reconsider(violation)
    return violation
