"""The OpenAPI document that app developers, generated clients and fuzzers read, and the
conventions every operation in it follows."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings

from homeward.api.api import api
from homeward.connections.models import Connection
from homeward.enforcement.models import Appeal
from homeward.facilities.models import Facility, FacilityPolicy
from homeward.ledger.models import Payment, Payout
from homeward.ledger.pricing import MessagePayer, MessagePrice
from homeward.messaging.models import Message
from homeward.photos import intake
from homeward.photos.models import Photo
from homeward.screening import categories

OPERATION_ID = re.compile(r"^[a-z]+(_[a-z]+)+$")
SPEC = api.get_openapi_schema(path_prefix="/api/v1/")
OPERATIONS = [
    (method.upper(), path, details)
    for path, methods in SPEC["paths"].items()
    for method, details in methods.items()
]
# Creates that take no idempotency_key, and why.
NOT_KEYED = {
    "tokens_create": "signing in: every sign-in is a new token, shown once",
    "tokens_refresh": "the token it swaps is its key: a retry with it (the answer lost) "
    "answers another new token, revoking the unused one",
    "account_create": "the email is its key: signing up again is 400 email_taken (sign in)",
    "messages_appeal": "once per message: appealing again is 409 already_appealed, and the "
    "message shows the appeal made",
    "restrictions_appeal": "once per restriction: appealing again is 409 already_appealed, "
    "and messaging_stopped shows the appeal made",
}


def test_openapi_lists_every_path_with_bearer_security(db, anon):
    response = anon.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "Homeward"
    paths = spec["paths"]
    for path in [
        "/api/v1/auth/token",
        "/api/v1/facilities",
        "/api/v1/directory",
        "/api/v1/facilities/{code}",
        "/api/v1/facilities/{code}/residents/{number}",
        "/api/v1/connections",
        "/api/v1/connections/{connection_id}/accept",
        "/api/v1/connections/{connection_id}/decline",
        "/api/v1/connections/{connection_id}/block",
        "/api/v1/conversations",
        "/api/v1/me/conversations",
        "/api/v1/conversations/{connection_id}/messages",
        "/api/v1/conversations/{connection_id}/read",
        "/api/v1/messages/{message_id}/read",
    ]:
        assert path in paths, path
    assert set(paths["/api/v1/auth/token"]) == {"post", "delete"}
    assert set(paths["/api/v1/conversations/{connection_id}/messages"]) == {"get", "post"}
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    # Signing in and the directory need no token, and say so; reading conversations does.
    assert paths["/api/v1/auth/token"]["post"]["security"] == []
    assert paths["/api/v1/facilities"]["get"]["security"] == []
    assert paths["/api/v1/directory"]["get"]["security"] == []
    assert paths["/api/v1/facilities"]["get"]["deprecated"] is True
    assert paths["/api/v1/conversations"]["get"]["security"]
    assert paths["/api/v1/me/conversations"]["get"]["security"]
    assert "ErrorOut" in spec["components"]["schemas"]
    assert spec["servers"] == [{"url": settings.SITE_URL, "description": "This deployment"}]


def test_fallback_route_is_not_documented(db, anon):
    paths = anon.get("/openapi.json").json()["paths"]
    assert not any("{rest}" in path for path in paths)  # its "/{path:rest}"


def test_operation_ids_are_short_stable_and_unique():
    ids = [details["operationId"] for _, _, details in OPERATIONS]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for operation_id in ids:
        assert OPERATION_ID.match(operation_id), operation_id
    # Published: a client generated from the spec calls them by these names.
    assert {
        "messages_send",
        "messages_list",
        "conversations_list",
        "conversations_read",
        "wallet_deposit",
        "trust_deposit",
        "tokens_create",
    } <= set(ids)


def _enum(schema_name: str) -> list[str]:
    return SPEC["components"]["schemas"][schema_name]["enum"]


def _field(schema: str, field: str) -> dict[str, Any]:
    prop = SPEC["components"]["schemas"][schema]["properties"][field]
    return prop.get("anyOf", [prop])[0] | {k: v for k, v in prop.items() if k != "anyOf"}


@pytest.mark.parametrize(
    ("schema", "field", "enum", "values"),
    [
        ("ConnectionOut", "status", "ConnectionStatus", Connection.Status.values),
        ("ConnectionOut", "initiated_by", "InitiatedBy", Connection.Side.values),
        ("ConnectionRef", "status", "ConnectionStatus", Connection.Status.values),
        ("ConversationOut", "status", "ConnectionStatus", Connection.Status.values),
        ("FacilitySummary", "type", "FacilityType", Facility.Type.values),
        (
            "FacilitySummary",
            "connection_policy",
            "ConnectionPolicy",
            FacilityPolicy.ConnectionPolicy.values,
        ),
        ("PolicyOut", "review_mode", "ReviewMode", FacilityPolicy.ReviewMode.values),
        ("MessageOut", "status", "MessageStatus", Message.Status.values),
        ("MessageOut", "direction", "MessageDirection", Message.Direction.values),
        ("MessageOut", "block_category", "BlockCategory", [c.code for c in categories.ALL]),
        ("StageOut", "stage", "MessageStage", None),
        ("PaymentOut", "status", "PaymentStatus", Payment.Status.values),
        ("PayoutOut", "status", "PayoutStatus", Payout.Status.values),
        ("RefundPayoutOut", "status", "PayoutStatus", Payout.Status.values),
        ("QuoteOut", "payer", "PricePayer", MessagePayer.values),
        ("AppealOut", "status", "AppealStatus", Appeal.Status.values),
        ("AppealOut", "of", "AppealOf", ["message", "restriction"]),
        ("PhotoOut", "status", "PhotoStatus", Photo.Status.values),
        ("PhotoOut", "refusal_code", "PhotoRefusal", list(intake.REFUSALS)),
        ("PhotoOut", "block_reason", "PhotoBlockReason", Photo.BlockReason.values),
        ("MessagePhotoOut", "status", "PhotoStatus", Photo.Status.values),
    ],
)
def test_status_like_fields_are_enums_from_the_models(schema, field, enum, values):
    assert _field(schema, field)["$ref"] == f"#/components/schemas/{enum}"
    if values is not None:
        assert _enum(enum) == list(values)


def test_stages_are_the_timeline_and_payers_are_the_prices():
    assert _enum("MessageStage") == [
        "submitted",
        "screened",
        "in_review",
        "approved",
        "blocked",
        "returned",
        "delivered",
        "read",
    ]
    assert _enum("PricePayer") == ["contact", "resident", "agency"]
    for payer in MessagePayer:  # each one the price knows how to say
        assert MessagePrice(lines=[], payer=payer).payer_words


def test_holidays_are_dates():
    holidays = SPEC["components"]["schemas"]["PolicyOut"]["properties"]["holidays"]
    assert holidays["items"] == {"format": "date", "type": "string"}


def test_every_create_takes_an_idempotency_key_and_answers_200_or_201():
    creates = [(path, d) for m, path, d in OPERATIONS if 201 in d["responses"]]
    assert creates
    for path, details in creates:
        if details["operationId"] in NOT_KEYED:
            continue
        assert 200 in details["responses"], path  # a repeat
        assert details["responses"][200]["description"].startswith("A repeat")
        assert details["responses"][201]["description"].startswith("Created")
        body = details["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = SPEC["components"]["schemas"][body.rsplit("/", 1)[-1]]
        by = details.get("x-idempotent-by")
        if by:  # the body's required fields that name what it makes are its key
            assert set(by) <= set(schema.get("required", [])), path
        else:
            assert "idempotency_key" in schema["properties"], path
    asking = SPEC["paths"]["/api/v1/connections"]["post"]["responses"]
    assert asking[200]["description"].startswith("A repeat: a request with the same facility")
    message_in = SPEC["components"]["schemas"]["MessageIn"]["properties"]
    assert message_in["client_token"]["deprecated"] is True
    assert "deprecated" not in message_in["idempotency_key"]


def test_every_operation_lists_its_errors_in_the_error_shape():
    error = SPEC["components"]["schemas"]["ErrorDetail"]["properties"]
    assert {"code", "message", "fields", "payment_id"} <= set(error)
    for _, path, details in OPERATIONS:
        errors = {s: r for s, r in details["responses"].items() if int(s) >= 400}
        assert errors, path
        for status, response in errors.items():
            content = response["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
            assert set(content["examples"]) == set(response["x-error-codes"])
            for code in response["x-error-codes"]:
                assert code in response["description"]
            if int(status) == 429:
                assert "Retry-After" in response["headers"]
        assert "invalid_characters" in errors[400]["x-error-codes"]
        if details["security"]:
            assert "unauthenticated" in errors[401]["x-error-codes"]
        if "requestBody" in details:
            assert errors[413]["x-error-codes"] == ["request_too_large"]
            assert errors[422]["x-error-codes"] == ["invalid_input"]
            # Only a JSON body can be JSON that is not JSON; a multipart form cannot.
            json_body = "application/json" in details["requestBody"]["content"]
            assert ("malformed_json" in errors[400]["x-error-codes"]) == json_body, path
