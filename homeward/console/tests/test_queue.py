"""The review queue: what a reviewer sees, and claiming work under a lease."""

from __future__ import annotations

import datetime as dt

from homeward.core import clock
from homeward.personas import client_for
from homeward.review.models import ReviewTask


def test_queue_shows_own_facilities_tasks_most_urgent_first(world, make_task, facility_2_task):
    later = make_task("First message")
    sooner = make_task("Second message")
    now = clock.now()
    ReviewTask.objects.filter(pk=later.pk).update(due_at=now + dt.timedelta(hours=5))
    ReviewTask.objects.filter(pk=sooner.pk).update(due_at=now - dt.timedelta(hours=1))

    page = client_for(world.reviewer_1).get("/console/queue/").content.decode()

    assert f'data-task="{facility_2_task.pk}"' not in page
    assert page.index(f'data-task="{sooner.pk}"') < page.index(f'data-task="{later.pk}"')
    assert "Overdue" in page
    assert "Greenhaven Correctional" in page
    assert "Facility reviews every message" in page
    assert "From the contact to the resident" in page


def test_due_time_is_shown_in_the_facility_timezone(world, make_task):
    task = make_task()
    due = dt.datetime(2026, 7, 6, 18, 30, tzinfo=dt.UTC)  # 14:30 in New York (EDT)
    ReviewTask.objects.filter(pk=task.pk).update(due_at=due)
    page = client_for(world.reviewer_1).get("/console/queue/").content.decode()
    assert "Mon 6 Jul 2026, 14:30 EDT" in page


def test_reviewer_at_facility_2_sees_only_facility_2(world, make_task, facility_2_task):
    mine = make_task()
    page = client_for(world.reviewer_2).get("/console/queue/").content.decode()
    assert f'data-task="{facility_2_task.pk}"' in page
    assert f'data-task="{mine.pk}"' not in page


def test_investigator_cannot_open_the_queue(world, make_task):
    make_task()
    response = client_for(world.investigator).get("/console/queue/")
    assert response.status_code == 403


def test_claim_holds_the_task_for_the_reviewer(world, make_task):
    task = make_task()
    client = client_for(world.reviewer_1)
    response = client.post(f"/console/review/{task.pk}/claim/", follow=True)
    task.refresh_from_db()
    assert task.claimed_by == world.reviewer_1
    assert "Approve and deliver" in response.content.decode()
    queue = client.get("/console/queue/").content.decode()
    assert "You" in queue


def test_second_reviewer_cannot_claim_a_held_task(world, make_task, other_reviewer_1):
    task = make_task()
    client_for(world.reviewer_1).post(f"/console/review/{task.pk}/claim/")
    other = client_for(other_reviewer_1)

    page = other.get(f"/console/review/{task.pk}/").content.decode()
    assert "<strong>rev1</strong> is working on this message" in page

    response = other.post(f"/console/review/{task.pk}/claim/", follow=True)
    assert "rev1 is already working on this message" in response.content.decode()
    task.refresh_from_db()
    assert task.claimed_by == world.reviewer_1


def test_an_expired_lease_can_be_claimed_by_someone_else(world, make_task, other_reviewer_1):
    task = make_task()
    client_for(world.reviewer_1).post(f"/console/review/{task.pk}/claim/")
    with clock.frozen_at(clock.now() + dt.timedelta(hours=1)):
        client_for(other_reviewer_1).post(f"/console/review/{task.pk}/claim/")
    task.refresh_from_db()
    assert task.claimed_by == other_reviewer_1


def test_take_next_skips_tasks_held_by_others(world, make_task, other_reviewer_1):
    first = make_task("one")
    second = make_task("two")
    ReviewTask.objects.filter(pk=second.pk).update(due_at=first.due_at + dt.timedelta(minutes=5))
    client_for(world.reviewer_1).post(f"/console/review/{first.pk}/claim/")

    response = client_for(other_reviewer_1).post("/console/queue/next/")

    assert response["Location"] == f"/console/review/{second.pk}/"
    second.refresh_from_db()
    assert second.claimed_by == other_reviewer_1


def test_take_next_with_nothing_free_says_so(world, make_task, other_reviewer_1):
    task = make_task()
    client_for(world.reviewer_1).post(f"/console/review/{task.pk}/claim/")
    response = client_for(other_reviewer_1).post("/console/queue/next/", follow=True)
    assert response.redirect_chain[-1][0] == "/console/queue/"
    assert "Nothing waiting" in response.content.decode()


def test_release_puts_the_task_back(world, make_task):
    task = make_task()
    client = client_for(world.reviewer_1)
    client.post(f"/console/review/{task.pk}/claim/")
    response = client.post(f"/console/review/{task.pk}/release/", follow=True)
    assert "back in the queue" in response.content.decode()
    task.refresh_from_db()
    assert task.claimed_by is None


def test_dashboard_counts_open_and_overdue_tasks(world, make_task):
    task = make_task()
    make_task("another")
    ReviewTask.objects.filter(pk=task.pk).update(due_at=clock.now() - dt.timedelta(hours=2))
    page = client_for(world.reviewer_1).get("/console/").content.decode()
    assert "<strong>2</strong> messages waiting for review" in page
    assert "<strong>1 overdue</strong>" in page
    assert "Greenhaven Correctional" in page
    assert "Travis County Jail" not in page


def test_agency_admin_works_the_queue_of_every_agency_facility(world, make_task, facility_2_task):
    from homeward import builders as t
    from homeward.people.models import StaffMembership

    task = make_task()
    admin = t.make_staff(
        "agency1",
        role=StaffMembership.Role.AGENCY_ADMIN,
        agency=world.facility_1.agency,
    )
    page = client_for(admin).get("/console/queue/").content.decode()
    assert f'data-task="{task.pk}"' in page
    assert f'data-task="{facility_2_task.pk}"' not in page
    assert client_for(admin).get("/console/jobs/").status_code == 200
