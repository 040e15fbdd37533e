"""The review desk's health on the console's overview: each reviewer's decisions per hour,
median time per decision and overturn rate on appeal; the oldest item and the overdue
count; only for the staff member's own facilities."""

from __future__ import annotations

import datetime as dt

from homeward import builders as t
from homeward.core import clock
from homeward.enforcement import appeals
from homeward.people.models import StaffMembership
from homeward.personas import client_for
from homeward.review import services as review

Role = StaffMembership.Role


def decide_at(world, task, start: dt.datetime, seconds: int, decision: str = "approve"):  # type: ignore[no-untyped-def]
    with clock.frozen_at(start):
        review.claim(staff=world.reviewer_1, task_id=task.pk)
    with clock.frozen_at(start + dt.timedelta(seconds=seconds)):
        review.decide(
            staff=world.reviewer_1,
            task_id=task.pk,
            decision=decision,
            reason_code="drugs" if decision == "block" else "",
        )


def desk_of(user) -> str:  # type: ignore[no-untyped-def]
    page = client_for(user).get("/console/").content.decode()
    return (
        page.split('id="desk-health"')[1].split("</div>")[0] if 'id="desk-health"' in page else ""
    )


def test_the_overview_shows_each_reviewers_pace_and_overturn_rate(world, make_task):
    t.make_staff("rev3", role=Role.REVIEWER, facility=world.facility_1)
    hour = clock.now().replace(minute=0, second=0, microsecond=0)
    first, second, third = make_task("One"), make_task("Two"), make_task("Three")
    decide_at(world, first, hour - dt.timedelta(hours=3, minutes=-5), 20)
    decide_at(world, second, hour - dt.timedelta(hours=3, minutes=-10), 40)
    decide_at(world, third, hour - dt.timedelta(hours=1, minutes=-5), 100, decision="block")
    appeal = appeals.appeal_message(
        appellant=world.contact_a, message_id=third.message_id, statement="A recipe"
    )
    appeals.decide(staff=appeal.assigned_to, appeal_id=appeal.pk, outcome="overturned", reason="ok")
    make_task("Still waiting")

    desk = desk_of(world.facility_admin)
    row = desk.split("<td>rev1</td>")[1].split("</tr>")[0]
    cells = [cell.split("</td>")[0] for cell in row.split("<td>")[1:]]
    # 3 decisions over 2 active hours; median of 20, 40 and 100 seconds; 1 of 1 overturned.
    assert cells == ["3", "1.5", "40 s", "1 of 1 (100%)"]
    assert "Overdue: <strong>0</strong>" in desk and "Oldest message waiting: since" in desk


def test_overdue_items_are_counted_and_other_facilities_see_nothing_of_them(world, make_task):
    task = make_task()
    with clock.frozen_at(task.due_at + dt.timedelta(hours=1)):
        assert "Overdue: <strong>1</strong>" in desk_of(world.reviewer_1)
        assert "Overdue: <strong>0</strong>" in desk_of(world.reviewer_2)
    decide_at(world, task, clock.now(), 5)
    assert "rev1" not in desk_of(world.reviewer_2)
    assert desk_of(world.investigator) == ""  # no review role: no desk
