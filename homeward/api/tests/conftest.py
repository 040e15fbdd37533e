"""API test helpers: a JSON client that carries a contact's bearer token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from homeward import builders as t
from homeward.api import services
from homeward.people.models import Contact

BASE = "/api/v1"


class ApiClient:
    """Django's test Client speaking JSON to /api/v1 with an optional bearer token."""

    def __init__(self, key: str = "") -> None:
        self.key = key
        self.client = Client(enforce_csrf_checks=True)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(BASE + path, params or {}, headers=self._headers())

    def post(self, path: str, data: Any = None) -> Any:
        body = "" if data is None else json.dumps(data)
        return self.client.post(
            BASE + path, body, content_type="application/json", headers=self._headers()
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(BASE + path, headers=self._headers())

    def call(self, method: str, path: str, data: Any = None) -> Any:
        if method == "GET":
            return self.get(path)
        if method == "DELETE":
            return self.delete(path)
        return self.post(path, data)


def key_for(contact: Contact) -> str:
    _, key = services.create_token(email=contact.user.email, password=t.PASSWORD)
    return key


def api_for(contact: Contact) -> ApiClient:
    return ApiClient(key_for(contact))


def error_of(response: Any) -> dict[str, str]:
    """The error object of a response, checking it has exactly the promised shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


@pytest.fixture
def anon() -> ApiClient:
    return ApiClient()


@pytest.fixture
def api_a(world) -> ApiClient:
    return api_for(world.contact_a)


@pytest.fixture
def api_b(world) -> ApiClient:
    return api_for(world.contact_b)


@pytest.fixture
def connection_a(world):
    return world.contact_a.connections.get()
