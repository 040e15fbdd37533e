"""Entities and links: a phone number written three ways in three conversations at two
facilities of one agency is one entity; an investigator finds it from a search, opens it
and sees those conversations and not another agency's; shared entities and contacts of
several residents are listed; a person's page draws who they connect to."""

from __future__ import annotations

import re

import pytest

from homeward import builders as t
from homeward.core.models import AuditEvent
from homeward.messaging import services as messaging
from homeward.monitoring import entities
from homeward.monitoring.models import Entity, Mention
from homeward.people.models import StaffMembership
from homeward.personas import client_for

Role = StaffMembership.Role


def send(contact, resident, body: str):
    connection = contact.connections.get(resident=resident)
    return messaging.send_message(sender=contact, connection_id=connection.pk, body=body).message


@pytest.mark.parametrize(
    ("kind", "writings"),
    [
        (
            "phone",
            [
                "(512) 555-0143",
                "512.555.0143",
                "+1 512 555 0143",
                "5125550143",
                "five one two five five five zero one four three",
            ],
        ),
        ("email", ["Joe.Smith@Example.com", "joe.smith@example.com"]),
        ("payment", ["$CashKing", "$cashking"]),
        ("address", ["4415 Maple Avenue North", "4415 maple ave n"]),
    ],
)
def test_one_entity_however_it_is_written(kind, writings):
    values = set()
    for writing in writings:
        found = [f for f in entities.find(f"reach me: {writing} ok") if f.kind == kind]
        assert len(found) == 1, writing
        values.add(found[0].value)
    assert len(values) == 1


def test_dates_money_and_short_numbers_are_not_entities():
    assert entities.find("I sent $40 on 12/05/2026 at 5:30, room 214, see you in 2027") == []


@pytest.fixture
def agency_world(world):
    """A second facility of agency 1 with its own resident, and three conversations that
    write one number three ways; a conversation of the other agency writes it too."""
    facility_3 = t.make_facility("bedford", agency=world.facility_1.agency, name="Bedford Hills")
    resident_3 = t.make_resident(facility_3, "NY3003", first_name="Rita", last_name="Moreno")
    contact_c = t.make_contact("c@example.org", name="Carla Diaz")
    contact_d = t.make_contact("d@example.org", name="Dee Park")
    contact_e = t.make_contact("e@example.org", name="Eve Stone")
    t.connect(contact_c, resident_3)
    t.connect(contact_d, world.resident)
    t.connect(contact_e, world.resident_2)
    world.messages = [
        send(world.contact_a, world.resident, "Call my cousin at (512) 555-0143 tonight."),
        send(contact_d, world.resident, "her number is 512.555.0143"),
        send(contact_c, resident_3, "text +1 512 555 0143 about the package"),
    ]
    world.elsewhere = send(contact_e, world.resident_2, "ring 512-555-0143")
    world.resident_3 = resident_3
    world.contact_c = contact_c
    world.investigator_agency = t.make_staff(
        "inv-agency", role=Role.INVESTIGATOR, agency=world.facility_1.agency
    )
    return world


def test_an_investigator_finds_the_number_opens_it_and_sees_only_their_agency(agency_world):
    w = agency_world
    client = client_for(w.investigator_agency)
    page = client.get("/console/search/", {"q": "(512) 555-0143"}).content.decode()
    entity = Entity.objects.get(kind="phone", value="5125550143")
    assert f'href="/console/entities/{entity.pk}/"' in page
    assert "3 conversations of your facilities mention it" in page
    page = client.get(f"/console/entities/{entity.pk}/").content.decode()
    rows = set(map(int, re.findall(r'id="connection-(\d+)"', page)))
    assert rows == {m.connection_id for m in w.messages}
    shown = set(map(int, re.findall(r'id="message-(\d+)"', page)))
    assert shown == {m.pk for m in w.messages}
    assert w.elsewhere.pk not in shown and "Eve Stone" not in page
    assert Mention.objects.filter(entity=entity).count() == 4  # the other agency's too
    read = AuditEvent.objects.filter(action="entity.read").get()
    assert read.actor_user_id == w.investigator_agency.pk
    assert sorted(read.data["conversations"]) == sorted(rows)


def test_a_facility_investigator_sees_their_facility_only(agency_world):
    w = agency_world
    entity = Entity.objects.get(kind="phone", value="5125550143")
    page = client_for(w.investigator).get(f"/console/entities/{entity.pk}/").content.decode()
    assert set(map(int, re.findall(r'id="message-(\d+)"', page))) == {
        w.messages[0].pk,
        w.messages[1].pk,
    }


def test_an_entity_only_another_agency_mentions_is_not_found(agency_world):
    w = agency_world
    other = Entity.objects.create(kind="email", value="x@elsewhere.org", shown="x@elsewhere.org")
    Mention.objects.create(
        entity=other,
        message=w.elsewhere,
        facility=w.facility_2,
        connection_id=w.elsewhere.connection_id,
        created_at=w.elsewhere.created_at,
        text="x@elsewhere.org",
    )
    before = AuditEvent.objects.filter(action="entity.read").count()
    assert (
        client_for(w.investigator_agency).get(f"/console/entities/{other.pk}/").status_code == 404
    )
    assert client_for(w.investigator_agency).get("/console/entities/999999/").status_code == 404
    assert AuditEvent.objects.filter(action="entity.read").count() == before


@pytest.mark.parametrize("persona", ["reviewer_1", "contact_a"])
def test_reviewers_and_contacts_cannot_open_entities_or_links(agency_world, persona):
    w = agency_world
    person = getattr(w, persona)
    client = client_for(person.user if persona == "contact_a" else person)
    entity = Entity.objects.get(kind="phone", value="5125550143")
    for path in (f"/console/entities/{entity.pk}/", "/console/links/"):
        response = client.get(path)
        assert response.status_code == 403
        assert "555" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="entity.read").exists()


def test_links_list_shared_entities_and_contacts_of_several_residents(agency_world):
    w = agency_world
    t.connect(w.contact_a, w.resident_3)  # Ana writes to two residents now
    page = client_for(w.investigator_agency).get("/console/links/").content.decode()
    entity = Entity.objects.get(kind="phone", value="5125550143")
    row = re.search(rf'id="entity-{entity.pk}">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["2", "3"]  # residents, conversations
    assert f'id="contact-{w.contact_a.pk}"' in page
    assert f'id="contact-{w.contact_c.pk}"' not in page


def test_a_contacts_page_draws_who_they_connect_to(agency_world):
    w = agency_world
    t.connect(w.contact_a, w.resident_3)
    page = client_for(w.investigator_agency).get(f"/console/contacts/{w.contact_a.pk}/")
    html = page.content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "Maria Lopez" in svg and "Rita Moreno" in svg
    assert f'href="/console/residents/{w.resident_3.pk}/"' in svg
