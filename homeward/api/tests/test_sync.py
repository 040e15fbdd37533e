"""Keeping a phone's copy of its conversations: what changed since (``updated_after``), one
message, ETags (304), gzip, and marking a whole conversation read in one call."""

from __future__ import annotations

import datetime as dt
import gzip
import json

from homeward import builders as t
from homeward.api import sync
from homeward.api.tests.test_conversations import approve_all, reply_delivered, send
from homeward.core import clock, keyset
from homeward.enforcement import restrictions
from homeward.messaging import services as messaging
from homeward.messaging.models import Message, MessageEvent
from homeward.personas import BASE, error_of

S = Message.Status
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
LATER = sync.LAG + dt.timedelta(seconds=1)  # past the lag: the cursor has moved on


def suspend(world, connection, **when):
    """Facility 1's admin suspends ``connection`` (``ends_at``, and ``starts_at`` if later)."""
    return t.suspend(world.facility_admin, world.facility_1, connection, **when)


def moved_end(world, suspension, ends_at):
    return restrictions.change_end(
        staff=world.facility_admin, restriction_id=suspension.pk, ends_at=ends_at, reason="New end"
    )


def listed(api, **params) -> list:
    """The contact's conversations as a phone reads them (GET /me/conversations), every
    page of them."""
    found: list = []
    number = 1
    while number is not None:
        response = api.get("/me/conversations", {**params, "page": number})
        assert response.status_code == 200, response.content
        found += response.json()["conversations"]
        number = response.json()["next_page"]
    return found


def page(api, connection, **params):
    response = api.get(f"/conversations/{connection.pk}/messages", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_every_status_move_and_every_save_stamps_updated_at(world, api_a, connection_a, run_jobs):
    with clock.frozen_at(T0):
        sent = send(api_a, connection_a).json()
    message = Message.objects.get(pk=sent["id"])
    assert message.updated_at == T0
    with clock.frozen_at(T0 + dt.timedelta(minutes=5)):
        run_jobs()
        approve_all(world.reviewer_1)
        run_jobs()
    message.refresh_from_db()
    assert message.status == S.DELIVERED
    assert message.updated_at == T0 + dt.timedelta(minutes=5)
    # The time of its last move, as its history says.
    last = MessageEvent.objects.filter(message=message).latest("at", "id")
    assert message.updated_at == last.at


def test_updated_after_gives_only_what_changed_in_the_order_it_changed(
    world, api_a, connection_a, run_jobs
):
    with clock.frozen_at(T0):
        first = send(api_a, connection_a, "One").json()
        second = send(api_a, connection_a, "Two").json()
        synced = page(api_a, connection_a)
    assert [m["id"] for m in synced["messages"]] == [first["id"], second["id"]]
    assert synced["sync"] == keyset.token(T0 - sync.LAG, 0)

    with clock.frozen_at(T0 + LATER):
        nothing = page(api_a, connection_a, updated_after=synced["sync"])
        # Both were written within the lag before the cursor: they come again, once.
        assert [m["id"] for m in nothing["messages"]] == [first["id"], second["id"]]
        assert nothing["newer"] is None and nothing["older"] is None
        cursor = nothing["sync"]
        assert page(api_a, connection_a, updated_after=cursor)["messages"] == []

    with clock.frozen_at(T0 + 2 * LATER):
        # The second is screened and its reply arrives: those two changed, the first not.
        run_jobs()
        reply = reply_delivered(world, connection_a, run_jobs)
    with clock.frozen_at(T0 + 3 * LATER):
        changed = page(api_a, connection_a, updated_after=cursor)
    ids = [m["id"] for m in changed["messages"]]
    assert reply.pk in ids and set(ids) <= {first["id"], second["id"], reply.pk}
    stamps = [(m["updated_at"], m["id"]) for m in changed["messages"]]
    assert stamps == sorted(stamps)
    assert {m["id"]: m["status"] for m in changed["messages"]}[reply.pk] == "delivered"
    with clock.frozen_at(T0 + 4 * LATER):
        assert page(api_a, connection_a, updated_after=changed["sync"])["messages"] == []


def test_a_reply_not_yet_delivered_is_not_synced(world, api_a, connection_a, run_jobs):
    with clock.frozen_at(T0):
        cursor = page(api_a, connection_a)["sync"]
        messaging.send_message(sender=world.resident, connection_id=connection_a.pk, body="Hi")
    with clock.frozen_at(T0 + LATER):
        assert page(api_a, connection_a, updated_after=cursor)["messages"] == []


def test_a_long_sync_comes_a_page_at_a_time_each_change_once(world, api_a, connection_a):
    with clock.frozen_at(T0):
        cursor = page(api_a, connection_a)["sync"]
        for n in range(7):
            send(api_a, connection_a, f"Message {n}")
    seen: list[int] = []
    with clock.frozen_at(T0 + LATER):
        answer = page(api_a, connection_a, updated_after=cursor, limit=3)
        pages = 1
        while answer["newer"]:
            seen += [m["id"] for m in answer["messages"]]
            answer = page(api_a, connection_a, updated_after=answer["newer"], limit=3)
            pages += 1
        seen += [m["id"] for m in answer["messages"]]
    assert pages == 3
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 7


def test_updated_after_goes_alone_and_must_be_a_cursor(api_a, connection_a):
    path = f"/conversations/{connection_a.pk}/messages"
    both = api_a.get(path, {"updated_after": "1.1", "before": "1.1"})
    assert both.status_code == 422 and error_of(both)["code"] == "invalid_input"
    assert api_a.get(path, {"updated_after": "yesterday"}).status_code == 422


def test_conversations_changed_after(world, api_a, connection_a, run_jobs):
    start = dt.datetime.fromisoformat(listed(api_a)[0]["updated_at"])
    held = (start + LATER).isoformat()  # a phone holding a newer updated_at than this one's
    assert listed(api_a, updated_after=held) == []
    with clock.frozen_at(start + 3 * LATER):
        reply = reply_delivered(world, connection_a, run_jobs)
        changed = listed(api_a, updated_after=held)
    assert [c["connection_id"] for c in changed] == [connection_a.pk]
    assert changed[0]["unread"] == 1
    assert dt.datetime.fromisoformat(changed[0]["updated_at"]) == reply.updated_at
    # Within the minute before what it holds, a conversation comes again.
    again = dt.datetime.fromisoformat(changed[0]["updated_at"]).isoformat()
    with clock.frozen_at(start + 4 * LATER):
        assert len(listed(api_a, updated_after=again)) == 1


def test_a_suspension_imposed_and_lifted_is_a_change_of_the_conversation(
    world, api_a, connection_a
):
    start = dt.datetime.fromisoformat(listed(api_a)[0]["updated_at"])
    held = (start + LATER).isoformat()
    with clock.frozen_at(start + 3 * LATER):
        suspension = suspend(world, connection_a, ends_at=start + dt.timedelta(days=7))
        (changed,) = listed(api_a, updated_after=held)
    assert changed["messaging_stopped"]["id"] == suspension.pk
    lifted_held = (start + 4 * LATER).isoformat()
    with clock.frozen_at(start + 6 * LATER):
        restrictions.lift(staff=world.facility_admin, restriction_id=suspension.pk, reason="Ok")
        (lifted,) = listed(api_a, updated_after=lifted_held)
    assert lifted["messaging_stopped"] is None


def test_a_suspension_ending_on_its_date_is_a_change_of_the_conversation(
    world, api_a, connection_a, run_jobs
):
    """Nobody acts when a suspension runs out: the job planned for its end marks the
    conversation changed, so an app syncing by updated_after hears it is over."""
    start = dt.datetime.fromisoformat(listed(api_a)[0]["updated_at"])
    ends = start + dt.timedelta(days=2)
    with clock.frozen_at(start + LATER):
        suspension = suspend(world, connection_a, ends_at=ends)
        run_jobs()
    synced = (start + 3 * LATER).isoformat()
    with clock.frozen_at(ends - LATER):
        run_jobs()  # not yet its end: nothing changes
        assert listed(api_a, updated_after=synced) == []
    with clock.frozen_at(ends + 2 * LATER):
        run_jobs()
        (ended,) = listed(api_a, updated_after=synced)
    assert ended["connection_id"] == connection_a.pk
    assert ended["messaging_stopped"] is None
    assert not suspension.in_force(ends + 2 * LATER)


def test_a_suspension_beginning_later_is_a_change_of_the_conversation_then(
    world, api_a, connection_a, run_jobs
):
    start = dt.datetime.fromisoformat(listed(api_a)[0]["updated_at"])
    begins = start + dt.timedelta(days=1)
    with clock.frozen_at(start + LATER):
        suspend(world, connection_a, starts_at=begins, ends_at=begins + dt.timedelta(days=2))
    synced = (start + 3 * LATER).isoformat()
    with clock.frozen_at(begins + 2 * LATER):
        run_jobs()
        (begun,) = listed(api_a, updated_after=synced)
    assert begun["messaging_stopped"] is not None


def test_a_suspension_extended_changes_the_conversation_at_its_new_end_only(
    world, api_a, connection_a, run_jobs
):
    start = dt.datetime.fromisoformat(listed(api_a)[0]["updated_at"])
    first_end, new_end = start + dt.timedelta(days=2), start + dt.timedelta(days=4)
    with clock.frozen_at(start + LATER):
        suspension = suspend(world, connection_a, ends_at=first_end)
        moved_end(world, suspension, new_end)
    synced = (start + 3 * LATER).isoformat()
    with clock.frozen_at(first_end + 2 * LATER):
        run_jobs()  # the first end's job: it is still in force, nothing changes
        assert listed(api_a, updated_after=synced) == []
    with clock.frozen_at(new_end + 2 * LATER):
        run_jobs()
        (ended,) = listed(api_a, updated_after=synced)
    assert ended["messaging_stopped"] is None


def test_a_suspension_shortened_or_lifted_leaves_no_change_at_its_old_end(
    world, api_a, connection_a, run_jobs
):
    start = dt.datetime.fromisoformat(listed(api_a)[0]["updated_at"])
    first_end, new_end = start + dt.timedelta(days=4), start + dt.timedelta(days=2)
    with clock.frozen_at(start + LATER):
        suspension = suspend(world, connection_a, ends_at=first_end)
        moved_end(world, suspension, new_end)
    synced = (start + 3 * LATER).isoformat()
    with clock.frozen_at(new_end + 2 * LATER):
        run_jobs()
        (ended,) = listed(api_a, updated_after=synced)
    assert ended["messaging_stopped"] is None
    after_new_end = (new_end + 4 * LATER).isoformat()
    with clock.frozen_at(first_end + 2 * LATER):
        run_jobs()  # the first end's job: the suspension no longer ends then
        assert listed(api_a, updated_after=after_new_end) == []

    later_start = first_end + dt.timedelta(days=1)
    with clock.frozen_at(later_start):
        other = suspend(world, connection_a, ends_at=later_start + dt.timedelta(days=3))
        restrictions.lift(staff=world.facility_admin, restriction_id=other.pk, reason="Ok")
    lifted = (later_start + 2 * LATER).isoformat()
    with clock.frozen_at(later_start + dt.timedelta(days=3, seconds=10)):
        run_jobs()  # its planned end: it was lifted before, nothing changes now
        assert listed(api_a, updated_after=lifted) == []


def test_one_message_as_the_list_shows_it(world, api_a, connection_a, run_jobs):
    sent = send(api_a, connection_a).json()
    reply = reply_delivered(world, connection_a, run_jobs)
    listed = {m["id"]: m for m in page(api_a, connection_a)["messages"]}
    for message_id in (sent["id"], reply.pk):
        one = api_a.get(f"/messages/{message_id}")
        assert one.status_code == 200
        assert one.json() == listed[message_id]


def test_a_reply_on_its_way_is_as_missing_as_no_message(world, api_a, connection_a):
    pending = messaging.send_message(
        sender=world.resident, connection_id=connection_a.pk, body="Not yet"
    ).message
    hidden = api_a.get(f"/messages/{pending.pk}")
    missing = api_a.get("/messages/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_etag_answers_304_until_the_page_changes(world, api_a, connection_a, run_jobs):
    send(api_a, connection_a)
    path = f"{BASE}/conversations/{connection_a.pk}/messages"
    first = api_a.client.get(path, headers=api_a._headers())
    tag = first["ETag"]
    assert tag.startswith('W/"')
    again = api_a.client.get(path, headers=api_a._headers() | {"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == tag
    # A list of tags, and the strong form of a weak one, match too (weak comparison).
    listed = api_a.client.get(
        path, headers=api_a._headers() | {"If-None-Match": f'"x", {tag.removeprefix("W/")}'}
    )
    assert listed.status_code == 304
    run_jobs()  # screened: its status moved
    changed = api_a.client.get(path, headers=api_a._headers() | {"If-None-Match": tag})
    assert changed.status_code == 200 and changed["ETag"] != tag


def test_conversation_list_has_an_etag_too(world, api_a, connection_a, run_jobs):
    path = f"{BASE}/conversations"
    tag = api_a.client.get(path, headers=api_a._headers())["ETag"]
    same = api_a.client.get(path, headers=api_a._headers() | {"If-None-Match": tag})
    assert same.status_code == 304
    reply_delivered(world, connection_a, run_jobs)
    changed = api_a.client.get(path, headers=api_a._headers() | {"If-None-Match": tag})
    assert changed.status_code == 200 and changed.json()[0]["unread"] == 1


def test_reads_are_gzipped_for_clients_that_ask(api_a, connection_a):
    for n in range(5):
        send(api_a, connection_a, f"Message number {n}, long enough to be worth compressing.")
    path = f"{BASE}/conversations/{connection_a.pk}/messages"
    zipped = api_a.client.get(path, headers=api_a._headers() | {"Accept-Encoding": "gzip"})
    assert zipped.status_code == 200 and zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    plain = api_a.client.get(path, headers=api_a._headers())
    assert not plain.has_header("Content-Encoding")
    unzipped = json.loads(gzip.decompress(zipped.content))
    assert unzipped["messages"] == plain.json()["messages"]


def test_an_answer_with_a_token_is_never_gzipped(world, anon):
    from homeward import builders as t

    response = anon.client.post(
        f"{BASE}/auth/token",
        json.dumps({"email": world.contact_a.user.email, "password": t.PASSWORD, "name": "x" * 90}),
        content_type="application/json",
        headers={"Accept-Encoding": "gzip"},
    )
    assert response.status_code == 201 and not response.has_header("Content-Encoding")


def test_one_call_marks_2500_unread_replies_read(world, api_a, connection_a):
    with clock.frozen_at(T0):
        Message.objects.bulk_create(
            Message(
                connection=connection_a,
                facility=connection_a.facility,
                resident=connection_a.resident,
                contact=connection_a.contact,
                direction=Message.Direction.TO_CONTACT,
                body=f"Reply {n}",
                status=S.DELIVERED,
                created_at=T0 - dt.timedelta(minutes=n),
                delivered_at=T0,
            )
            for n in range(2500)
        )
    assert listed(api_a)[0]["unread"] == 2500
    with clock.frozen_at(T0 + LATER):
        response = api_a.post(f"/conversations/{connection_a.pk}/read", {})
    assert response.status_code == 200
    assert len(response.json()["marked_read"]) == 2500
    assert not Message.objects.filter(connection=connection_a, status=S.DELIVERED).exists()
    assert listed(api_a)[0]["unread"] == 0
    # A phone that synced before sees all 2,500 move, a page at a time.
    cursor = keyset.token(T0, 0)
    with clock.frozen_at(T0 + 3 * LATER):
        answer = page(api_a, connection_a, updated_after=cursor, limit=100)
    assert len(answer["messages"]) == 100 and answer["newer"]
    assert {m["status"] for m in answer["messages"]} == {"read"}
    # Again: nothing more to mark.
    assert api_a.post(f"/conversations/{connection_a.pk}/read", {}).json()["marked_read"] == []


def test_the_refusal_of_two_cursors_is_said_in_spanish_too(api_a, connection_a):
    response = api_a.client.get(
        f"{BASE}/conversations/{connection_a.pk}/messages",
        {"updated_after": "1.1", "after": "1.1"},
        headers=api_a._headers() | {"Accept-Language": "es"},
    )
    assert response.status_code == 422
    assert "updated_after solo" in error_of(response)["message"]


def test_any_time_is_a_time_to_sync_conversations_from(api_a, connection_a):
    for held in (
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:30",
        "2026-01-01T00:00:00",
        "9999-12-31T23:59:59+14:00",
        "9999-12-31T23:59:59-14:00",  # past the year 9999 in UTC
        "0353-08-22T21:29:34.1-19:48",  # an offset no database takes
    ):
        listed(api_a, updated_after=held)  # 200, whatever the time
        assert api_a.get("/conversations", {"updated_after": held}).status_code == 200
    assert listed(api_a, updated_after="2026-01-01T00:00:00")
    assert api_a.get("/me/conversations", {"updated_after": "soon"}).status_code == 422
