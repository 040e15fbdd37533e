"""Appealing from the API: a blocked message, or the stop of one's own messaging, through
the same endpoints an app calls, and what the app then sees on the message or the
connection."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from homeward.core import clock
from homeward.enforcement import appeals
from homeward.enforcement.models import Appeal
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.personas import blocked_by_reviewer, error_of

DAY = dt.timedelta(days=1)
APPEAL_FIELDS = {
    "id",
    "status",
    "of",
    "statement",
    "created_at",
    "due_at",
    "decided_at",
    "decision_reason",
    "said",
}


def blocked(world, *, reason: str = "drugs", sender=None) -> Message:  # type: ignore[no-untyped-def]
    return blocked_by_reviewer(
        world.reviewer_1,
        sender=sender or world.contact_a,
        connection_id=world.contact_a.connections.get().pk,
        body="It was a recipe for pozole",
        reason=reason,
    )


def shown(api, message: Message) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The message as the conversation's list shows it to the app."""
    listed = api.get(f"/conversations/{message.connection_id}/messages").json()["messages"]
    [found] = [m for m in listed if m["id"] == message.pk]
    return found


def stopped(api) -> dict[str, Any] | None:  # type: ignore[no-untyped-def]
    [listed] = api.get("/connections").json()
    return listed["messaging_stopped"]


def test_a_blocked_message_is_appealed_once_and_shows_its_appeal(world, api_a):
    message = blocked(world)
    before = shown(api_a, message)
    assert before["status"] == "blocked"
    assert before["appealable"] is True and before["appeal"] is None

    response = api_a.post(f"/messages/{message.pk}/appeal", {"statement": " It is a recipe. "})
    assert response.status_code == 201
    appeal = response.json()
    assert set(appeal) == APPEAL_FIELDS
    assert appeal["status"] == "open" and appeal["of"] == "message"
    assert appeal["statement"] == "It is a recipe."
    assert appeal["decided_at"] is None and appeal["decision_reason"] == ""
    assert appeal["due_at"] > appeal["created_at"]
    assert appeal["said"].startswith("You appealed. The facility aims to decide by")
    assert appeal["id"] == Appeal.objects.get(message=message).pk

    after = shown(api_a, message)
    assert after["appealable"] is False
    assert after["appeal"] == appeal

    again = api_a.post(f"/messages/{message.pk}/appeal", {"statement": "Please"})
    assert again.status_code == 409
    assert error_of(again)["code"] == "already_appealed"
    assert Appeal.objects.count() == 1


def test_after_the_window_the_message_is_not_appealable_and_an_appeal_is_refused(world, api_a):
    message = blocked(world)
    assert message.blocked_at is not None
    with clock.frozen_at(message.blocked_at + 15 * DAY):  # the default window is 14 days
        assert shown(api_a, message)["appealable"] is False
        response = api_a.post(f"/messages/{message.pk}/appeal", {"statement": "Please"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "appeal_window_closed"
    assert not Appeal.objects.exists()


def test_what_may_not_be_appealed_is_refused_and_nothing_is_filed(world, api_a, api_b):
    message = blocked(world)
    # Another contact: as if the message did not exist.
    response = api_b.post(f"/messages/{message.pk}/appeal", {"statement": "Look again"})
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert api_a.post("/messages/999999/appeal", {"statement": "x"}).status_code == 404
    # An empty or too long statement.
    empty = api_a.post(f"/messages/{message.pk}/appeal", {"statement": "  \n "})
    assert empty.status_code == 400
    assert error_of(empty)["code"] == "statement_required"
    long = api_a.post(f"/messages/{message.pk}/appeal", {"statement": "x" * 1001})
    assert long.status_code == 400
    assert error_of(long)["code"] == "statement_too_long"
    missing = api_a.post(f"/messages/{message.pk}/appeal", {})
    assert missing.status_code == 422
    assert error_of(missing)["code"] == "invalid_input"
    # A message that was not blocked.
    sent = messaging.send_message(
        sender=world.contact_a, connection_id=message.connection_id, body="Hello"
    ).message
    assert shown(api_a, sent)["appealable"] is False
    not_blocked = api_a.post(f"/messages/{sent.pk}/appeal", {"statement": "x"})
    assert not_blocked.status_code == 409
    assert error_of(not_blocked)["code"] == "not_blocked"
    assert not Appeal.objects.exists()
    assert shown(api_a, message)["appealable"] is True


def test_a_decision_shows_on_the_message(world, api_a):
    message = blocked(world)
    filed = api_a.post(f"/messages/{message.pk}/appeal", {"statement": "A recipe"}).json()
    appeals.decide(
        staff=world.facility_admin, appeal_id=filed["id"], outcome="upheld", reason="Drug talk"
    )
    after = shown(api_a, message)
    assert after["status"] == "blocked" and after["appealable"] is False
    appeal = after["appeal"]
    assert appeal["id"] == filed["id"]
    assert appeal["status"] == "upheld" and appeal["decision_reason"] == "Drug talk"
    assert appeal["decided_at"] is not None
    assert appeal["said"].startswith("The facility upheld the decision")
    assert appeal["said"].endswith("Reason: “Drug talk”")


def test_a_suspension_is_appealed_by_the_id_messaging_stopped_gives(world, api_a, api_b):
    blocked(world, reason="escape")  # suspends Ana at once under the default policy
    stop = stopped(api_a)
    assert stop is not None and stop["kind"] == "suspension"
    assert stop["appealable"] is True and stop["appeal"] is None
    [conversation] = api_a.get("/conversations").json()
    assert conversation["messaging_stopped"] == stop

    refused = api_b.post(f"/restrictions/{stop['id']}/appeal", {"statement": "Let me write"})
    assert refused.status_code == 404
    assert error_of(refused)["code"] == "not_found"
    assert not Appeal.objects.exists()

    response = api_a.post(f"/restrictions/{stop['id']}/appeal", {"statement": "Let me write"})
    assert response.status_code == 201
    appeal = response.json()
    assert set(appeal) == APPEAL_FIELDS
    assert appeal["of"] == "restriction" and appeal["status"] == "open"
    after = stopped(api_a)
    assert after is not None and after["id"] == stop["id"]
    assert after["appealable"] is False and after["appeal"] == appeal
    again = api_a.post(f"/restrictions/{stop['id']}/appeal", {"statement": "Please"})
    assert again.status_code == 409
    assert error_of(again)["code"] == "already_appealed"

    # Overturned: messaging comes back, and nothing is stopped any more.
    appeals.decide(
        staff=world.facility_admin, appeal_id=appeal["id"], outcome="overturned", reason="Misread"
    )
    assert stopped(api_a) is None
    gone = api_a.post(f"/restrictions/{stop['id']}/appeal", {"statement": "Please"})
    assert gone.status_code == 409
    assert error_of(gone)["code"] in {"not_in_force", "already_appealed"}


def test_a_stop_of_the_residents_messaging_is_not_the_contacts_to_appeal(world, api_a):
    from homeward.enforcement import restrictions

    restriction = restrictions.impose(
        staff=world.facility_admin,
        facility=world.facility_1,
        subject=world.resident,
        kind="suspension",
        reason="Threats",
        ends_at=clock.now() + 7 * DAY,
    )
    stop = stopped(api_a)
    assert stop is not None and stop["id"] == restriction.pk and stop["appealable"] is False
    response = api_a.post(f"/restrictions/{restriction.pk}/appeal", {"statement": "Please"})
    assert response.status_code == 404
    assert not Appeal.objects.exists()


def test_a_residents_appeal_of_their_reply_is_not_shown_to_the_contact(world, api_a, run_jobs):
    reply = blocked(world, sender=world.resident)
    appeal = appeals.appeal_message(
        appellant=world.resident, message_id=reply.pk, statement="It was fine"
    )
    appeals.decide(
        staff=world.facility_admin, appeal_id=appeal.pk, outcome="overturned", reason="Fine"
    )
    run_jobs()
    delivered = shown(api_a, reply)  # delivered once overturned
    assert delivered["appeal"] is None and delivered["appealable"] is False


def test_listing_messages_costs_the_same_queries_however_many_have_appeals(world, api_a):
    connection_id = world.contact_a.connections.get().pk
    path = f"/conversations/{connection_id}/messages"

    def queries() -> int:
        with CaptureQueriesContext(db) as captured:
            assert api_a.get(path).status_code == 200
        return len(captured)

    first = blocked(world)
    api_a.post(f"/messages/{first.pk}/appeal", {"statement": "A recipe"})
    one = queries()
    # Another appealed block, a decided one, and messages on their way: no query more.
    second = blocked(world)
    api_a.post(f"/messages/{second.pk}/appeal", {"statement": "Another recipe"})
    appeals.decide(
        staff=world.facility_admin, appeal_id=second.appeal.pk, outcome="upheld", reason="No"
    )
    for body in ("One", "Two", "Three"):
        messaging.send_message(sender=world.contact_a, connection_id=connection_id, body=body)
    listed = api_a.get(path).json()["messages"]
    assert len(listed) == 5
    assert [m["appeal"]["status"] for m in listed[:2]] == ["open", "upheld"]
    assert queries() == one
