"""Reading and replying on the kiosk, and blocking a contact."""

from __future__ import annotations

import datetime as dt

from homeward import builders as t
from homeward.connections.models import Connection
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.personas import kiosk_client_for

S = Message.Status


def _reply_url(connection: Connection) -> str:
    return f"/kiosk/conversations/{connection.pk}/reply/"


def test_inbox_lists_conversations_with_unread_counts(world, deliver):
    deliver(world.contact_a, "Hello from Ana")
    deliver(world.contact_a, "And again")
    pending = t.make_contact("c@example.org", name="Carla Diaz")
    t.connect(pending, world.resident)  # active with no messages yet: still listed
    client = kiosk_client_for(world.resident)
    page = client.get("/kiosk/").content.decode()
    assert "Ana Lopez" in page and "2 unread" in page
    assert "Carla Diaz" in page
    connection = world.contact_a.connections.get()
    assert f"/kiosk/conversations/{connection.pk}/" in page


def test_inbox_hides_closed_conversations_without_messages(world):
    other = t.make_contact("d@example.org", name="Dana Closed")
    connection = t.connect(other, world.resident)
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.ENDED)
    page = kiosk_client_for(world.resident).get("/kiosk/").content.decode()
    assert "Dana Closed" not in page and "Ana Lopez" in page


def test_opening_a_conversation_marks_messages_read(world, deliver):
    message = deliver(world.contact_a, "Hi Maria, <b>thinking</b> of you")
    client = kiosk_client_for(world.resident)
    page = client.get(f"/kiosk/conversations/{message.connection_id}/").content.decode()
    assert "&lt;b&gt;thinking&lt;/b&gt;" in page  # user text is escaped
    assert "New" in page
    message.refresh_from_db()
    assert message.status == S.READ and message.read_at is not None
    assert "unread" not in client.get("/kiosk/").content.decode()


def test_reply_goes_into_the_pipeline(world, run_jobs):
    connection = world.contact_a.connections.get()
    client = kiosk_client_for(world.resident)
    page = client.get(f"/kiosk/conversations/{connection.pk}/").content.decode()
    assert 'data-limit="6000"' in page and 'id="reply-counter"' in page
    assert 'name="client_token"' in page
    response = client.post(_reply_url(connection), {"body": "Thank you, Ana", "client_token": "k1"})
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.direction == Message.Direction.TO_CONTACT
    assert message.body == "Thank you, Ana"
    run_jobs()
    message.refresh_from_db()
    assert message.status == S.IN_REVIEW  # facility 1 reviews everything
    page = client.get(response["Location"]).content.decode()
    assert "In review" in page and "submitted" in page


def test_reply_over_the_limit_is_refused_and_text_kept(world):
    connection = world.contact_a.connections.get()
    connection.facility.policy.message_length_limit = 20
    connection.facility.policy.save()
    client = kiosk_client_for(world.resident)
    text = "This reply is much longer than twenty characters"
    response = client.post(_reply_url(connection), {"body": text, "client_token": "k2"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "the limit here is 20" in page
    assert text in page and 'value="k2"' in page
    assert not Message.objects.exists()


def test_double_submit_sends_once(world):
    connection = world.contact_a.connections.get()
    client = kiosk_client_for(world.resident)
    for _ in range(2):
        client.post(_reply_url(connection), {"body": "Once only", "client_token": "same"})
    assert Message.objects.count() == 1


def test_no_reply_form_on_a_closed_conversation(world, deliver):
    message = deliver(world.contact_a, "Before the end")
    Connection.objects.filter(pk=message.connection_id).update(status=Connection.Status.ENDED)
    client = kiosk_client_for(world.resident)
    page = client.get(f"/kiosk/conversations/{message.connection_id}/").content.decode()
    assert "Before the end" in page and "Send reply" not in page
    response = client.post(_reply_url(message.connection), {"body": "Hello?"})
    assert "not active" in response.content.decode()
    assert Message.objects.count() == 1


def test_blocking_a_contact_returns_pending_messages(world, run_jobs):
    connection = world.contact_a.connections.get()
    pending = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="See you Sunday"
    ).message
    run_jobs()
    client = kiosk_client_for(world.resident)
    page = client.get(f"/kiosk/conversations/{connection.pk}/").content.decode()
    assert "data-confirm=" in page
    response = client.post(f"/kiosk/conversations/{connection.pk}/block/")
    assert response["Location"] == "/kiosk/"
    connection.refresh_from_db()
    pending.refresh_from_db()
    assert connection.status == Connection.Status.BLOCKED
    assert connection.blocked_by == Connection.Side.RESIDENT
    assert pending.status == S.RETURNED
    assert "You blocked Ana Lopez" in client.get("/kiosk/").content.decode()


def test_the_inbox_costs_the_same_queries_for_one_conversation_or_many(world, deliver):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    deliver(world.contact_a, "Hello from Ana")
    client = kiosk_client_for(world.resident)
    with CaptureQueriesContext(db) as one:
        client.get("/kiosk/")
    for i in range(4):
        t.connect(t.make_contact(f"more{i}@example.org", name=f"Friend {i}"), world.resident)
    with CaptureQueriesContext(db) as five:
        page = client.get("/kiosk/").content.decode()
    assert "Friend 3" in page and "1 unread" in page
    assert len(five.captured_queries) == len(one.captured_queries)


def test_the_inbox_comes_in_pages_the_most_recently_changed_first(world):
    friends = [
        t.connect(t.make_contact(f"friend{i}@example.org", name=f"Friend {i:02}"), world.resident)
        for i in range(24)
    ]
    for minutes, connection in enumerate(friends):  # Friend 23 changed last
        Connection.objects.filter(pk=connection.pk).update(
            updated_at=connection.updated_at + dt.timedelta(minutes=minutes + 1)
        )
    client = kiosk_client_for(world.resident)
    first = client.get("/kiosk/").content.decode()
    shown = [f"Friend {i:02}" for i in range(23, 3, -1)]  # the 20 most recent
    assert all(name in first for name in shown) and "Friend 03" not in first
    assert "Page 1 of 2" in first and "?page=2" in first and "Ana Lopez" not in first
    second = client.get("/kiosk/", {"page": 2}).content.decode()
    assert all(f"Friend {i:02}" in second for i in range(4)) and "Ana Lopez" in second
    assert "Friend 04" not in second and "?page=1" in second and "?page=3" not in second
    for odd in ("x", "0", "99"):  # not a number: the first page; out of range: the last
        page = client.get("/kiosk/", {"page": odd}).content.decode()
        assert ("Friend 23" in page) == (odd == "x")
    other = t.make_resident(world.facility_1, "NY2002", first_name="Other")
    assert "Friend" not in kiosk_client_for(other).get("/kiosk/", {"page": 2}).content.decode()
