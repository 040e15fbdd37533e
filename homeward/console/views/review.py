"""The review desk: the queue (and the supervisors' queue of escalated messages), one
review task, and its actions: claim, decide, undo, escalate, release, skip.

Built for speed: after a decision the next message opens straight away, with the decision
undoable for ``REVIEW_UNDO_SECONDS`` (its effects wait for the window to pass); keyboard
shortcuts (``app.js``, shown on the page) approve, block with a reason, escalate, skip and
undo."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from homeward.console.access import forbidden, reviewer_required
from homeward.console.forms import DecisionForm
from homeward.console.requests import StaffRequest
from homeward.console.templatetags.console import screening_hits
from homeward.core import clock, keyset
from homeward.core.errors import Conflict, DomainError, NotFound
from homeward.core.views import show_error
from homeward.enforcement import access as enforcement
from homeward.enforcement import restrictions
from homeward.messaging import history
from homeward.messaging.selectors import earlier_in_conversation, timeline
from homeward.people import access
from homeward.people.models import User
from homeward.review import access as review_access
from homeward.review import selectors, services
from homeward.review.models import ReviewTask
from homeward.screening import categories

PAGE_SIZE = 50
PREVIEW_CHARACTERS = 160
RECENT_MESSAGES = 5
UNDO_KEY = "review_undo"


@dataclass(frozen=True)
class QueueRow:
    task: ReviewTask
    overdue: bool
    holder: User | None
    sender: str
    preview: str
    categories: list[str]


def _row(task: ReviewTask, now: dt.datetime) -> QueueRow:
    message = task.message
    connection = message.connection
    if message.to_resident:
        sender = connection.contact.display_name if connection.contact else ""
    else:
        sender = connection.resident.full_name
    body = " ".join(message.body.split())
    if not body:  # a message of photos alone
        count = message.photo_count
        body = f"(no text: {count} photo{'s' if count != 1 else ''}, in the photo queue)"
    screening = getattr(message, "screening", None)
    return QueueRow(
        task=task,
        overdue=task.due_at < now,
        holder=selectors.live_holder(task, now=now),
        sender=sender,
        preview=body if len(body) <= PREVIEW_CHARACTERS else body[:PREVIEW_CHARACTERS] + "…",
        categories=[categories.label(c) for c in (screening.categories if screening else [])],
    )


def _queue_page(request: StaffRequest, *, escalated: bool) -> HttpResponse:
    now = clock.now()
    tasks = review_access.queue_for(request.user, escalated=escalated).select_related(
        "message__connection__contact",
        "message__connection__resident",
        "message__screening",
        "escalated_by",
    )
    # Read from the front, most urgent first, a page after the last task seen: no OFFSET
    # and no count of the pages, however long the queue (the counts above come apart).
    after = request.GET.get("after", "")
    page = keyset.forward(tasks, size=PAGE_SIZE, after=after, field="due_at")
    context = {
        "page": page,
        "after": after,
        "rows": [_row(task, now) for task in page.rows],
        "escalated": escalated,
        "counts": selectors.queue_counts(request.user, now=now, escalated=escalated),
        "undo": _undo_offer(request),
    }
    return render(request, "console/queue.html", context)


@reviewer_required
def queue(request: StaffRequest) -> HttpResponse:
    return _queue_page(request, escalated=False)


@reviewer_required
def escalated_queue(request: StaffRequest) -> HttpResponse:
    if not access.staff_facilities(request.user, review_access.SUPERVISOR_ROLES).exists():
        return forbidden(request, "Escalated messages are for facility and agency admins.")
    return _queue_page(request, escalated=True)


@require_POST
@reviewer_required
def claim_next(request: StaffRequest) -> HttpResponse:
    escalated = request.POST.get("queue") == "escalated"
    task = services.claim_next(staff=request.user, escalated=escalated)
    if task is None:
        messages.info(request, "Nothing waiting: every message is decided or being reviewed.")
        return redirect("console:escalated" if escalated else "console:queue")
    return redirect("console:task", task_id=task.pk)


def _next_or_queue(request: StaffRequest, *, escalated: bool = False) -> HttpResponse:
    """Straight on to the next message of the same queue, or back to the queue when none
    is waiting."""
    following = services.next_for(staff=request.user, escalated=escalated)
    if following is None:
        return redirect("console:escalated" if escalated else "console:queue")
    return redirect("console:task", task_id=following.pk)


def _undo_offer(request: StaffRequest) -> dict[str, object] | None:
    """The last decision, while it can still be undone."""
    offer = request.session.get(UNDO_KEY)
    if not offer:
        return None
    until = dt.datetime.fromisoformat(offer["until"])
    if until <= clock.now():
        del request.session[UNDO_KEY]
        return None
    return {**offer, "seconds": max(1, int((until - clock.now()).total_seconds()))}


def _task_page(
    request: StaffRequest, task: ReviewTask, form: DecisionForm | None = None, status: int = 200
) -> HttpResponse:
    now = clock.now()
    message = task.message
    # Every staff read of a message is audited, including this one.
    history.record_message_view(staff=request.user, message=message)
    holder = selectors.live_holder(task, now=now)
    connection = message.connection
    sender = connection.contact if message.to_resident else connection.resident
    context = {
        "task": task,
        "message": message,
        "recent": earlier_in_conversation(message, RECENT_MESSAGES),
        "restrictions": restrictions.history(sender, request.user) if sender is not None else [],
        "undo": _undo_offer(request),
        "supervisor": review_access.supervises(request.user, task.facility_id),
        "reasons": categories.ALL,
        "connection": message.connection,
        "facility": task.facility,
        "hits": screening_hits(message),
        "screening": getattr(message, "screening", None),
        "stages": timeline(message),
        "holder": holder,
        "mine": holder is not None and holder.pk == request.user.pk,
        "open": task.status == ReviewTask.Status.OPEN,
        "overdue": task.status == ReviewTask.Status.OPEN and task.due_at < now,
        "form": form or DecisionForm(),
        "record": enforcement.record_of(request.user, sender) if sender is not None else [],
    }
    return render(request, "console/task.html", context, status=status)


def _load(request: StaffRequest, task_id: int) -> ReviewTask:
    try:
        return review_access.task_for(request.user, task_id)
    except NotFound:
        raise Http404("No such review task.") from None


@reviewer_required
def task(request: StaffRequest, task_id: int) -> HttpResponse:
    found = _load(request, task_id)
    return _task_page(request, found)


@require_POST
@reviewer_required
def claim(request: StaffRequest, task_id: int) -> HttpResponse:
    found = _load(request, task_id)
    if found.status != ReviewTask.Status.OPEN:
        messages.error(request, "This message has already been decided.")
        return redirect("console:task", task_id=task_id)
    try:
        services.claim(staff=request.user, task_id=task_id)
    except Conflict as error:
        found.refresh_from_db()
        holder = selectors.live_holder(found, now=clock.now())
        if holder is not None:
            messages.error(request, f"{holder.username} is already working on this message.")
        else:
            show_error(request, error)
    return redirect("console:task", task_id=task_id)


@require_POST
@reviewer_required
def decide(request: StaffRequest, task_id: int) -> HttpResponse:
    found = _load(request, task_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        if found.claimed_by_id == request.user.pk:
            return _task_page(request, found, form=form, status=400)  # errors beside the fields
        messages.error(request, "Claim this message before deciding on it.")
        return redirect("console:task", task_id=task_id)
    escalated = found.escalated_at is not None
    undo_seconds = settings.REVIEW_UNDO_SECONDS
    try:
        decided = services.decide(
            staff=request.user,
            task_id=task_id,
            decision=form.cleaned_data["decision"],
            reason_code=form.cleaned_data["reason_code"],
            note=form.cleaned_data["note"],
            undo_seconds=undo_seconds,
        )
    except DomainError as error:
        show_error(request, error)
        return redirect("console:task", task_id=task_id)
    if decided.decision == ReviewTask.Decision.APPROVE:
        said = f"Approved message {decided.message_id}."
    else:
        said = f"Blocked message {decided.message_id}: {decided.get_reason_code_display()}."
    if undo_seconds and decided.effective_at is not None:
        request.session[UNDO_KEY] = {
            "task": decided.pk,
            "said": said,
            "until": decided.effective_at.isoformat(),
        }
    else:
        messages.success(request, said)
    return _next_or_queue(request, escalated=escalated)


@require_POST
@reviewer_required
def undo(request: StaffRequest, task_id: int) -> HttpResponse:
    found = _load(request, task_id)
    try:
        services.undo(staff=request.user, task_id=found.pk)
    except DomainError as error:
        show_error(request, error)
        return redirect("console:task", task_id=found.pk)
    request.session.pop(UNDO_KEY, None)
    messages.info(request, "Undone: nothing was decided. The message is yours again.")
    return redirect("console:task", task_id=found.pk)


@require_POST
@reviewer_required
def escalate(request: StaffRequest, task_id: int) -> HttpResponse:
    found = _load(request, task_id)
    try:
        services.escalate(staff=request.user, task_id=found.pk, note=request.POST.get("note", ""))
    except DomainError as error:
        show_error(request, error)
        return redirect("console:task", task_id=found.pk)
    messages.success(request, f"Message {found.message_id} is with a supervisor now.")
    return _next_or_queue(request)


@require_POST
@reviewer_required
def skip(request: StaffRequest, task_id: int) -> HttpResponse:
    """Leave this message for someone else and open the next one."""
    found = _load(request, task_id)
    escalated = found.escalated_at is not None
    following = services.claim_next(staff=request.user, escalated=escalated, after=found)
    if found.claimed_by_id == request.user.pk and found.status == ReviewTask.Status.OPEN:
        services.release(staff=request.user, task_id=found.pk)
    if following is None:
        messages.info(request, "No other message is waiting.")
        return redirect("console:escalated" if escalated else "console:queue")
    return redirect("console:task", task_id=following.pk)


@require_POST
@reviewer_required
def release(request: StaffRequest, task_id: int) -> HttpResponse:
    found = _load(request, task_id)
    if found.claimed_by_id != request.user.pk or found.status != ReviewTask.Status.OPEN:
        messages.info(request, "You were not holding this message.")
        return redirect("console:task", task_id=task_id)
    services.release(staff=request.user, task_id=task_id)
    messages.success(request, "Released. The message is back in the queue for anyone.")
    return redirect("console:queue")
