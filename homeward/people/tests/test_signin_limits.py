"""Five wrong passwords lock an account: a contact's for 15 minutes, a staff member's until
an admin releases it."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.test import Client

from homeward import builders as t
from homeward.core import clock


def web_signin(client: Client, password: str):
    return client.post("/signin/", {"email": "a@example.org", "password": password})


def console_signin(client: Client, password: str):
    return client.post("/console/signin/", {"username": "rev1", "password": password})


def test_a_contact_is_locked_for_15_minutes_after_five_wrong_passwords(world):
    client = Client()
    for _ in range(5):
        assert web_signin(client, "wrong-password").status_code == 400
    locked = web_signin(client, t.PASSWORD)  # even the right password
    assert locked.status_code == 429 and "Wait 15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=16)):
        assert web_signin(client, t.PASSWORD).status_code == 302


def test_a_good_password_forgets_earlier_mistakes(world):
    client = Client()
    for _ in range(4):
        web_signin(client, "wrong-password")
    assert web_signin(client, t.PASSWORD).status_code == 302
    other = Client()
    for _ in range(4):
        web_signin(other, "wrong-password")
    assert web_signin(other, t.PASSWORD).status_code == 302


def test_a_staff_account_stays_locked_until_an_admin_releases_it(world):
    client = Client()
    for _ in range(5):
        assert console_signin(client, "wrong-password").status_code == 400
    with clock.frozen_at(clock.now() + dt.timedelta(days=2)):
        locked = console_signin(client, t.PASSWORD)
        assert locked.status_code == 429 and "Ask an admin" in locked.content.decode()
    out = StringIO()
    call_command("release_signin", "rev1", stdout=out)
    assert "released (5 failed attempts forgotten)" in out.getvalue()
    assert console_signin(client, t.PASSWORD).status_code == 302


def test_locking_one_account_leaves_others_alone(world):
    client = Client()
    for _ in range(5):
        console_signin(client, "wrong-password")
    response = client.post("/console/signin/", {"username": "rev2", "password": t.PASSWORD})
    assert response.status_code == 302
