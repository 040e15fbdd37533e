"""Conversations and messages through the API, and a message's whole journey."""

from __future__ import annotations

import datetime as dt

from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from homeward import builders as t
from homeward.connections.models import Connection
from homeward.core import clock
from homeward.facilities.models import FacilityPolicy
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import Resident
from homeward.personas import error_of
from homeward.review import services as review

S = Message.Status


def send(api, connection, body: str = "Hi Maria, thinking of you.", **extra):
    return api.post(f"/conversations/{connection.pk}/messages", {"body": body, **extra})


def approve_all(reviewer) -> None:
    while (task := review.claim_next(staff=reviewer)) is not None:
        review.decide(staff=reviewer, task_id=task.pk, decision="approve")


def reply_delivered(world, connection, run_jobs, body: str = "Thank you!") -> Message:
    reply = messaging.send_message(
        sender=world.resident, connection_id=connection.pk, body=body
    ).message
    run_jobs()
    approve_all(world.reviewer_1)
    run_jobs()
    reply.refresh_from_db()
    assert reply.status == S.DELIVERED
    return reply


def test_full_round_trip_to_delivery_with_timeline(world, api_a, connection_a, run_jobs):
    response = send(api_a, connection_a)
    assert response.status_code == 201
    sent = response.json()
    assert sent["status"] == "submitted" and sent["direction"] == "to_resident"
    assert [s["stage"] for s in sent["timeline"]] == ["submitted"]

    run_jobs()
    approve_all(world.reviewer_1)
    run_jobs()

    messages = api_a.get(f"/conversations/{connection_a.pk}/messages").json()["messages"]
    assert len(messages) == 1
    message = messages[0]
    assert message["id"] == sent["id"] and message["status"] == "delivered"
    stages = [s["stage"] for s in message["timeline"]]
    assert stages == ["submitted", "screened", "in_review", "approved", "delivered"]
    assert message["timeline"][2]["label"] == "in review"
    times = [s["at"] for s in message["timeline"]]
    assert times == sorted(times)

    messaging.mark_read(reader=world.resident, message_id=sent["id"])
    message = api_a.get(f"/conversations/{connection_a.pk}/messages").json()["messages"][0]
    assert message["status"] == "read"
    assert message["timeline"][-1]["stage"] == "read"


def test_conversations_list_shows_last_message_and_unread(world, api_a, connection_a, run_jobs):
    before = api_a.get("/conversations").json()
    assert before == [
        {
            "connection_id": connection_a.pk,
            "resident": {"number": "NY1001", "display_name": "Maria L."},
            "facility": {"code": "greenhaven", "name": "Greenhaven Correctional"},
            "status": "active",
            "last_message_at": None,
            "unread": 0,
            "messaging_stopped": None,
            "updated_at": before[0]["updated_at"],  # the sync tests say what it is
        }
    ]
    reply = reply_delivered(world, connection_a, run_jobs)
    after = api_a.get("/conversations").json()[0]
    assert after["unread"] == 1
    assert after["last_message_at"] is not None

    # Reading the list of messages does not mark anything read.
    listed = api_a.get(f"/conversations/{connection_a.pk}/messages").json()["messages"]
    assert [(m["id"], m["direction"], m["status"]) for m in listed] == [
        (reply.pk, "to_contact", "delivered")
    ]
    assert api_a.get("/conversations").json()[0]["unread"] == 1

    read = api_a.post(f"/messages/{reply.pk}/read")
    assert read.status_code == 200
    assert read.json()["status"] == "read"
    assert api_a.get("/conversations").json()[0]["unread"] == 0
    assert api_a.post(f"/messages/{reply.pk}/read").status_code == 200  # again: no change


def test_replies_still_in_review_are_not_shown(world, api_a, connection_a, run_jobs):
    messaging.send_message(sender=world.resident, connection_id=connection_a.pk, body="Hi")
    run_jobs()
    assert api_a.get(f"/conversations/{connection_a.pk}/messages").json()["messages"] == []


def test_own_message_cannot_be_marked_read(world, api_a, connection_a):
    sent = send(api_a, connection_a).json()
    response = api_a.post(f"/messages/{sent['id']}/read")
    assert response.status_code == 404
    assert Message.objects.get(pk=sent["id"]).status == S.SUBMITTED


def test_past_conversation_stays_listed_after_blocking(world, api_a, connection_a):
    send(api_a, connection_a)
    api_a.post(f"/connections/{connection_a.pk}/block")
    listed = api_a.get("/conversations").json()
    assert [(c["connection_id"], c["status"]) for c in listed] == [(connection_a.pk, "blocked")]


def test_over_length_message_is_refused_and_nothing_saved(world, api_a, connection_a):
    FacilityPolicy.objects.filter(facility=world.facility_1).update(message_length_limit=20)
    response = send(api_a, connection_a, "x" * 21)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "message_too_long" and "20" in error["message"]
    assert not Message.objects.exists()
    assert send(api_a, connection_a, "é" * 20).status_code == 201  # characters, not bytes


def test_empty_message_is_refused(world, api_a, connection_a):
    response = send(api_a, connection_a, "   ")
    assert response.status_code == 400
    assert error_of(response)["code"] == "message_empty"


def test_double_submit_with_client_token_sends_once(world, api_a, connection_a):
    first = send(api_a, connection_a, client_token="tok-1")
    again = send(api_a, connection_a, client_token="tok-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Message.objects.count() == 1
    assert send(api_a, connection_a, client_token="tok-2").status_code == 201
    assert Message.objects.count() == 2


def test_client_token_over_64_characters_is_422(world, api_a, connection_a):
    response = send(api_a, connection_a, client_token="x" * 65)
    assert response.status_code == 422
    assert "client_token" in error_of(response)["message"]


def test_send_without_active_connection_is_409(world, api_b):
    # 409, as every connection_not_active is (one status per code: errors.STATUS).
    asked = api_b.post("/connections", {"facility": "greenhaven", "number": "NY1001"}).json()
    response = api_b.post(f"/conversations/{asked['id']}/messages", {"body": "Hello"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "connection_not_active"
    assert not Message.objects.exists()


def test_send_to_released_resident_is_409(world, api_a, connection_a):
    Resident.objects.filter(pk=world.resident.pk).update(status=Resident.Status.RELEASED)
    response = send(api_a, connection_a)
    assert response.status_code == 409
    assert error_of(response)["code"] == "resident_released"
    assert not Message.objects.exists()


def test_block_category_is_shown_only_where_the_facility_shows_reasons(
    world, api_a, connection_a, run_jobs
):
    def blocked_category() -> object:
        sent = send(api_a, connection_a, "Something", client_token=str(Message.objects.count()))
        run_jobs()
        task = review.claim_next(staff=world.reviewer_1)
        review.decide(
            staff=world.reviewer_1, task_id=task.pk, decision="block", reason_code="drugs"
        )
        listed = api_a.get(f"/conversations/{connection_a.pk}/messages").json()["messages"]
        message = next(m for m in listed if m["id"] == sent.json()["id"])
        assert message["status"] == "blocked"
        assert message["timeline"][-1]["stage"] == "blocked"
        return message["block_category"]

    assert blocked_category() == "drugs"
    FacilityPolicy.objects.filter(facility=world.facility_1).update(show_block_reasons=False)
    assert blocked_category() is None


def test_flagged_only_facility_delivers_at_once(world, api_b, run_jobs):
    connection = t.connect(world.contact_b, world.resident_2)
    sent = send(api_b, connection, "Good luck at court").json()
    run_jobs()
    listed = api_b.get(f"/conversations/{connection.pk}/messages").json()["messages"]
    assert [(m["id"], m["status"]) for m in listed] == [(sent["id"], "delivered")]


def test_the_length_limit_counts_code_points_not_utf16_units(world, api_a, connection_a):
    """😀 is one code point (two UTF-16 units, four UTF-8 bytes): a body of as many emoji
    as the limit is sent, one more is refused, as MessageIn.body's description says."""
    limit = 12
    FacilityPolicy.objects.filter(facility=world.facility_1).update(message_length_limit=limit)
    over = send(api_a, connection_a, "😀" * (limit + 1))
    assert over.status_code == 400
    assert error_of(over)["code"] == "message_too_long"
    assert not Message.objects.exists()
    sent = send(api_a, connection_a, "😀" * limit)
    assert sent.status_code == 201
    assert Message.objects.get().body == "😀" * limit
    facility = api_a.get("/facilities/greenhaven").json()
    assert facility["message_length_limit"] == limit


def test_the_spec_says_a_body_is_counted_in_code_points():
    from homeward.api.api import api

    schemas = api.get_openapi_schema()["components"]["schemas"]
    body = schemas["MessageIn"]["properties"]["body"]
    assert "Unicode code points" in body["description"]
    assert "UTF-16" in body["description"]
    assert body["x-max-length"].startswith("message_length_limit")
    assert body["x-length-unit"] == "unicode-code-points"
    limit = schemas["FacilitySummary"]["properties"]["message_length_limit"]
    assert "code points" in limit["description"]


def _clients(contact, facility, count: int) -> list[int]:
    """``count`` more conversations of the contact (active connections, no messages yet),
    each changed a minute before the one made before it; their ids, most recent first."""
    now = clock.now()
    made = []
    for n in range(count):
        link = t.connect(contact, t.make_resident(facility, first_name=f"Client{n:03d}"))
        Connection.objects.filter(pk=link.pk).update(updated_at=now + dt.timedelta(minutes=-n))
        made.append(link.pk)
    return made


def test_conversations_come_in_pages_most_recent_first(world, api_a, connection_a):
    """An attorney with 120 clients more: 50 a page, the most recent first, the pages
    together the whole list in its order; each page costs the same queries; a bigger page
    may be asked for, up to 200; past the end, an empty page."""
    send(api_a, connection_a)  # the newest message: the first conversation
    clients = _clients(world.contact_a, world.facility_1, 120)

    pages, number = [], 1
    while number is not None:
        answer = api_a.get("/me/conversations", {"page": number})
        assert answer.status_code == 200
        pages.append([c["connection_id"] for c in answer.json()["conversations"]])
        number = answer.json()["next_page"]
    assert [len(p) for p in pages] == [50, 50, 21]
    assert sum(pages, []) == [connection_a.pk, *clients]

    def queries(number: int) -> int:
        with CaptureQueriesContext(db) as seen:
            assert api_a.get("/me/conversations", {"page": number}).status_code == 200
        return len(seen)

    assert queries(1) == queries(3)
    whole = api_a.get("/me/conversations", {"limit": 200}).json()
    assert [c["connection_id"] for c in whole["conversations"]] == [connection_a.pk, *clients]
    assert whole["next_page"] is None
    assert api_a.get("/me/conversations", {"page": 9}).json() == {
        "conversations": [],
        "next_page": None,
    }
    for bad in ({"limit": 0}, {"limit": 201}, {"page": 0}, {"page": "two"}):
        response = api_a.get("/me/conversations", bad)
        assert response.status_code == 422 and error_of(response)["code"] == "invalid_input"


def test_a_page_of_conversations_answers_304_until_it_changes(world, api_a, connection_a):
    from homeward.personas import BASE

    _clients(world.contact_a, world.facility_1, 3)
    path = f"{BASE}/me/conversations"
    first = api_a.client.get(path, {"limit": 2}, headers=api_a._headers())
    tag = first["ETag"]
    again = api_a.client.get(path, {"limit": 2}, headers=api_a._headers() | {"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    send(api_a, connection_a)  # connection_a comes to the front of the first page
    changed = api_a.client.get(
        path, {"limit": 2}, headers=api_a._headers() | {"If-None-Match": tag}
    )
    assert changed.status_code == 200
    assert changed.json()["conversations"][0]["connection_id"] == connection_a.pk


def test_the_old_address_lists_every_conversation_and_says_it_is_deprecated(
    world, api_a, connection_a
):
    _clients(world.contact_a, world.facility_1, 60)
    old = api_a.get("/conversations")
    assert old["Deprecation"].startswith("@")
    assert old["Link"] == '</api/v1/me/conversations>; rel="successor-version"'
    assert len(old.json()) == 61
    assert old.json() == api_a.get("/me/conversations", {"limit": 200}).json()["conversations"]
