"""The console's appeal pages through real HTTP: the desk, one appeal and its decision, the
rates. What staff notice: whose appeal it is, what was blocked and why the person
disagrees (escaped), who may decide, what deciding does, and that staff of another
facility see nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from homeward import builders as t
from homeward.core import clock, keyset
from homeward.core.models import AuditEvent
from homeward.enforcement import appeals, restrictions
from homeward.enforcement.models import Appeal
from homeward.messaging.models import Message
from homeward.people.models import StaffMembership, User
from homeward.personas import blocked_by_reviewer, client_for

Role = StaffMembership.Role

SCRIPT = "<script>alert(1)</script>"
BODY = f"Grandma's pozole recipe {SCRIPT} with chiles"
STATEMENT = f"It is only a recipe {SCRIPT} for the holidays"
SOMEONE_ELSE_DECIDES = "You made the decision appealed, so someone else decides it."


def blocked(world, body: str = BODY) -> Message:  # type: ignore[no-untyped-def]
    """A message from Ana to Maria, blocked by rev1 for drugs."""
    return blocked_by_reviewer(
        world.reviewer_1,
        sender=world.contact_a,
        connection_id=world.contact_a.connections.get().pk,
        body=body,
        reason="drugs",
    )


def appealed(world, statement: str = STATEMENT) -> Appeal:  # type: ignore[no-untyped-def]
    message = blocked(world)
    return appeals.appeal_message(
        appellant=world.contact_a, message_id=message.pk, statement=statement
    )


@pytest.fixture
def rev3(world) -> User:  # type: ignore[no-untyped-def]
    """A second reviewer at Greenhaven: appeals of rev1's blocks go to them."""
    return t.make_staff("rev3", role=Role.REVIEWER, facility=world.facility_1)


def page(client, path: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def row_of(html: str, appeal: Appeal) -> str:
    return html.split(f'id="appeal-row-{appeal.pk}"')[1].split("</tr>")[0]


def decide(client, appeal: Appeal, outcome: str = "overturned", reason: str = "A recipe", **kw):  # type: ignore[no-untyped-def]
    return client.post(
        f"/console/appeals/{appeal.pk}/decide/", {"outcome": outcome, "reason": reason}, **kw
    )


def still_open(appeal: Appeal) -> bool:
    appeal.refresh_from_db()
    return appeal.status == Appeal.Status.OPEN and appeal.decided_by_id is None


def decisions_audited() -> int:
    return AuditEvent.objects.filter(action__in=["appeal.upheld", "appeal.overturned"]).count()


# --- the desk ------------------------------------------------------------------------------


def test_the_desk_lists_the_open_appeal_as_yours_for_the_person_assigned(world, rev3):
    appeal = appealed(world)
    assert appeal.assigned_to == rev3
    mine = page(client_for(rev3), "/console/appeals/")
    row = row_of(mine, appeal)
    assert "<td>You</td>" in row
    assert "Greenhaven Correctional" in row and "A blocked message" in row
    assert "Ana Lopez" in row
    assert f'href="/console/appeals/{appeal.pk}/"' in row
    # The facility admin sees the same appeal, assigned to rev3 by name.
    theirs = row_of(page(client_for(world.facility_admin), "/console/appeals/"), appeal)
    assert "<td>rev3</td>" in theirs and "You" not in theirs


def test_without_another_reviewer_the_facility_admin_gets_it(world):
    appeal = appealed(world)
    assert appeal.assigned_to == world.facility_admin
    row = row_of(page(client_for(world.facility_admin), "/console/appeals/"), appeal)
    assert "<td>You</td>" in row
    # The reviewer who blocked it sees it on the desk, assigned to someone else.
    assert "<td>admin1</td>" in row_of(
        page(client_for(world.reviewer_1), "/console/appeals/"), appeal
    )


def test_staff_of_another_facility_see_nothing_and_cannot_decide(world, rev3):
    appeal = appealed(world)
    other = client_for(world.reviewer_2)
    desk = page(other, "/console/appeals/")
    assert f"appeal-row-{appeal.pk}" not in desk and "No appeal is waiting." in desk
    assert other.get(f"/console/appeals/{appeal.pk}/").status_code == 404
    assert decide(other, appeal).status_code == 404
    other_admin = t.make_staff("admin2", role=Role.FACILITY_ADMIN, facility=world.facility_2)
    assert decide(client_for(other_admin), appeal, "upheld").status_code == 404
    assert still_open(appeal) and decisions_audited() == 0
    assert Message.objects.get(pk=appeal.message_id).status == Message.Status.BLOCKED


def test_an_unknown_appeal_is_404(world):
    admin = client_for(world.facility_admin)
    assert admin.get("/console/appeals/999999/").status_code == 404
    assert admin.post("/console/appeals/999999/decide/", {"outcome": "upheld"}).status_code == 404


def test_the_desk_pages_fifty_at_a_time_own_appeals_first(world, rev3):
    """Appeal rows made directly (this tests the page, not filing): 53 open (rev3's own
    three first, then the admin's fifty, each most urgent first) and 1 decided. Pages follow
    their "Next page" link; no page number, no count."""
    sender = world.contact_a
    connection = sender.connections.get()
    first = blocked(world, "one")
    now = clock.now()
    made = []
    for number in range(54):
        message = first if number == 0 else _copy_blocked(first, connection, number)
        made.append(
            Appeal.objects.create(
                facility=world.facility_1,
                message=message,
                contact=sender,
                statement=f"Appeal number {number}",
                decided_against=world.reviewer_1,
                assigned_to=rev3 if number % 17 == 5 else world.facility_admin,
                assigned_as=Appeal.Assigned.REVIEWER,
                due_at=now + dt.timedelta(hours=number),
                created_at=now,
            )
        )
    decided = made[-1]
    Appeal.objects.filter(pk=decided.pk).update(status=Appeal.Status.UPHELD)
    still_open = made[:-1]
    mine = [a for a in still_open if a.assigned_to_id == rev3.pk]
    expected = [str(a.pk) for a in mine + [a for a in still_open if a not in mine]]
    client = client_for(rev3)
    listed, pages, path = [], 0, "/console/appeals/"
    while path:
        html = page(client, path)
        rows = re.findall(r'id="appeal-row-(\d+)"', html)
        assert len(rows) == (50 if not pages else 3), (pages, len(rows))
        listed += rows
        pages += 1
        after = re.search(r'<a href="\?after=([^"]+)">Next page</a>', html)
        path = f"/console/appeals/?after={after[1]}" if after else ""
        assert ("Back to the front of the desk" in html) == (pages > 1)
    assert pages == 2 and len(mine) == 3
    # Their own first, then most urgent first, every open appeal once, the decided one nowhere.
    assert listed == expected
    # A cursor that is not one reads from the front; one past the end says so.
    assert (
        re.findall(r'id="appeal-row-(\d+)"', page(client, "/console/appeals/?after=x"))
        == (expected[:50])
    )
    last = still_open[-1]
    past = page(client, f"/console/appeals/?after=others-{keyset.token(last.due_at, last.pk)}")
    assert "No more appeals after that page." in past and "appeal-row-" not in past


def test_a_desk_page_of_only_ones_own_appeals_leads_on_to_the_others(world, rev3):
    """Exactly a page of one's own appeals: the next page starts the others'."""
    sender = world.contact_a
    connection = sender.connections.get()
    first = blocked(world, "one")
    now = clock.now()
    for number in range(appeals.DESK_PAGE + 1):
        Appeal.objects.create(
            facility=world.facility_1,
            message=first if number == 0 else _copy_blocked(first, connection, number),
            contact=sender,
            statement=f"Appeal number {number}",
            decided_against=world.reviewer_1,
            assigned_to=world.facility_admin if number == 0 else rev3,
            assigned_as=Appeal.Assigned.REVIEWER,
            due_at=now + dt.timedelta(hours=number),
            created_at=now,
        )
    one = appeals.desk_page(rev3)
    assert [a.assigned_to_id for a in one.appeals] == [rev3.pk] * appeals.DESK_PAGE
    assert one.next == "others"
    two = appeals.desk_page(rev3, after=one.next)
    assert [a.assigned_to_id for a in two.appeals] == [world.facility_admin.pk]
    assert two.next is None


def _copy_blocked(first: Message, connection, number: int) -> Message:  # type: ignore[no-untyped-def]
    """Another blocked message like ``first`` (a row, not through review)."""
    return Message.objects.create(
        connection=connection,
        facility=first.facility,
        resident_id=connection.resident_id,
        contact_id=connection.contact_id,
        direction=first.direction,
        body=f"message {number}",
        status=Message.Status.BLOCKED,
        created_at=first.created_at,
        blocked_at=first.blocked_at,
        block_category=first.block_category,
    )


# --- one appeal ----------------------------------------------------------------------------


def test_the_appeal_shows_the_statement_and_the_blocked_message_escaped(world, rev3):
    world.contact_a.display_name = f"Ana {SCRIPT}"
    world.contact_a.save()
    appeal = appealed(world)
    assert SCRIPT not in page(client_for(rev3), "/console/appeals/")
    html = page(client_for(rev3), f"/console/appeals/{appeal.pk}/")
    assert SCRIPT not in html and "Ana &lt;script&gt;" in html
    assert "It is only a recipe &lt;script&gt;alert(1)&lt;/script&gt; for the holidays" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; with chiles" in html
    assert "Grandma&#x27;s pozole recipe" in html
    assert "Drugs" in html or "drugs" in html
    assert "by rev1" in html
    assert "Waiting for a decision" in html
    assert f'action="/console/appeals/{appeal.pk}/decide/"' in html
    assert SOMEONE_ELSE_DECIDES not in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_opening_an_appeal_is_an_audited_read_of_the_blocked_message(world, rev3):
    appeal = appealed(world)
    for staff in (rev3, world.investigator):
        page(client_for(staff), f"/console/appeals/{appeal.pk}/")
    viewed = AuditEvent.objects.filter(action="message.viewed", object_id=str(appeal.message_id))
    assert viewed.count() == 2
    # Refused staff read nothing, so nothing is recorded for them.
    client_for(world.reviewer_2).get(f"/console/appeals/{appeal.pk}/")
    assert viewed.count() == 2


def test_an_appeal_past_its_due_time_is_marked_overdue(world, rev3):
    appeal = appealed(world)
    assert "Overdue" not in row_of(page(client_for(rev3), "/console/appeals/"), appeal)
    with clock.frozen_at(appeal.due_at + dt.timedelta(minutes=1)):
        assert "Overdue" in row_of(page(client_for(rev3), "/console/appeals/"), appeal)


def test_an_appeal_of_a_suspension_shows_it_and_goes_to_an_admin(world):
    suspension = restrictions.impose(
        staff=world.facility_admin,
        facility=world.facility_1,
        subject=world.contact_a,
        kind="suspension",
        reason="Threats <em>twice</em>",
        ends_at=clock.now() + dt.timedelta(days=5),
    )
    admin2 = t.make_staff("admin1b", role=Role.FACILITY_ADMIN, facility=world.facility_1)
    appeal = appeals.appeal_restriction(
        appellant=world.contact_a, restriction_id=suspension.pk, statement="I did not threaten."
    )
    assert appeal.assigned_to == admin2
    assert "A suspension" in row_of(page(client_for(admin2), "/console/appeals/"), appeal)
    html = page(client_for(admin2), f"/console/appeals/{appeal.pk}/")
    assert "<h2>The suspension</h2>" in html and "Threats &lt;em&gt;twice&lt;/em&gt;" in html
    assert "messaging comes back" in html
    assert SOMEONE_ELSE_DECIDES in page(
        client_for(world.facility_admin), f"/console/appeals/{appeal.pk}/"
    )
    assert decide(client_for(world.facility_admin), appeal).status_code == 403
    assert decide(client_for(admin2), appeal, "overturned", "No threat").status_code == 302
    suspension.refresh_from_db()
    assert suspension.lifted_at is not None


def test_the_reviewer_who_blocked_is_told_someone_else_decides_and_is_refused(world, rev3):
    appeal = appealed(world)
    client = client_for(world.reviewer_1)
    html = page(client, f"/console/appeals/{appeal.pk}/")
    assert SOMEONE_ELSE_DECIDES in html
    assert "/decide/" not in html and 'name="outcome"' not in html
    for outcome in ("upheld", "overturned"):
        refused = decide(client, appeal, outcome, "I stand by it")
        assert refused.status_code == 403
        assert "someone else decides the appeal" in refused.content.decode()
    assert still_open(appeal) and decisions_audited() == 0
    assert not AuditEvent.objects.filter(action="appeal.upheld").exists()
    assert Message.objects.get(pk=appeal.message_id).status == Message.Status.BLOCKED


def test_an_investigator_reads_it_but_is_refused_a_decision(world, rev3):
    appeal = appealed(world)
    client = client_for(world.investigator)
    html = page(client, f"/console/appeals/{appeal.pk}/")
    assert "This appeal is assigned to rev3." in html and 'name="outcome"' not in html
    refused = decide(client, appeal, "upheld", "It stands")
    assert refused.status_code == 403
    assert "assigned to someone else" in refused.content.decode()
    assert still_open(appeal) and decisions_audited() == 0


def test_the_person_assigned_overturns_and_the_message_is_delivered(world, rev3, run_jobs):
    appeal = appealed(world)
    client = client_for(rev3)
    response = decide(client, appeal, "overturned", "It is a <b>recipe</b>")
    assert response.status_code == 302 and response["Location"] == "/console/appeals/"
    desk = client.get(response["Location"]).content.decode()
    assert "Decided. The person who appealed is told." in desk
    assert f"appeal-row-{appeal.pk}" not in desk and "No appeal is waiting." in desk
    run_jobs()
    message = Message.objects.get(pk=appeal.message_id)
    assert message.status == Message.Status.DELIVERED
    assert AuditEvent.objects.filter(action="appeal.overturned").count() == 1
    html = page(client, f"/console/appeals/{appeal.pk}/")
    assert "Decided by rev3 on" in html and "overturned" in html
    assert "It is a &lt;b&gt;recipe&lt;/b&gt;" in html and "<b>recipe</b>" not in html
    assert 'name="outcome"' not in html
    # Deciding again changes nothing and says so.
    again = decide(client, appeal, "upheld", "Changed my mind", follow=True)
    assert "Nothing was changed: This appeal was already decided." in again.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OVERTURNED and decisions_audited() == 1


def test_a_facility_admin_who_is_not_assigned_may_uphold(world, rev3):
    appeal = appealed(world)
    client = client_for(world.facility_admin)
    assert 'name="outcome"' in page(client, f"/console/appeals/{appeal.pk}/")
    assert decide(client, appeal, "upheld", "Drug talk").status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD and appeal.decided_by == world.facility_admin
    assert Message.objects.get(pk=appeal.message_id).status == Message.Status.BLOCKED


@pytest.mark.parametrize(
    ("form", "said"),
    [
        ({"outcome": "overturned", "reason": "   "}, "Say why: the person is told."),
        ({"outcome": "overturned"}, "Say why: the person is told."),
        ({"outcome": "maybe", "reason": "Hmm"}, "Uphold or overturn."),
        ({"reason": "Hmm"}, "Uphold or overturn."),
    ],
)
def test_a_decision_without_a_reason_or_outcome_changes_nothing(world, rev3, form, said):
    appeal = appealed(world)
    client = client_for(rev3)
    response = client.post(f"/console/appeals/{appeal.pk}/decide/", form)
    assert response.status_code == 302 and response["Location"] == f"/console/appeals/{appeal.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert f"Nothing was changed: {said}" in html
    assert 'name="outcome"' in html  # still open, the form is still there
    assert still_open(appeal) and decisions_audited() == 0


def test_deciding_is_a_post(world, rev3):
    appeal = appealed(world)
    assert client_for(rev3).get(f"/console/appeals/{appeal.pk}/decide/").status_code == 405
    assert still_open(appeal)


# --- the rates -----------------------------------------------------------------------------


def test_the_report_shows_the_facilitys_counts_and_rev1s_overturn_rate(world, rev3):
    appeal = appealed(world)
    blocked(world, "A second blocked message, not appealed")
    assert decide(client_for(rev3), appeal, "overturned", "A recipe").status_code == 302
    html = page(client_for(world.facility_admin), "/console/appeals/report/")
    section = html.split('id="facility-greenhaven"')[1].split("</section>")[0]
    assert "Greenhaven Correctional" in section
    assert "2 blocked · 1 appealed (50%) · 1 decided, 1 overturned (100%) · 0 open" in section
    assert "<tr><td>rev1</td><td>1</td><td>1</td><td>100%</td></tr>" in section
    # Staff of the other facility see their own facility only.
    theirs = page(client_for(world.reviewer_2), "/console/appeals/report/")
    assert 'id="facility-greenhaven"' not in theirs and "Greenhaven" not in theirs
    assert 'id="facility-travis-jail"' in theirs
    assert "0 blocked · 0 appealed (—) · 0 decided, 0 overturned (—) · 0 open" in theirs


def test_the_report_counts_an_open_appeal_as_open(world, rev3):
    appealed(world)
    html = page(client_for(rev3), "/console/appeals/report/")
    section = html.split('id="facility-greenhaven"')[1].split("</section>")[0]
    assert "1 blocked · 1 appealed (100%) · 0 decided, 0 overturned (—) · 1 open" in section
    assert "Overturned, by whose block it was" not in section


def test_signed_out_visitors_are_sent_to_sign_in(world, rev3):
    from django.test import Client

    appeal = appealed(world)
    for path in ("/console/appeals/", f"/console/appeals/{appeal.pk}/", "/console/appeals/report/"):
        response = Client().get(path)
        assert response.status_code == 302 and "/console/signin/" in response["Location"]
    response = Client().post(f"/console/appeals/{appeal.pk}/decide/", {"outcome": "upheld"})
    assert response.status_code == 302 and still_open(appeal)
