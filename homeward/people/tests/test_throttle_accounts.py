"""The throttle counts accounts, not spellings or surfaces: a look-alike spelling is the
account it looks like, a staff account is counted as staff wherever it is tried (and a
contact as a contact), an IPv6 client is counted by its /64, a device cookie dies with the
password it was made under, and a staff member hears of locks at most once a day."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward import builders as t
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.people import throttle
from homeward.people.models import SignInThrottle, User
from homeward.people.tests.test_throttle import (
    STRANGER,
    api_token,
    console_signin,
    web_signin,
)

FULLWIDTH_REV1 = "ｒｅｖ1"  # NFKC makes it "rev1"


# --- 1. look-alike spellings are one account ------------------------------------------------


def test_a_fullwidth_spelling_does_not_get_past_an_operators_lock_on_the_admin(db):
    User.objects.create_superuser("admin", "op@example.org", t.PASSWORD)
    out = io.StringIO()
    call_command("operator_second_factor", "admin", stdout=out)
    key = re.search(r"Key \(.*\): ([A-Z2-7=]+)", out.getvalue()).group(1)
    for _ in range(5):
        Client().post("/admin/login/", {"username": "admin", "password": "wrong-password"})
    # Django's admin form NFKC-normalises "ａdmin" to "admin" before checking the password.
    code = f"{TOTP(base64.b32decode(key)).token():06d}"
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": "ａdmin",
            "password": t.PASSWORD,
            "otp_device": TOTPDevice.objects.get(user__username="admin").persistent_id,
            "otp_token": code,
        },
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_fullwidth_spelling_is_the_same_staff_account_on_the_console(world):
    for _ in range(5):
        assert console_signin(Client(), FULLWIDTH_REV1, "wrong-password").status_code == 400
    assert console_signin(Client(), "rev1", t.PASSWORD).status_code == 429
    call_command("release_signin", "rev1", stdout=io.StringIO())
    # Like Django's own forms, the console checks the password of the account it looks like.
    client = Client()
    assert console_signin(client, FULLWIDTH_REV1, t.PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(world.reviewer_1.pk)


def test_a_fullwidth_email_is_the_same_contact_on_the_web_and_the_api(world):
    # The email field takes a fullwidth domain; it is counted and checked as the NFKC form.
    for _ in range(5):
        web_signin(Client(), "a@example.org", "wrong-password")
    assert web_signin(Client(), "a@ｅｘａｍｐｌｅ.org", t.PASSWORD).status_code == 429
    assert api_token("a@ｅｘａｍｐｌｅ.org", t.PASSWORD).status_code == 429
    call_command("release_signin", "a@example.org", stdout=io.StringIO())
    assert web_signin(Client(), "a@ｅｘａｍｐｌｅ.org", t.PASSWORD).status_code == 302


def test_normalise_applies_nfkc_then_strips_and_lowercases():
    assert throttle.normalise(" ＫＩＭ@example.org\u00a0") == "kim@example.org"
    assert throttle.normalise("ａdmin") == throttle.normalise("Admin") == "admin"


# --- 2. one counter per account, whatever the surface ------------------------------------------


@pytest.fixture
def ops(world) -> User:
    """A staff member whose username is an email, so the contact surfaces accept it."""
    return t.make_staff("ops@staff.example.org", role="reviewer", facility=world.facility_1)


def test_a_staff_account_locked_on_the_console_is_locked_on_the_web_and_the_api(ops):
    for _ in range(5):
        console_signin(Client(), ops.username, "wrong-password")
    assert web_signin(Client(), ops.username, t.PASSWORD).status_code == 429
    assert api_token(ops.username, t.PASSWORD).status_code == 429


def test_wrong_passwords_for_staff_on_the_web_and_api_lock_as_staff_and_tell_them(
    ops, run_jobs, mailoutbox
):
    for _ in range(3):
        assert web_signin(Client(), ops.username, "wrong-password").status_code == 400
    for _ in range(2):
        assert api_token(ops.username, "wrong-password").status_code == 401
    # The staff rule: a 30-minute lock, on the console too, and an email.
    locked = console_signin(Client(), ops.username, t.PASSWORD)
    assert locked.status_code == 429 and "Wait 30 minutes" in locked.content.decode()
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=20)):
        assert console_signin(Client(), ops.username, t.PASSWORD).status_code == 429
    run_jobs()
    assert [m.to for m in mailoutbox] == [[ops.email]]


def test_the_web_answers_a_staff_account_the_same_whether_the_password_is_right_or_wrong(ops):
    right = web_signin(Client(), ops.username, t.PASSWORD)
    wrong = web_signin(Client(), ops.username, "wrong-password")
    unknown = web_signin(Client(), "nobody@example.org", "wrong-password")
    assert right.status_code == wrong.status_code == unknown.status_code == 400

    def error_of(response) -> str:
        return re.search(r'role="alert">(.*?)</div>', response.content.decode(), re.S).group(1)

    assert error_of(right) == error_of(wrong) == error_of(unknown)
    assert "Staff sign in at the staff console" in error_of(right)


def test_a_right_staff_password_on_the_web_or_api_does_not_reset_the_staff_count(ops):
    for _ in range(3):
        console_signin(Client(), ops.username, "wrong-password")
    assert web_signin(Client(), ops.username, t.PASSWORD).status_code == 400
    assert api_token(ops.username, t.PASSWORD).status_code == 401
    # Five tries in all: the account is locked, the right password on the console too.
    assert console_signin(Client(), ops.username, t.PASSWORD).status_code == 429


def test_a_contact_tried_on_the_console_is_counted_as_the_contact(world):
    for _ in range(5):
        assert console_signin(Client(), "a@example.org", "wrong-password").status_code == 400
    assert web_signin(Client(), "a@example.org", t.PASSWORD).status_code == 429
    assert not SignInThrottle.objects.filter(kind="staff", subject="a@example.org").exists()


def test_the_lock_email_goes_to_the_account_typed_not_one_differing_in_case(
    world, run_jobs, mailoutbox
):
    t.make_staff("sam", role="reviewer", facility=world.facility_1)
    upper = t.make_staff("Sam", role="reviewer", facility=world.facility_1)
    for _ in range(5):
        console_signin(Client(), "Sam", "wrong-password")
    run_jobs()
    assert [m.to for m in mailoutbox] == [[upper.email]]


# --- 3. IPv6 clients are counted by their /64 ------------------------------------------------


def test_rotating_addresses_within_one_ipv6_64_does_not_escape_the_address_limit(world):
    for n in range(throttle.ADDRESS.limit):
        response = web_signin(
            Client(),
            f"victim{n // 5}@example.org",
            "Summer2026!",
            REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}",
        )
        assert response.status_code == 400
    same_64 = web_signin(Client(), "b@example.org", t.PASSWORD, REMOTE_ADDR="2001:db8:1:2:ffff::9")
    assert same_64.status_code == 429 and "from your network" in same_64.content.decode()
    other_64 = web_signin(Client(), "b@example.org", t.PASSWORD, REMOTE_ADDR="2001:db8:1:3::1")
    assert other_64.status_code == 302


def test_addresses_are_counted_ipv4_as_is_ipv6_by_64_and_anything_else_as_is():
    assert throttle.address_key("198.51.100.7") == "198.51.100.7"
    assert throttle.address_key("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert throttle.address_key("::ffff:198.51.100.7") == "198.51.100.7"
    assert throttle.address_key("not-an-address") == "not-an-address"


# --- 4. an attempt cannot be left unreported -------------------------------------------------


def test_an_attempt_that_ends_in_an_error_counts_as_a_failure_and_can_lock(world):
    for _ in range(5):
        with (
            pytest.raises(RuntimeError),
            throttle.begin_password(kind=throttle.Kind.CONTACT, name="a@example.org"),
        ):
            raise RuntimeError("the password hasher broke")
    row = SignInThrottle.objects.get(kind="contact", subject="a@example.org")
    assert row.locked_until is not None
    assert web_signin(Client(), "a@example.org", t.PASSWORD).status_code == 429


def test_an_attempt_left_without_a_report_counts_as_a_failure(world):
    for _ in range(5):
        with throttle.begin_password(kind=throttle.Kind.STAFF, name="rev1"):
            pass
    assert console_signin(Client(), "rev1", t.PASSWORD).status_code == 429


# --- 5. old counters are pruned after the lock is committed --------------------------------


def test_old_counters_are_pruned_only_after_the_lock_commits(
    world, django_capture_on_commit_callbacks
):
    with clock.frozen_at(clock.now() - dt.timedelta(days=2)):
        web_signin(Client(), "typo@example.org", "wrong-password")
    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(5):
            web_signin(Client(), "a@example.org", "wrong-password")
        # Not inside the transaction that holds the locked row.
        assert SignInThrottle.objects.filter(subject="typo@example.org").exists()
    assert callbacks
    for callback in callbacks:
        callback()
    assert not SignInThrottle.objects.filter(subject="typo@example.org").exists()


# --- 6. device cookies die with the password, and staff get theirs after the second factor ----


def test_a_new_password_revokes_every_device_cookie_of_the_account(world):
    owner = Client()
    assert web_signin(owner, "a@example.org", t.PASSWORD).status_code == 302
    owner.post("/signout/")
    app = api_token("a@example.org", t.PASSWORD)["X-Homeward-Device"]
    user = world.contact_a.user
    user.set_password("a-brand-new-password")
    user.save()
    for _ in range(5):
        web_signin(Client(), "a@example.org", "wrong-password", REMOTE_ADDR=STRANGER)
    assert web_signin(owner, "a@example.org", "a-brand-new-password").status_code == 429
    refused = api_token("a@example.org", "a-brand-new-password", headers={"X-Homeward-Device": app})
    assert refused.status_code == 429


def test_the_console_sets_no_device_cookie_before_the_second_factor(world):
    client = Client()
    response = console_signin(client, "rev1", t.PASSWORD)
    assert response.status_code == 302
    assert "homeward_console_trusted" not in response.cookies


def test_a_device_cookie_for_a_name_with_no_account_trusts_nothing(world):
    token = throttle.trusted_browser_token(kind=throttle.Kind.STAFF, name="ghost")
    client = Client()
    client.cookies["homeward_console_trusted"] = token
    for _ in range(5):
        console_signin(Client(), "ghost", "wrong-password")
    assert console_signin(client, "ghost", "wrong-password").status_code == 429


# --- 7. one lock email a day ----------------------------------------------------------------


def test_a_staff_member_is_told_of_locks_at_most_once_a_day(world, run_jobs, mailoutbox):
    def lock_rev1() -> None:
        for _ in range(5):
            console_signin(Client(), "rev1", "wrong-password")

    start = clock.now()
    lock_rev1()
    with clock.frozen_at(start + dt.timedelta(minutes=31)):
        lock_rev1()
    with clock.frozen_at(start + dt.timedelta(hours=23)):
        lock_rev1()
    run_jobs()
    assert len(mailoutbox) == 1
    assert AuditEvent.objects.filter(action="signin.locked").count() == 3  # all recorded
    with clock.frozen_at(start + dt.timedelta(hours=25)):
        lock_rev1()
        run_jobs()
    assert len(mailoutbox) == 2
