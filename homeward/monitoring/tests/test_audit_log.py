"""The audit log for agency admins: their agency's events only, filtered, paged, as CSV; the
chain checked on demand and shown broken after tampering; reading, downloading and checking
recorded; everyone else refused with nothing recorded."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client

from homeward import builders as t
from homeward.core import audit
from homeward.core.models import AuditEvent
from homeward.people.models import StaffMembership
from homeward.personas import client_for

Role = StaffMembership.Role
LOG = "/console/audit/"


@pytest.fixture
def agency_admin(world):
    return t.make_staff("agadmin", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency)


@pytest.fixture
def events(world):
    """Events at each agency's facility, one by a staff member with no facility, one by a
    contact with no facility."""
    return {
        "ours": audit.record(
            actor=world.reviewer_1,
            action="message.blocked",
            object_type="message",
            object_id=11,
            facility_id=world.facility_1.pk,
            data={"category": "threats"},
        ),
        "theirs": audit.record(
            actor=world.reviewer_2,
            action="message.blocked",
            object_type="message",
            object_id=22,
            facility_id=world.facility_2.pk,
        ),
        "search": audit.record(
            actor=world.investigator, action="message.searched", data={"query": "knife"}
        ),
        "contact": audit.record(actor=world.contact_a.user, action="contact.password_changed"),
    }


def shown(client: Client, **params: str) -> list[int]:
    response = client.get(LOG, params)
    assert response.status_code == 200, response.status_code
    return [int(pk) for pk in re.findall(r'id="event-(\d+)"', response.content.decode())]


def test_an_agency_admin_reads_their_agencys_events_only(world, agency_admin, events):
    seen = shown(client_for(agency_admin))
    assert events["ours"].pk in seen and events["search"].pk in seen
    assert events["theirs"].pk not in seen and events["contact"].pk not in seen


def test_filters(world, agency_admin, events):
    client = client_for(agency_admin)
    ours, search = events["ours"].pk, events["search"].pk
    assert shown(client, action="message.blocked") == [ours]
    assert set(shown(client, action="message.")) >= {ours, search}
    assert shown(client, actor="inv1", action="message") == [search]
    assert shown(client, object_type="message", object_id="11") == [ours]
    assert shown(client, object_type="message", object_id="22") == []  # the other agency's
    assert shown(client, facility=str(world.facility_1.pk), action="message") == [ours]
    response = client.get(LOG, {"facility": str(world.facility_2.pk)})
    assert "Select a valid choice" in response.content.decode()
    assert shown(client, action="message", since="2000-01-01", until="2000-01-02") == []


def test_reading_and_downloading_are_recorded_and_the_csv_is_scoped(world, agency_admin, events):
    client = client_for(agency_admin)
    shown(client, action="message.blocked")
    read = AuditEvent.objects.filter(action="audit.read").get()
    assert read.actor_user_id == agency_admin.pk
    assert read.data["filters"] == {"action": "message.blocked"} and read.data["shown"] == 1
    response = client.get("/console/audit/export.csv", {"action": "message."})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["id", "at", "actor", "action"]
    ids = {int(row[0]) for row in rows[1:]}
    assert {events["ours"].pk, events["search"].pk} <= ids
    assert events["theirs"].pk not in ids
    exported = AuditEvent.objects.filter(action="audit.exported").get()
    assert exported.data["filters"] == {"action": "message."}


def test_pages_go_back_in_time(world, agency_admin):
    made = [
        audit.record(actor=world.reviewer_1, action="bench.page", facility_id=world.facility_1.pk)
        for _ in range(60)
    ]
    client = client_for(agency_admin)
    page = client.get(LOG, {"action": "bench.page"}).content.decode()
    first = [int(pk) for pk in re.findall(r'id="event-(\d+)"', page)]
    assert first == [e.pk for e in reversed(made)][:50]
    link = re.search(r'href="\?([^"]+)">Older events', page).group(1).replace("&amp;", "&")
    second = [
        int(pk)
        for pk in re.findall(r'id="event-(\d+)"', client.get(LOG + "?" + link).content.decode())
    ]
    assert second == [e.pk for e in reversed(made)][50:]


def test_the_chain_is_checked_and_tampering_is_shown(world, agency_admin, events):
    client = client_for(agency_admin)
    audit.seal()
    page = client.post("/console/audit/check/").content.decode()
    assert "The chain is intact" in page
    assert AuditEvent.objects.filter(action="audit.chain_checked").exists()
    AuditEvent.objects.filter(pk=events["ours"].pk).update(data={"category": "none"})
    page = client.post("/console/audit/check/").content.decode()
    assert f"at event {events['ours'].pk}" in page


@pytest.mark.parametrize("persona", ["facility_admin", "reviewer_1", "investigator", "contact_a"])
def test_everyone_else_is_refused_and_nothing_is_recorded(world, events, persona):
    person = getattr(world, persona)
    client = client_for(person.user if persona == "contact_a" else person)
    before = AuditEvent.objects.count()
    for response in (
        client.get(LOG),
        client.get("/console/audit/export.csv"),
        client.post("/console/audit/check/"),
    ):
        assert response.status_code == 403
        assert "message.blocked" not in response.content.decode()
    assert AuditEvent.objects.count() == before
    response = Client().get(LOG)
    assert response.status_code == 302 and "/console/signin/" in response["Location"]


def test_what_a_colleague_did_at_another_agency_stays_there(world, agency_admin):
    """A reviewer who also works for the other agency: their event at its facility is not
    ours, though their searches (no facility) are."""
    StaffMembership.objects.create(
        user=world.reviewer_1,
        agency=world.facility_2.agency,
        facility=world.facility_2,
        role=Role.REVIEWER,
    )
    there = audit.record(
        actor=world.reviewer_1, action="message.blocked", facility_id=world.facility_2.pk
    )
    nowhere = audit.record(actor=world.reviewer_1, action="resident.searched")
    seen = shown(client_for(agency_admin))
    assert there.pk not in seen and nowhere.pk in seen
