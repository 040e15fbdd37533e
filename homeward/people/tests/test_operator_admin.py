"""The Django admin is for platform operators: a password and a code from their app, the
same sign-in throttle as staff, and the same rule for names as sign-up."""

from __future__ import annotations

import base64
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward import builders as t
from homeward.people.models import User
from homeward.personas import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> User:
    return User.objects.create_superuser("operator", "op@example.org", t.PASSWORD)


def enrol(username: str, *, replace: bool = False) -> str:
    """Run the command as an operator would; return the key it printed."""
    out = io.StringIO()
    call_command("operator_second_factor", username, replace=replace, stdout=out)
    return re.search(r"Key \(.*\): ([A-Z2-7=]+)", out.getvalue()).group(1)


def code_for(key: str) -> str:
    return f"{TOTP(base64.b32decode(key)).token():06d}"


def admin_signin(client: Client, *, password: str = t.PASSWORD, code: str = "") -> object:
    """The admin's sign-in form: after the password it lists the operator's app to pick."""
    device = TOTPDevice.objects.filter(user__username="operator").first()
    return client.post(
        "/admin/login/?next=/admin/",
        {
            "username": "operator",
            "password": password,
            "otp_device": device.persistent_id if device else "",
            "otp_token": code,
        },
    )


def test_the_right_password_alone_does_not_open_the_admin(operator):
    client = Client()
    page = admin_signin(client)
    assert page.status_code == 200
    assert "/admin/login/" in client.get("/admin/")["Location"]


def test_an_operator_signs_in_with_the_code_of_the_app_the_command_set_up(operator):
    key = enrol("operator")
    client = Client()
    wrong = "000000" if code_for(key) != "000000" else "111111"
    assert admin_signin(client, code=wrong).status_code == 200
    assert "/admin/login/" in client.get("/admin/")["Location"]
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = admin_signin(client, code=code_for(key))
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_command_refuses_non_operators_and_a_second_app_without_replace(world, operator):
    with pytest.raises(CommandError, match="superuser"):
        enrol(world.reviewer_1.username)
    with pytest.raises(CommandError, match="superuser"):
        enrol(world.contact_a.user.username)
    old = enrol("operator")
    with pytest.raises(CommandError, match="--replace"):
        enrol("operator")
    new = enrol("operator", replace=True)
    assert new != old
    client = Client()
    admin_signin(client, code=code_for(old))
    assert "/admin/login/" in client.get("/admin/")["Location"]


def test_wrong_admin_passwords_lock_the_account_like_staff(operator):
    key = enrol("operator")
    client = Client()
    for _ in range(5):
        assert admin_signin(client, password="not-the-password").status_code == 200
    response = admin_signin(client, code=code_for(key))
    assert response.status_code == 429
    assert "/admin/login/" in client.get("/admin/")["Location"]


def test_the_admin_holds_names_to_the_sign_up_rule(world, operator):
    key = enrol("operator")
    client = Client()
    assert admin_signin(client, code=code_for(key)).status_code == 302
    contact = world.contact_a
    url = f"/admin/people/contact/{contact.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200
    data = {
        "user": contact.user_id,
        "display_name": "Account suspended: visit evil.com/pay",
        "notice_version": contact.notice_version,
        "notice_accepted_at_0": contact.notice_accepted_at.strftime("%Y-%m-%d"),
        "notice_accepted_at_1": contact.notice_accepted_at.strftime("%H:%M:%S"),
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "web address" in response.content.decode()
    contact.refresh_from_db()
    assert contact.display_name == "Ana Lopez"


def test_console_staff_and_contacts_cannot_open_the_admin(world):
    # Right passwords, and for the reviewer a verified console session: still not an operator.
    for user in (world.reviewer_1, world.contact_a.user):
        client = client_for(user)
        response = client.get("/admin/people/contact/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        signin = client.post(
            "/admin/login/?next=/admin/", {"username": user.username, "password": t.PASSWORD}
        )
        assert signin.status_code == 200
        assert "/admin/login/" in client.get("/admin/")["Location"]
