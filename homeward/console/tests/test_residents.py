"""Searching residents and reading message histories, scoped to the staff member's facilities."""

from __future__ import annotations

from homeward import builders as t
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
