"""A contact's tokens: they expire, refresh, are listed by device, revoked one or all."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from homeward import builders as t
from homeward.api.models import ApiToken
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.personas import ApiClient, error_of

LIFETIME = dt.timedelta(days=settings.API_TOKEN_DAYS)


def sign_in(name: str = "", email: str = "a@example.org") -> ApiClient:
    response = ApiClient().post(
        "/auth/token", {"email": email, "password": t.PASSWORD, "name": name}
    )
    assert response.status_code == 201
    return ApiClient(response.json()["token"])


def test_a_token_says_when_it_expires_and_works_until_then(world):
    start = clock.now().replace(microsecond=0)
    with clock.frozen_at(start):
        response = ApiClient().post(
            "/auth/token", {"email": "a@example.org", "password": t.PASSWORD}
        )
    body = response.json()
    assert dt.datetime.fromisoformat(body["expires_at"]) == start + LIFETIME
    assert ApiToken.objects.get(pk=body["id"]).expires_at == start + LIFETIME
    client = ApiClient(body["token"])
    with clock.frozen_at(start + LIFETIME - dt.timedelta(seconds=1)):
        assert client.get("/me").status_code == 200


def test_an_expired_token_is_401_token_expired(world):
    start = clock.now()
    with clock.frozen_at(start):
        client = sign_in()
    with clock.frozen_at(start + LIFETIME):
        response = client.get("/me")
        assert response.status_code == 401
        assert error_of(response)["code"] == "token_expired"
        assert 'error="invalid_token"' in response["WWW-Authenticate"]
        # Too late to refresh: only signing in again gives a token.
        refresh = client.post("/auth/token/refresh")
        assert error_of(refresh)["code"] == "token_expired"
        assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1
        assert sign_in().get("/me").status_code == 200


def test_an_expired_token_says_it_in_spanish(world):
    start = clock.now()
    with clock.frozen_at(start):
        client = sign_in()
    with clock.frozen_at(start + LIFETIME):
        response = client.client.get(
            "/api/v1/me", headers=client._headers() | {"Accept-Language": "es"}
        )
    assert error_of(response)["message"] == (
        "Este token ha caducado. Inicie sesión de nuevo para obtener uno nuevo."
    )


def test_refreshing_swaps_the_token_for_a_new_one(world):
    start = clock.now().replace(microsecond=0)
    with clock.frozen_at(start):
        old = sign_in("Ana's phone")
    later = start + dt.timedelta(days=20)
    with clock.frozen_at(later):
        response = old.post("/auth/token/refresh")
        assert response.status_code == 201
        body = response.json()
        assert body["name"] == "Ana's phone"
        assert dt.datetime.fromisoformat(body["expires_at"]) == later + LIFETIME
        new = ApiClient(body["token"])
        assert new.key != old.key
        after = old.get("/me")
        assert after.status_code == 401 and error_of(after)["code"] == "unauthenticated"
        assert new.get("/me").status_code == 200
        # The new token in use, a refresh with the old one is refused; nothing is made.
        assert old.post("/auth/token/refresh").status_code == 401
    with clock.frozen_at(start + LIFETIME + dt.timedelta(days=1)):
        assert new.get("/me").status_code == 200  # its own lifetime, from the refresh
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(action="api.token_refreshed").count() == 1


def test_the_list_shows_each_device_and_when_it_was_last_used(world):
    start = clock.now().replace(microsecond=0)
    with clock.frozen_at(start):
        phone = sign_in("Ana's phone")
        tablet = sign_in("Ana's tablet")
        sign_in("Old laptop").delete("/auth/token")  # revoked: not listed
        sign_in("Someone else", email="b@example.org")  # another person's: not listed
    with clock.frozen_at(start + dt.timedelta(minutes=5)):
        listed = phone.get("/auth/tokens").json()
    assert [(t["name"], t["current"]) for t in listed] == [
        ("Ana's tablet", False),
        ("Ana's phone", True),
    ]
    assert dt.datetime.fromisoformat(listed[1]["last_used_at"]) == start + dt.timedelta(minutes=5)
    assert listed[0]["last_used_at"] is None
    assert dt.datetime.fromisoformat(listed[0]["created_at"]) == start
    assert set(listed[0]) == {
        "id",
        "prefix",
        "name",
        "created_at",
        "last_used_at",
        "expires_at",
        "current",
    }
    assert tablet.get("/me").status_code == 200


def test_last_used_is_written_at_most_once_a_minute(world):
    start = clock.now().replace(microsecond=0)
    with clock.frozen_at(start):
        client = sign_in()
        client.get("/me")
    token = ApiToken.objects.get()
    assert token.last_used_at == start
    with clock.frozen_at(start + dt.timedelta(seconds=59)):
        client.get("/me")
    token.refresh_from_db()
    assert token.last_used_at == start
    with clock.frozen_at(start + dt.timedelta(seconds=61)):
        client.get("/me")
    token.refresh_from_db()
    assert token.last_used_at == start + dt.timedelta(seconds=61)


def test_revoking_one_of_two_leaves_the_other(world):
    phone, tablet = sign_in("phone"), sign_in("tablet")
    tablet_id = next(t["id"] for t in phone.get("/auth/tokens").json() if t["name"] == "tablet")
    assert phone.delete(f"/auth/tokens/{tablet_id}").status_code == 204
    assert tablet.get("/me").status_code == 401
    assert phone.get("/me").status_code == 200
    assert [t["name"] for t in phone.get("/auth/tokens").json()] == ["phone"]
    # Again: nothing changes.
    assert phone.delete(f"/auth/tokens/{tablet_id}").status_code == 204
    assert AuditEvent.objects.filter(action="api.token_revoked").count() == 1


def test_revoking_anothers_token_or_none_is_404_and_changes_nothing(world):
    a, b = sign_in("a's phone"), sign_in("b's phone", email="b@example.org")
    theirs = ApiToken.objects.get(name="b's phone")
    for token_id in (theirs.pk, theirs.pk + 1000):
        response = a.delete(f"/auth/tokens/{token_id}")
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert b.get("/me").status_code == 200


def test_revoking_all_signs_out_everywhere(world):
    phone, tablet = sign_in("phone"), sign_in("tablet")
    other = sign_in("b", email="b@example.org")
    assert phone.delete("/auth/tokens").status_code == 204
    assert phone.get("/me").status_code == 401
    assert tablet.get("/me").status_code == 401
    assert other.get("/me").status_code == 200


def test_revoking_all_but_this_one(world):
    phone, tablet = sign_in("phone"), sign_in("tablet")
    response = phone.client.delete(
        "/api/v1/auth/tokens?keep_current=true", headers=phone._headers()
    )
    assert response.status_code == 204
    assert phone.get("/me").status_code == 200
    assert tablet.get("/me").status_code == 401


def test_a_new_password_still_ends_every_other_token(world):
    phone, tablet = sign_in("phone"), sign_in("tablet")
    response = phone.post(
        "/me/password", {"current_password": t.PASSWORD, "new_password": "a-new-Passw0rd-here"}
    )
    assert response.status_code == 200
    assert tablet.get("/me").status_code == 401
    assert ApiClient(response.json()["token"]).get("/me").status_code == 200


def test_a_refresh_retried_after_a_lost_answer_gets_the_one_working_token(world):
    start = clock.now()
    with clock.frozen_at(start):
        old = sign_in("phone")
        lost = old.post("/auth/token/refresh").json()  # the answer never reached the app
    with clock.frozen_at(start + dt.timedelta(seconds=30)):
        retried = old.post("/auth/token/refresh")
        assert retried.status_code == 201
        kept = ApiClient(retried.json()["token"])
        assert ApiClient(lost["token"]).get("/me").status_code == 401
        assert old.get("/me").status_code == 401  # only the refresh takes it back
        assert kept.get("/me").status_code == 200
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1
    # Once the new token is used, the old one refreshes nothing more.
    with clock.frozen_at(start + dt.timedelta(seconds=40)):
        assert old.post("/auth/token/refresh").status_code == 401
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_a_late_retry_or_one_after_the_new_token_was_used_is_refused(world):
    start = clock.now()
    with clock.frozen_at(start):
        old = sign_in("phone")
        old.post("/auth/token/refresh")
    with clock.frozen_at(start + dt.timedelta(minutes=3)):
        late = old.post("/auth/token/refresh")
        assert (late.status_code, error_of(late)["code"]) == (401, "unauthenticated")
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_a_revoked_token_cannot_refresh(world):
    old = sign_in("phone")
    old.delete("/auth/token")
    assert old.post("/auth/token/refresh").status_code == 401
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()
