"""The demo's staff sign in with a second factor too; `manage.py demo_code USERNAME` plays
their authenticator app, and is refused for anything that is not a demo account."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from homeward import builders as t
from homeward.people.models import StaffMembership, User


@pytest.fixture
def demo(db) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def demo_code(username: str) -> str:
    out = StringIO()
    call_command("demo_code", username, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_every_demo_staff_account_signs_in_with_the_code_demo_code_prints(demo):
    assert "manage.py demo_code USERNAME" in demo  # the printed logins say how
    for membership in StaffMembership.objects.select_related("user"):
        user = membership.user
        client = Client()
        client.post("/console/signin/", {"username": user.username, "password": "homeward-demo"})
        assert client.get("/console/")["Location"].startswith("/console/verify/")  # enrolled
        code = demo_code(user.username)
        assert len(code) == 6 and code.isdigit()
        response = client.post("/console/verify/", {"code": code})
        assert response["Location"] == "/console/", user.username
        assert client.get("/console/")["Location"].startswith("/console/notice/")


def test_demo_code_is_refused_in_production(demo, monkeypatch):
    monkeypatch.setenv("HOMEWARD_PRODUCTION", "1")
    with pytest.raises(CommandError, match="only in the demo"):
        demo_code("reviewer.greenhaven")
    # From the command line that is a non-zero exit with the reason.
    env = {
        **os.environ,
        "HOMEWARD_PRODUCTION": "1",
        "SECRET_KEY": "test-only-" + "k" * 40,
        "EXPORT_SIGNING_KEY": t.new_export_key(),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "demo_code", "reviewer.greenhaven"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "only in the demo" in done.stderr
    assert done.stdout == ""


def test_demo_code_is_refused_for_accounts_seed_demo_did_not_make(demo):
    facility = StaffMembership.objects.filter(facility__isnull=False).first().facility
    real = t.make_staff("real.reviewer", role=StaffMembership.Role.REVIEWER, facility=facility)
    t.enrol_staff(real)  # enrolled through the pages, as any real account
    for username in ("real.reviewer", "nobody", "rosa@example.org"):
        with pytest.raises(CommandError, match="not a demo staff account"):
            demo_code(username)
    # A demo account whose password was changed is no longer treated as the demo's.
    admin = User.objects.get(username="admin.ny")
    admin.set_password("a-new-private-passphrase")
    admin.save()
    with pytest.raises(CommandError, match="not a demo staff account"):
        demo_code("admin.ny")


def test_a_demo_loaded_before_the_second_factor_gets_its_staff_enrolled(demo):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.all().delete()  # as a demo database from before
    call_command("seed_demo", "--if-empty", stdout=StringIO())
    assert TOTPDevice.objects.count() == StaffMembership.objects.count()
    assert len(demo_code("reviewer.greenhaven")) == 6
