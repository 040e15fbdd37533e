"""A resident's invitation is emailed to the address they typed, with a link that accepts it
for a new account or an existing one, and for nobody else."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from homeward import builders as t
from homeward.connections import services as connections
from homeward.connections.models import Connection
from homeward.notifications.models import Notification
from homeward.people.models import Contact
from homeward.personas import body_of, client_for, emails_to, kiosk_client_for, link_in

C = Connection.Status


def invites_facility():  # type: ignore[no-untyped-def]
    facility = t.make_facility(
        "invites", name="Riverside Center", policy={"connection_policy": "resident_invites"}
    )
    return t.make_resident(facility, "RI1", first_name="Kim", last_name="Park")


def invite_by_kiosk(resident, email: str):  # type: ignore[no-untyped-def]
    kiosk = kiosk_client_for(resident)
    return kiosk.post("/kiosk/invite/", {"email": email}, follow=True)


def test_the_invited_address_gets_an_email_once_with_a_link_and_no_account_needed(
    db, run_jobs, smtp
):
    resident = invites_facility()
    page = invite_by_kiosk(resident, "New.Person@example.org").content.decode()
    assert "We emailed your invitation to new.person@example.org" in page
    invite_by_kiosk(resident, "new.person@example.org")  # asked again: still one email
    run_jobs()
    [sent] = emails_to(smtp, "new.person@example.org")
    assert sent["Subject"] == "An invitation to write on Homeward"
    assert "List-Unsubscribe" not in sent  # one invitation, not a subscription
    body = body_of(sent)
    assert '"Kim Park"' in body and "Riverside Center" in body
    link = link_in(sent, "/invitations/")
    # Opened by someone with no account: whose invitation, and how to answer.
    landing = Client().get(link).content.decode()
    assert "Kim" in landing and "new.person@example.org" in landing
    assert "email=new.person%40example.org" in landing  # sign-up with the address filled in
    # They sign up with the address, come back, and accept: no other email is needed.
    browser = Client()
    signed_up = browser.post(
        f"/signup/?next={link}",
        {
            "display_name": "New Person",
            "email": "new.person@example.org",
            "password": "a-much-longer-secret-42",
            "accept_notice": "on",
            "notice_version": settings.MONITORING_NOTICE_VERSION,
            "next": link,
        },
    )
    assert signed_up["Location"] == link
    assert "Accept the invitation" in browser.get(link).content.decode()
    accepted = browser.post(link, {"answer": "accept"})
    assert accepted["Location"] == "/connections/"
    contact = Contact.objects.get(user__email="new.person@example.org")
    assert contact.email_verified_at is not None  # following the link proved the address
    connection = Connection.objects.get(resident=resident)
    assert connection.contact == contact and connection.status == C.ACTIVE
    assert Notification.objects.filter(event="invitation").count() == 1


def test_an_existing_account_accepts_by_the_link(db, run_jobs, smtp):
    resident = invites_facility()
    contact = t.make_contact("have@example.org", name="Has Account")
    invite_by_kiosk(resident, "have@example.org")
    run_jobs()
    link = link_in(emails_to(smtp, "have@example.org")[0], "/invitations/")
    browser = client_for(contact.user)
    assert browser.post(link, {"answer": "accept"}).status_code == 302
    assert Connection.objects.get(resident=resident).status == C.ACTIVE


def test_another_account_cannot_answer_someone_elses_invitation(db, run_jobs, smtp):
    resident = invites_facility()
    invite_by_kiosk(resident, "invited@example.org")
    run_jobs()
    link = link_in(emails_to(smtp, "invited@example.org")[0], "/invitations/")
    stranger = client_for(t.make_contact("stranger@example.org").user)
    page = stranger.get(link).content.decode()
    assert "this invitation was sent to invited@example.org" in page
    refused = stranger.post(link, {"answer": "accept"})
    assert refused.status_code == 403
    assert "Sign in with that email to answer it" in refused.content.decode()
    connection = Connection.objects.get(resident=resident)
    assert connection.status == C.INVITED and connection.contact is None
    # Not signed in: a post is sent to sign in, and nothing changes.
    assert Client().post(link, {"answer": "accept"}).status_code == 302
    assert Connection.objects.get(resident=resident).status == C.INVITED


def test_a_forged_or_answered_link_changes_nothing(db, run_jobs, smtp):
    resident = invites_facility()
    invite_by_kiosk(resident, "invited@example.org")
    run_jobs()
    link = link_in(emails_to(smtp, "invited@example.org")[0], "/invitations/")
    forged = link.rstrip("/")[:-3] + "abc/"
    assert Client().get(forged).status_code == 404
    contact = t.make_contact("invited@example.org")
    browser = client_for(contact.user)
    browser.post(link, {"answer": "decline"})
    assert Connection.objects.get(resident=resident).status == C.DECLINED
    page = browser.get(link).content.decode()
    assert "already been answered" in page
    browser.post(link, {"answer": "accept"})
    assert Connection.objects.get(resident=resident).status == C.DECLINED


def test_an_invitation_link_for_another_connection_does_not_open_it(db, run_jobs, smtp):
    resident = invites_facility()
    invite_by_kiosk(resident, "one@example.org")
    invite_by_kiosk(resident, "two@example.org")
    run_jobs()
    link_one = link_in(emails_to(smtp, "one@example.org")[0], "/invitations/")
    two = client_for(t.make_contact("two@example.org").user)
    two.post(link_one, {"answer": "accept"})
    assert set(Connection.objects.values_list("status", flat=True)) == {C.INVITED}
    assert connections.invitation_of(link_one.split("/")[2]).invite_email == "one@example.org"


def test_the_invited_address_declines_without_an_account_and_is_not_asked_again_soon(
    db, run_jobs, smtp
):
    resident = invites_facility()
    invite_by_kiosk(resident, "no.thanks@example.org")
    run_jobs()
    link = link_in(emails_to(smtp, "no.thanks@example.org")[0], "/invitations/")
    assert "Decline" in Client().get(link).content.decode()
    declined = Client().post(link, {"answer": "decline"})
    assert declined.status_code == 302
    assert Connection.objects.get(resident=resident).status == C.DECLINED
    again = invite_by_kiosk(resident, "no.thanks@example.org").content.decode()
    assert "declined your invitation. You can invite them again from" in again
    run_jobs()
    assert len(emails_to(smtp, "no.thanks@example.org")) == 1  # not emailed again
    assert Connection.objects.get(resident=resident).status == C.DECLINED


def test_inviting_again_while_one_waits_says_so_and_sends_nothing(db, run_jobs, smtp):
    resident = invites_facility()
    invite_by_kiosk(resident, "kim@example.org")
    page = invite_by_kiosk(resident, "kim@example.org").content.decode()
    assert "You invited kim@example.org already" in page
    run_jobs()
    assert len(emails_to(smtp, "kim@example.org")) == 1


def test_a_resident_sends_only_so_many_invitations_a_day(db, run_jobs, smtp):
    resident = invites_facility()
    for n in range(connections.INVITATIONS_A_DAY):
        connections.invite_contact(resident=resident, email=f"person{n}@example.org")
    page = invite_by_kiosk(resident, "one.more@example.org").content.decode()
    assert "the most we send" in page
    assert not Connection.objects.filter(invite_email="one.more@example.org").exists()
