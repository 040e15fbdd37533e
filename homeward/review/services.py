"""The review queue: open a task, claim it under a lease, decide (with a few seconds to
undo), escalate to a supervisor.

A decision made with an undo window (the console's, ``REVIEW_UNDO_SECONDS``) leaves the task
"deciding": nothing of it has happened yet, and its reviewer may take it back. A job applies
it when the window has passed (``apply_decision``): the message is approved or blocked, and
only then delivered, refunded, recorded as a violation. A decision with no window (services
and the API's callers) applies at once."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from homeward.core import audit, clock
from homeward.core.calendar import add_business_hours
from homeward.core.errors import Conflict, DomainError, PermissionDenied
from homeward.jobs import services as jobs
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import User
from homeward.review.access import queue_for, supervises, task_for
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
    """The message was returned undelivered: its open review task, if any (also one whose
    decision is within its undo window), is cancelled."""
    ReviewTask.objects.filter(
        message=message, status__in=(ReviewTask.Status.OPEN, ReviewTask.Status.DECIDING)
    ).update(status=ReviewTask.Status.CANCELLED, claimed_by=None, lease_until=None)


def _free(now: dt.datetime) -> Q:
    return Q(claimed_by__isnull=True) | Q(lease_until__lt=now)


def _escalated() -> PermissionDenied:
    return PermissionDenied("This message was escalated: a supervisor decides it.", "escalated")


def claim(*, staff: User, task_id: int) -> ReviewTask:
    """Take one task under a lease. Two reviewers never hold the same task: the claim is a
    single conditional UPDATE, which the database serialises."""
    now = clock.now()
    lease = now + dt.timedelta(seconds=settings.REVIEW_LEASE_SECONDS)
    with transaction.atomic():
        task = task_for(staff, task_id)
        if task.status != ReviewTask.Status.OPEN:
            raise Conflict("already_decided", "This message no longer needs a decision.")
        supervisor = supervises(staff, task.facility_id)
        if task.escalated_at is not None and not supervisor:
            raise _escalated()
        if task.claimed_by_id == staff.pk:
            renewed = ReviewTask.objects.filter(
                pk=task.pk, claimed_by=staff, status=ReviewTask.Status.OPEN
            ).update(lease_until=lease)
            if not renewed:  # the lease ran out and someone else took it a moment ago
                raise Conflict("already_claimed", "Another reviewer is working on this message.")
        else:
            claimable = ReviewTask.objects.filter(pk=task_id, status=ReviewTask.Status.OPEN)
            if not supervisor:  # escalated by its holder while this waited: not this one's
                claimable = claimable.filter(escalated_at__isnull=True)
            taken = claimable.filter(_free(now)).update(
                claimed_by=staff, lease_until=lease, claimed_at=now
            )
            if not taken:
                escalated = ReviewTask.objects.filter(pk=task_id, escalated_at__isnull=False)
                if not supervisor and escalated.exists():
                    raise _escalated()
                raise Conflict("already_claimed", "Another reviewer is working on this message.")
            audit.record(
                actor=staff, action="review.claimed", obj=task, facility_id=task.facility_id
            )
    task.refresh_from_db()
    return task


def claim_next(
    *, staff: User, escalated: bool = False, after: ReviewTask | None = None
) -> ReviewTask | None:
    """Claim the most urgent free task of the staff member's queue (or of the escalated
    queue), or None. ``after``: one being skipped, so not that one."""
    now = clock.now()
    free = queue_for(staff, escalated=escalated).filter(_free(now))
    if after is not None:
        free = free.exclude(pk=after.pk)
    for task_id in free.values_list("id", flat=True)[:20]:
        try:
            return claim(staff=staff, task_id=task_id)
        except (Conflict, PermissionDenied):
            continue  # someone else took it (or escalated it) between our read and our claim
    return None


def next_for(*, staff: User, escalated: bool = False) -> ReviewTask | None:
    """The task a reviewer goes on to after a decision: one they already hold (taken for
    them before they undid a decision), else the most urgent free one, claimed."""
    held = (
        queue_for(staff, escalated=escalated)
        .filter(claimed_by=staff, lease_until__gt=clock.now())
        .first()
    )
    return held or claim_next(staff=staff, escalated=escalated)


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
    *,
    staff: User,
    task_id: int,
    decision: str,
    reason_code: str = "",
    note: str = "",
    undo_seconds: int = 0,
) -> ReviewTask:
    """Decide a task the staff member holds. With ``undo_seconds`` the decision waits that
    long for an undo before it takes effect (``apply_decision``); without, it applies now."""
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
        now = clock.now()
        if task.claimed_by_id != staff.pk or (task.lease_until and task.lease_until < now):
            raise Conflict("not_claimed", "Claim this message before deciding on it.")
        task.decision = decision
        task.reason_code = reason_code if decision == ReviewTask.Decision.BLOCK else ""
        task.note = note
        task.decided_by = staff
        task.decided_at = now
        task.lease_until = None
        task.effective_at = now + dt.timedelta(seconds=max(undo_seconds, 0))
        task.status = ReviewTask.Status.DECIDING
        task.save()
        audit.record(
            actor=staff,
            action=f"review.{decision}",
            obj=task,
            facility_id=task.facility_id,
            data={"message": task.message_id, "reason": task.reason_code, "note": note},
        )
        if undo_seconds > 0:
            jobs.enqueue(
                "apply_review_decision",
                run_after=task.effective_at,
                facility_id=task.facility_id,
                task_id=task.pk,
            )
        else:
            _apply(task)
    return task


def undo(*, staff: User, task_id: int) -> ReviewTask:
    """Take back one's own decision while its window is open: nothing of it happened, and
    the task is the reviewer's again."""
    with transaction.atomic():
        task = task_for(staff, task_id, lock=True)
        now = clock.now()
        if (
            task.status != ReviewTask.Status.DECIDING
            or task.effective_at is None
            or task.effective_at <= now
        ):
            raise Conflict("too_late_to_undo", "Too late to undo: the decision has taken effect.")
        if task.decided_by_id != staff.pk:
            raise PermissionDenied("Only the reviewer who decided can undo it.", "not_yours")
        undone = task.decision
        task.status = ReviewTask.Status.OPEN
        task.decision = ""
        task.reason_code = ""
        task.note = ""
        task.decided_by = None
        task.decided_at = None
        task.effective_at = None
        task.claimed_by = staff
        task.lease_until = now + dt.timedelta(seconds=settings.REVIEW_LEASE_SECONDS)
        task.save()
        audit.record(
            actor=staff,
            action="review.undone",
            obj=task,
            facility_id=task.facility_id,
            data={"message": task.message_id, "decision": undone},
        )
    return task


def apply_decision(*, task_id: int) -> None:
    """The job of a decision whose undo window has passed: apply it. Idempotent; a job that
    runs early waits for the window to pass."""
    with transaction.atomic():
        # The message first, then the task: the order of everything that returns a message
        # (which cancels its task), so the two never wait on each other.
        message_id = ReviewTask.objects.filter(pk=task_id).values_list("message_id", flat=True)
        list(Message.objects.select_for_update().filter(pk__in=message_id).values("pk"))
        task = ReviewTask.objects.select_for_update().filter(pk=task_id).first()
        if task is None or task.status != ReviewTask.Status.DECIDING:
            return  # undone, cancelled or applied already
        if task.effective_at is not None and task.effective_at > clock.now():
            jobs.enqueue(
                "apply_review_decision",
                run_after=task.effective_at,
                facility_id=task.facility_id,
                task_id=task.pk,
            )
            return
        _apply(task)


def _apply(task: ReviewTask) -> None:
    """Make the decision happen (in the caller's transaction)."""
    task.status = ReviewTask.Status.DONE
    task.save(update_fields=["status"])
    if task.decision == ReviewTask.Decision.APPROVE:
        messaging.approve(message_id=task.message_id, actor=task.decided_by)
    else:
        messaging.block(
            message_id=task.message_id,
            actor=task.decided_by,
            category=task.reason_code,
            note=task.note,
        )


def escalate(*, staff: User, task_id: int, note: str) -> ReviewTask:
    """Send a task one holds to the supervisors' queue, with a note for them."""
    note = " ".join(note.split())
    if not note:
        raise DomainError("note_required", "Say what the supervisor should look at.")
    if len(note) > 500:
        raise DomainError("note_too_long", "Keep the note under 500 characters.")
    with transaction.atomic():
        task = task_for(staff, task_id, lock=True)
        if task.status != ReviewTask.Status.OPEN:
            raise Conflict("already_decided", "This message has already been decided.")
        if task.escalated_at is not None:
            raise Conflict("already_escalated", "This message is already with a supervisor.")
        if task.claimed_by_id != staff.pk or (task.lease_until and task.lease_until < clock.now()):
            raise Conflict("not_claimed", "Claim this message before escalating it.")
        task.escalated_at = clock.now()
        task.escalated_by = staff
        task.escalation_note = note
        task.claimed_by = None
        task.lease_until = None
        task.save()
        audit.record(
            actor=staff,
            action="review.escalated",
            obj=task,
            facility_id=task.facility_id,
            data={"message": task.message_id, "note": note},
        )
    return task
