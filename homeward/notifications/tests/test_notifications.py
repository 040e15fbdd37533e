"""Notifications: an outbox row per event and person, sent once through a real SMTP server,
with the contact's choices and a one-click unsubscribe that works only for its recipient."""

from __future__ import annotations

import re

from django.urls import reverse

from homeward import builders as t
from homeward.connections import services as connections
from homeward.messaging import services as messaging
from homeward.notifications import services, tokens
from homeward.notifications.access import NOTICES_SHOWN
from homeward.notifications.models import Notification, Preference
from homeward.personas import emails_to, kiosk_client_for

N = Notification


def reply_to_ana(world, run_jobs, body: str = "The secret is under the stairs.") -> None:  # type: ignore[no-untyped-def]
    """Maria writes to Ana; screening, a reviewer's approval and delivery follow."""
    connection = world.contact_a.connections.get()
    sent = messaging.send_message(sender=world.resident, connection_id=connection.pk, body=body)
    run_jobs()
    message = sent.message
    message.refresh_from_db()
    if message.status == message.Status.IN_REVIEW:  # Greenhaven reviews every message
        messaging.approve(message_id=message.pk, actor=world.reviewer_1)
    run_jobs()  # delivery, then the notification


def test_a_delivered_reply_emails_the_contact_once_without_the_text(world, run_jobs, smtp):
    reply_to_ana(world, run_jobs)
    run_jobs()
    [sent] = emails_to(smtp, "a@example.org")
    assert sent["Subject"] == "A reply is waiting for you on Homeward"
    body = sent.get_payload(decode=True).decode()
    assert "Maria Lopez" in body
    assert "secret" not in body and "stairs" not in body  # never the message's words
    assert " ".join(sent["List-Unsubscribe"].split()).startswith("<http")
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    row = Notification.objects.get(event="reply_waiting")
    assert row.status == N.Status.SENT and row.sent_at is not None
    run_jobs()  # nothing is sent twice
    assert len(emails_to(smtp, "a@example.org")) == 1


def test_the_same_event_noticed_twice_is_one_row_and_one_email(world, run_jobs, smtp):
    contact = world.contact_a
    for _ in range(2):
        services.notify(
            event="connection_ended", key="connection:1:ended:x", contact=contact, theirs={}
        )
    run_jobs()
    assert Notification.objects.filter(event="connection_ended").count() == 1
    assert len(emails_to(smtp, "a@example.org")) == 1


def test_an_event_turned_off_is_not_emailed(world, run_jobs, smtp):
    services.set_preferences(contact=world.contact_a, choices={"reply_waiting": False})
    reply_to_ana(world, run_jobs)
    run_jobs()
    assert emails_to(smtp, "a@example.org") == []
    assert Notification.objects.get(event="reply_waiting").status == N.Status.SKIPPED


def test_turning_an_event_off_after_it_was_queued_stops_the_email(world, run_jobs, smtp):
    reply_to_ana(world, run_jobs, "Hello")
    run_jobs()
    assert len(emails_to(smtp, "a@example.org")) == 1
    # A second reply is delivered and its email queued; then Ana turns the event off.
    connection = world.contact_a.connections.get()
    sent = messaging.send_message(sender=world.resident, connection_id=connection.pk, body="Hi")
    run_jobs()
    messaging.approve(message_id=sent.message.pk, actor=world.reviewer_1)
    messaging.deliver(message_id=sent.message.pk)
    assert Notification.objects.filter(status=N.Status.QUEUED).count() == 1
    services.set_preferences(contact=world.contact_a, choices={"reply_waiting": False})
    run_jobs()
    assert len(emails_to(smtp, "a@example.org")) == 1
    assert Notification.objects.filter(status=N.Status.SKIPPED).count() == 1


def test_an_unverified_address_gets_no_email(world, run_jobs, smtp):
    world.contact_a.email_verified_at = None
    world.contact_a.save()
    reply_to_ana(world, run_jobs)
    run_jobs()
    assert smtp.received == []


def test_a_user_written_name_is_quoted_safely_and_never_in_the_subject(world, run_jobs, smtp):
    resident = world.resident
    resident.first_name, resident.last_name = "Visit evil.com", "https://x.io"
    resident.save()
    reply_to_ana(world, run_jobs)
    run_jobs()
    [sent] = emails_to(smtp, "a@example.org")
    body = sent.get_payload(decode=True).decode()
    assert "evil[.]com" in body and "evil.com" not in body
    assert "https[:]//" in body
    assert "evil" not in sent["Subject"]


def test_approval_emails_the_contact_and_tells_the_resident_at_the_kiosk(world, run_jobs, smtp):
    contact = t.make_contact("new@example.org", name="Nora Diaz")
    requested = connections.request_connection(
        contact=contact, facility=world.facility_1, number="NY1001"
    )
    notice = Notification.objects.get(event="connection_requested", resident=world.resident)
    assert notice.channel == N.Channel.KIOSK and "Nora Diaz" in notice.body
    connection = requested.connection
    connection.refresh_from_db()
    if connection.status == connection.Status.REQUESTED:
        connections.respond_to_request(
            resident=world.resident, connection_id=connection.pk, accept=True
        )
    connection.refresh_from_db()
    if connection.status == connection.Status.PENDING_STAFF:
        connections.staff_decide(
            staff=world.reviewer_1,
            connection_id=connection.pk,
            approve=True,
        )
    run_jobs()
    [sent] = emails_to(smtp, "new@example.org")
    assert sent["Subject"] == "Your Homeward connection was approved"


def test_a_blocked_message_email_names_the_category_where_the_facility_shows_reasons(
    world, run_jobs, smtp
):
    connection = world.contact_a.connections.get()
    message = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="We will BREAK   out tonight"
    ).message
    run_jobs()
    message.refresh_from_db()
    if message.status != message.Status.BLOCKED:
        messaging.block(message_id=message.pk, actor="test", category="escape")
    run_jobs()
    [sent] = emails_to(smtp, "a@example.org")
    body = sent.get_payload(decode=True).decode()
    assert "blocked" in body and "Reason:" in body
    assert "BREAK" not in body


def test_kiosk_notices_show_in_the_inbox_until_seen_and_only_for_their_resident(world):
    services.notify(
        event="connection_requested",
        key="connection:99:requested:x",
        resident=world.resident,
        theirs={"name": "<b>Nora</b>"},
    )
    client = kiosk_client_for(world.resident)
    page = client.get(reverse("kiosk:inbox")).content.decode()
    assert "asked to write to you" in page
    assert "<b>Nora</b>" not in page and "&lt;b&gt;Nora&lt;/b&gt;" in page
    other = world.resident_2
    assert services.mark_notices_read(resident=other) == 0
    assert Notification.objects.get(resident=world.resident).read_at is None
    shown = Notification.objects.get(resident=world.resident)
    # A notice that arrives after the page was drawn is not dismissed with the ones shown.
    services.notify(
        event="connection_requested",
        key="connection:100:requested:x",
        resident=world.resident,
        theirs={"name": "Omar"},
    )
    client.post(reverse("kiosk:notices_read"), {"shown": [shown.pk]})
    assert Notification.objects.get(pk=shown.pk).read_at is not None
    page = client.get(reverse("kiosk:inbox")).content.decode()
    assert "Omar" in page and "Nora" not in page


def test_a_resident_with_more_notices_than_a_page_dismisses_only_those_shown(world):
    """Notices beyond the page stay unread (and the page says how many wait) until shown;
    ids of another resident's notices, or junk, posted with them change nothing."""
    names = [f"Person{n:02}" for n in range(NOTICES_SHOWN + 5)]
    for name in names:  # oldest first
        services.notify(
            event="connection_requested",
            key=f"connection:{name}:requested",
            resident=world.resident,
            theirs={"name": name},
        )
    services.notify(
        event="connection_requested",
        key="connection:theirs:requested",
        resident=world.resident_2,
        theirs={"name": "Quinn"},
    )
    theirs = Notification.objects.get(resident=world.resident_2)
    client = kiosk_client_for(world.resident)
    page = client.get(reverse("kiosk:inbox")).content.decode()
    assert all(name in page for name in names[5:]) and "Person04" not in page
    assert "5 older notices will show when you have seen these." in page
    shown = re.findall(r'name="shown" value="(\d+)"', page)
    assert len(shown) == NOTICES_SHOWN
    client.post(reverse("kiosk:notices_read"), {"shown": [*shown, theirs.pk, "x", "-1"]})
    unread = Notification.objects.filter(resident=world.resident, read_at__isnull=True)
    assert [name for name in names if any(name in n.body for n in unread)] == names[:5]
    assert unread.count() == 5
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    page = client.get(reverse("kiosk:inbox")).content.decode()
    assert all(name in page for name in names[:5]) and "older notice" not in page
    shown = re.findall(r'name="shown" value="(\d+)"', page)
    client.post(reverse("kiosk:notices_read"), {"shown": shown})
    assert not Notification.objects.filter(resident=world.resident, read_at__isnull=True)
    assert "New since you last looked" not in client.get(reverse("kiosk:inbox")).content.decode()


def test_the_unsubscribe_link_works_without_signing_in_and_only_for_its_recipient(world, client):
    token = tokens.unsubscribe(world.contact_a.pk, "reply_waiting")
    url = reverse("web:unsubscribe", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert not Preference.objects.exists()  # looking (or a link scanner) changes nothing
    done = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert not services.enabled(world.contact_a, "reply_waiting")
    assert services.enabled(world.contact_b, "reply_waiting")
    # Someone else's link, edited: 404 and nothing changes.
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(reverse("web:unsubscribe", args=[forged])).status_code == 404
    assert client.post(reverse("web:unsubscribe", args=["nonsense"])).status_code == 404
    assert Preference.objects.filter(contact=world.contact_b).count() == 0


def test_preferences_page_saves_choices_and_needs_a_signed_in_contact(world, client):
    url = reverse("web:notification_preferences")
    assert client.get(url).status_code in (302, 403)
    client.force_login(world.contact_a.user)
    page = client.get(url).content.decode()
    assert "A reply is waiting for you" in page
    client.post(url, {"message_blocked": "on"})  # everything else unticked
    assert services.enabled(world.contact_a, "message_blocked")
    assert not services.enabled(world.contact_a, "reply_waiting")
    assert services.enabled(world.contact_b, "reply_waiting")  # nobody else's choices
