"""The API answers in the language each request asks for (``Accept-Language``): the same
codes, the same JSON keys, the words for people in that language."""

from __future__ import annotations

import json

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.testing import TestClient
from pydantic_core import PydanticKnownError

from homeward import builders as t
from homeward.api import errors
from homeward.core.errors import DomainError
from homeward.personas import BASE, ApiClient, error_of


def ask(api: ApiClient, method: str, path: str, data=None, language: str | None = None):
    """``api``'s request, with ``Accept-Language: language`` when one is given."""
    headers = api._headers()
    if language:
        headers["Accept-Language"] = language
    if method == "GET":
        return api.client.get(BASE + path, headers=headers)
    body = "" if data is None else json.dumps(data)
    return api.client.post(BASE + path, body, content_type="application/json", headers=headers)


def both(api: ApiClient, method: str, path: str, data=None):
    """The error answered in Spanish and in English (no Accept-Language), checked to be the
    same error: the same status and code, only the message's language differs."""
    spanish = ask(api, method, path, data, language="es")
    english = ask(api, method, path, data)
    assert spanish.status_code == english.status_code
    assert error_of(spanish)["code"] == error_of(english)["code"]
    assert spanish["Content-Language"] == "es"
    assert english["Content-Language"] == "en"
    return error_of(spanish), error_of(english)


def test_a_connection_not_yours_is_not_found_in_the_language_asked(world, api_b, connection_a):
    spanish, english = both(api_b, "GET", f"/connections/{connection_a.pk}/notice")
    assert spanish["code"] == english["code"] == "not_found"
    assert spanish["message"] == "No se encontró."
    assert english["message"] == "Not found."


def test_a_wallet_where_you_have_no_connection_is_refused_in_spanish(world, api_b):
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40)
    spanish, english = both(
        api_b, "POST", "/wallets/greenhaven/deposit-quote", {"amount_cents": 500}
    )
    assert spanish["code"] == "not_found"
    assert spanish["message"] == (
        "No tiene ninguna conexión en este centro; aquí no hay ningún monedero suyo."
    )
    assert english["message"] == (
        "You have no connection at this facility; there is no wallet of yours here."
    )


def test_a_bad_amount_is_refused_in_the_language_asked(world, api_a):
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40)
    spanish, english = both(
        api_a, "POST", "/wallets/greenhaven/deposit-quote", {"amount_cents": 99}
    )
    assert spanish["code"] == english["code"] == "bad_amount"
    assert spanish["message"] == "Un pago debe ser de entre $1.00 y $500.00."
    assert english["message"] == "A payment is between $1.00 and $500.00."


def test_an_amount_that_is_not_a_number_is_422_in_the_language_asked(world, api_a):
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40)
    path = "/wallets/greenhaven/deposit-quote"
    spanish, english = both(api_a, "POST", path, {"amount_cents": "1000"})
    assert spanish["code"] == english["code"] == "invalid_input"
    assert spanish["message"] == (
        "Revise los datos enviados. amount_cents: El valor debe ser un número entero."
    )
    assert english["message"] == "Check the input. amount_cents: Input should be a valid integer."
    # The fields keep their names; only why each was wrong is said in the language.
    assert spanish["fields"] == [
        {"field": "amount_cents", "message": "El valor debe ser un número entero"}
    ]
    assert english["fields"] == [
        {"field": "amount_cents", "message": "Input should be a valid integer"}
    ]


def test_the_edge_speaks_the_language_too(world, api_a, anon):
    spanish, english = both(anon, "GET", "/connections")
    assert spanish["code"] == "unauthenticated"
    assert spanish["message"].startswith("Primero inicie sesión")
    assert english["message"].startswith("Sign in first")
    spanish, english = both(api_a, "GET", "/no/such/thing")
    assert spanish["code"] == "not_found"
    assert spanish["message"] == "Esa dirección de la API no existe. Consulte /api/v1/openapi.json."


def test_a_quote_says_its_words_in_the_language_asked(world, api_a, connection_a, stamps):
    path = f"/conversations/{connection_a.pk}/quote"
    spanish = ask(api_a, "POST", path, {"body": "x" * 2001}, language="es").json()
    english = ask(api_a, "POST", path, {"body": "x" * 2001}).json()
    assert spanish["lines"] == [{"label": "2 estampillas por el texto", "cents": 80}]
    assert spanish["payer"] == english["payer"] == "contact"  # machine words stay
    assert spanish["payer_words"] == "Pagado del monedero del contacto"
    assert english["lines"] == [{"label": "2 stamps for the text", "cents": 80}]
    assert english["payer_words"] == "Paid from the contact's wallet"


def test_a_lazily_translated_message_is_answered_as_plain_text():
    def refuse(request):
        raise DomainError("not_found", gettext_lazy("Not found."))

    api = NinjaAPI(urls_namespace="language-test-lazy")
    errors.install(api)
    api.get("/refuse", auth=None)(refuse)
    with translation.override("es"):
        response = TestClient(api).get("/refuse")
    assert response.status_code == 404
    assert json.loads(response.content)["error"] == {
        "code": "not_found",
        "message": "No se encontró.",
    }


@pytest.mark.parametrize(
    ("kind", "context"),
    [
        *[(kind, {}) for kind, said in errors._REASONS.items() if "%(" not in str(said)],
        ("string_pattern_mismatch", {"pattern": "^[a-z]+$"}),
        ("greater_than", {"gt": 0}),
        ("greater_than_equal", {"ge": 1}),
        ("less_than", {"lt": 5}),
        ("less_than_equal", {"le": 200}),
        ("value_error", {"error": "send one"}),
        ("string_too_short", {"min_length": 1}),
        ("string_too_short", {"min_length": 8}),
        ("string_too_long", {"max_length": 1}),
        ("string_too_long", {"max_length": 64}),
    ],
)
def test_in_english_a_reason_is_pydantics_own_sentence(kind, context):
    with translation.override("en"):
        said = errors.reason({"type": kind, "ctx": context, "msg": "pydantic's words"})
    assert said == PydanticKnownError(kind, context or None).message()


def test_a_reason_we_do_not_know_is_pydantics_words():
    error = {"type": "uuid_parsing", "ctx": {"error": "bad"}, "msg": "Input should be a UUID"}
    with translation.override("es"):
        assert errors.reason(error) == "Input should be a UUID"
