"""Fixtures for API tests: an anonymous client and each persona's signed-in client
(``homeward.personas.ApiClient``)."""

from __future__ import annotations

import pytest

from homeward.personas import ApiClient, api_for


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
