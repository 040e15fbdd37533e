"""Staff approve, deny and end connections at their facilities."""

from __future__ import annotations

import re

from homeward.connections.models import Connection
from homeward.console.tests.conftest import status_of
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.personas import client_for

S = Connection.Status


def test_waiting_connections_are_listed_and_approved(world, pending_connection):
    client = client_for(world.reviewer_1)
    page = client.get("/console/connections/").content.decode()
    assert "Ben Ortiz" in page and "Maria Lopez" in page
    response = client.post(
        f"/console/connections/{pending_connection.pk}/decide/",
        {"decision": "approve"},
        follow=True,
    )
    assert "is approved" in response.content.decode()
    assert status_of(pending_connection) == S.ACTIVE


def test_deny_needs_a_reason(world, pending_connection):
    client = client_for(world.reviewer_1)
    url = f"/console/connections/{pending_connection.pk}/decide/"
    response = client.post(url, {"decision": "deny", "reason": "  "}, follow=True)
    assert "Say why the connection is denied." in response.content.decode()
    assert status_of(pending_connection) == S.PENDING_STAFF

    client.post(url, {"decision": "deny", "reason": "Victim of the resident's offence"})
    pending_connection.refresh_from_db()
    assert pending_connection.status == S.DENIED
    event = pending_connection.events.last()
    assert event.reason == "Victim of the resident's offence"


def test_end_an_active_connection_with_a_reason(world, run_jobs):
    connection = world.contact_a.connections.get()
    message = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="On its way"
    ).message
    run_jobs()
    client = client_for(world.reviewer_1)
    page = client.get(f"/console/residents/{world.resident.pk}/").content.decode()
    assert "End connection" in page

    url = f"/console/connections/{connection.pk}/end/"
    response = client.post(url, {"reason": ""}, follow=True)
    assert "Say why the connection is ended." in response.content.decode()
    assert status_of(connection) == S.ACTIVE

    response = client.post(url, {"reason": "Contraband attempt"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/console/residents/{world.resident.pk}/"
    assert "The connection is ended" in response.content.decode()
    connection.refresh_from_db()
    assert connection.status == S.ENDED
    assert connection.end_reason == "Contraband attempt"
    assert Message.objects.get(pk=message.pk).status == Message.Status.RETURNED


def test_ending_twice_gives_a_message_not_an_error(world):
    connection = world.contact_a.connections.get()
    client = client_for(world.reviewer_1)
    url = f"/console/connections/{connection.pk}/end/"
    client.post(url, {"reason": "first"})
    response = client.post(url, {"reason": "again"}, follow=True)
    assert response.status_code == 200
    assert "cannot become ended" in response.content.decode()


def test_investigator_cannot_decide_connections(world, pending_connection):
    client = client_for(world.investigator)
    assert client.get("/console/connections/").status_code == 403
    url = f"/console/connections/{pending_connection.pk}/decide/"
    assert client.post(url, {"decision": "approve"}).status_code == 403
    assert status_of(pending_connection) == S.PENDING_STAFF


def test_unknown_connection_is_not_found(world):
    client = client_for(world.reviewer_1)
    assert (
        client.post("/console/connections/999999/decide/", {"decision": "approve"}).status_code
        == 404
    )
    assert client.post("/console/connections/999999/end/", {"reason": "x"}).status_code == 404


def test_a_long_wait_list_comes_in_pages_the_longest_waiting_first(world, monkeypatch):
    """However many connections wait, a page shows a page of them, the longest-waiting
    first, and the next page follows the last one seen: every one is reached once."""
    import datetime as dt

    from homeward import builders as t
    from homeward.console.views import connections as view

    monkeypatch.setattr(view, "PAGE_SIZE", 3)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    waiting = []
    for n in range(7):
        connection = t.connect(t.make_contact(f"waiting{n}@example.org"), world.resident)
        Connection.objects.filter(pk=connection.pk).update(
            status=S.PENDING_STAFF, updated_at=start + dt.timedelta(minutes=7 - n)
        )
        waiting.append(connection.pk)
    longest_first = list(reversed(waiting))
    client = client_for(world.reviewer_1)
    seen, url = [], "/console/connections/"
    for _ in range(4):
        html = client.get(url).content.decode()
        seen += [pk for pk in longest_first if f'id="connection-{pk}"' in html]
        found = re.search(r'href="\?after=([0-9.]+)"', html)
        if found is None:
            break
        url = f"/console/connections/?after={found.group(1)}"
    assert seen == longest_first
    assert "Back to the front of the list" in html
    # Another facility's reviewer sees none of them, on any page.
    other = client_for(world.reviewer_2).get("/console/connections/").content.decode()
    assert not any(f'id="connection-{pk}"' in other for pk in waiting)
