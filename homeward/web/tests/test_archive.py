"""A contact's archive: every message they can see, both directions, with its timeline, and
their money statement, downloaded as JSON, PDF and mbox; only ever their own; written as
it is sent, so a long one is never held in memory."""

from __future__ import annotations

import io
import json
import mailbox
import tracemalloc

import pypdf
import pytest

from homeward import builders as t
from homeward.core.models import AuditEvent
from homeward.jobs import services as jobs
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.personas import blocked_by_reviewer, client_for
from homeward.review import services as review

S = Message.Status


def _approved(world, *, sender, body: str) -> Message:  # type: ignore[no-untyped-def]
    """``sender`` writes ``body`` to the other side of Ana's connection; it is approved."""
    connection = world.contact_a.connections.get()
    sent = messaging.send_message(sender=sender, connection_id=connection.pk, body=body).message
    jobs.run_pending("test")
    task = review.claim_next(staff=world.reviewer_1)
    assert task is not None and task.message_id == sent.pk
    review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
    jobs.run_pending("test")
    return Message.objects.get(pk=sent.pk)


@pytest.fixture
def written(world):  # type: ignore[no-untyped-def]
    """Ana and Maria wrote to each other: Ana's greeting (read), Maria's reply with a line
    that begins "From " (delivered), Ana's message a reviewer blocked, and Maria's reply a
    reviewer blocked (which never reached Ana). Ben wrote to James elsewhere."""
    connection = world.contact_a.connections.get()
    hello = _approved(world, sender=world.contact_a, body="Hola Maria, ¿cómo estás?")
    messaging.mark_read(reader=world.resident, message_id=hello.pk)
    reply = _approved(
        world, sender=world.resident, body="Gracias mamá.\nFrom the yard: all good.\nBesos"
    )
    blocked = blocked_by_reviewer(
        world.reviewer_1,
        sender=world.contact_a,
        connection_id=connection.pk,
        body="Put it in the card",
        reason="drugs",
    )
    hidden = blocked_by_reviewer(
        world.reviewer_1,
        sender=world.resident,
        connection_id=connection.pk,
        body="A reply Ana never saw",
        reason="drugs",
    )
    t.accept_agency_notice(world.contact_b, world.facility_2.agency)
    elsewhere = t.connect(world.contact_b, world.resident_2)
    messaging.send_message(sender=world.contact_b, connection_id=elsewhere.pk, body="Hi James")
    world.shown = [hello, reply, blocked]
    world.hidden = hidden
    return world


def download(client, format: str) -> bytes:  # type: ignore[no-untyped-def]
    response = client.get(f"/account/archive.{format}")
    assert response.status_code == 200, response.status_code
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="homeward-archive-')
    return b"".join(response.streaming_content)


def test_the_json_archive_holds_what_the_contact_sees_with_each_timeline(written):
    w = written
    client = client_for(w.contact_a.user)
    page = client.get("/account/archive/").content.decode()
    assert "your 3 messages" in page and 'href="/account/archive.mbox"' in page
    data = json.loads(download(client, "json"))
    assert data["archive_of"] == {"name": "Ana Lopez", "email": "a@example.org"}
    assert [m["id"] for m in data["messages"]] == [m.pk for m in w.shown]
    hello, reply, blocked = data["messages"]
    assert hello["text"] == "Hola Maria, ¿cómo estás?" and hello["status"] == "read"
    assert [s["stage"] for s in hello["timeline"]] == [
        "submitted",
        "screened",
        "in review",
        "approved",
        "delivered",
        "read",
    ]
    assert (reply["from"], reply["to"]) == ("Maria Lopez (#NY1001)", "Ana Lopez")
    assert reply["direction"] == "to_contact" and reply["status"] == "delivered"
    assert blocked["status"] == "blocked" and blocked["not_delivered_because"] == "drugs"
    assert blocked["timeline"][-1]["stage"] == "not delivered"
    assert all(m["facility"]["code"] == "greenhaven" for m in data["messages"])
    # Never the reply a reviewer stopped, never another contact's messages.
    assert w.hidden.pk not in {m["id"] for m in data["messages"]}
    assert "Hi James" not in json.dumps(data)
    event = AuditEvent.objects.filter(action="archive.downloaded").get()
    assert event.data == {"format": "json"} and event.object_id == str(w.contact_a.pk)


def test_the_mbox_opens_in_a_mail_reader_one_mail_per_message(written, tmp_path):
    w = written
    path = tmp_path / "archive.mbox"
    path.write_bytes(download(client_for(w.contact_a.user), "mbox"))
    box = mailbox.mbox(str(path))
    try:
        mails = list(box)
    finally:
        box.close()
    assert [m["Message-ID"] for m in mails] == [
        f"<message-{m.pk}@homeward.invalid>" for m in w.shown
    ]
    assert mails[1]["From"].startswith("Maria Lopez (#NY1001) <resident-ny1001@greenhaven.")
    assert mails[1]["To"].startswith("Ana Lopez <contact-")
    body = mails[1].get_payload(decode=True).decode()
    # The body's own "From " line is escaped, so it does not start a mail of its own.
    assert body.splitlines() == ["Gracias mamá.", ">From the yard: all good.", "Besos"]
    assert "read" not in mails[1]["X-Homeward-Timeline"]
    assert mails[0]["X-Homeward-Timeline"].startswith("submitted ")
    assert mails[2]["Subject"] == f"Message {w.shown[2].pk} (Not delivered)"


def test_the_pdf_is_a_document_a_reader_opens(written):
    w = written
    data = download(client_for(w.contact_a.user), "pdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Homeward archive of Ana Lopez" in text
    for message in w.shown:
        assert f"#{message.pk}" in text
    assert "Hola Maria" in text and "From the yard: all good." in text
    assert "A reply Ana never saw" not in text and "Hi James" not in text


def test_an_archive_of_thousands_of_messages_is_written_as_it_is_sent(world):
    """12,000 messages of 1,500 characters (18 MB of text): the download never holds more
    than a small part of it at once, and it holds them all, in order."""
    connection = world.contact_a.connections.get()
    first = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="The first."
    ).message
    count = 12_000
    Message.objects.bulk_create(
        Message(
            connection=connection,
            facility=first.facility,
            resident=first.resident,
            contact=first.contact,
            direction=first.direction,
            body=f"Letter {n:05d} " + "y" * 1_500,
            status=S.DELIVERED,
            created_at=first.created_at,
        )
        for n in range(count)
    )
    response = client_for(world.contact_a.user).get("/account/archive.json")
    tracemalloc.start()
    try:
        size = 0
        pieces = 0
        for piece in response.streaming_content:
            size += len(piece)
            pieces += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size > 18_000_000 and pieces > count
    assert peak < size / 3, (peak, size)


def test_nobody_else_gets_an_archive_and_an_unknown_format_is_not_found(written):
    w = written
    assert client_for(w.contact_a.user).get("/account/archive.zip").status_code == 404
    anonymous = client_for(w.contact_a.user)
    anonymous.logout()
    response = anonymous.get("/account/archive.json")
    assert response.status_code == 302 and "/signin/" in response["Location"]
    staff = client_for(w.reviewer_1).get("/account/archive.json")
    assert staff.status_code in (302, 403, 404)
    assert not AuditEvent.objects.filter(action="archive.downloaded").exists()
    # Ben's archive holds his one message and nothing of Ana's.
    data = json.loads(download(client_for(w.contact_b.user), "json"))
    assert [m["text"] for m in data["messages"]] == ["Hi James"]
