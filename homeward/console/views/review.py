"""The review queue and one review task: claim, decide, release."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from homeward.console.access import reviewer_required
from homeward.console.forms import DecisionForm
from homeward.console.requests import StaffRequest
from homeward.console.templatetags.console import screening_hits
from homeward.core import clock
from homeward.core.errors import Conflict, DomainError, NotFound
from homeward.core.views import show_error
from homeward.enforcement import access as enforcement
from homeward.messaging import history
from homeward.messaging.selectors import timeline
from homeward.people.models import User
from homeward.review import access as review_access
from homeward.review import selectors, services
from homeward.review.models import ReviewTask

QUEUE_LIMIT = 200


@dataclass(frozen=True)
class QueueRow:
    task: ReviewTask
    overdue: bool
    holder: User | None


@reviewer_required
def queue(request: StaffRequest) -> HttpResponse:
    now = clock.now()
    rows = [
        QueueRow(task, task.due_at < now, selectors.live_holder(task, now=now))
        for task in review_access.queue_for(request.user)[:QUEUE_LIMIT]
    ]
    context = {"rows": rows, "counts": selectors.queue_counts(request.user, now=now)}
    return render(request, "console/queue.html", context)


@require_POST
@reviewer_required
def claim_next(request: StaffRequest) -> HttpResponse:
    task = services.claim_next(staff=request.user)
    if task is None:
        messages.info(request, "Nothing waiting: every message is decided or being reviewed.")
        return redirect("console:queue")
    return redirect("console:task", task_id=task.pk)


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
    try:
        decided = services.decide(
            staff=request.user,
            task_id=task_id,
            decision=form.cleaned_data["decision"],
            reason_code=form.cleaned_data["reason_code"],
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        show_error(request, error)
        return redirect("console:task", task_id=task_id)
    if decided.decision == ReviewTask.Decision.APPROVE:
        messages.success(request, "Approved. The message is on its way.")
    else:
        messages.success(request, f"Blocked: {decided.get_reason_code_display()}.")
    return redirect("console:queue")


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
