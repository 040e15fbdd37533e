"""Asking to connect, answering invitations, blocking."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward import builders as t
from homeward.connections import services as connections
from homeward.connections.models import Connection
from homeward.core import clock
from homeward.messaging.models import Message
from homeward.people.models import Resident
from homeward.personas import error_of

C = Connection.Status


def invite(world, email: str = "b@example.org") -> Connection:
    facility = t.make_facility("montana", policy={"connection_policy": "resident_invites"})
    resident = t.make_resident(facility, "MT3003", first_name="Lee", last_name="Park")
    return connections.invite_contact(resident=resident, email=email)


def test_contact_asks_to_connect_and_sees_it_waiting(world, api_b):
    response = api_b.post("/connections", {"facility": "greenhaven", "number": "NY1001"})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "requested"
    assert body["resident"] == {"number": "NY1001", "display_name": "Maria L."}
    assert body["facility"] == {"code": "greenhaven", "name": "Greenhaven Correctional"}
    assert body["initiated_by"] == "contact" and body["created_at"]
    listed = api_b.get("/connections").json()
    assert [c["id"] for c in listed] == [body["id"]]


def test_asking_twice_answers_200_with_the_same_connection(world, api_b):
    first = api_b.post("/connections", {"facility": "greenhaven", "number": "NY1001"})
    again = api_b.post("/connections", {"facility": "greenhaven", "number": "ny1001"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Connection.objects.filter(contact=world.contact_b).count() == 1


def test_asking_for_a_resident_already_connected_answers_200_and_changes_nothing(
    world, api_a, connection_a
):
    events = connection_a.events.count()
    response = api_a.post("/connections", {"facility": "greenhaven", "number": "NY1001"})
    assert response.status_code == 200
    assert response.json()["id"] == connection_a.pk and response.json()["status"] == "active"
    assert connection_a.events.count() == events


def test_open_facility_connects_at_once(world, api_b):
    facility = t.make_facility("open-prison", policy={"connection_policy": "open"})
    t.make_resident(facility, "OP1", first_name="Kim", last_name="Ng")
    response = api_b.post("/connections", {"facility": "open-prison", "number": "OP1"})
    assert response.status_code == 201
    assert response.json()["status"] == "active"


def test_invite_only_facility_refuses_requests(world, api_b):
    facility = t.make_facility("montana", policy={"connection_policy": "resident_invites"})
    t.make_resident(facility, "MT3003")
    response = api_b.post("/connections", {"facility": "montana", "number": "MT3003"})
    assert response.status_code == 403
    assert error_of(response)["code"] == "invite_only"
    assert not Connection.objects.filter(contact=world.contact_b).exists()


def test_released_resident_cannot_be_asked(world, api_b):
    Resident.objects.filter(pk=world.resident.pk).update(status=Resident.Status.RELEASED)
    response = api_b.post("/connections", {"facility": "greenhaven", "number": "NY1001"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "resident_released"
    assert not Connection.objects.filter(contact=world.contact_b).exists()


def test_resident_at_another_facility_is_not_found(world, api_b):
    response = api_b.post("/connections", {"facility": "greenhaven", "number": "TX2002"})
    assert response.status_code == 404
    assert error_of(response)["code"] == "resident_not_found"


def test_unknown_facility_is_not_found(world, api_b):
    response = api_b.post("/connections", {"facility": "atlantis", "number": "NY1001"})
    assert error_of(response)["code"] == "facility_not_found"


def test_missing_number_is_422(world, api_b):
    response = api_b.post("/connections", {"facility": "greenhaven"})
    assert response.status_code == 422
    assert "number" in error_of(response)["message"]


def test_contact_accepts_an_invitation(world, api_b):
    invitation = invite(world)
    response = api_b.post(f"/connections/{invitation.pk}/accept")
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert Connection.objects.get(pk=invitation.pk).status == C.ACTIVE


def test_contact_declines_an_invitation(world, api_b):
    invitation = invite(world)
    response = api_b.post(f"/connections/{invitation.pk}/decline")
    assert response.json()["status"] == "declined"
    again = api_b.post(f"/connections/{invitation.pk}/accept")
    assert again.status_code == 409
    assert error_of(again)["code"] == "not_pending"
    assert Connection.objects.get(pk=invitation.pk).status == C.DECLINED


def test_a_request_is_not_an_invitation_to_accept(world, api_b):
    asked = api_b.post("/connections", {"facility": "greenhaven", "number": "NY1001"}).json()
    response = api_b.post(f"/connections/{asked['id']}/accept")
    assert response.status_code == 409
    assert Connection.objects.get(pk=asked["id"]).status == C.REQUESTED


def test_contact_blocks_and_can_no_longer_send(world, api_a, connection_a):
    response = api_a.post(f"/connections/{connection_a.pk}/block")
    assert response.status_code == 200
    assert response.json()["status"] == "blocked"
    sent = api_a.post(f"/conversations/{connection_a.pk}/messages", {"body": "Hello?"})
    assert sent.status_code == 403
    assert error_of(sent)["code"] == "connection_blocked"
    assert not Message.objects.exists()


def test_blocking_returns_messages_on_their_way(world, api_a, connection_a):
    sent = api_a.post(f"/conversations/{connection_a.pk}/messages", {"body": "See you"}).json()
    api_a.post(f"/connections/{connection_a.pk}/block")
    messages = api_a.get(f"/conversations/{connection_a.pk}/messages").json()["messages"]
    assert [(m["id"], m["status"]) for m in messages] == [(sent["id"], "returned")]


def test_unknown_connection_is_404(world, api_a):
    for action in ("accept", "decline", "block"):
        response = api_a.post(f"/connections/999999/{action}")
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("path, key", [("/connections", "id"), ("/conversations", "connection_id")])
def test_a_list_costs_the_same_queries_for_three_connections_or_thirty(world, api_a, path, key):
    """An attorney's lists: what stops each connection is read for the whole list at once,
    so thirty connections (one of them suspended) cost the queries three do."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    def count() -> tuple[int, list]:
        with CaptureQueriesContext(db) as queries:
            listed = api_a.get(path)
        assert listed.status_code == 200
        return len(queries), listed.json()

    for n in range(2):
        t.connect(world.contact_a, t.make_resident(world.facility_1, first_name=f"Client{n}"))
    stopped = world.contact_a.connections.order_by("-pk").first()
    ends = clock.now() + dt.timedelta(days=3)
    t.suspend(world.facility_admin, world.facility_1, stopped, ends_at=ends)
    few, shown = count()
    assert len(shown) == 3
    for n in range(2, 29):
        t.connect(world.contact_a, t.make_resident(world.facility_1, first_name=f"Client{n}"))
    many, shown = count()
    assert len(shown) == 30 and many == few
    [row] = [c for c in shown if c["messaging_stopped"]]
    assert row[key] == stopped.pk and row["messaging_stopped"]["kind"] == "suspension"
