"""Registering a browser as a kiosk: only facility and agency admins may."""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.core.errors import PermissionDenied
from homeward.core.models import AuditEvent
from homeward.kiosk.auth import DEVICE_COOKIE
from homeward.kiosk.models import KioskDevice
from homeward.kiosk.services import register_device
from homeward.people.models import StaffMembership
from homeward.personas import client_for

Role = StaffMembership.Role


def test_facility_admin_registers_device_and_is_signed_out(world):
    client = client_for(world.facility_admin)
    page = client.get("/kiosk/device/")
    assert page.status_code == 200
    assert "Greenhaven Correctional" in page.content.decode()

    response = client.post(
        "/kiosk/device/", {"facility": world.facility_1.pk, "name": "A Block tablet"}
    )

    assert response.status_code == 302 and response["Location"] == "/kiosk/signin/"
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["max-age"]
    device = KioskDevice.objects.get()
    assert device.facility == world.facility_1 and device.registered_by == world.facility_admin
    assert device.token_hash != cookie.value  # only the hash is stored
    assert AuditEvent.objects.filter(action="kiosk.device_registered").exists()
    # The browser is no longer signed in as staff, and is now a kiosk.
    signin = client.get("/kiosk/signin/")
    assert "This device is now a kiosk for Greenhaven Correctional" in signin.content.decode()
    assert "Resident number" in signin.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/kiosk/device/").status_code == 302


def test_agency_admin_may_register_any_facility_of_the_agency(world):
    admin = t.make_staff("agency1", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency)
    device, token = register_device(staff=admin, facility=world.facility_1, name="Gym")
    assert device.is_active and token


@pytest.mark.parametrize("persona", ["reviewer_1", "investigator"])
def test_staff_without_admin_role_is_refused(world, persona):
    client = client_for(getattr(world, persona))
    assert client.get("/kiosk/device/").status_code == 403
    response = client.post("/kiosk/device/", {"facility": world.facility_1.pk, "name": "X"})
    assert response.status_code == 403
    assert DEVICE_COOKIE not in response.cookies
    assert not KioskDevice.objects.exists()


def test_contact_is_refused(world):
    client = client_for(world.contact_a.user)
    response = client.post("/kiosk/device/", {"facility": world.facility_1.pk, "name": "X"})
    assert response.status_code == 403
    assert not KioskDevice.objects.exists()


def test_anonymous_is_sent_to_console_signin(client, world):
    response = client.get("/kiosk/device/")
    assert response.status_code == 302
    assert response["Location"] == "/console/signin/?next=/kiosk/device/"
    client.post("/kiosk/device/", {"facility": world.facility_1.pk, "name": "X"})
    assert not KioskDevice.objects.exists()


def test_admin_cannot_register_another_facility(world):
    client = client_for(world.facility_admin)
    response = client.post("/kiosk/device/", {"facility": world.facility_2.pk, "name": "X"})
    assert response.status_code == 200  # the form says the choice is not valid
    assert "Select a valid choice" in response.content.decode()
    assert not KioskDevice.objects.exists()
    with pytest.raises(PermissionDenied):
        register_device(staff=world.facility_admin, facility=world.facility_2, name="X")


def test_signin_page_without_device_is_refused(client, world):
    for response in (
        client.get("/kiosk/signin/"),
        client.post("/kiosk/signin/", {"number": "NY1001", "pin": t.PIN}),
    ):
        assert response.status_code == 403
        assert "This device is not registered as a kiosk" in response.content.decode()
        assert "Resident number" not in response.content.decode()
    assert "kiosk_resident_id" not in client.session


def test_bad_or_retired_device_cookie_is_refused(client, world):
    device, token = register_device(staff=world.facility_admin, facility=world.facility_1, name="X")
    client.cookies[DEVICE_COOKIE] = "not-a-real-token"
    assert client.get("/kiosk/signin/").status_code == 403
    device.is_active = False
    device.save()
    client.cookies[DEVICE_COOKIE] = token
    assert client.get("/kiosk/signin/").status_code == 403
