"""Appealing from where people write: the web conversation (a blocked message, a
suspension), the kiosk (a blocked reply), and what each page says afterwards."""

from __future__ import annotations

from homeward import builders as t
from homeward.enforcement import appeals
from homeward.enforcement.models import Appeal, Restriction
from homeward.people.models import StaffMembership
from homeward.personas import blocked_by_reviewer, client_for, kiosk_client_for

Role = StaffMembership.Role


def blocked(world, *, sender=None, reason: str = "drugs"):  # type: ignore[no-untyped-def]
    return blocked_by_reviewer(
        world.reviewer_1,
        sender=sender or world.contact_a,
        connection_id=world.contact_a.connections.get().pk,
        body="Grandma's recipe for pozole",
        reason=reason,
    )


def test_a_contact_appeals_a_blocked_message_from_the_conversation(world):
    message = blocked(world)
    web = client_for(world.contact_a.user)
    url = f"/conversations/{message.connection_id}/"
    page = web.get(url).content.decode()
    assert "Appeal this decision" in page and "You can appeal once, until" in page
    sent = web.post(
        f"{url}messages/{message.pk}/appeal/", {"statement": "It is a recipe"}, follow=True
    )
    page = sent.content.decode()
    assert "Your appeal was sent." in page
    assert "You appealed. The facility aims to decide by" in page
    assert "Appeal this decision" not in page
    appeal = Appeal.objects.get()
    assert appeal.contact == world.contact_a and appeal.statement == "It is a recipe"
    again = web.post(f"{url}messages/{message.pk}/appeal/", {"statement": "Again"}, follow=True)
    assert "Your appeal was not sent: This message was already appealed." in (
        again.content.decode()
    )
    assert Appeal.objects.count() == 1
    # Decided: the page says how, with the reason.
    appeals.decide(
        staff=appeal.assigned_to, appeal_id=appeal.pk, outcome="upheld", reason="Drug slang"
    )
    assert "The facility upheld the decision" in web.get(url).content.decode()


def test_someone_else_cannot_appeal_a_contacts_message(world):
    message = blocked(world)
    t.connect(world.contact_b, world.resident)
    response = client_for(world.contact_b.user).post(
        f"/conversations/{message.connection_id}/messages/{message.pk}/appeal/",
        {"statement": "Mine now"},
    )
    assert response.status_code == 404
    assert not Appeal.objects.exists()


def test_a_suspended_contact_appeals_the_suspension_from_the_conversation(world):
    message = blocked(world, reason="escape")  # suspends at once
    web = client_for(world.contact_a.user)
    url = f"/conversations/{message.connection_id}/"
    page = web.get(url).content.decode()
    assert "Appeal this suspension" in page
    web.post(f"{url}appeal/", {"statement": "It was about a film"})
    appeal = Appeal.objects.get(restriction=Restriction.objects.get())
    assert appeal.assigned_to == world.facility_admin
    assert "You appealed." in web.get(url).content.decode()


def test_a_resident_appeals_a_blocked_reply_at_the_kiosk_and_reads_the_decision(world):
    t.make_staff("rev3", role=Role.REVIEWER, facility=world.facility_1)
    reply = blocked(world, sender=world.resident, reason="relay")
    kiosk = kiosk_client_for(world.resident)
    url = f"/kiosk/conversations/{reply.connection_id}/"
    assert "Appeal this decision" in kiosk.get(url).content.decode()
    page = kiosk.post(
        f"{url}messages/{reply.pk}/appeal/", {"statement": "My cousin asked"}, follow=True
    ).content.decode()
    assert "Your appeal was sent." in page and "You appealed." in page
    appeal = Appeal.objects.get()
    appeals.decide(
        staff=appeal.assigned_to, appeal_id=appeal.pk, outcome="overturned", reason="Family news"
    )
    inbox = kiosk.get("/kiosk/").content.decode()
    assert "The facility overturned the block" in inbox


def test_the_facility_page_tells_families_they_can_appeal(world):
    page = client_for(world.contact_a.user).get(f"/facilities/{world.facility_1.code}/")
    assert (
        "You can appeal a blocked message, or a suspension of your messaging, within 14 days"
        in (page.content.decode())
    )
