"""A new kiosk PIN from the console: a facility or agency admin gives a resident in custody
who forgot theirs (or was never given one) a new PIN, shown once; the resident signs in
with it and the old one stops working. Anyone else is refused and the PIN stays."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from homeward import builders as t
from homeward.core.models import AuditEvent
from homeward.people.models import Resident, StaffMembership
from homeward.personas import client_for, device_client, sign_in
from homeward.roster.services import release_resident

Role = StaffMembership.Role


def url(world) -> str:
    return f"/console/residents/{world.resident.pk}/pin/"


def pin_hash(world) -> str:
    return Resident.objects.get(pk=world.resident.pk).pin_hash


def given(response) -> str:
    found = re.search(
        r'<p class="archive-code"><strong>(\d+)</strong></p>', response.content.decode()
    )
    assert found, response.content.decode()
    return found.group(1)


def test_an_admin_gives_a_new_pin_the_resident_signs_in_with_it_and_the_old_one_stops(world):
    page = client_for(world.facility_admin).get(f"/console/residents/{world.resident.pk}/")
    assert f'action="{url(world)}"' in page.content.decode()
    response = client_for(world.facility_admin).post(url(world))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    pin = given(response)
    assert len(pin) == 6
    kiosk = device_client(world.facility_1)
    assert sign_in(kiosk, world.resident.number).status_code == 403  # the old PIN
    assert sign_in(kiosk, world.resident.number, pin)["Location"] == "/kiosk/"
    event = AuditEvent.objects.get(action="resident.pin_given")
    assert (event.actor_user_id, event.object_id) == (
        world.facility_admin.pk,
        str(world.resident.pk),
    )
    assert pin not in str(event.data)  # the PIN is the resident's: never stored as written


def test_each_new_pin_replaces_the_one_before(world):
    admin = client_for(world.facility_admin)
    first = given(admin.post(url(world)))
    second = given(admin.post(url(world)))
    kiosk = device_client(world.facility_1)
    if first != second:
        assert sign_in(kiosk, world.resident.number, first).status_code == 403
    assert sign_in(kiosk, world.resident.number, second)["Location"] == "/kiosk/"


def test_an_agency_admin_may_give_one(world):
    agency_admin = t.make_staff(
        "agencyadmin", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency
    )
    assert len(given(client_for(agency_admin).post(url(world)))) == 6


def test_a_released_resident_gets_no_pin_and_the_page_says_why(world):
    release_resident(staff=world.facility_admin, resident_id=world.resident.pk)
    before = pin_hash(world)
    response = client_for(world.facility_admin).post(url(world), follow=True)
    assert "Maria Lopez is released: the kiosk is closed to them." in response.content.decode()
    assert pin_hash(world) == before
    page = client_for(world.facility_admin).get(f"/console/residents/{world.resident.pk}/")
    assert f'action="{url(world)}"' not in page.content.decode()


# --- who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["reviewer_1", "investigator", "contact_a"])
def test_staff_without_an_admin_role_and_contacts_are_refused(world, persona):
    person = getattr(world, persona)
    before = pin_hash(world)
    response = client_for(getattr(person, "user", person)).post(url(world))
    assert response.status_code == 403
    assert pin_hash(world) == before
    assert not AuditEvent.objects.filter(action="resident.pin_given").exists()
    if persona != "contact_a":
        page = client_for(person).get(f"/console/residents/{world.resident.pk}/")
        assert f'action="{url(world)}"' not in page.content.decode()


@pytest.mark.parametrize("persona", ["reviewer_2", "admin_of_facility_2"])
def test_staff_of_another_facility_get_not_found(world, persona):
    if persona == "admin_of_facility_2":
        user = t.make_staff("admin2", role=Role.FACILITY_ADMIN, facility=world.facility_2)
    else:
        user = world.reviewer_2
    before = pin_hash(world)
    assert client_for(user).post(url(world)).status_code == 404
    assert pin_hash(world) == before


def test_signed_out_visitors_are_sent_to_sign_in_and_a_get_changes_nothing(world):
    before = pin_hash(world)
    response = Client().post(url(world))
    assert response.status_code == 302 and "/console/signin/" in response["Location"]
    assert client_for(world.facility_admin).get(url(world)).status_code == 405
    assert pin_hash(world) == before
