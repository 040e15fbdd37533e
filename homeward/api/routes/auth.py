"""Signing in and out: bearer tokens for contacts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from homeward.api import services
from homeward.api.auth import token_of
from homeward.api.errors import can_answer
from homeward.api.schemas import TokenIn, TokenOut

router = Router(tags=["auth"])
# The API's device cookie (apps send no cookies): see people.throttle.
DEVICE_HEADER = "X-Homeward-Device"


@router.post(
    "/token",
    auth=None,
    response={201: TokenOut},
    summary="Sign in and get a token",
    operation_id="tokens_create",
)
@can_answer("invalid_credentials", "locked_out", "too_many_attempts")
def create_token(request: HttpRequest, data: TokenIn, response: HttpResponse) -> Status[TokenOut]:
    """For family and friend accounts only. Keep the token secret; it is shown once.

    The answer's `X-Homeward-Device` header marks this app as one that signed in to the
    account: send it back in the same header when signing in again, and wrong passwords
    typed by others for this account (or from your network) will not lock this app out.
    """
    token, key = services.create_token(
        email=data.email,
        password=data.password,
        name=data.name,
        ip=request.META.get("REMOTE_ADDR"),
        device_token=request.headers.get(DEVICE_HEADER),
    )
    response[DEVICE_HEADER] = services.trusted_device_token(email=data.email)
    out = TokenOut(token=key, prefix=token.prefix, name=token.name, created_at=token.created_at)
    return Status(201, out)


@router.delete(
    "/token",
    response={204: None},
    summary="Sign out: revoke this token",
    operation_id="tokens_revoke",
)
def revoke_token(request: HttpRequest) -> Status[None]:
    services.revoke_token(token=token_of(request))
    return Status(204, None)
