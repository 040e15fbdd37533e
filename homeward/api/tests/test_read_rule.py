"""The API's read rule: listing a conversation marks nothing read; the app marks what the
person saw with POST /conversations/{id}/read, so a phone syncing in the background sends
the resident no false read receipts."""

from __future__ import annotations

from homeward.api.tests.test_conversations import reply_delivered
from homeward.messaging.models import Message
from homeward.personas import error_of

S = Message.Status


def statuses() -> list[tuple[int, str]]:
    return list(Message.objects.values_list("id", "status").order_by("id"))


def test_reading_the_messages_marks_nothing_read(world, api_a, connection_a, run_jobs):
    reply = reply_delivered(world, connection_a, run_jobs)
    for _ in range(2):
        listed = api_a.get(f"/conversations/{connection_a.pk}/messages").json()["messages"]
        assert [m["status"] for m in listed] == ["delivered"]
        api_a.get("/conversations")
    reply.refresh_from_db()
    assert (reply.status, reply.read_at) == (S.DELIVERED, None)


def test_marking_read_up_to_the_reply_seen_leaves_newer_ones_unread(
    world, api_a, connection_a, run_jobs
):
    seen = reply_delivered(world, connection_a, run_jobs, body="First")
    newer = reply_delivered(world, connection_a, run_jobs, body="Arrived after the sync")
    response = api_a.post(f"/conversations/{connection_a.pk}/read", {"up_to_message_id": seen.pk})
    assert response.status_code == 200
    assert response.json() == {"marked_read": [seen.pk]}
    seen.refresh_from_db()
    newer.refresh_from_db()
    assert (seen.status, newer.status) == (S.READ, S.DELIVERED)
    assert api_a.get("/conversations").json()[0]["unread"] == 1
    # Again: nothing more changes.
    again = api_a.post(f"/conversations/{connection_a.pk}/read", {"up_to_message_id": seen.pk})
    assert again.json() == {"marked_read": []}


def test_marking_read_without_a_reply_marks_every_delivered_reply(
    world, api_a, connection_a, run_jobs
):
    first = reply_delivered(world, connection_a, run_jobs, body="One")
    second = reply_delivered(world, connection_a, run_jobs, body="Two")
    response = api_a.post(f"/conversations/{connection_a.pk}/read", {})
    assert response.json() == {"marked_read": [first.pk, second.pk]}
    assert api_a.get("/conversations").json()[0]["unread"] == 0
    listed = api_a.get(f"/conversations/{connection_a.pk}/messages").json()["messages"]
    assert [m["status"] for m in listed] == ["read", "read"]
    assert [m["timeline"][-1]["stage"] for m in listed] == ["read", "read"]


def test_own_messages_are_never_marked_read_by_the_sender(world, api_a, connection_a, run_jobs):
    sent = api_a.post(f"/conversations/{connection_a.pk}/messages", {"body": "Hello"}).json()
    run_jobs()
    response = api_a.post(
        f"/conversations/{connection_a.pk}/read", {"up_to_message_id": sent["id"]}
    )
    assert response.json() == {"marked_read": []}
    assert Message.objects.get(pk=sent["id"]).read_at is None


def test_another_contact_cannot_mark_a_conversation_read(
    world, api_a, api_b, connection_a, run_jobs
):
    reply = reply_delivered(world, connection_a, run_jobs)
    before = statuses()
    for body in ({}, {"up_to_message_id": reply.pk}):
        response = api_b.post(f"/conversations/{connection_a.pk}/read", body)
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    assert statuses() == before


def test_up_to_must_be_a_whole_number(world, api_a, connection_a):
    response = api_a.post(f"/conversations/{connection_a.pk}/read", {"up_to_message_id": "7"})
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_input"
