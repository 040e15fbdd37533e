"""Answering contact requests, and inviting contacts by email."""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.connections import services as connections
from homeward.connections.models import Connection
from homeward.personas import kiosk_client_for

C = Connection.Status


def _request_from(contact, resident) -> Connection:
    return connections.request_connection(
        contact=contact, facility=resident.facility, number=resident.number
    ).connection


def test_requests_page_lists_waiting_requests(world):
    _request_from(world.contact_b, world.resident)
    client = kiosk_client_for(world.resident)
    assert "1 contact request waiting" in client.get("/kiosk/").content.decode()
    page = client.get("/kiosk/requests/").content.decode()
    assert "Ben Ortiz" in page and "Accept" in page and "Decline" in page


@pytest.mark.parametrize(
    ("staff_approval", "expected", "shown"),
    [
        (False, C.ACTIVE, "You can now write to each other"),
        (True, C.PENDING_STAFF, "Waiting for staff approval"),
    ],
)
def test_accept_request(world, staff_approval, expected, shown):
    policy = world.facility_1.policy
    policy.staff_approval = staff_approval
    policy.save()
    connection = _request_from(world.contact_b, world.resident)
    client = kiosk_client_for(world.resident)
    response = client.post(f"/kiosk/requests/{connection.pk}/accept/")
    assert response["Location"] == "/kiosk/requests/"
    connection.refresh_from_db()
    assert connection.status == expected
    assert shown in client.get("/kiosk/requests/").content.decode()


def test_decline_request(world):
    connection = _request_from(world.contact_b, world.resident)
    client = kiosk_client_for(world.resident)
    client.post(f"/kiosk/requests/{connection.pk}/decline/")
    connection.refresh_from_db()
    assert connection.status == C.DECLINED
    page = client.get("/kiosk/requests/").content.decode()
    assert "You declined the request from Ben Ortiz" in page
    assert "No requests are waiting" in page


def test_answering_twice_says_so(world):
    connection = _request_from(world.contact_b, world.resident)
    client = kiosk_client_for(world.resident)
    client.post(f"/kiosk/requests/{connection.pk}/decline/")
    client.post(f"/kiosk/requests/{connection.pk}/accept/")
    connection.refresh_from_db()
    assert connection.status == C.DECLINED
    assert "already been answered" in client.get("/kiosk/requests/").content.decode()


def _invites_facility():
    facility = t.make_facility("montana", policy={"connection_policy": "resident_invites"})
    return facility, t.make_resident(facility, "MT300", first_name="Lee")


def test_invite_by_email(world):
    facility, resident = _invites_facility()
    client = kiosk_client_for(resident)
    assert "Invite a contact by email" in client.get("/kiosk/").content.decode()
    response = client.post("/kiosk/invite/", {"email": "Sister@Example.org"})
    assert response["Location"] == "/kiosk/invite/"
    invitation = Connection.objects.get(resident=resident)
    assert invitation.status == C.INVITED and invitation.invite_email == "sister@example.org"
    page = client.get("/kiosk/invite/").content.decode()
    assert "We emailed your invitation to sister@example.org" in page
    assert "sister@example.org" in page
    assert "Waiting for the contact to accept the invitation" in page


def test_invite_with_a_bad_email_changes_nothing(world):
    _, resident = _invites_facility()
    client = kiosk_client_for(resident)
    response = client.post("/kiosk/invite/", {"email": "not-an-email"})
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    assert not Connection.objects.filter(resident=resident).exists()


def test_invite_refused_where_contacts_send_requests(world):
    client = kiosk_client_for(world.resident)
    page = client.get("/kiosk/invite/").content.decode()
    assert "family and friends ask to connect with you" in page
    assert 'type="email"' not in page
    response = client.post("/kiosk/invite/", {"email": "someone@example.org"})
    assert response.status_code == 403
    assert "contacts ask to connect" in response.content.decode()
    assert not Connection.objects.filter(invite_email="someone@example.org").exists()
