"""A long conversation comes in pages (core/keyset.py) on the web, the kiosk and the API:
the newest first, links or cursors to earlier and later ones, every message exactly once
when walked either way, and a page deep in the past costs the queries the first costs."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from homeward import builders as t
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.personas import api_for, client_for, kiosk_client_for

COUNT = 130
START = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def long_talk(world):
    """130 delivered messages between Ana and Maria, alternating sides, numbered in their
    text; every fifth pair shares one instant (the id keeps their order)."""
    connection = world.contact_a.connections.get()
    rows = []
    for n in range(1, COUNT + 1):
        at = START + dt.timedelta(minutes=n - (n % 2 if n % 10 < 2 else 0))
        rows.append(
            Message(
                connection=connection,
                facility=connection.facility,
                resident_id=connection.resident_id,
                contact_id=connection.contact_id,
                direction="to_resident" if n % 2 else "to_contact",
                body=f"Message number {n:03d}.",
                status=Message.Status.DELIVERED,
                created_at=at,
                submitted_at=at,
                delivered_at=at,
            )
        )
    Message.objects.bulk_create(rows)
    world.connection = connection
    return world


NUMBER = re.compile(r"Message number (\d{3})\.")


def numbers(html: str) -> list[int]:
    return [int(n) for n in NUMBER.findall(html)]


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="(\?[^"]*)" rel="{rel}"', html)
    return found[1] if found else None


def walk(client, path: str, rel: str) -> tuple[list[list[int]], list[int], str]:
    """Follow one kind of link from ``path`` to the end: the numbers on each page, how many
    queries each page took, and the address of the last page."""
    pages, queries = [], []
    while True:
        with CaptureQueriesContext(db) as captured:
            html = client.get(path).content.decode()
        pages.append(numbers(html))
        queries.append(len(captured))
        following = link(html, rel)
        if following is None:
            return pages, queries, path
        path = path.split("?")[0] + following


def walk_both_ways(client, path: str) -> tuple[list[list[int]], list[list[int]], list[int]]:
    """From the newest page back to the oldest, then forward again: the pages each way,
    and the queries of each page going back."""
    back, queries, oldest = walk(client, path, "prev")
    forward, _, _ = walk(client, oldest, "next")
    return back, forward, queries


def flat(pages: list[list[int]]) -> list[int]:
    return [n for page in pages for n in page]


def test_the_web_shows_the_newest_page_and_walks_to_the_first_and_back(long_talk):
    w = long_talk
    client = client_for(w.contact_a.user)
    with clock.frozen_at(START + dt.timedelta(days=1)):
        back, forward, queries = walk_both_ways(client, f"/conversations/{w.connection.pk}/")
    assert back[0] == list(range(81, 131))  # the newest 50, oldest of them first
    assert len(back) == 3
    assert flat(reversed(back)) == list(range(1, 131))
    assert flat(forward) == list(range(1, 131))  # "Later messages", each once
    assert queries[-1] <= queries[0]  # the oldest page costs no more queries than the newest


def test_a_cursor_that_is_not_one_shows_the_newest_page(long_talk):
    w = long_talk
    client = client_for(w.contact_a.user)
    for junk in ("abc", "1.2.3", "99999999999999999999.1", "-5"):
        response = client.get(f"/conversations/{w.connection.pk}/?before={junk}")
        assert response.status_code == 200
        assert numbers(response.content.decode()) == list(range(81, 131))


def test_the_kiosk_pages_the_conversation_too(long_talk):
    w = long_talk
    kiosk = kiosk_client_for(w.resident)
    back, forward, queries = walk_both_ways(kiosk, f"/kiosk/conversations/{w.connection.pk}/")
    assert back[0] == list(range(101, 131))  # thirty on a kiosk screen
    assert flat(reversed(back)) == list(range(1, 131))
    assert flat(forward) == list(range(1, 131))
    assert queries[-1] <= queries[0]


def test_another_contacts_cursor_shows_them_nothing(long_talk):
    """A cursor only positions a page: it never opens someone else's conversation."""
    w = long_talk
    newest = client_for(w.contact_a.user).get(f"/conversations/{w.connection.pk}/")
    older = link(newest.content.decode(), "prev")
    other = client_for(w.contact_b.user)
    assert other.get(f"/conversations/{w.connection.pk}/{older}").status_code == 404
    api = api_for(w.contact_b)
    listed = api.get(f"/conversations/{w.connection.pk}/messages{older}")
    assert listed.status_code == 404


def test_the_api_pages_by_cursor_and_syncs_what_came_since(long_talk):
    w = long_talk
    api = api_for(w.contact_a)
    path = f"/conversations/{w.connection.pk}/messages"
    newest = api.get(f"{path}?limit=40").json()
    got = [int(NUMBER.match(m["body"])[1]) for m in newest["messages"]]
    assert got == list(range(91, 131))
    seen, page = list(got), newest
    while page["older"]:
        page = api.get(f"{path}?limit=40&before={page['older']}").json()
        seen = [int(NUMBER.match(m["body"])[1]) for m in page["messages"]] + seen
    assert seen == list(range(1, 131))

    # Syncing: nothing new yet, then exactly the new reply.
    since = newest["newer"]
    assert api.get(f"{path}?after={since}").json()["messages"] == []
    t.fund_trust(w.resident, 500)
    messaging.send_message(sender=w.resident, connection_id=w.connection.pk, body="Hi again")
    Message.objects.filter(body="Hi again").update(status=Message.Status.DELIVERED)
    fresh = api.get(f"{path}?after={since}").json()
    assert [m["body"] for m in fresh["messages"]] == ["Hi again"]


@pytest.mark.parametrize(
    "query", ["before=abc", "after=1.2.3", "limit=0", "limit=201", "before=1.x", "before=١.٢"]
)
def test_the_api_refuses_a_bad_cursor_or_limit(long_talk, query):
    api = api_for(long_talk.contact_a)
    response = api.get(f"/conversations/{long_talk.connection.pk}/messages?{query}")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


@pytest.mark.parametrize("history", ["resident", "contact"])
def test_staff_histories_page_newest_first_and_audit_what_each_page_showed(long_talk, history):
    w = long_talk
    client = client_for(w.investigator)
    person = w.resident if history == "resident" else w.contact_a
    path = f"/console/{history}s/{person.pk}/"
    back, forward, queries = walk_both_ways(client, path)
    assert back[0] == list(range(130, 80, -1))  # the newest 50, newest first
    assert flat(back) == list(range(130, 0, -1))
    assert flat(reversed(forward)) == list(range(130, 0, -1))  # "Later messages" back up
    assert queries[-1] <= queries[0]
    viewed = AuditEvent.objects.filter(action=f"{history}.history_viewed").order_by("id")
    assert [len(event.data["messages"]) for event in viewed][:3] == [50, 50, 30]
