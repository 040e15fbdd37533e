"""The one sign-in throttle, as people meet it on every surface: five wrong passwords lock
an account (a contact's for 15 minutes on the web and the API alike, a staff member's for
30 minutes, told by email), a browser that signed in before lets its owner through a
stranger's lock, and a noisy address is refused as a whole."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

from django.core.management import call_command
from django.test import Client

from homeward import builders as t
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.people import throttle
from homeward.people.models import SignInThrottle

STRANGER = "198.51.100.7"  # a client address of its own, so tests do not share one


def web_signin(client: Client, email: str, password: str, **extra):
    return client.post("/signin/", {"email": email, "password": password}, **extra)


def console_signin(client: Client, username: str, password: str, **extra):
    return client.post("/console/signin/", {"username": username, "password": password}, **extra)


def api_token(email: str, password: str, **extra):
    body = json.dumps({"email": email, "password": password})
    return Client().post("/api/v1/auth/token", body, content_type="application/json", **extra)


def locked_events() -> int:
    return AuditEvent.objects.filter(action="signin.locked").count()


# --- contacts: one count for the web and the API ---------------------------------------------


def test_a_contact_is_locked_for_15_minutes_after_five_wrong_passwords(world):
    client = Client()
    for _ in range(5):
        assert web_signin(client, "a@example.org", "wrong-password").status_code == 400
    locked = web_signin(client, "a@example.org", t.PASSWORD)  # even the right password
    assert locked.status_code == 429 and "Wait 15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert locked_events() == 1
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=14)):
        assert web_signin(client, "a@example.org", t.PASSWORD).status_code == 429
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=16)):
        assert web_signin(client, "a@example.org", t.PASSWORD).status_code == 302
    assert locked_events() == 1  # refusals after the lock started are not audited again


def test_a_good_password_forgets_earlier_mistakes(world):
    client = Client()
    for _ in range(4):
        web_signin(client, "a@example.org", "wrong-password")
    assert web_signin(Client(), "a@example.org", t.PASSWORD).status_code == 302
    for _ in range(4):
        assert web_signin(client, "a@example.org", "wrong-password").status_code == 400
    assert web_signin(Client(), "a@example.org", t.PASSWORD).status_code == 302


def test_a_contact_locked_on_the_web_gets_no_api_token_however_the_email_is_typed(world):
    t.make_contact("kim@example.org", name="Kim Lee")
    client = Client()
    for email in ["kim@example.org", "KIM@example.org ", " Kim@Example.org"] + [
        "kim@example.org"
    ] * 2:
        assert web_signin(client, email, "wrong-password").status_code == 400
    for email in ["kim@example.org", "KIM@example.org "]:
        response = api_token(email, t.PASSWORD)
        assert response.status_code == 429, response.content
        assert response.json()["error"]["code"] == "locked_out"
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=16)):
        assert api_token("KIM@example.org ", t.PASSWORD).status_code == 201


def test_wrong_passwords_through_the_api_lock_the_web_too(world):
    for _ in range(5):
        assert api_token("A@example.org", "wrong-password").status_code == 401
    assert web_signin(Client(), "a@example.org", t.PASSWORD).status_code == 429


# --- staff: a timed lock, an email, an admin's release ---------------------------------------


def test_a_staff_account_is_locked_for_30_minutes_and_its_owner_is_told(
    world, run_jobs, mailoutbox
):
    client = Client()
    for _ in range(5):
        assert console_signin(client, "rev1", "wrong-password").status_code == 400
    locked = console_signin(client, "rev1", t.PASSWORD)
    assert locked.status_code == 429 and "Wait 30 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    run_jobs()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["rev1@staff.example.org"]
    assert "rev1" in mail.body and "locked" in mail.subject
    assert "wrong-password" not in mail.body  # nothing typed by whoever tried
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=20)):
        assert console_signin(client, "rev1", t.PASSWORD).status_code == 429
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=31)):
        assert console_signin(client, "rev1", t.PASSWORD).status_code == 302
    run_jobs()
    assert len(mailoutbox) == 1  # one lock, one email
    assert locked_events() == 1


def test_the_email_carries_no_typed_text(world, run_jobs, mailoutbox):
    # Typed with spaces and capitals: counted as the same account; the email names the
    # account as stored.
    for _ in range(5):
        console_signin(Client(), " REV1 ", "Account suspended: visit http://evil.example")
    run_jobs()
    assert len(mailoutbox) == 1
    assert "evil" not in mailoutbox[0].body and "REV1" not in mailoutbox[0].body


def test_an_operator_releases_a_staff_account_or_a_contact_sooner(world):
    client = Client()
    for _ in range(5):
        console_signin(client, "rev1", "wrong-password")
        web_signin(client, "b@example.org", "wrong-password")
    assert console_signin(client, "rev1", t.PASSWORD).status_code == 429
    out = StringIO()
    call_command("release_signin", "rev1", stdout=out)
    assert "rev1: released" in out.getvalue()
    assert console_signin(client, "rev1", t.PASSWORD).status_code == 302
    assert web_signin(Client(), "b@example.org", t.PASSWORD).status_code == 429
    call_command("release_signin", "B@example.org ", stdout=StringIO())
    assert web_signin(Client(), "b@example.org", t.PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action="signin.released", actor_label="operator").count() == 2


def test_locking_one_account_leaves_others_alone(world):
    client = Client()
    for _ in range(5):
        console_signin(client, "rev1", "wrong-password")
    assert console_signin(client, "rev2", t.PASSWORD).status_code == 302


# --- the device cookie: the owner's browser passes a stranger's lock -----------------------


def test_a_contacts_own_browser_signs_in_while_a_stranger_has_locked_the_account(world):
    owner = Client()
    assert web_signin(owner, "a@example.org", t.PASSWORD).status_code == 302
    owner.post("/signout/")  # the device cookie stays in the browser
    stranger = Client()
    for _ in range(5):
        web_signin(stranger, "a@example.org", "wrong-password", REMOTE_ADDR=STRANGER)
    assert web_signin(stranger, "a@example.org", t.PASSWORD).status_code == 429
    assert web_signin(Client(), "a@example.org", t.PASSWORD).status_code == 429
    assert web_signin(owner, "a@example.org", t.PASSWORD).status_code == 302
    assert "_auth_user_id" in owner.session
    # The cookie is bound to its account: it does not open another one.
    owner.post("/signout/")
    for _ in range(5):
        web_signin(stranger, "b@example.org", "wrong-password", REMOTE_ADDR=STRANGER)
    assert web_signin(owner, "b@example.org", t.PASSWORD).status_code == 429


def test_the_owners_browser_has_its_own_count(world):
    owner = Client()
    assert web_signin(owner, "a@example.org", t.PASSWORD).status_code == 302
    owner.post("/signout/")
    for _ in range(5):
        assert web_signin(owner, "a@example.org", "wrong-password").status_code == 400
    assert web_signin(owner, "a@example.org", t.PASSWORD).status_code == 429
    assert web_signin(Client(), "a@example.org", t.PASSWORD).status_code == 302


def test_a_forged_device_cookie_is_ignored(world):
    stranger = Client()
    stranger.cookies["homeward_trusted"] = "a@example.org:forged"
    for _ in range(5):
        web_signin(stranger, "a@example.org", "wrong-password")
    assert web_signin(stranger, "a@example.org", t.PASSWORD).status_code == 429


def test_a_staff_members_own_browser_signs_in_while_a_stranger_has_locked_the_account(world):
    # The console sets this cookie once the second factor is passed; here, its value.
    owner = Client()  # the same browser another day: only the device cookie is left
    owner.cookies["homeward_console_trusted"] = throttle.trusted_browser_token(
        kind=throttle.Kind.STAFF, name="rev1"
    )
    for _ in range(5):
        console_signin(Client(), "rev1", "wrong-password", REMOTE_ADDR=STRANGER)
    assert console_signin(Client(), "rev1", t.PASSWORD).status_code == 429
    assert console_signin(owner, "rev1", t.PASSWORD).status_code == 302


def test_an_app_that_signed_in_before_gets_a_token_while_a_stranger_has_locked_the_account(world):
    first = api_token("a@example.org", t.PASSWORD)
    assert first.status_code == 201
    device = first["X-Homeward-Device"]
    for _ in range(5):
        api_token("a@example.org", "wrong-password", REMOTE_ADDR=STRANGER)
    assert api_token("a@example.org", t.PASSWORD).status_code == 429
    again = api_token("a@example.org", t.PASSWORD, headers={"X-Homeward-Device": device})
    assert again.status_code == 201 and "token" in again.json()
    # The value is bound to its account.
    for _ in range(5):
        api_token("b@example.org", "wrong-password", REMOTE_ADDR=STRANGER)
    other = api_token("b@example.org", t.PASSWORD, headers={"X-Homeward-Device": device})
    assert other.status_code == 429


# --- the address-wide limit --------------------------------------------------------------


def spray_from(address: str, failures: int) -> None:
    """Password spraying: one common password tried on many accounts, five each."""
    for n in range(failures):
        response = web_signin(
            Client(), f"victim{n // 5}@example.org", "Summer2026!", REMOTE_ADDR=address
        )
        assert response.status_code == 400


def test_a_noisy_address_is_refused_but_an_owners_browser_behind_it_passes(world):
    owner = Client()
    assert web_signin(owner, "a@example.org", t.PASSWORD, REMOTE_ADDR=STRANGER).status_code == 302
    owner.post("/signout/", REMOTE_ADDR=STRANGER)
    spray_from(STRANGER, throttle.ADDRESS.limit)
    # Anyone else behind that address, right password or not, waits.
    refused = web_signin(Client(), "b@example.org", t.PASSWORD, REMOTE_ADDR=STRANGER)
    assert refused.status_code == 429 and "from your network" in refused.content.decode()
    api = api_token("b@example.org", t.PASSWORD, REMOTE_ADDR=STRANGER)
    assert api.status_code == 429 and api.json()["error"]["code"] == "too_many_attempts"
    app = {"X-Homeward-Device": api_token("a@example.org", t.PASSWORD)["X-Homeward-Device"]}
    from_there = api_token("a@example.org", t.PASSWORD, REMOTE_ADDR=STRANGER, headers=app)
    assert from_there.status_code == 201
    # The owner's browser, and everyone elsewhere, are not affected.
    assert web_signin(owner, "a@example.org", t.PASSWORD, REMOTE_ADDR=STRANGER).status_code == 302
    assert web_signin(Client(), "b@example.org", t.PASSWORD).status_code == 302
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=16)):
        assert (
            web_signin(Client(), "b@example.org", t.PASSWORD, REMOTE_ADDR=STRANGER).status_code
            == 302
        )


def test_good_sign_ins_from_one_address_do_not_add_up(world):
    # A library or a shared office: many people sign in well from one address.
    for _ in range(throttle.ADDRESS.limit + 5):
        assert api_token("a@example.org", t.PASSWORD, REMOTE_ADDR=STRANGER).status_code == 201


def test_old_counters_are_forgotten_when_a_lock_starts(world, django_capture_on_commit_callbacks):
    two_days_ago = clock.now() - dt.timedelta(days=2)
    with clock.frozen_at(two_days_ago):
        web_signin(Client(), "typo@example.org", "wrong-password")
    assert SignInThrottle.objects.filter(subject="typo@example.org").exists()
    with django_capture_on_commit_callbacks(execute=True):  # pruned after the lock commits
        for _ in range(5):
            web_signin(Client(), "a@example.org", "wrong-password")
    assert not SignInThrottle.objects.filter(subject="typo@example.org").exists()
    assert SignInThrottle.objects.get(kind="contact", subject="a@example.org").locked_until


# --- Retry-After ----------------------------------------------------------------------------


def test_a_refusal_says_when_to_try_again(world):
    for _ in range(5):
        web_signin(Client(), "a@example.org", "wrong-password")
    # Locked for 15 minutes from the fifth failure: every surface says so in Retry-After.
    web = web_signin(Client(), "a@example.org", t.PASSWORD)
    api = api_token("a@example.org", t.PASSWORD)
    assert web.status_code == api.status_code == 429
    for response in (web, api):
        assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60 + 1
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=10)):
        later = api_token("a@example.org", t.PASSWORD)
        assert 4 * 60 < int(later["Retry-After"]) <= 5 * 60 + 1
    for _ in range(5):
        console_signin(Client(), "rev1", "wrong-password")
    staff = console_signin(Client(), "rev1", t.PASSWORD)
    assert staff.status_code == 429 and 29 * 60 < int(staff["Retry-After"]) <= 30 * 60 + 1
