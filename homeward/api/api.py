"""The contact JSON API, mounted at /api/v1/. The OpenAPI document is /api/v1/openapi.json.

Every endpoint needs a bearer token unless it says ``auth=None``: signing up and in, a
forgotten password and the public facility directory.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from homeward.api import errors
from homeward.api.auth import ContactToken
from homeward.api.routes import (
    account,
    appeals,
    auth,
    connections,
    conversations,
    facilities,
    money,
    photos,
    push,
    stamps,
    trust,
)
from homeward.api.spec import HomewardAPI
from homeward.core.errors import NotFound

api = HomewardAPI(
    title="Homeward",
    version="1",
    description="Messaging between families and incarcerated people: the contact side.\n\n"
    'Every error is {"error": {"code": ..., "message": ...}} with one HTTP status per code; '
    "each operation lists the codes it can answer under each status (x-error-codes). "
    "A 429 carries Retry-After. A method an address does not take is 405 "
    "method_not_allowed. Every request that creates something takes an idempotency_key: "
    "the same key with the same request answers 200 with the first answer, with another "
    "request 409 idempotency_key_reused; 201 means this request made it (a repeat's answer "
    "has a schema of its own, <Name>Repeat). Sign up with POST /auth/signup after showing "
    "the monitoring notice of GET /auth/signup. Listing messages "
    "marks nothing read: POST /conversations/{id}/read does. A photo is uploaded (POST "
    "/photos, multipart), checked in the background (poll GET /photos/{id} until it is "
    "ready), then sent with a message (photo_ids). To sync, keep a message page's sync "
    "and later pass it as updated_after (the conversation list takes the newest "
    "updated_at you hold); the lists answer an ETag (If-None-Match: 304), and GET answers "
    "are gzipped when asked for (Accept-Encoding: gzip). For push, register the device "
    "(POST /push/devices, Web Push) and every event Homeward would email is pushed too. "
    "Wallets are named by facility code, as a contact has one wallet per facility, shared "
    "by their connections there; everything of one conversation is under /conversations/"
    "{connection_id}. A deprecated address answers with a Deprecation header and a Link to "
    "its successor for one release (docs/api-changelog.md).",
    urls_namespace="api",
    auth=ContactToken(),
    parser=errors.BoundedJsonParser(),
    # The interactive docs page needs ninja's static files and scripts; the spec is enough.
    docs_url=None,
)
errors.install(api)

api.add_router("/auth", auth.router)
api.add_router("/auth", account.reset_router)
api.add_router("/me", account.router)
api.add_router("/facilities", facilities.router)
api.add_router("/directory", facilities.directory_router)
api.add_router("/connections", connections.router)
api.add_router("/conversations", conversations.router)
api.add_router("/messages", conversations.messages_router)
api.add_router("/messages", appeals.messages_router)
api.add_router("/restrictions", appeals.restrictions_router)
api.add_router("/conversations", money.quote_router)
api.add_router("/connections", money.old_quote_router)
api.add_router("/connections", trust.router)
api.add_router("/wallets", money.wallets_router)
api.add_router("/wallets", stamps.router)
api.add_router("/payments", money.payments_router)
api.add_router("/me/statement", money.statement_router)
api.add_router("/me/conversations", conversations.pages_router)
api.add_router("/statement", money.old_statement_router)
api.add_router("/photos", photos.router)
api.add_router("/push", push.router)

# Last, so it matches only what nothing above did: unknown API paths answer in the API's
# error shape instead of Django's HTML 404 page.
_fallback = Router()


@_fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def unknown_path(request: HttpRequest, rest: str) -> None:
    raise NotFound(_("There is no such API endpoint. See /api/v1/openapi.json."))


api.add_router("", _fallback)
