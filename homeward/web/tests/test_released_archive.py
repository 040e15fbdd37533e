"""A released resident's archive: the release gives a code, shown once to the admin; with
the facility, the resident number and the code, the resident downloads what their kiosk
showed them and their trust statement. A code is one person's, runs out, is replaced by a
newer one, and is guessed at most five times an hour."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client

from homeward import builders as t
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.jobs import services as jobs
from homeward.jobs.models import Job
from homeward.messaging import services as messaging
from homeward.messaging.models import ArchiveCode, Message
from homeward.personas import blocked_by_reviewer, client_for
from homeward.review import services as review

pytestmark = pytest.mark.django_db


def _deliver(world, *, sender, body: str) -> Message:  # type: ignore[no-untyped-def]
    connection = world.contact_a.connections.get()
    sent = messaging.send_message(sender=sender, connection_id=connection.pk, body=body).message
    jobs.run_pending("test")
    task = review.claim_next(staff=world.reviewer_1)
    review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
    jobs.run_pending("test")
    return Message.objects.get(pk=sent.pk)


@pytest.fixture
def released(world):  # type: ignore[no-untyped-def]
    """Maria had $25 in trust, got Ana's letter, wrote back, and never saw a letter a
    reviewer blocked; then the facility admin released her through the console."""
    t.fund_trust(world.resident, 2500)
    world.letter = _deliver(world, sender=world.contact_a, body="Te esperamos en casa.")
    world.reply = _deliver(world, sender=world.resident, body="Salgo el lunes.")
    world.stopped = blocked_by_reviewer(
        world.reviewer_1,
        sender=world.contact_a,
        connection_id=world.contact_a.connections.get().pk,
        body="Something a reviewer stopped",
        reason="drugs",
    )
    admin = client_for(world.facility_admin)
    page = admin.post(f"/console/residents/{world.resident.pk}/release/").content.decode()
    world.code = re.search(r"<strong>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</strong>", page)[1]
    assert "Maria Lopez is released" in page and "/released/" in page
    world.admin = admin
    return world


def _open(code: str, *, number: str = "NY1001", facility: str = "greenhaven") -> Client:
    client = Client()
    response = client.post("/released/", {"facility": facility, "number": number, "code": code})
    assert response.status_code == 302 and response["Location"] == "/released/archive/"
    return client


def _refused(client: Client, code: str, number: str = "NY1001") -> str:
    response = client.post("/released/", {"facility": "greenhaven", "number": number, "code": code})
    assert response.status_code == 400
    page = response.content.decode()
    assert "That code does not open an archive for that resident number." in page
    return page


def test_the_release_gives_a_code_that_opens_her_archive(released):
    w = released
    client = _open(w.code.lower().replace("-", " "))  # as typed: any case, any spacing
    page = client.get("/released/archive/").content.decode()
    assert "Your archive, Maria" in page and "Your 2 messages at Greenhaven" in page
    data = json.loads(b"".join(client.get("/released/archive.json").streaming_content))
    assert data["archive_of"] == {"name": "Maria Lopez (#NY1001)", "email": None}
    assert [(m["id"], m["from"]) for m in data["messages"]] == [
        (w.letter.pk, "Ana Lopez"),
        (w.reply.pk, "Maria Lopez (#NY1001)"),
    ]
    assert data["statement_of"] == "trust account"
    assert data["statement"][0]["change_cents"] == 2500
    assert data["statement"][-1]["balance_after_cents"] == 0  # paid out at release
    mbox = b"".join(client.get("/released/archive.mbox").streaming_content)
    assert mbox.count(b"\nFrom ") + mbox.startswith(b"From ") == 2
    pdf = b"".join(client.get("/released/archive.pdf").streaming_content)
    assert pdf.startswith(b"%PDF-1.4") and b"Something a reviewer stopped" not in pdf
    assert AuditEvent.objects.filter(action="archive.downloaded").count() == 3
    assert AuditEvent.objects.filter(action="archive.code_used").count() == 1
    # Done: the page closes, and the archive with it.
    client.post("/released/leave/")
    assert client.get("/released/archive.json")["Location"] == "/released/"


def test_the_code_is_shown_once_and_kept_only_as_a_digest(released):
    w = released
    stored = ArchiveCode.objects.get(resident=w.resident)
    assert w.code.replace("-", "") not in stored.digest and len(stored.digest) == 64
    page = w.admin.get(f"/console/residents/{w.resident.pk}/").content.decode()
    assert w.code not in page and "works until" in page and "Give a new code" in page


def test_a_wrong_code_or_an_unknown_number_or_facility_opens_nothing(released):
    w = released
    client = Client()
    _refused(client, "ABCD-EFGH-JKLM")
    _refused(client, w.code, number="NY9999")  # nobody by that number
    assert client.get("/released/archive/")["Location"] == "/released/"
    unknown = client.post("/released/", {"facility": "nowhere", "number": "NY1001", "code": w.code})
    assert unknown.status_code == 400
    assert not AuditEvent.objects.filter(action="archive.code_used").exists()


def test_one_residents_code_does_not_open_another_residents_archive(released):
    w = released
    other = t.make_resident(w.facility_1, "NY1002", first_name="James", last_name="Reed")
    w.admin.post(f"/console/residents/{other.pk}/release/")
    _refused(Client(), w.code, number="NY1002")


def test_a_code_runs_out_and_a_new_one_replaces_it(released):
    w = released
    old = w.code
    opened = _open(old)
    page = w.admin.post(
        f"/console/residents/{w.resident.pk}/archive-code/", {"email": "maria@example.org"}
    ).content.decode()
    new = re.search(r"<strong>([A-Z2-9-]{14})</strong>", page)[1]
    assert new != old and "on its way to maria@example.org" in page
    # The old code, and the page it opened, stop working; the new one works.
    assert opened.get("/released/archive/")["Location"] == "/released/"
    _refused(Client(), old)
    _open(new)
    emails = Job.objects.filter(kind="send_email")
    assert any(j.payload["to"] == "maria@example.org" and new in j.payload["body"] for j in emails)
    # Past ARCHIVE_CODE_DAYS it opens nothing either.
    with clock.frozen_at(clock.now() + dt.timedelta(days=91)):
        _refused(Client(), new)


def test_five_wrong_codes_lock_the_number_for_an_hour(released):
    w = released
    client = Client()
    for _ in range(5):
        _refused(client, "ABCD-EFGH-JKLM")
    locked = client.post(
        "/released/", {"facility": "greenhaven", "number": "NY1001", "code": w.code}
    )
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 3000
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=61)):
        _open(w.code)


def test_only_admins_give_codes_and_only_to_released_residents(released, world):
    w = released
    before = ArchiveCode.objects.count()
    reviewer = client_for(w.reviewer_1).post(f"/console/residents/{w.resident.pk}/archive-code/")
    assert reviewer.status_code == 403
    other = client_for(w.reviewer_2).post(f"/console/residents/{w.resident.pk}/archive-code/")
    assert other.status_code == 404
    in_custody = t.make_resident(w.facility_1, "NY1003", first_name="Luis")
    answer = w.admin.post(f"/console/residents/{in_custody.pk}/archive-code/", follow=True)
    assert "is not released: the kiosk is theirs." in answer.content.decode()
    bad_email = w.admin.post(
        f"/console/residents/{w.resident.pk}/archive-code/",
        {"email": "not an address"},
        follow=True,
    )
    assert "Enter a valid email address." in bad_email.content.decode()
    assert ArchiveCode.objects.count() == before
