"""Bearer-token authentication for the contact API."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from homeward.api import services
from homeward.api.models import ApiToken
from homeward.people.models import Contact


class ContactToken(HttpBearer):
    """``Authorization: Bearer <key>`` of a live token belonging to an active contact.

    A missing, unknown or revoked token makes ninja raise AuthenticationError, which the
    API answers with 401 ``unauthenticated``.
    """

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return services.token_for_key(token.strip())


def token_of(request: HttpRequest) -> ApiToken:
    # django-ninja sets ``auth`` on the request once the token is accepted; HttpRequest's
    # stub does not know the attribute.
    token = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, ApiToken)
    return token


def contact_of(request: HttpRequest) -> Contact:
    return token_of(request).user.contact


class RefreshingToken(HttpBearer):
    """The refresh operation's: a live token, or one a refresh has just swapped, retrying
    because the answer was lost (see services.refresh_token)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return services.token_for_refresh(token.strip())
