"""Signing in for a token, using it, revoking it."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward import builders as t
from homeward.api import services
from homeward.api.models import ApiToken
from homeward.connections import services as connections
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.people import throttle
from homeward.personas import ApiClient, error_of


def sign_in(client: ApiClient, email: str, password: str = t.PASSWORD, **extra: str):
    return client.post("/auth/token", {"email": email, "password": password, **extra})


def test_contact_gets_a_token_that_works(world, anon):
    response = sign_in(anon, "A@Example.org ", name="Ana's phone")
    assert response.status_code == 201
    body = response.json()
    key = body["token"]
    assert key.startswith("hw_") and body["name"] == "Ana's phone"
    token = ApiToken.objects.get()
    assert token.user == world.contact_a.user
    assert token.key_hash == services.hash_key(key) and key not in token.key_hash
    assert body["prefix"] == token.prefix == key[:10]
    assert AuditEvent.objects.filter(action="api.token_created").count() == 1

    mine = ApiClient(key).get("/connections")
    assert mine.status_code == 200
    assert [c["resident"]["number"] for c in mine.json()] == ["NY1001"]
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "email, password",
    [
        ("a@example.org", "wrong-password"),
        ("nobody@example.org", t.PASSWORD),
        ("rev1", t.PASSWORD),  # a reviewer's username and right password
        ("rev1@staff.example.org", t.PASSWORD),  # a reviewer's email
    ],
)
def test_bad_password_unknown_email_and_staff_get_the_same_refusal(world, anon, email, password):
    response = sign_in(anon, email, password)
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_inactive_account_is_refused_and_its_tokens_stop(world, anon):
    key = sign_in(anon, "a@example.org").json()["token"]
    user = world.contact_a.user
    user.is_active = False
    user.save()
    assert sign_in(anon, "a@example.org").status_code == 401
    assert ApiClient(key).get("/connections").status_code == 401


@pytest.mark.parametrize(
    "data, field",
    [
        ({"password": t.PASSWORD}, "email"),
        ({"email": "a@example.org"}, "password"),
        ({"email": "", "password": t.PASSWORD}, "email"),
        ({"email": "a@example.org", "password": t.PASSWORD, "name": "x" * 101}, "name"),
    ],
)
def test_missing_or_bad_fields_are_422_naming_the_field(world, anon, data, field):
    response = anon.post("/auth/token", data)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_input"
    assert field in error["message"]
    assert not ApiToken.objects.exists()


def test_no_body_and_broken_json_are_clear_errors(world, anon):
    assert error_of(anon.post("/auth/token"))["code"] == "invalid_input"
    broken = anon.client.post("/api/v1/auth/token", "{nope", content_type="application/json")
    assert broken.status_code == 400
    assert error_of(broken)["code"] == "malformed_json"


def test_revoking_the_token_signs_out(world, api_a):
    assert api_a.get("/connections").status_code == 200
    response = api_a.delete("/auth/token")
    assert response.status_code == 204
    assert ApiToken.objects.get().revoked_at is not None
    after = api_a.get("/connections")
    assert after.status_code == 401
    assert error_of(after)["code"] == "unauthenticated"
    assert api_a.delete("/auth/token").status_code == 401
    assert AuditEvent.objects.filter(action="api.token_revoked").count() == 1


def test_revoking_one_token_leaves_the_others(world, api_a):
    other = ApiClient(sign_in(ApiClient(), "a@example.org").json()["token"])
    api_a.delete("/auth/token")
    assert other.get("/connections").status_code == 200


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer hw_not-a-real-token", "Bearer nonsense", "Token hw_x", "Basic YTpi"],
)
def test_missing_or_bad_tokens_are_401(world, header):
    client = ApiClient()
    headers = {"Authorization": header} if header else {}
    response = client.client.get("/api/v1/connections", headers=headers)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_signed_in_web_session_does_not_open_the_api(world):
    from homeward.personas import client_for

    response = client_for(world.contact_a.user).get("/api/v1/connections")
    assert response.status_code == 401


def test_repeated_failures_are_slowed_down_then_forgiven(world, anon):
    start = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    with clock.frozen_at(start):
        for _ in range(throttle.CONTACT.limit):
            assert sign_in(anon, "a@example.org", "guess").status_code == 401
        # Even the right password waits now, so guessing gains nothing.
        response = sign_in(anon, "a@example.org")
        assert response.status_code == 429
        assert error_of(response)["code"] == "locked_out"
        # Retry-After says when: the lock's length, to the second.
        assert 0 < int(response["Retry-After"]) <= throttle.CONTACT.lock_for.total_seconds() + 1
        assert sign_in(anon, "b@example.org").status_code == 201  # other accounts unaffected
    with clock.frozen_at(start + throttle.CONTACT.lock_for + dt.timedelta(seconds=1)):
        assert sign_in(anon, "a@example.org").status_code == 201


def test_signing_in_claims_invitations_sent_before_the_account_existed(world, anon):
    facility = t.make_facility("invites-only", policy={"connection_policy": "resident_invites"})
    resident = t.make_resident(facility, "MT3003", first_name="Lee", last_name="Park")
    connections.invite_contact(resident=resident, email="new@example.org")
    t.make_contact("new@example.org", name="New Person")

    key = sign_in(anon, "new@example.org").json()["token"]
    listed = ApiClient(key).get("/connections").json()
    assert [(c["status"], c["initiated_by"]) for c in listed] == [("invited", "resident")]
    assert listed[0]["invite_expires_at"] is not None


def test_token_endpoints_need_no_csrf_cookie(world):
    # Apps send no cookies; the test client here enforces CSRF like a browser would.
    client = ApiClient()
    assert client.client.handler.enforce_csrf_checks
    assert sign_in(client, "a@example.org").status_code == 201
