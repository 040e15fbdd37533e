"""NUL, lone surrogates and other non-characters are refused with 400 before any view runs.

PostgreSQL cannot store NUL in text and its driver cannot encode a lone surrogate, so each
of these reached the database and answered 500 there before the guard (issue 8, defect 4).
Legitimate Unicode, accents to astral emoji, passes untouched.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from homeward import builders as t
from homeward.api.models import ApiToken
from homeward.connections.models import Connection
from homeward.ledger.models import Payment
from homeward.messaging.models import Message
from homeward.personas import BASE, client_for, error_of


def _refused(response) -> None:
    assert response.status_code == 400, response.content[:300]
    assert error_of(response)["code"] == "invalid_characters"


def _post_raw(client: Client, path: str, raw: str, key: str = "") -> object:
    """POST a JSON body exactly as written: ``raw`` may hold escapes such as ``\\ud800``."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.post(BASE + path, raw, content_type="application/json", headers=headers)


# --- the API -------------------------------------------------------------------------------


def test_nul_in_a_query_is_refused(world, anon):
    _refused(anon.get("/facilities", {"q": "a\x00b"}))


def test_nul_in_a_path_is_refused(world, anon):
    _refused(anon.get("/facilities/\x00"))
    _refused(Client().get(BASE + "/facilities/%00"))


def test_invalid_utf8_in_the_url_is_refused(world):
    # %ED%A0%80 is U+D800 written as UTF-8: not valid UTF-8, and a lone surrogate.
    _refused(Client().get(BASE + "/facilities/%ED%A0%80"))
    _refused(Client().get(BASE + "/facilities?q=%ED%A0%80"))
    _refused(Client().get(BASE + "/facilities?q=%FF"))


def test_nul_in_the_email_of_a_sign_in_is_refused(world, anon):
    response = anon.post("/auth/token", {"email": "a@example.org\x00", "password": t.PASSWORD})
    _refused(response)
    assert not ApiToken.objects.exists()


def test_nul_in_a_client_token_sends_nothing(world, api_a, connection_a):
    path = f"/conversations/{connection_a.pk}/messages"
    _refused(api_a.post(path, {"body": "Hello", "client_token": "x\x00y"}))
    assert not Message.objects.exists()


def test_nul_in_an_idempotency_key_charges_nothing(world, api_a):
    data = {"amount_cents": 1000, "card": "4242424242424242", "idempotency_key": "k\x00"}
    _refused(api_a.post(f"/wallets/{world.facility_1.code}/deposits", data))
    assert not Payment.objects.exists()


def test_nul_in_a_connection_number_connects_nothing(world, api_b):
    before = Connection.objects.count()
    _refused(api_b.post("/connections", {"facility": world.facility_1.code, "number": "NY\x00"}))
    assert Connection.objects.count() == before


def test_lone_surrogate_in_a_message_body_sends_nothing(world, api_a, connection_a):
    path = f"/conversations/{connection_a.pk}/messages"
    _refused(_post_raw(api_a.client, path, '{"body": "hi \\ud800 there"}', api_a.key))
    # Also as raw bytes that are not UTF-8 (U+D800 encoded as if it were a character).
    raw = b'{"body": "hi \xed\xa0\x80"}'
    response = api_a.client.post(
        BASE + path, raw, content_type="application/json", headers=api_a._headers()
    )
    _refused(response)
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "text", ["\ufffe", "\uffff", "\ufdd0", "\ufdef", "\U0001fffe", "\U0010ffff", "\udfff"]
)
def test_every_kind_of_non_character_is_refused(world, api_a, connection_a, text):
    path = f"/conversations/{connection_a.pk}/messages"
    raw = json.dumps({"body": f"a{text}b"})  # ASCII JSON: every character as an escape
    _refused(_post_raw(api_a.client, path, raw, api_a.key))
    assert not Message.objects.exists()


def test_nul_in_a_json_key_deep_inside_is_refused(world, api_a, connection_a):
    path = f"/conversations/{connection_a.pk}/messages"
    _refused(api_a.post(path, {"body": "Hi", "extra": [{"deep\x00": "value"}]}))
    assert not Message.objects.exists()


def test_malformed_json_is_left_to_the_api(world, api_a, connection_a):
    path = f"/conversations/{connection_a.pk}/messages"
    response = _post_raw(api_a.client, path, '{"body": "\x00', api_a.key)
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


LEGITIMATE = [
    "José Muñoz, ça va? Grüße",  # accents
    "Te quiero 💛 👨‍👩‍👧",  # emoji, one astral, one joined with zero-width joiners
    "你好，妈妈。こんにちは 안녕",  # CJK
    "𝄞 𐍈 \U0001f600",  # astral characters
]


@pytest.mark.parametrize("text", LEGITIMATE)
def test_legitimate_unicode_passes_everywhere(world, api_a, connection_a, text):
    # In a query, and as proper surrogate pairs in an escaped JSON body.
    assert api_a.get("/facilities", {"q": text}).status_code == 200
    path = f"/conversations/{connection_a.pk}/messages"
    raw = json.dumps({"body": text, "client_token": text[:10]})  # \ud83d\udc9b pairs
    assert "\\ud83" in raw or "\\u" in raw
    response = _post_raw(api_a.client, path, raw, api_a.key)
    assert response.status_code == 201, response.content
    assert Message.objects.get().body == text


def test_legitimate_unicode_in_a_path_passes(world, api_a):
    response = api_a.get("/facilities/caf%C3%A9-%F0%9F%98%80")
    assert response.status_code == 404  # no such facility: found out by the view, not the guard
    assert error_of(response)["code"] != "invalid_characters"


# --- pages ---------------------------------------------------------------------------------


def test_a_page_query_with_nul_is_a_plain_400(world):
    response = Client().get("/facilities/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    # The product's own page, saying what happened and what to do.
    assert "We could not read what was sent" in response.content.decode()
    assert "retype the" in response.content.decode()


def _is_the_guard_page(response) -> bool:
    """The plain 400 page, not the sign-in form shown again with an error (also a 400)."""
    return response.status_code == 400 and b'name="password"' not in response.content


def test_a_page_form_with_nul_is_a_plain_400(world):
    client = Client()
    form = urlencode({"email": "a@example.org\x00", "password": t.PASSWORD})
    response = client.post("/signin/", form, content_type="application/x-www-form-urlencoded")
    assert _is_the_guard_page(response)
    assert response["Content-Type"].startswith("text/html")
    assert "_auth_user_id" not in client.session


def test_a_multipart_form_with_nul_is_a_plain_400(world):
    client = Client()  # a dict is sent as multipart/form-data
    response = client.post("/signin/", {"email": "a@example.org\x00", "password": t.PASSWORD})
    assert _is_the_guard_page(response)
    assert "_auth_user_id" not in client.session


def test_nul_in_a_connect_form_connects_nothing(world):
    client = client_for(world.contact_b.user)
    before = Connection.objects.count()
    response = client.post(f"/facilities/{world.facility_1.code}/connect/", {"number": "NY\x00"})
    assert response.status_code == 400
    assert Connection.objects.count() == before


def test_a_page_with_accents_in_the_query_still_works(world):
    response = Client().get("/facilities/", {"q": "Muñoz 你好 💛"})
    assert response.status_code == 200


def test_a_page_form_with_accents_reaches_the_view(world):
    client = Client()
    response = client.post("/signin/", {"email": "josé@example.org", "password": "wrong-ñ"})
    assert not _is_the_guard_page(response)
    assert b'name="password"' in response.content  # the form again, with its error
    client.post("/signin/", {"email": "a@example.org", "password": t.PASSWORD + "💛"})
    assert "_auth_user_id" not in client.session
    client.post("/signin/", {"email": "a@example.org", "password": t.PASSWORD})
    assert "_auth_user_id" in client.session


def test_json_labelled_as_a_form_is_still_checked(world, api_a, connection_a):
    path = f"/conversations/{connection_a.pk}/messages"
    response = api_a.client.post(
        BASE + path,
        '{"body": "a\\u0000b"}',
        content_type="application/x-www-form-urlencoded",
        headers=api_a._headers(),
    )
    assert response.status_code != 500
    assert not Message.objects.exists()


def test_json_nested_very_deep_is_not_a_500(world, api_a, connection_a):
    path = f"/conversations/{connection_a.pk}/messages"
    for depth in (900, 5000, 100_000):
        raw = '{"body": "hi", "x": ' + "[" * depth + "]" * depth + "}"
        response = _post_raw(api_a.client, path, raw, api_a.key)
        assert response.status_code < 500, (depth, response.content[:200])


def test_nul_in_a_cookie_is_refused_before_the_session_is_read(world):
    # Django's cookie parser turns the quoted "\000" into a NUL, and the session key goes
    # straight to the database: a 500 on PostgreSQL without the guard.
    response = Client().get("/console/", HTTP_COOKIE='sessionid="abcdefghij\\000k"')
    assert response.status_code == 400
    assert "We could not read what was sent" in response.content.decode()
    api = Client().get("/api/v1/facilities", HTTP_COOKIE='sessionid="abcdefghij\\000k"')
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "invalid_characters"
