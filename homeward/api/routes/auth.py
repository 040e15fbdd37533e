"""Signing in and out: bearer tokens for contacts."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from homeward.api import services
from homeward.api.auth import token_of
from homeward.api.schemas import TokenIn, TokenOut, with_errors

router = Router(tags=["auth"])


@router.post(
    "/token",
    auth=None,
    response={201: TokenOut, **with_errors(401, 422, 429)},
    summary="Sign in and get a token",
)
def create_token(request: HttpRequest, data: TokenIn) -> Status[TokenOut]:
    """For family and friend accounts only. Keep the token secret; it is shown once."""
    token, key = services.create_token(
        email=data.email,
        password=data.password,
        name=data.name,
        ip=request.META.get("REMOTE_ADDR"),
    )
    out = TokenOut(token=key, prefix=token.prefix, name=token.name, created_at=token.created_at)
    return Status(201, out)


@router.delete(
    "/token", response={204: None, **with_errors(401)}, summary="Sign out: revoke this token"
)
def revoke_token(request: HttpRequest) -> Status[None]:
    services.revoke_token(token=token_of(request))
    return Status(204, None)
