"""Staff sign in with a username and password; nobody else gets in."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from homeward import builders as t
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.personas import client_for, sign_in_staff


def test_staff_signs_in_with_a_fresh_session_that_expires_when_idle(world):
    client = Client()
    old_key = client.session.session_key
    response = client.post(
        "/console/signin/", {"username": "rev1", "password": t.PASSWORD}, follow=True
    )
    # The first sign-in goes on to set up the second factor before any console page.
    assert response.redirect_chain[-1][0] == "/console/enrol/?next=%2Fconsole%2F"
    assert client.session.session_key != old_key
    assert client.session.get_expiry_age() == 30 * 60
    assert AuditEvent.objects.filter(action="staff.signed_in", actor_user=world.reviewer_1).exists()


def test_sign_in_goes_back_to_the_page_asked_for_but_only_inside_the_console(world):
    client = Client()
    response = client.post(
        "/console/signin/?next=/console/queue/", {"username": "rev1", "password": t.PASSWORD}
    )
    assert response["Location"] == "/console/queue/"
    client = Client()
    response = client.post(
        "/console/signin/?next=https://evil.example/", {"username": "rev1", "password": t.PASSWORD}
    )
    assert response["Location"] == "/console/"


def test_wrong_password_is_refused(world):
    client = Client()
    response = client.post("/console/signin/", {"username": "rev1", "password": "nope-nope"})
    assert response.status_code == 400
    assert "do not match a staff account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_contact_cannot_sign_in_to_the_console(world):
    client = Client()
    response = client.post(
        "/console/signin/", {"username": "a@example.org", "password": t.PASSWORD}
    )
    assert response.status_code == 400
    assert "do not match a staff account" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/console/").status_code == 302


def test_a_signed_in_contact_is_refused_on_console_pages(world):
    client = client_for(world.contact_a.user)
    response = client.get("/console/")
    assert response.status_code == 403
    assert "for facility staff only" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(world):
    response = Client().get("/console/queue/")
    assert response.status_code == 302
    assert response["Location"] == "/console/signin/?next=/console/queue/"


def test_idle_for_30_minutes_means_signing_in_again(world):
    start = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    client = Client()
    with clock.frozen_at(start):
        sign_in_staff(client, world.reviewer_1)
    with clock.frozen_at(start + dt.timedelta(minutes=29)):
        assert client.get("/console/").status_code == 200  # activity keeps it alive
    with clock.frozen_at(start + dt.timedelta(minutes=29 + 25)):
        assert client.get("/console/").status_code == 200
    with clock.frozen_at(start + dt.timedelta(minutes=29 + 25 + 31)):
        response = client.get("/console/queue/", follow=True)
    assert response.redirect_chain[-1][0] == "/console/signin/?next=/console/queue/"
    assert "30 minutes without activity" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert "otp_device_id" not in client.session  # the second factor is asked again too


def test_sign_out_ends_the_session(world):
    client = Client()
    client.post("/console/signin/", {"username": "rev1", "password": t.PASSWORD})
    assert client.get("/console/signout/").status_code == 405  # changes need a POST
    response = client.post("/console/signout/", follow=True)
    assert "You are signed out" in response.content.decode()
    assert client.get("/console/").status_code == 302
