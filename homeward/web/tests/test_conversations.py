"""Writing, following a message's timeline, reading replies."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from homeward import builders as t
from homeward.connections import services as connections
from homeward.core import clock
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.personas import client_for
from homeward.review import services as review
from homeward.screening.models import Rule

S = Message.Status


def _token(page: str) -> str:
    match = re.search(r'name="client_token" value="([0-9a-f]{32})"', page)
    assert match, "the compose form carries a fresh client token"
    return match.group(1)


def test_conversation_page_has_a_compose_form_with_a_limit_and_counter(world):
    connection = world.contact_a.connections.get()
    page = client_for(world.contact_a.user).get(f"/conversations/{connection.pk}/").content.decode()
    assert 'data-limit="6000"' in page
    assert 'aria-describedby="counter"' in page and 'id="counter"' in page
    _token(page)


def test_each_page_gets_a_fresh_client_token(world):
    connection = world.contact_a.connections.get()
    client = client_for(world.contact_a.user)
    first = _token(client.get(f"/conversations/{connection.pk}/").content.decode())
    second = _token(client.get(f"/conversations/{connection.pk}/").content.decode())
    assert first != second


def test_send_then_follow_the_timeline_to_read(world, run_jobs):
    connection = world.contact_a.connections.get()
    client = client_for(world.contact_a.user)
    response = client.post(
        f"/conversations/{connection.pk}/send/",
        {"body": "Hola Maria, ¿cómo estás?", "client_token": uuid.uuid4().hex},
        follow=True,
    )
    page = response.content.decode()
    assert "Sent. Staff will read it before it is delivered" in page
    assert "Hola Maria, ¿cómo estás?" in page
    assert "Submitted" in page
    message = Message.objects.get()
    run_jobs()
    page = client.get(f"/conversations/{connection.pk}/").content.decode()
    assert "Screened" in page and "In review" in page
    task = review.claim_next(staff=world.reviewer_1)
    review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
    run_jobs()
    messaging.mark_read(reader=world.resident, message_id=message.pk)
    page = client.get(f"/conversations/{connection.pk}/").content.decode()
    for step in ("Submitted", "Screened", "In review", "Approved", "Delivered", "Read"):
        assert f"<li>{step} <time" in page


def test_user_text_is_escaped(world):
    connection = world.contact_a.connections.get()
    client = client_for(world.contact_a.user)
    client.post(f"/conversations/{connection.pk}/send/", {"body": "<script>x()</script>"})
    page = client.get(f"/conversations/{connection.pk}/").content.decode()
    assert "<script>x()</script>" not in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page


def test_over_length_message_is_refused_and_the_text_kept(world):
    world.facility_1.policy.message_length_limit = 20
    world.facility_1.policy.save()
    connection = world.contact_a.connections.get()
    body = "This is far too long for the limit."
    response = client_for(world.contact_a.user).post(
        f"/conversations/{connection.pk}/send/",
        {"body": body, "client_token": uuid.uuid4().hex},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "the limit here is 20" in page
    assert f">{body}</textarea>" in page
    assert not Message.objects.exists()


def test_empty_message_is_refused(world):
    connection = world.contact_a.connections.get()
    response = client_for(world.contact_a.user).post(
        f"/conversations/{connection.pk}/send/", {"body": "   "}
    )
    assert response.status_code == 400
    assert "Write something before sending." in response.content.decode()
    assert not Message.objects.exists()


def test_double_submit_sends_once(world):
    connection = world.contact_a.connections.get()
    client = client_for(world.contact_a.user)
    token = _token(client.get(f"/conversations/{connection.pk}/").content.decode())
    for _ in range(2):
        response = client.post(
            f"/conversations/{connection.pk}/send/", {"body": "Hello", "client_token": token}
        )
        assert response.status_code == 302
    assert Message.objects.count() == 1


def test_sending_without_an_active_connection_is_refused(world):
    connection = connections.request_connection(
        contact=world.contact_b, facility=world.facility_1, number="NY1001"
    ).connection
    client = client_for(world.contact_b.user)
    page = client.get(f"/conversations/{connection.pk}/").content.decode()
    assert "You cannot write here: Waiting for Maria to accept your request." in page
    assert 'name="body"' not in page
    response = client.post(f"/conversations/{connection.pk}/send/", {"body": "Hi there"})
    page = response.content.decode()
    assert response.status_code == 409  # not yet: a state, not a permission
    assert "not active yet" in page
    assert ">Hi there</textarea>" in page  # kept, so it can be copied
    assert not Message.objects.exists()


def test_sending_on_a_blocked_connection_is_refused(world):
    connection = world.contact_a.connections.get()
    connections.block(by=world.resident, connection_id=connection.pk)
    client = client_for(world.contact_a.user)
    page = client.get(f"/conversations/{connection.pk}/").content.decode()
    assert "This connection is blocked." in page and 'name="body"' not in page
    response = client.post(f"/conversations/{connection.pk}/send/", {"body": "Please"})
    assert response.status_code == 403
    assert "Messaging is blocked" in response.content.decode()
    assert not Message.objects.exists()


def test_blocked_message_shows_the_reason_category_when_the_facility_allows(world, run_jobs):
    Rule.objects.create(
        facility=world.facility_1, pattern="tunnel", category="escape", action="block"
    )
    connection = world.contact_a.connections.get()
    client = client_for(world.contact_a.user)
    client.post(f"/conversations/{connection.pk}/send/", {"body": "the tunnel is ready"})
    run_jobs()
    page = client.get(f"/conversations/{connection.pk}/").content.decode()
    assert "Not delivered. Reason: Escape or security risk." in page
    world.facility_1.policy.show_block_reasons = False
    world.facility_1.policy.save()
    page = client.get(f"/conversations/{connection.pk}/").content.decode()
    assert "Not delivered. This facility does not say why." in page
    assert "Escape or security risk" not in page


def test_returned_message_says_why(world, run_jobs):
    connection = world.contact_a.connections.get()
    client = client_for(world.contact_a.user)
    client.post(f"/conversations/{connection.pk}/send/", {"body": "See you Sunday"})
    connections.block(by=world.resident, connection_id=connection.pk)
    page = client.get(f"/conversations/{connection.pk}/").content.decode()
    assert "Returned without being delivered, because connection blocked." in page


def test_opening_a_conversation_marks_replies_read(world, run_jobs):
    connection = t.connect(world.contact_b, world.resident_2)  # flagged-only facility
    reply = messaging.send_message(
        sender=world.resident_2, connection_id=connection.pk, body="Thanks for writing"
    ).message
    run_jobs()
    reply.refresh_from_db()
    assert reply.status == S.DELIVERED
    client = client_for(world.contact_b.user)
    page = client.get("/conversations/").content.decode()
    assert "James R." in page and "1 new reply" in page
    page = client.get(f"/conversations/{connection.pk}/").content.decode()
    assert "Thanks for writing" in page
    reply.refresh_from_db()
    assert reply.status == S.READ
    assert "new repl" not in client.get("/conversations/").content.decode()


def test_replies_not_yet_delivered_are_not_shown(world):
    connection = world.contact_a.connections.get()
    messaging.send_message(
        sender=world.resident, connection_id=connection.pk, body="Waiting for review"
    )
    page = client_for(world.contact_a.user).get(f"/conversations/{connection.pk}/").content
    assert b"Waiting for review" not in page


def test_conversation_list_shows_resident_facility_and_time(world):
    connection = world.contact_a.connections.get()
    messaging.send_message(sender=world.contact_a, connection_id=connection.pk, body="Hi")
    page = client_for(world.contact_a.user).get("/conversations/").content.decode()
    assert "Maria L." in page and "Greenhaven Correctional" in page
    assert "Last message" in page


def test_conversation_list_is_empty_for_a_new_contact(world):
    page = client_for(world.contact_b.user).get("/conversations/").content.decode()
    assert "No conversations yet" in page


def test_times_are_shown_in_the_facilitys_local_time(world):
    connection = world.contact_a.connections.get()
    with clock.frozen_at(dt.datetime(2026, 11, 3, 15, 0, tzinfo=dt.UTC)):
        messaging.send_message(sender=world.contact_a, connection_id=connection.pk, body="Hi")
    page = client_for(world.contact_a.user).get(f"/conversations/{connection.pk}/").content
    assert "November 3, 2026, 10:00 AM" in page.decode()  # New York is UTC-5 in November
    assert "America/New York" in page.decode()


def test_an_attorneys_many_conversations_come_in_pages_newest_first(world):
    """120 clients, each with a reply (one in three not yet opened) and a blocked letter to
    them the attorney never sees as a reply: 50 to a page, newest first, each with its own
    unread count; a page number that is not one shows the first page, one past the end
    the last; the page costs the same few queries whatever its number."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    attorney = world.contact_b
    now = clock.now()
    clients = []
    for n in range(120):
        resident = t.make_resident(world.facility_1, first_name=f"Client{n:03d}")
        clients.append((resident, t.connect(attorney, resident)))
    rows = []
    for n, (resident, link) in enumerate(clients):
        when = now - dt.timedelta(hours=n)  # Client000 wrote last
        common = {"connection": link, "facility": world.facility_1, "resident": resident}
        common["contact"] = attorney
        rows.append(
            Message(
                **common,
                direction=Message.Direction.TO_CONTACT,
                body=f"Reply {n}",
                status=S.DELIVERED if n % 3 == 0 else S.READ,
                created_at=when,
                updated_at=when,
            )
        )
        rows.append(  # a reply still in review: not the attorney's to see or count
            Message(
                **common,
                direction=Message.Direction.TO_CONTACT,
                body="Held",
                status=S.IN_REVIEW,
                created_at=when + dt.timedelta(minutes=30),
                updated_at=when + dt.timedelta(minutes=30),
            )
        )
    Message.objects.bulk_create(rows)
    client = client_for(attorney.user)

    first = client.get("/conversations/").content.decode()
    names = re.findall(r"Client(\d{3})", first)
    assert names == [f"{n:03d}" for n in range(50)]
    assert first.count("1 new reply") == len(range(0, 50, 3))
    assert "Page 1 of 3" in first and "?page=2" in first and "More recent" not in first
    with CaptureQueriesContext(db) as first_queries:
        client.get("/conversations/")
    with CaptureQueriesContext(db) as last_queries:
        last = client.get("/conversations/?page=3").content.decode()
    assert len(last_queries) == len(first_queries)
    assert re.findall(r"Client(\d{3})", last) == [f"{n:03d}" for n in range(100, 120)]
    assert "?page=2" in last and "Older conversations" not in last
    assert "Client000" in client.get("/conversations/?page=nope").content.decode()
    assert "Client119" in client.get("/conversations/?page=99").content.decode()
    # In Spanish too.
    attorney.user.language = "es"
    attorney.user.save(update_fields=["language"])
    spanish = client.get("/conversations/?page=2").content.decode()
    assert "Página 2 de 3" in spanish
    assert "Conversaciones más recientes" in spanish and "Conversaciones anteriores" in spanish
