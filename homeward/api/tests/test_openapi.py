"""The OpenAPI document that app developers and fuzzers read."""

from __future__ import annotations


def test_openapi_lists_every_path_with_bearer_security(db, anon):
    response = anon.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "Homeward"
    paths = spec["paths"]
    for path in [
        "/api/v1/auth/token",
        "/api/v1/facilities",
        "/api/v1/facilities/{code}",
        "/api/v1/facilities/{code}/residents/{number}",
        "/api/v1/connections",
        "/api/v1/connections/{connection_id}/accept",
        "/api/v1/connections/{connection_id}/decline",
        "/api/v1/connections/{connection_id}/block",
        "/api/v1/conversations",
        "/api/v1/conversations/{connection_id}/messages",
        "/api/v1/messages/{message_id}/read",
    ]:
        assert path in paths, path
    assert set(paths["/api/v1/auth/token"]) == {"post", "delete"}
    assert set(paths["/api/v1/conversations/{connection_id}/messages"]) == {"get", "post"}
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    # Signing in needs no token; reading conversations does.
    assert "security" not in paths["/api/v1/auth/token"]["post"]
    assert paths["/api/v1/conversations"]["get"]["security"]
    assert "ErrorOut" in spec["components"]["schemas"]


def test_fallback_route_is_not_documented(db, anon):
    paths = anon.get("/openapi.json").json()["paths"]
    assert not any("rest" in path for path in paths)
