"""What a session earns from the password alone, and what needs the second factor.

A session that holds only an old password (stolen, or a browser left open) must not set up
its own authenticator app after an admin reset: enrolment follows the password within
10 minutes, or the person signs in again. And the browser is trusted by the sign-in
throttle (its device cookie) only once the second factor is passed."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward import builders as t
from homeward.console.tests.test_second_factor import code_of, enrol_through_the_pages
from homeward.console.views.auth import TRUSTED_BROWSER_COOKIE
from homeward.core import clock
from homeward.people import throttle
from homeward.personas import client_for, sign_in_staff

START = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def signed_in_then_reset(world) -> Client:
    """rev1 signed in at START through the real pages; then the admin resets their app."""
    target = Client()
    with clock.frozen_at(START):
        sign_in_staff(target, world.reviewer_1)
        assert target.get("/console/queue/").status_code == 200
        admin = client_for(world.facility_admin)
        assert admin.post(f"/console/staff/{world.reviewer_1.pk}/reset/").status_code == 302
    return target


def test_an_old_session_after_a_reset_signs_in_again_before_setting_up_an_app(world):
    target = signed_in_then_reset(world)
    with clock.frozen_at(START + dt.timedelta(minutes=11)):
        response = target.get("/console/queue/")
        assert response["Location"] == "/console/enrol/?next=%2Fconsole%2Fqueue%2F"
        response = target.get(response["Location"], follow=True)
        assert response.redirect_chain[-1][0] == "/console/signin/?next=/console/queue/"
        assert "Sign in again to set up your authenticator app" in response.content.decode()
        assert not TOTPDevice.objects.filter(user=world.reviewer_1).exists()  # no key shown
        # The session is over: nothing in the console opens without the password.
        assert target.get("/console/queue/")["Location"].startswith("/console/signin/")

    # A session that posts a code straight to the enrolment page is refused the same way.
    attacker = signed_in_then_reset(world)
    with clock.frozen_at(START + dt.timedelta(minutes=11)):
        pending = TOTPDevice.objects.create(user=world.reviewer_1, name="App", confirmed=False)
        response = attacker.post("/console/enrol/", {"code": code_of(pending)})
        assert response["Location"].startswith("/console/signin/")
        pending.refresh_from_db()
        assert not pending.confirmed

        # With the password typed again, the app is set up.
        fresh = Client()
        response = fresh.post(
            "/console/signin/", {"username": "rev1", "password": t.PASSWORD}, follow=True
        )
        assert response.redirect_chain[-1][0].startswith("/console/enrol/")
        assert len(enrol_through_the_pages(fresh, world.reviewer_1)) == 10


def test_within_10_minutes_of_the_password_the_old_session_sets_up_a_new_app(world):
    target = signed_in_then_reset(world)
    with clock.frozen_at(START + dt.timedelta(minutes=9, seconds=59)):
        assert target.get("/console/queue/")["Location"].startswith("/console/enrol/")
        codes = enrol_through_the_pages(target, world.reviewer_1)
        assert len(codes) == 10
        assert TOTPDevice.objects.get(user=world.reviewer_1).confirmed
        assert target.get("/console/queue/").status_code == 200


def test_the_device_cookie_comes_only_after_the_code(world):
    t.enrol_staff(world.reviewer_1)
    t.accept_staff_notice(world.reviewer_1)
    client = Client()
    response = client.post("/console/signin/", {"username": "rev1", "password": t.PASSWORD})
    assert response.status_code == 302
    assert TRUSTED_BROWSER_COOKIE not in response.cookies
    assert TRUSTED_BROWSER_COOKIE not in client.cookies
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0].startswith("/console/verify/")
    assert TRUSTED_BROWSER_COOKIE not in client.cookies  # still only the password

    response = client.post("/console/verify/", {"code": t.totp_code(world.reviewer_1)})
    assert response.status_code == 302
    cookie = response.cookies[TRUSTED_BROWSER_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == throttle.TRUSTED_MAX_AGE


def test_the_device_cookie_comes_with_the_recovery_codes_at_enrolment(world):
    client = Client()
    client.post("/console/signin/", {"username": "inv1", "password": t.PASSWORD})
    client.get("/console/enrol/")
    assert TRUSTED_BROWSER_COOKIE not in client.cookies
    device = TOTPDevice.objects.get(user=world.investigator, confirmed=False)
    response = client.post("/console/enrol/", {"code": code_of(device)})
    assert response.status_code == 200 and "shown only this once" in response.content.decode()
    assert response.cookies[TRUSTED_BROWSER_COOKIE]["httponly"]
