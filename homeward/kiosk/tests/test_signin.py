"""Residents sign in with number and PIN, only on a kiosk of their facility, in hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from homeward import builders as t
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.kiosk.services import WRONG_CREDENTIALS
from homeward.people.models import Resident
from homeward.personas import device_client, kiosk_client_for, sign_in

NY = ZoneInfo("America/New_York")


def test_good_signin_opens_the_inbox(world):
    client = device_client(world.facility_1)
    before = client.session.session_key
    response = sign_in(client, "ny1001")  # the number is not case-sensitive
    assert response.status_code == 302 and response["Location"] == "/kiosk/"
    assert client.session["kiosk_resident_id"] == world.resident.pk
    assert client.session.session_key != before
    assert client.session.get_expiry_age() == 600
    assert AuditEvent.objects.filter(action="kiosk.signin").count() == 1
    inbox = client.get("/kiosk/")
    assert "Hello, Maria" in inbox.content.decode()


def test_wrong_pin_and_unknown_number_get_the_same_message(world):
    client = device_client(world.facility_1)
    wrong_pin = sign_in(client, "NY1001", "0000")
    unknown = sign_in(client, "NY9999", t.PIN)
    for response in (wrong_pin, unknown):
        assert response.status_code == 403
        assert WRONG_CREDENTIALS in response.content.decode()
        assert "Maria" not in response.content.decode()
    assert "kiosk_resident_id" not in client.session


def test_five_failures_lock_the_number(world):
    client = device_client(world.facility_1)
    for _ in range(5):
        assert WRONG_CREDENTIALS in sign_in(client, "NY1001", "0000").content.decode()
    # Even the right PIN is refused now.
    right = sign_in(client, "NY1001")
    assert right.status_code == 429 and "Ask a staff member" in right.content.decode()
    assert "kiosk_resident_id" not in client.session
    # Fifteen minutes later the number works again.
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=16)):
        assert sign_in(client, "NY1001").status_code == 302
    # A good sign-in clears the count: four more typos do not lock the number.
    for _ in range(4):
        assert WRONG_CREDENTIALS in sign_in(client, "NY1001", "0000").content.decode()
    assert sign_in(client, "NY1001").status_code == 302


def test_one_pin_tried_on_many_numbers_pauses_the_kiosk(world):
    from homeward.kiosk.services import MAX_DEVICE_FAILURES

    client = device_client(world.facility_1)
    for i in range(MAX_DEVICE_FAILURES):  # one try each: no single number is locked
        assert WRONG_CREDENTIALS in sign_in(client, f"NY9{i:03d}", "1234").content.decode()
    paused = sign_in(client, "NY1001")  # even a right number and PIN
    assert paused.status_code == 429 and "kiosk is paused" in paused.content.decode()
    assert "kiosk_resident_id" not in client.session
    from django.test import Client

    from homeward.kiosk.auth import DEVICE_COOKIE
    from homeward.kiosk.services import register_device

    _, token = register_device(staff=world.facility_admin, facility=world.facility_1, name="B")
    other_kiosk = Client()  # another device is not affected
    other_kiosk.cookies[DEVICE_COOKIE] = token
    assert sign_in(other_kiosk, "NY1001").status_code == 302
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=16)):
        assert sign_in(client, "NY1001").status_code == 302


def test_signin_refused_outside_kiosk_hours(world):
    facility = t.make_facility("hours-test", policy={"kiosk_hours": ["06:00", "22:00"]})
    resident = t.make_resident(facility, "H100")
    client = device_client(facility)
    with clock.frozen_at(dt.datetime(2026, 3, 2, 23, 30, tzinfo=NY)):
        late = sign_in(client, "H100")
    assert late.status_code == 403
    assert "open from 06:00 to 22:00" in late.content.decode()
    assert "kiosk_resident_id" not in client.session
    with clock.frozen_at(dt.datetime(2026, 3, 2, 9, 0, tzinfo=NY)):
        assert sign_in(client, "H100").status_code == 302
    assert client.session["kiosk_resident_id"] == resident.pk


def test_released_resident_is_refused(world):
    Resident.objects.filter(pk=world.resident.pk).update(status=Resident.Status.RELEASED)
    client = device_client(world.facility_1)
    response = sign_in(client, "NY1001")
    assert response.status_code == 403
    assert "Messaging has ended for this account" in response.content.decode()
    assert "kiosk_resident_id" not in client.session


def test_resident_of_another_facility_is_refused_on_this_device(world):
    client = device_client(world.facility_1)
    response = sign_in(client, world.resident_2.number)
    assert response.status_code == 403
    assert WRONG_CREDENTIALS in response.content.decode()
    assert "kiosk_resident_id" not in client.session


def test_idle_session_is_signed_out(world):
    client = kiosk_client_for(world.resident)
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=11)):
        response = client.get("/kiosk/")
    assert response.status_code == 302 and response["Location"] == "/kiosk/signin/"
    assert "kiosk_resident_id" not in client.session
    assert "10 minutes without activity" in client.get("/kiosk/signin/").content.decode()


def test_resident_moved_or_released_mid_session_is_signed_out(world):
    client = kiosk_client_for(world.resident)
    Resident.objects.filter(pk=world.resident.pk).update(facility=world.facility_2)
    assert client.get("/kiosk/")["Location"] == "/kiosk/signin/"
    assert "kiosk_resident_id" not in client.session

    Resident.objects.filter(pk=world.resident.pk).update(facility=world.facility_1)
    client = kiosk_client_for(world.resident)
    Resident.objects.filter(pk=world.resident.pk).update(status=Resident.Status.RELEASED)
    assert client.get("/kiosk/")["Location"] == "/kiosk/signin/"
    page = client.get("/kiosk/signin/").content.decode()
    assert "Messaging has ended for this account" in page


def test_signout(world):
    client = kiosk_client_for(world.resident)
    assert client.get("/kiosk/signout/").status_code == 405  # a change needs a POST
    response = client.post("/kiosk/signout/")
    assert response["Location"] == "/kiosk/signin/"
    assert client.get("/kiosk/")["Location"] == "/kiosk/signin/"
    assert AuditEvent.objects.filter(action="kiosk.signout").exists()


def test_session_from_one_device_does_not_work_without_it(world):
    client = kiosk_client_for(world.resident)
    del client.cookies["homeward_kiosk"]
    assert client.get("/kiosk/")["Location"] == "/kiosk/signin/"
    assert "kiosk_resident_id" not in client.session
