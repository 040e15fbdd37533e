"""Searching residents and reading message histories, scoped to the staff member's facilities."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from homeward import builders as t
from homeward.connections.models import Connection
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.messaging import services as messaging
from homeward.personas import client_for
from homeward.screening.models import Rule


def test_search_finds_residents_of_own_facilities_only(world):
    client = client_for(world.reviewer_1)
    page = client.get("/console/residents/?q=ny1001").content.decode()
    assert "Maria Lopez" in page
    page = client.get("/console/residents/?q=Reed").content.decode()
    assert "James Reed" not in page
    assert "No resident of your facilities matches" in page
    assert (
        AuditEvent.objects.filter(action="resident.searched", actor_user=world.reviewer_1).count()
        == 2
    )


def test_investigator_can_search_by_name(world):
    page = client_for(world.investigator).get("/console/residents/?q=maria lop").content.decode()
    assert "Maria Lopez" in page


def test_history_shows_every_message_both_ways_and_is_audited(world, make_task, run_jobs):
    Rule.objects.create(
        facility=world.facility_1, pattern="blade", category="weapons", action="block"
    )
    waiting = make_task("See you <Sunday>")
    connection = world.contact_a.connections.get()
    blocked = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="hide the blade"
    ).message
    reply = messaging.send_message(
        sender=world.resident, connection_id=connection.pk, body="Thank you for writing"
    ).message
    run_jobs()

    page = client_for(world.investigator).get(f"/console/residents/{world.resident.pk}/")
    html = page.content.decode()

    assert "See you &lt;Sunday&gt;" in html
    # The rule's block and the concept layer's flag (hide + weapon) make one mark.
    assert '<mark class="hit hit-block" title="Weapons">hide the blade</mark>' in html
    assert "Not delivered" in html and "In review" in html
    assert "Thank you for writing" in html
    assert "Ana Lopez → Maria Lopez" in html and "Maria Lopez → Ana Lopez" in html
    event = AuditEvent.objects.get(action="resident.history_viewed")
    assert event.actor_user == world.investigator
    assert sorted(event.data["messages"]) == sorted([waiting.message_id, blocked.pk, reply.pk])


def test_contact_history_is_limited_to_own_facilities(world, run_jobs):
    elsewhere = t.connect(world.contact_a, world.resident_2)
    messaging.send_message(sender=world.contact_a, connection_id=elsewhere.pk, body="Texas note")
    here = world.contact_a.connections.get(resident=world.resident)
    messaging.send_message(sender=world.contact_a, connection_id=here.pk, body="New York note")
    run_jobs()

    page = client_for(world.reviewer_1).get(f"/console/contacts/{world.contact_a.pk}/")
    html = page.content.decode()
    assert "New York note" in html
    assert "Texas note" not in html
    assert AuditEvent.objects.filter(action="contact.history_viewed").exists()


def test_a_contact_with_nothing_at_my_facilities_is_not_found(world):
    assert (
        client_for(world.reviewer_1).get(f"/console/contacts/{world.contact_b.pk}/").status_code
        == 404
    )
    assert (
        client_for(world.reviewer_2).get(f"/console/contacts/{world.contact_a.pk}/").status_code
        == 404
    )


def test_resident_elsewhere_is_not_found(world):
    client = client_for(world.reviewer_1)
    assert client.get(f"/console/residents/{world.resident_2.pk}/").status_code == 404
    assert not AuditEvent.objects.filter(action="resident.history_viewed").exists()


def _clients(attorney, facility, count: int) -> None:
    """``count`` clients of the attorney at ``facility``, Client000 the last changed."""
    now = clock.now()
    for n in range(count):
        link = t.connect(attorney, t.make_resident(facility, first_name=f"Client{n:03d}"))
        Connection.objects.filter(pk=link.pk).update(updated_at=now - dt.timedelta(hours=n))


def _listed(page: str) -> list[str]:
    """The clients listed, in order (not those the graph draws)."""
    return re.findall(r"Client(\d{3}) Rivera\d+</a> \(", page)


def test_an_attorneys_many_connections_come_in_pages(world):
    """An attorney with 120 clients here and 5 in Texas: the contact page lists the 120 at
    the reviewer's facilities, 50 to a page, the last changed first, each page for the same
    few queries; the links keep the messages' place; a page that is not a number shows the
    first, one past the end the last."""
    attorney = world.contact_b
    _clients(attorney, world.facility_1, 120)
    _clients(attorney, world.resident_2.facility, 5)
    client = client_for(world.reviewer_1)
    url = f"/console/contacts/{attorney.pk}/"

    first = client.get(url).content.decode()
    assert _listed(first) == [f"{n:03d}" for n in range(50)]
    assert "1–50 of 120 connections" in first
    assert "?connections=2#connections" in first and "changed more recently" not in first
    with CaptureQueriesContext(db) as first_queries:
        client.get(url)
    with CaptureQueriesContext(db) as last_queries:
        last = client.get(f"{url}?connections=3").content.decode()
    assert len(last_queries) == len(first_queries)
    assert _listed(last) == [f"{n:03d}" for n in range(100, 120)]
    assert "101–120 of 120" in last and "?connections=2#connections" in last
    assert "Connections changed earlier" not in last
    # The messages' place is kept; nonsense and too far are a page there is.
    kept = client.get(f"{url}?before=abc&connections=2").content.decode()
    assert "before=abc&amp;connections=3#connections" in kept
    assert "1–50 of 120" in client.get(f"{url}?connections=nope").content.decode()
    assert "101–120 of 120" in client.get(f"{url}?connections=99").content.decode()


def test_a_residents_connections_come_in_pages(world):
    """Sixty contacts over the years (most ended): 50 on the resident's page, 10 on the
    next; a reviewer of another facility still finds no such resident."""
    now = clock.now()
    for n in range(60):
        contact = t.make_contact(f"family{n:02d}@example.org", name=f"Family{n:02d}")
        link = t.connect(contact, world.resident)
        Connection.objects.filter(pk=link.pk).update(updated_at=now - dt.timedelta(days=n + 1))
    client = client_for(world.reviewer_1)
    url = f"/console/residents/{world.resident.pk}/"

    first = client.get(url).content.decode()
    assert "1–50 of 61 connections" in first  # with Ana Lopez, changed today
    listed = re.findall(r">Family(\d\d)</a>", first)
    assert listed == [f"{n:02d}" for n in range(49)]
    second = client.get(f"{url}?connections=2").content.decode()
    assert "51–61 of 61" in second
    assert re.findall(r">Family(\d\d)</a>", second) == [f"{n:02d}" for n in range(49, 60)]
    assert client_for(world.reviewer_2).get(f"{url}?connections=2").status_code == 404
