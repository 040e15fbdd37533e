"""Every error has the same shape, the right status and a stable code."""

from __future__ import annotations

import pytest
from django.http import Http404
from ninja import NinjaAPI
from ninja.testing import TestClient

from homeward.api import errors
from homeward.core.errors import Conflict, PermissionDenied
from homeward.messaging.models import Message
from homeward.personas import ApiClient, error_of


@pytest.mark.parametrize(
    ("status", "code", "call"),
    [
        (400, "message_empty", lambda c, s: c.post(f"/conversations/{s}/messages", {"body": ""})),
        (401, "unauthenticated", lambda c, s: ApiClient().get("/connections")),
        (404, "not_found", lambda c, s: c.get("/conversations/999999/messages")),
        (409, "not_pending", lambda c, s: c.post(f"/connections/{s}/accept")),
        (422, "invalid_input", lambda c, s: c.post(f"/conversations/{s}/messages", {})),
    ],
)
def test_error_shape(world, api_a, connection_a, status, code, call):
    response = call(api_a, connection_a.pk)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert error_of(response)["code"] == code


def test_validation_error_lists_each_field(world, api_a, connection_a):
    response = api_a.post(f"/conversations/{connection_a.pk}/messages", {"client_token": 5})
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    fields = {f["field"] for f in error["fields"]}
    assert fields == {"body", "client_token"}
    assert "body" in error["message"] and "client_token" in error["message"]


def test_oversized_body_is_413_and_sends_nothing(world, api_a, connection_a):
    huge = "x" * (errors.MAX_BODY_BYTES + 1)
    response = api_a.post(f"/conversations/{connection_a.pk}/messages", {"body": huge})
    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"
    assert not Message.objects.exists()


def test_unknown_api_path_is_a_json_404(world, api_a, anon):
    for client in (api_a, anon):
        response = client.get("/no/such/thing")
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"


def test_path_id_that_is_not_a_number_is_422(world, api_a):
    response = api_a.get("/conversations/abc/messages")
    assert response.status_code == 422
    assert "connection_id" in error_of(response)["message"]


def _api_with(view) -> TestClient:
    """A throwaway API with our handlers, to drive the handlers no real endpoint reaches."""
    api = NinjaAPI(urls_namespace=f"errors-test-{view.__name__}")
    errors.install(api)
    api.get("/boom", auth=None)(view)
    return TestClient(api)


def test_unexpected_exception_is_500_without_details(caplog):
    def crash(request):
        raise RuntimeError("database password is hunter2")

    response = _api_with(crash).get("/boom")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert "hunter2" not in response.content.decode()
    assert "hunter2" in caplog.text  # operators still see it in the log


def test_django_404_and_domain_errors_use_the_shape():
    def missing(request):
        raise Http404("secret path detail")

    def conflict(request):
        raise Conflict("already_done", "That was already done.")

    response = _api_with(missing).get("/boom")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
    assert "secret" not in response.content.decode()
    response = _api_with(conflict).get("/boom")
    assert response.status_code == 409
    assert response.json() == {
        "error": {"code": "already_done", "message": "That was already done."}
    }


def test_invalid_utf8_is_a_clear_400_and_sends_nothing(world, api_a, connection_a):
    response = api_a.client.post(
        f"/api/v1/conversations/{connection_a.pk}/messages",
        b'{"body": "caf\xe9 \xff"}',
        content_type="application/json",
        headers=api_a._headers(),
    )
    assert response.status_code == 400, response.content
    assert error_of(response)["code"] == "malformed_json"
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/conversations", "GET"),
        ("DELETE", "/facilities", "GET"),
        ("PATCH", "/auth/token", "DELETE, POST"),
    ],
)
def test_a_method_a_path_does_not_take_is_a_json_405(world, api_a, method, path, allowed):
    response = api_a.client.generic(method, "/api/v1" + path, headers=api_a._headers())
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert error_of(response)["code"] == "method_not_allowed"
    assert set(response["Allow"].split(", ")) == set(allowed.split(", "))


def test_a_body_that_is_not_json_is_400_malformed_json(world, api_a, connection_a):
    response = api_a.client.post(
        f"/api/v1/conversations/{connection_a.pk}/messages",
        "{not json",
        content_type="application/json",
        headers=api_a._headers(),
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"
    assert not Message.objects.exists()


def test_a_nul_in_the_body_is_400_invalid_characters(world, api_a, connection_a):
    response = api_a.post(f"/conversations/{connection_a.pk}/messages", {"body": "a\x00b"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_characters"
    assert not Message.objects.exists()


def test_each_error_is_answered_with_its_codes_one_status():
    """A domain error raised with another status than the table's is answered with the
    table's: a client sees one status per code."""

    def elsewhere_a_forbidden(request):
        raise PermissionDenied("Not active.", "connection_not_active")

    response = _api_with(elsewhere_a_forbidden).get("/boom")
    assert response.status_code == errors.STATUS["connection_not_active"] == 409
    assert response.json()["error"]["code"] == "connection_not_active"


def test_every_status_only_error_has_a_code_of_that_status():
    for status, code in errors.CODE_FOR_STATUS.items():
        assert errors.STATUS[code] == status
