"""The review desk built for speed: the next message opens straight after a decision, a
decision can be undone for a few seconds and nothing of it happens before, a reviewer
escalates to a supervisor's own queue, and the queue and the item show what a reviewer
needs to decide at a glance."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from homeward.connections import services as connections
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.enforcement import restrictions
from homeward.jobs import services as jobs
from homeward.messaging.models import Message
from homeward.personas import client_for
from homeward.review import services as review
from homeward.review.models import ReviewTask

S = Message.Status


@pytest.fixture
def undo_window(settings):  # type: ignore[no-untyped-def]
    settings.REVIEW_UNDO_SECONDS = 5


def take_next(client) -> ReviewTask:  # type: ignore[no-untyped-def]
    response = client.post("/console/queue/next/")
    return ReviewTask.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_the_next_message_opens_straight_after_a_decision_with_an_undo(
    world, make_task, undo_window
):
    first, second = make_task("First letter"), make_task("Second letter")
    reviewer = client_for(world.reviewer_1)
    assert take_next(reviewer) == first
    now = clock.now()
    with clock.frozen_at(now):
        decided = reviewer.post(f"/console/review/{first.pk}/decide/", {"decision": "approve"})
        assert decided["Location"] == f"/console/review/{second.pk}/"
        page = reviewer.get(decided["Location"]).content.decode()
    assert f"Approved message {first.message_id}. It takes effect in 5 seconds." in page
    assert "Second letter" in page
    # Nothing has happened yet: the message waits for the window to pass.
    assert Message.objects.get(pk=first.message_id).status == S.IN_REVIEW
    with clock.frozen_at(now + dt.timedelta(seconds=6)):
        assert "takes effect" not in reviewer.get(decided["Location"]).content.decode()
        jobs.run_pending("test")
    assert Message.objects.get(pk=first.message_id).status == S.DELIVERED


def test_an_undo_takes_the_decision_back_and_nothing_of_it_happens(
    world, make_task, undo_window, run_jobs
):
    task = make_task("Meet me by the fence")
    reviewer = client_for(world.reviewer_1)
    take_next(reviewer)
    now = clock.now()
    with clock.frozen_at(now):
        reviewer.post(
            f"/console/review/{task.pk}/decide/", {"decision": "block", "reason_code": "escape"}
        )
        page = reviewer.post(f"/console/review/{task.pk}/undo/", follow=True).content.decode()
    assert "Undone: nothing was decided." in page
    task.refresh_from_db()
    assert task.status == ReviewTask.Status.OPEN and task.claimed_by == world.reviewer_1
    assert task.decision == ""
    with clock.frozen_at(now + dt.timedelta(seconds=10)):
        run_jobs()  # the decision's job finds nothing to apply
    message = Message.objects.get(pk=task.message_id)
    assert message.status == S.IN_REVIEW and not hasattr(message, "violation")
    assert restrictions.on(message.connection) is None  # escape would have suspended
    assert AuditEvent.objects.filter(action="review.undone").count() == 1


def test_too_late_to_undo_and_never_someone_elses(world, make_task, undo_window):
    task = make_task()
    reviewer = client_for(world.reviewer_1)
    take_next(reviewer)
    now = clock.now()
    with clock.frozen_at(now):
        reviewer.post(f"/console/review/{task.pk}/decide/", {"decision": "approve"})
        admin = client_for(world.facility_admin)
        page = admin.post(f"/console/review/{task.pk}/undo/", follow=True).content.decode()
        assert "Only the reviewer who decided can undo it." in page
    with clock.frozen_at(now + dt.timedelta(seconds=6)):
        page = reviewer.post(f"/console/review/{task.pk}/undo/", follow=True).content.decode()
    assert "Too late to undo" in page
    task.refresh_from_db()
    assert task.status == ReviewTask.Status.DECIDING and task.decision == "approve"


def test_a_message_returned_during_the_window_is_not_decided_after_all(
    world, make_task, undo_window, run_jobs
):
    task = make_task()
    reviewer = client_for(world.reviewer_1)
    take_next(reviewer)
    now = clock.now()
    with clock.frozen_at(now):
        reviewer.post(f"/console/review/{task.pk}/decide/", {"decision": "approve"})
        connections.staff_end(
            staff=world.facility_admin,
            connection_id=task.message.connection_id,
            reason="Court order",
        )
    with clock.frozen_at(now + dt.timedelta(seconds=10)):
        run_jobs()
    task.refresh_from_db()
    assert task.status == ReviewTask.Status.CANCELLED
    assert Message.objects.get(pk=task.message_id).status == S.RETURNED


def test_a_reviewer_escalates_to_the_supervisors_queue(world, make_task):
    task = make_task("Is this a threat or a song lyric?")
    reviewer = client_for(world.reviewer_1)
    take_next(reviewer)
    reviewer.post(f"/console/review/{task.pk}/escalate/", {"note": "Could be a lyric"})
    task.refresh_from_db()
    assert task.escalated_by == world.reviewer_1 and task.claimed_by is None
    # Out of the reviewers' queue; a reviewer may not take it.
    assert "Nothing is waiting for review" in reviewer.get("/console/queue/").content.decode()
    assert review.claim_next(staff=world.reviewer_1) is None
    assert reviewer.get("/console/queue/escalated/").status_code == 403
    # The supervisor sees it with the note, takes it and decides.
    admin = client_for(world.facility_admin)
    queue = admin.get("/console/queue/escalated/").content.decode()
    assert "Could be a lyric" in queue and "Is this a threat or a song lyric?" in queue
    response = admin.post("/console/queue/next/", {"queue": "escalated"})
    assert response["Location"] == f"/console/review/{task.pk}/"
    admin.post(f"/console/review/{task.pk}/decide/", {"decision": "approve"})
    assert Message.objects.get(pk=task.message_id).status == S.APPROVED
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"review.escalated", "review.approve"} <= actions


def test_escalating_needs_a_note_and_the_claim(world, make_task):
    task = make_task()
    reviewer = client_for(world.reviewer_1)
    page = reviewer.post(
        f"/console/review/{task.pk}/escalate/", {"note": "Why"}, follow=True
    ).content.decode()
    assert "Claim this message before escalating it." in page
    take_next(reviewer)
    page = reviewer.post(
        f"/console/review/{task.pk}/escalate/", {"note": " "}, follow=True
    ).content.decode()
    assert "Say what the supervisor should look at." in page
    task.refresh_from_db()
    assert task.escalated_at is None


def test_the_queue_shows_the_first_lines_sender_categories_and_due_time(world, make_task):
    from homeward.screening.models import Rule

    Rule.objects.create(
        facility=world.facility_1, pattern="tunnel", category="escape", action="flag"
    )
    make_task("The tunnel behind the laundry is finished " + "and more words " * 30)
    page = client_for(world.reviewer_1).get("/console/queue/").content.decode()
    assert "The tunnel behind the laundry is finished and more words" in page
    assert "…" in page  # a long message is cut to its first lines
    assert "Ana Lopez" in page and "Escape or security risk" in page and "Due" in page


def test_the_queue_is_read_from_the_front_a_page_at_a_time(world, make_task):
    for n in range(52):
        make_task(f"Letter {n}")
    client = client_for(world.reviewer_1)
    first = client.get("/console/queue/").content.decode()
    assert first.count('class="task-row"') == 50
    assert "Back to the front" not in first
    found = re.search(r'href="\?after=([0-9.\-]+)">Next page</a>', first)
    assert found, first
    second = client.get(f"/console/queue/?after={found[1]}").content.decode()
    assert second.count('class="task-row"') == 2
    assert "Next page" not in second
    assert '<a href="/console/queue/">Back to the front of the queue</a>' in second
    # Every task once, the most urgent first (made one after the other, each is due a
    # little after the one before).
    shown = re.findall(r"Letter (\d+)", first) + re.findall(r"Letter (\d+)", second)
    assert shown == [str(n) for n in range(52)]
    # A cursor that is not one reads from the front.
    assert client.get("/console/queue/?after=x").content.decode().count('class="task-row"') == 50


def test_the_item_shows_the_conversation_and_the_senders_suspensions(world, make_task):
    make_task("An earlier letter about the garden")
    restrictions.impose(
        staff=world.facility_admin,
        facility=world.facility_1,
        subject=world.contact_a,
        kind="suspension",
        reason="Threats last spring",
        starts_at=clock.now() + dt.timedelta(days=1),
        ends_at=clock.now() + dt.timedelta(days=3),
    )
    task = make_task("The latest letter")
    page = client_for(world.reviewer_1).get(f"/console/review/{task.pk}/").content.decode()
    recent = page.split('id="recent-messages"')[1].split("</div>")[0]
    assert "An earlier letter about the garden" in recent
    assert "The latest letter" not in recent
    assert "Threats last spring" in page.split('id="sender-record"')[1]


def test_the_shortcuts_are_shown_and_can_be_turned_off(world, make_task):
    make_task()
    reviewer = client_for(world.reviewer_1)
    task = take_next(reviewer)
    page = reviewer.get(f"/console/review/{task.pk}/").content.decode()
    assert "<kbd>A</kbd> approve" in page and "data-shortcut-toggle" in page
    assert 'data-shortcut-form="approve"' in page and 'data-shortcut-form="block"' in page
    assert "<kbd>1</kbd> Escape or security risk" in page


def test_another_facilitys_reviewer_cannot_touch_the_desk_actions(world, make_task):
    task = make_task()
    other = client_for(world.reviewer_2)
    for action, data in (("undo", {}), ("escalate", {"note": "x"}), ("skip", {})):
        assert other.post(f"/console/review/{task.pk}/{action}/", data).status_code == 404
    task.refresh_from_db()
    assert task.status == ReviewTask.Status.OPEN and task.escalated_at is None
