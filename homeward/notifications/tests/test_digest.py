"""The daily digest: a contact who chose it gets one email a day, at the digest hour,
listing what happened, instead of an email for each event."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings

from homeward.core import clock
from homeward.notifications import services, tokens
from homeward.notifications.access import preferences_of
from homeward.notifications.models import Notification
from homeward.personas import body_of, client_for, emails_to

N = Notification
EASTERN = zoneinfo.ZoneInfo("America/New_York")


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=EASTERN)


def tell(contact, key: str, event: str = "connection_ended") -> Notification:  # type: ignore[no-untyped-def]
    return services.notify(event=event, key=key, contact=contact, theirs={"name": "Maria Lopez"})


def test_the_digest_hour_is_the_next_one_on_the_wall_clock(settings):
    settings.NOTIFICATION_DIGEST_HOUR = 18
    settings.NOTIFICATION_DIGEST_TIME_ZONE = "America/New_York"
    assert services.next_digest_at(at(2026, 3, 7, 9)) == at(2026, 3, 7, 18)
    assert services.next_digest_at(at(2026, 3, 7, 18)) == at(2026, 3, 8, 18)
    # Across the change to summer time (8 March 2026) it is still 6 pm there.
    later = services.next_digest_at(at(2026, 3, 7, 19))
    assert later.astimezone(EASTERN).hour == 18 and later.day == 8


def test_a_contact_who_chose_the_digest_gets_one_email_at_the_digest_hour(world, run_jobs, smtp):
    browser = client_for(world.contact_a.user)
    on = {"digest": "daily", "connection_ended": "on", "connection_approved": "on"}
    assert browser.post("/notifications/", on).status_code == 302
    morning = at(2026, 12, 3, 9)
    with clock.frozen_at(morning):
        tell(world.contact_a, "one", "connection_ended")
        tell(world.contact_a, "two", "connection_approved")
        run_jobs()
    assert smtp.received == []  # held for the digest
    with clock.frozen_at(at(2026, 12, 3, 18, 4)):  # a few minutes' grace after the hour
        run_jobs()
    assert smtp.received == []
    with clock.frozen_at(at(2026, 12, 3, 18, 6)):
        run_jobs()
        run_jobs()  # never twice
    [digest] = emails_to(smtp, "a@example.org")
    assert digest["Subject"] == "Your Homeward digest: 2 updates"
    body = body_of(digest)
    assert "1. " in body and "2. " in body
    assert body.count('"Maria Lopez"') == 2
    assert "--\nYou get this email" not in body  # the events' own footers are left out
    assert " ".join(digest["List-Unsubscribe"].split()).startswith("<http")
    assert set(Notification.objects.exclude(event="digest").values_list("status", flat=True)) == {
        N.Status.SENT
    }


def test_an_event_turned_off_before_the_digest_is_left_out(world, run_jobs, smtp):
    services.set_digest(contact=world.contact_a, on=True)
    with clock.frozen_at(at(2026, 12, 3, 9)):
        tell(world.contact_a, "one", "connection_ended")
        tell(world.contact_a, "two", "connection_approved")
    services.set_preferences(contact=world.contact_a, choices={"connection_ended": False})
    with clock.frozen_at(at(2026, 12, 3, 18, 6)):
        run_jobs()
    [digest] = emails_to(smtp, "a@example.org")
    assert digest["Subject"] == "Your Homeward digest: 1 update"
    assert Notification.objects.get(key="one").status == N.Status.SKIPPED


def test_nothing_left_to_tell_sends_no_digest(world, run_jobs, smtp):
    services.set_digest(contact=world.contact_a, on=True)
    with clock.frozen_at(at(2026, 12, 3, 9)):
        tell(world.contact_a, "one")
    services.set_preferences(contact=world.contact_a, choices={"connection_ended": False})
    with clock.frozen_at(at(2026, 12, 3, 18, 6)):
        run_jobs()
    assert smtp.received == []
    assert Notification.objects.get(event="digest").status == N.Status.SKIPPED


def test_the_digest_link_stops_every_email(world, client):
    link = "/unsubscribe/" + tokens.unsubscribe(world.contact_a.pk, "digest") + "/"
    assert "Stop every email Homeward sends you" in client.get(link).content.decode()
    assert client.post(link).status_code == 200
    still_on = [event for event, _, on in preferences_of(world.contact_a) if on]
    # A lock and a suspension are not a digest's: the person must hear of them.
    assert still_on == ["signin_locked", "messaging_restricted"]


def test_the_preferences_page_says_when_the_digest_goes(world):
    page = client_for(world.contact_a.user).get("/notifications/").content.decode()
    hour = settings.NOTIFICATION_DIGEST_HOUR
    assert f"{hour % 12 or 12} {'am' if hour < 12 else 'pm'}" in page


def test_turning_the_digest_off_sends_what_was_held_at_once(world, run_jobs, smtp):
    services.set_digest(contact=world.contact_a, on=True)
    tell(world.contact_a, "one")
    run_jobs()
    assert smtp.received == []
    services.set_digest(contact=world.contact_a, on=False)
    run_jobs()
    assert len(emails_to(smtp, "a@example.org")) == 1
    assert Notification.objects.get(key="one").status == N.Status.SENT


def test_a_sign_in_lock_is_never_held_for_the_digest_nor_stopped_by_its_link(world, run_jobs, smtp):
    services.set_digest(contact=world.contact_a, on=True)
    services.notify(
        event="signin_locked", key="lock", contact=world.contact_a, ours={"minutes": 15}
    )
    run_jobs()
    assert [m["Subject"] for m in emails_to(smtp, "a@example.org")] == [
        "Your Homeward account was locked"
    ]
    services.unsubscribe(token=tokens.unsubscribe(world.contact_a.pk, "digest"))
    assert services.enabled(world.contact_a, "signin_locked")


def test_what_was_held_for_a_closed_account_is_never_sent(world, run_jobs, smtp):
    services.set_digest(contact=world.contact_a, on=True)
    with clock.frozen_at(at(2026, 12, 3, 9)):
        tell(world.contact_a, "one")
    world.contact_a.closed_at = at(2026, 12, 3, 10)
    world.contact_a.save()
    with clock.frozen_at(at(2026, 12, 3, 18, 6)):
        run_jobs()
    assert smtp.received == []
    assert Notification.objects.get(key="one").status == N.Status.SKIPPED


def test_a_digest_time_zone_that_does_not_exist_stops_the_start():
    from homeward.personas import settings_read_with

    started = settings_read_with(
        "settings.NOTIFICATION_DIGEST_TIME_ZONE", NOTIFICATION_DIGEST_TIME_ZONE="Mars/Olympus"
    )
    assert started.returncode != 0
    assert "NOTIFICATION_DIGEST_TIME_ZONE must be a time zone" in started.stderr


def _a_day_of(contact, updates: int, run_jobs, smtp):  # type: ignore[no-untyped-def]
    """The digest of a day with ``updates`` updates for a contact who chose it."""
    services.set_digest(contact=contact, on=True)
    with clock.frozen_at(at(2026, 12, 3, 9)):
        for number in range(updates):
            tell(contact, f"ended-{number}")
    with clock.frozen_at(at(2026, 12, 3, 18, 6)):
        run_jobs()
    [digest] = emails_to(smtp, contact.user.email)
    return digest


def test_a_busy_day_writes_out_the_first_thirty_and_counts_the_rest(world, run_jobs, smtp):
    """An attorney's day of hundreds of replies is not an email of hundreds of letters: the
    oldest thirty are written out, the rest counted, and every one is marked sent."""
    digest = _a_day_of(world.contact_a, 35, run_jobs, smtp)
    assert digest["Subject"] == "Your Homeward digest: 35 updates"
    body = body_of(digest)
    assert "\n30. " in body and "\n31. " not in body
    assert body.count('"Maria Lopez"') == 30
    assert "And 5 more updates, not written out here: sign in to read them." in body
    held = Notification.objects.exclude(event=services.DIGEST)
    assert held.count() == 35 and set(held.values_list("status", flat=True)) == {N.Status.SENT}
    assert not held.filter(sent_at__isnull=True).exists()


def test_one_more_than_thirty_is_said_in_the_singular_and_in_spanish(world, run_jobs, smtp):
    world.contact_a.user.language = "es"
    world.contact_a.user.save(update_fields=["language"])
    digest = _a_day_of(world.contact_a, 31, run_jobs, smtp)
    assert "Y 1 novedad más, que no se escribe aquí: inicie sesión para leerla." in body_of(digest)
