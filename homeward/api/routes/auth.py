"""Signing in and out: bearer tokens for contacts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from homeward.api import present, services
from homeward.api.auth import RefreshingToken, token_of
from homeward.api.errors import can_answer
from homeward.api.schemas import TokenIn, TokenInfoOut, TokenOut

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
    return Status(201, present.token_out(token, key))


@router.post(
    "/token/refresh",
    auth=RefreshingToken(),
    response={201: TokenOut},
    summary="Swap this token for a new one",
    operation_id="tokens_refresh",
)
def refresh_token(request: HttpRequest) -> Status[TokenOut]:
    """A new token with the same name and a full lifetime (`expires_at`); the token of
    this request stops working at once. Refresh before `expires_at`: an expired token is
    401 `token_expired`, and only signing in again gives a new one.

    Safe to retry: if the answer is lost, send the same request with the old token again
    (within two minutes) and you get another new token, the one the lost answer carried
    being revoked, as long as nobody has used it. After the new token is used, the old one
    is 401 here too."""
    token, key = services.refresh_token(token=token_of(request), ip=request.META.get("REMOTE_ADDR"))
    return Status(201, present.token_out(token, key))


@router.get(
    "/tokens",
    response=list[TokenInfoOut],
    summary="List your tokens that work",
    operation_id="tokens_list",
)
def list_tokens(request: HttpRequest) -> list[TokenInfoOut]:
    """Every device signed in to your account: its name, when it was made and last used
    (to the minute), when it expires. Revoked and expired tokens are not listed."""
    current = token_of(request)
    return [
        TokenInfoOut(
            id=token.pk,
            prefix=token.prefix,
            name=token.name,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            expires_at=token.expires_at,
            current=token.pk == current.pk,
        )
        for token in services.live_tokens_of(user=current.user)
    ]


@router.delete(
    "/tokens/{token_id}",
    response={204: None},
    summary="Revoke one of your tokens",
    operation_id="tokens_revoke_one",
)
@can_answer("not_found")
def revoke_one(request: HttpRequest, token_id: int) -> Status[None]:
    """Sign one device out (this one too, if you name it). Revoking a token again changes
    nothing; another person's token id is 404."""
    services.revoke_token_by_id(user=token_of(request).user, token_id=token_id)
    return Status(204, None)


@router.delete(
    "/tokens",
    response={204: None},
    summary="Revoke all your tokens",
    operation_id="tokens_revoke_all",
)
def revoke_all(request: HttpRequest, keep_current: bool = False) -> Status[None]:
    """Sign out everywhere: every token of your account stops working, this one too,
    unless `keep_current=true` (sign out every other device)."""
    current = token_of(request)
    services.revoke_all_tokens(user=current.user, keep=current if keep_current else None)
    return Status(204, None)


@router.delete(
    "/token",
    response={204: None},
    summary="Sign out: revoke this token",
    operation_id="tokens_revoke",
)
def revoke_token(request: HttpRequest) -> Status[None]:
    services.revoke_token(token=token_of(request))
    return Status(204, None)
