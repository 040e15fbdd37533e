"""The review queue: open a task, claim it under a lease, decide."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from homeward.core import audit, clock
from homeward.core.calendar import add_business_hours
from homeward.core.errors import Conflict, DomainError
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import User
from homeward.review.access import queue_for, task_for
from homeward.review.models import ReviewTask
from homeward.screening import categories


def open_task(*, message: Message, reason: str) -> ReviewTask:
    """Called inside the screening transaction when a message needs a person."""
    facility = message.facility
    policy = facility.policy
    now = clock.now()
    due = add_business_hours(
        now,
        policy.review_target_hours,
        tz=facility.timezone,
        business_hours=policy.business_hours,
        holidays=policy.holidays,
    )
    task, _ = ReviewTask.objects.get_or_create(
        message=message,
        defaults={"facility": facility, "reason": reason, "due_at": due, "created_at": now},
    )
    return task


def cancel_task_of(message: Message) -> None:
    """The message was returned undelivered: its open review task, if any, is cancelled."""
    ReviewTask.objects.filter(message=message, status=ReviewTask.Status.OPEN).update(
        status=ReviewTask.Status.CANCELLED, claimed_by=None, lease_until=None
    )


def _free(now: dt.datetime) -> Q:
    return Q(claimed_by__isnull=True) | Q(lease_until__lt=now)


def claim(*, staff: User, task_id: int) -> ReviewTask:
    """Take one task under a lease. Two reviewers never hold the same task: the claim is a
    single conditional UPDATE, which the database serialises."""
    now = clock.now()
    lease = now + dt.timedelta(seconds=settings.REVIEW_LEASE_SECONDS)
    with transaction.atomic():
        task = task_for(staff, task_id)
        if task.status != ReviewTask.Status.OPEN:
            raise Conflict("already_decided", "This message no longer needs a decision.")
        if task.claimed_by_id == staff.pk:
            renewed = ReviewTask.objects.filter(
                pk=task.pk, claimed_by=staff, status=ReviewTask.Status.OPEN
            ).update(lease_until=lease)
            if not renewed:  # the lease ran out and someone else took it a moment ago
                raise Conflict("already_claimed", "Another reviewer is working on this message.")
        else:
            taken = (
                ReviewTask.objects.filter(pk=task_id, status=ReviewTask.Status.OPEN)
                .filter(_free(now))
                .update(claimed_by=staff, lease_until=lease)
            )
            if not taken:
                raise Conflict("already_claimed", "Another reviewer is working on this message.")
            audit.record(
                actor=staff, action="review.claimed", obj=task, facility_id=task.facility_id
            )
    task.refresh_from_db()
    return task


def claim_next(*, staff: User) -> ReviewTask | None:
    now = clock.now()
    for task_id in queue_for(staff).filter(_free(now)).values_list("id", flat=True)[:20]:
        try:
            return claim(staff=staff, task_id=task_id)
        except Conflict:
            continue  # someone else took it between our read and our claim
    return None


def release(*, staff: User, task_id: int) -> None:
    """Give a claimed task back to the queue."""
    with transaction.atomic():
        task = task_for(staff, task_id)
        released = ReviewTask.objects.filter(
            pk=task.pk, claimed_by=staff, status=ReviewTask.Status.OPEN
        ).update(claimed_by=None, lease_until=None)
        if released:
            audit.record(
                actor=staff, action="review.released", obj=task, facility_id=task.facility_id
            )


def decide(
    *, staff: User, task_id: int, decision: str, reason_code: str = "", note: str = ""
) -> ReviewTask:
    note = note.strip()
    if decision not in ReviewTask.Decision.values:
        raise DomainError("bad_decision", "Choose approve or block.")
    if decision == ReviewTask.Decision.BLOCK and reason_code not in categories.CODES:
        raise DomainError("reason_required", "Choose the reason for blocking this message.")
    if len(note) > 500:
        raise DomainError("note_too_long", "Keep the note under 500 characters.")
    with transaction.atomic():
        task = task_for(staff, task_id, lock=True)
        if task.status != ReviewTask.Status.OPEN:
            raise Conflict("already_decided", "This message has already been decided.")
        if task.claimed_by_id != staff.pk or (task.lease_until and task.lease_until < clock.now()):
            raise Conflict("not_claimed", "Claim this message before deciding on it.")
        task.status = ReviewTask.Status.DONE
        task.decision = decision
        task.reason_code = reason_code if decision == ReviewTask.Decision.BLOCK else ""
        task.note = note
        task.decided_by = staff
        task.decided_at = clock.now()
        task.lease_until = None
        task.save()
        audit.record(
            actor=staff,
            action=f"review.{decision}",
            obj=task,
            facility_id=task.facility_id,
            data={"message": task.message_id, "reason": task.reason_code, "note": note},
        )
        if decision == ReviewTask.Decision.APPROVE:
            messaging.approve(message_id=task.message_id, actor=staff)
        else:
            messaging.block(
                message_id=task.message_id, actor=staff, category=reason_code, note=note
            )
    return task
