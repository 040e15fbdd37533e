"""Who may not use the kiosk pages: nobody but the signed-in resident, and nothing changes."""

from __future__ import annotations

import pytest
from django.test import Client

from homeward import builders as t
from homeward.connections import services as connections
from homeward.connections.models import Connection
from homeward.kiosk.auth import DEVICE_COOKIE
from homeward.messaging.models import Message
from homeward.personas import client_for, device_client, kiosk_client_for

C = Connection.Status


def _resident_pages(connection_id: int) -> list[tuple[str, str]]:
    return [
        ("get", "/kiosk/"),
        ("get", f"/kiosk/conversations/{connection_id}/"),
        ("post", f"/kiosk/conversations/{connection_id}/reply/"),
        ("post", f"/kiosk/conversations/{connection_id}/block/"),
        ("get", "/kiosk/requests/"),
        ("post", f"/kiosk/requests/{connection_id}/accept/"),
        ("post", f"/kiosk/requests/{connection_id}/decline/"),
        ("get", "/kiosk/invite/"),
        ("post", "/kiosk/invite/"),
    ]


def _snapshot() -> tuple:
    return (
        list(Connection.objects.order_by("pk").values_list("pk", "status")),
        Message.objects.count(),
    )


@pytest.mark.parametrize(
    "who", ["anonymous", "kiosk_nobody", "contact", "contact_on_kiosk", "staff"]
)
def test_nobody_but_a_signed_in_resident_gets_in(world, who):
    connection = world.contact_a.connections.get()
    clients = {
        "anonymous": Client,
        "kiosk_nobody": lambda: device_client(world.facility_1),
        "contact": lambda: client_for(world.contact_a.user),
        "contact_on_kiosk": lambda: client_for(world.contact_a.user),
        "staff": lambda: client_for(world.facility_admin),
    }
    client = clients[who]()
    if who == "contact_on_kiosk":  # a contact's web session on a kiosk browser
        client.cookies[DEVICE_COOKIE] = device_client(world.facility_1).cookies[DEVICE_COOKIE].value
    before = _snapshot()
    for method, url in _resident_pages(connection.pk):
        data = {"body": "hi", "email": "x@example.org"} if method == "post" else {}
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (who, url)
        assert response["Location"] == "/kiosk/signin/", (who, url)
    assert _snapshot() == before


@pytest.mark.parametrize("other", ["resident_2", "same_facility"])
def test_another_resident_gets_404_on_someone_elses_conversation(world, other):
    resident = (
        world.resident_2 if other == "resident_2" else t.make_resident(world.facility_1, "NY1002")
    )
    conversation = world.contact_a.connections.get()
    request = connections.request_connection(
        contact=world.contact_b, facility=world.facility_1, number=world.resident.number
    ).connection
    client = kiosk_client_for(resident)
    before = _snapshot()
    for method, url in _resident_pages(conversation.pk)[1:4]:
        data = {"body": "hi"} if method == "post" else {}
        assert getattr(client, method)(url, data).status_code == 404, url
    for _, url in _resident_pages(request.pk)[5:7]:
        assert client.post(url).status_code == 404, url
    assert client.get("/kiosk/conversations/999999/").status_code == 404
    assert client.post("/kiosk/requests/999999/accept/").status_code == 404
    assert _snapshot() == before
    page = client.get("/kiosk/").content.decode()
    assert "Ana Lopez" not in page


def test_kiosk_of_another_facility_does_not_keep_a_session(world):
    """A resident's session copied onto a kiosk of another facility is signed out."""
    client = kiosk_client_for(world.resident)
    client.cookies[DEVICE_COOKIE] = device_client(world.facility_2).cookies[DEVICE_COOKIE].value
    assert client.get("/kiosk/")["Location"] == "/kiosk/signin/"
    assert "kiosk_resident_id" not in client.session


def test_posts_need_the_csrf_token(world):
    signed_in = kiosk_client_for(world.resident)
    client = Client(enforce_csrf_checks=True)
    client.cookies = signed_in.cookies
    connection = world.contact_a.connections.get()
    response = client.post(f"/kiosk/conversations/{connection.pk}/reply/", {"body": "hi"})
    assert response.status_code == 403
    assert not Message.objects.exists()
