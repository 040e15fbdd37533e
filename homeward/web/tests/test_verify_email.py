"""A contact proves they read their email before invitations sent to it become theirs."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from homeward import personas
from homeward.connections import services as connections
from homeward.connections.models import Connection
from homeward.people.models import Contact
from homeward.personas import client_for


def sign_up(client: Client, email: str) -> None:
    assert personas.sign_up(client, email).status_code == 302


def link_in_email() -> str:
    [message] = [m for m in mail.outbox if "/verify/" in m.body]  # (and the invitation)
    return re.search(r"https?://[^/\s]+(/verify/\S+/)", message.body).group(1)


def invite_only(world):
    world.facility_2.policy.connection_policy = "resident_invites"
    world.facility_2.policy.save()


def test_sign_up_sends_a_link_and_confirming_claims_the_invitation(world, run_jobs):
    invite_only(world)
    invitation = connections.invite_contact(resident=world.resident_2, email="rosa@example.org")
    client = Client()
    sign_up(client, "rosa@example.org")
    contact = Contact.objects.get(user__email="rosa@example.org")
    assert contact.email_verified_at is None
    invitation.refresh_from_db()
    assert invitation.contact is None  # not theirs until they prove the address
    page = client.get("/connections/").content.decode()
    assert "We sent a link to" in page
    run_jobs()  # the worker sends the email
    link = link_in_email()
    assert "Confirm my email" in client.get(link).content.decode()
    contact.refresh_from_db()
    assert contact.email_verified_at is None  # opening the link changes nothing
    response = client.post(link)
    assert response.status_code == 302
    contact.refresh_from_db()
    invitation.refresh_from_db()
    assert contact.email_verified_at is not None
    assert invitation.contact == contact and invitation.status == Connection.Status.INVITED


def test_someone_squatting_an_email_does_not_get_the_invitation(world, run_jobs):
    invite_only(world)
    squatter = Client()
    sign_up(squatter, "mom@example.org")
    invitation = connections.invite_contact(resident=world.resident_2, email="mom@example.org")
    assert invitation.contact is None
    squatter.post("/signin/", {"email": "mom@example.org", "password": "a-long-family-passphrase"})
    invitation.refresh_from_db()
    assert invitation.contact is None
    assert "James" not in squatter.get("/connections/").content.decode()


def test_a_bad_or_altered_link_is_refused_clearly(world, run_jobs):
    client = Client()
    sign_up(client, "kim@example.org")
    run_jobs()
    link = link_in_email()
    response = client.post(link[:-3] + "xx/")
    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert Contact.objects.get(user__email="kim@example.org").email_verified_at is None


def test_an_old_link_has_expired(world, run_jobs, monkeypatch):
    import time

    client = Client()
    sign_up(client, "old@example.org")
    run_jobs()
    link = link_in_email()
    later = time.time() + 4 * 86400  # the link lasts three days
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = client.post(link)
    assert response.status_code == 400 and "expired" in response.content.decode()


def test_verified_contacts_are_invited_directly(world):
    invite_only(world)
    invitation = connections.invite_contact(resident=world.resident_2, email="b@example.org")
    assert invitation.contact == world.contact_b  # contact_b's email is verified


def test_the_confirm_page_is_harmless_for_a_signed_in_stranger(world, run_jobs):
    client = Client()
    sign_up(client, "lee@example.org")
    run_jobs()
    link = link_in_email()
    stranger = client_for(world.contact_b.user)
    stranger.post(link)  # confirms Lee's address, which is what the link proves
    lee = Contact.objects.get(user__email="lee@example.org")
    assert lee.email_verified_at is not None
    assert Contact.objects.get(pk=world.contact_b.pk).user.email == "b@example.org"
