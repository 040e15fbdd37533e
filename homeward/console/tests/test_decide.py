"""Approving and blocking a message from its review page."""

from __future__ import annotations

from homeward.console.tests.conftest import message_status
from homeward.core.models import AuditEvent
from homeward.messaging.models import Message
from homeward.personas import client_for
from homeward.review.models import ReviewTask


def claimed(world, make_task):
    task = make_task()
    client = client_for(world.reviewer_1)
    client.post(f"/console/review/{task.pk}/claim/")
    return client, task


def test_approve_delivers_the_message(world, make_task, run_jobs):
    client, task = claimed(world, make_task)
    response = client.post(f"/console/review/{task.pk}/decide/", {"decision": "approve"})
    assert response["Location"] == "/console/queue/"
    assert message_status(task) == Message.Status.APPROVED
    run_jobs()
    assert message_status(task) == Message.Status.DELIVERED
    assert AuditEvent.objects.filter(action="review.approve", actor_user=world.reviewer_1).exists()


def test_block_needs_a_reason_code(world, make_task):
    client, task = claimed(world, make_task)
    response = client.post(
        f"/console/review/{task.pk}/decide/", {"decision": "block", "note": "keep this"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose the reason for blocking this message." in page
    assert "keep this" in page  # the note is not lost
    assert message_status(task) == Message.Status.IN_REVIEW
    task.refresh_from_db()
    assert task.status == ReviewTask.Status.OPEN


def test_block_with_a_reason_blocks_the_message(world, make_task):
    client, task = claimed(world, make_task)
    response = client.post(
        f"/console/review/{task.pk}/decide/",
        {"decision": "block", "reason_code": "violence", "note": "Threat in line 2"},
        follow=True,
    )
    assert f"Blocked message {task.message_id}: Violence or threats." in response.content.decode()
    message = Message.objects.get(pk=task.message_id)
    assert message.status == Message.Status.BLOCKED
    assert message.block_category == "violence"
    assert message.block_note == "Threat in line 2"


def test_deciding_an_unclaimed_task_is_refused(world, make_task):
    task = make_task()
    response = client_for(world.reviewer_1).post(
        f"/console/review/{task.pk}/decide/", {"decision": "approve"}, follow=True
    )
    assert "Claim this message before deciding on it." in response.content.decode()
    assert message_status(task) == Message.Status.IN_REVIEW


def test_deciding_a_task_someone_else_holds_is_refused(world, make_task, other_reviewer_1):
    client, task = claimed(world, make_task)
    response = client_for(other_reviewer_1).post(
        f"/console/review/{task.pk}/decide/",
        {"decision": "block", "reason_code": "other"},
        follow=True,
    )
    assert "Claim this message before deciding on it." in response.content.decode()
    assert message_status(task) == Message.Status.IN_REVIEW


def test_a_decided_task_shows_the_decision_and_no_buttons(world, make_task):
    client, task = claimed(world, make_task)
    client.post(f"/console/review/{task.pk}/decide/", {"decision": "approve"})
    page = client.get(f"/console/review/{task.pk}/").content.decode()
    assert "<strong>Approve</strong> by rev1" in page
    assert "Claim</button>" not in page
    response = client.post(f"/console/review/{task.pk}/claim/", follow=True)
    assert "already been decided" in response.content.decode()


def test_investigator_can_neither_open_nor_decide(world, make_task):
    task = make_task()
    client = client_for(world.investigator)
    assert client.get(f"/console/review/{task.pk}/").status_code == 403
    assert client.post(f"/console/review/{task.pk}/claim/").status_code == 403
    response = client.post(f"/console/review/{task.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.claimed_by is None and task.status == ReviewTask.Status.OPEN
    assert message_status(task) == Message.Status.IN_REVIEW
