"""Signing up, in and out: bearer tokens for contacts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from homeward.api import present, services
from homeward.api.auth import RefreshingToken, token_of
from homeward.api.errors import can_answer
from homeward.api.schemas import SignUpIn, SignUpNoticeOut, TokenIn, TokenInfoOut, TokenOut
from homeward.people import notices
from homeward.people import services as people

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


@router.get(
    "/signup",
    auth=None,
    response=SignUpNoticeOut,
    summary="The monitoring notice to show before signing up",
    operation_id="signup_notice",
)
def signup_notice(request: HttpRequest) -> SignUpNoticeOut:
    """Show every sentence, in the language asked for (Accept-Language), and have the
    person accept it; then sign up with its version."""
    notice = notices.general()
    return SignUpNoticeOut(version=notice.version, text=notice.sentences())


@router.post(
    "/signup",
    auth=None,
    response={201: TokenOut},
    summary="Open a family or friend account",
    operation_id="account_create",
)
@can_answer(
    "name_required",
    "name_too_long",
    "name_not_plain",
    "email_invalid",
    "email_taken",
    "notice_outdated",
    "weak_password",
    "too_many_attempts",
)
def signup(request: HttpRequest, data: SignUpIn, response: HttpResponse) -> Status[TokenOut]:
    """The person read the notice of `notice_version` (GET /auth/signup) and accepted it;
    409 notice_outdated when another version is in force by then: show that one. The
    answer signs them in (a token, as POST /auth/token gives, and the same
    `X-Homeward-Device` header).

    A link to confirm the address is emailed to it (GET /me says `email_verified`; POST
    /me/verification sends it again). Since it emails whatever address is typed, sign-ups
    are counted per address and per network: 429 too_many_attempts with Retry-After."""
    contact = people.create_contact(
        email=data.email,
        password=data.password,
        display_name=data.display_name,
        accepted_notice_version=data.notice_version,
        client=request.META.get("REMOTE_ADDR"),
    )
    token, key = services.issue_token(
        contact=contact, name=data.token_name, ip=request.META.get("REMOTE_ADDR")
    )
    response[DEVICE_HEADER] = services.trusted_device_token(email=contact.user.email)
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
