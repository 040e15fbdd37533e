"""A person whose messaging is stopped sees it plainly, with the end date, wherever they
write from: the web conversation, the kiosk and the API; and sees it go away by itself."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from homeward import builders as t
from homeward.core import clock
from homeward.core.words import moment
from homeward.enforcement import restrictions
from homeward.messaging.models import Message
from homeward.personas import client_for, error_of, kiosk_client_for

DAY = dt.timedelta(days=1)


def suspend(world, subject, days: int = 7):  # type: ignore[no-untyped-def]
    return t.suspend(
        world.facility_admin, world.facility_1, subject, ends_at=clock.now() + days * DAY
    )


def test_the_web_conversation_says_until_when_and_offers_no_send_box(world):
    suspension = suspend(world, world.contact_a)
    connection = world.contact_a.connections.get()
    page = client_for(world.contact_a.user).get(f"/conversations/{connection.pk}/")
    text = page.content.decode()
    until = moment(suspension.ends_at, world.facility_1.timezone)
    assert f"Your messaging at Greenhaven Correctional is suspended until {until}." in text
    assert 'name="body"' not in text
    # A send anyway (an old tab) is refused with the same words, and nothing is sent.
    refused = client_for(world.contact_a.user).post(
        f"/conversations/{connection.pk}/send/", {"body": "Hello"}
    )
    assert refused.status_code == 403 and until in refused.content.decode()
    assert not Message.objects.exists()


def test_the_kiosk_says_so_to_a_suspended_resident_and_comes_back_by_itself(world):
    suspension = suspend(world, world.resident, days=3)
    connection = world.contact_a.connections.get()
    kiosk = kiosk_client_for(world.resident)
    text = kiosk.get(f"/kiosk/conversations/{connection.pk}/").content.decode()
    until = moment(suspension.ends_at, world.facility_1.timezone)
    assert f"Your messaging is suspended until {until}." in text
    assert "Send reply" not in text
    # Noon on the day it ended (the kiosk is open), signing in afresh.
    noon = (
        dt.datetime.combine(
            suspension.ends_at.astimezone(ZoneInfo(world.facility_1.timezone)).date(),
            dt.time(12),
            tzinfo=ZoneInfo(world.facility_1.timezone),
        )
        + DAY
    )
    with clock.frozen_at(noon):
        kiosk = kiosk_client_for(world.resident)
        text = kiosk.get(f"/kiosk/conversations/{connection.pk}/").content.decode()
    assert "suspended" not in text and "Send reply" in text


def test_the_api_shows_the_stop_on_connections_and_conversations_and_refuses_with_its_code(
    world, api_a
):
    suspension = suspend(world, world.resident)
    connection = world.contact_a.connections.get()
    [listed] = api_a.get("/connections").json()
    stopped = listed["messaging_stopped"]
    assert stopped["kind"] == "suspension"
    assert stopped["until"].startswith(suspension.ends_at.strftime("%Y-%m-%dT%H:%M"))
    assert stopped["said"].startswith("Maria Lopez's messaging is suspended until")
    [conversation] = api_a.get("/conversations").json()
    assert conversation["messaging_stopped"] == stopped
    response = api_a.post(f"/conversations/{connection.pk}/messages", {"body": "Hello"})
    assert response.status_code == 403
    assert error_of(response)["code"] == "messaging_suspended"
    restrictions.lift(staff=world.facility_admin, restriction_id=suspension.pk, reason="Done")
    assert api_a.get("/connections").json()[0]["messaging_stopped"] is None
