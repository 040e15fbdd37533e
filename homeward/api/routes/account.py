"""Your own account: what it is, its emails, a new password or email, closing it; and a
forgotten password (no token needed)."""

from __future__ import annotations

from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import ValidationError

from homeward.api import present, services
from homeward.api.auth import contact_of, token_of
from homeward.api.enums import ArchiveFormat
from homeward.api.errors import can_answer
from homeward.api.schemas import (
    ClosedOut,
    CloseIn,
    EmailChangeIn,
    EmailChangeOut,
    MeOut,
    NotificationChoiceOut,
    NotificationsIn,
    PasswordChangeIn,
    PasswordResetIn,
    PasswordResetOut,
    TokenOut,
)
from homeward.messaging import archive
from homeward.notifications import access as notification_access
from homeward.notifications import services as notifications
from homeward.people import account
from homeward.people import services as people
from homeward.people.models import Contact

router = Router(tags=["account"])
reset_router = Router(tags=["auth"])


def _me(contact: Contact) -> MeOut:
    return MeOut(
        email=contact.user.email,
        display_name=contact.display_name,
        email_verified=contact.email_verified_at is not None,
        created_at=contact.created_at,
        notifications=[
            NotificationChoiceOut(event=event, label=str(label), enabled=on)
            for event, label, on in notification_access.preferences_of(contact)
        ],
        daily_digest=notifications.digest_on(contact),
    )


@router.get("", response=MeOut, summary="Your account", operation_id="account_get")
def me(request: HttpRequest) -> MeOut:
    return _me(contact_of(request))


# The PDF and the mbox are files; the JSON is the record, an object.
_ARCHIVE_CONTENT: dict[str, object] = {
    f.content_type: {"schema": {"type": "string", "format": "binary"}}
    for f in archive.FORMATS.values()
} | {
    "application/json": {
        "schema": {
            "type": "object",
            "required": ["archive_of", "made_at", "statement_of", "statement", "messages"],
            "properties": {
                "archive_of": {"type": "object"},
                "made_at": {"type": "string", "format": "date-time"},
                "statement_of": {"type": "string"},
                "statement": {"type": "array", "items": {"type": "object"}},
                "messages": {"type": "array", "items": {"type": "object"}},
            },
        }
    }
}


@router.get(
    "/archive/{format}",
    response={200: None},
    summary="Download your archive",
    operation_id="account_archive",
    openapi_extra={"responses": {200: {"description": "The archive", "content": _ARCHIVE_CONTENT}}},
)
def download_archive(request: HttpRequest, format: ArchiveFormat) -> StreamingHttpResponse:
    """Every message you can see (both directions, each with its timeline) and your money
    statement: ``json`` (the complete record), ``pdf`` (to read or print) or ``mbox`` (for
    a mail program). Written as it is sent, so a long archive starts at once."""
    return archive.download(archive.of_contact(contact_of(request)), str(format))


@router.post(
    "/verification",
    response={202: EmailChangeOut},
    summary="Email the link to confirm your address again",
    operation_id="account_verification",
)
@can_answer("already_verified", "too_many_attempts")
def resend_verification(request: HttpRequest) -> Status[EmailChangeOut]:
    """For an address not confirmed yet (`email_verified` false on GET /me): the first
    link lost, or past its three days. Counted like every request that emails an address
    (429 too_many_attempts with Retry-After)."""
    contact = contact_of(request)
    people.resend_verification(contact=contact, client=request.META.get("REMOTE_ADDR"))
    return Status(202, EmailChangeOut(sent_to=contact.user.email))


@router.put(
    "/notifications",
    response=MeOut,
    summary="Choose which events Homeward emails you about",
    operation_id="account_notifications",
)
def set_notifications(request: HttpRequest, data: NotificationsIn) -> MeOut:
    """Events not named keep their choice; an unknown event name is 422 invalid_input.
    ``daily_digest`` chooses one email a day; turned off, what was held is sent now."""
    contact = contact_of(request)
    try:
        notifications.set_preferences(
            contact=contact, choices=data.events, digest=data.daily_digest
        )
    except ValueError as error:
        raise ValidationError([{"loc": ["body", "events"], "msg": str(error)}]) from None
    return _me(contact)


@router.post(
    "/password",
    response=TokenOut,
    summary="Change your password",
    operation_id="account_password",
)
@can_answer("wrong_password", "same_password", "weak_password", "locked_out", "too_many_attempts")
def change_password(request: HttpRequest, data: PasswordChangeIn) -> TokenOut:
    """Every session and token of the account ends, this one too; the answer carries a new
    token for this app (shown once). Wrong current passwords are counted like sign-ins to
    the account (429 locked_out after the limit)."""
    contact = contact_of(request)
    account.change_password(
        user=contact.user,
        current=data.current_password,
        new=data.new_password,
        client=request.META.get("REMOTE_ADDR"),
    )
    name = data.token_name or token_of(request).name
    token, key = services.issue_token(
        contact=contact, name=name, ip=request.META.get("REMOTE_ADDR")
    )
    return present.token_out(token, key)


@router.post(
    "/email",
    response={202: EmailChangeOut},
    summary="Change your email",
    operation_id="account_email",
)
@can_answer(
    "wrong_password",
    "email_invalid",
    "same_email",
    "email_taken",
    "locked_out",
    "too_many_attempts",
)
def change_email(request: HttpRequest, data: EmailChangeIn) -> Status[EmailChangeOut]:
    """A link goes to the new address; the email changes when it is opened there, and the
    old address is told."""
    account.request_email_change(
        contact=contact_of(request),
        password=data.password,
        new_email=data.email,
        client=request.META.get("REMOTE_ADDR"),
    )
    return Status(202, EmailChangeOut(sent_to=data.email.strip().lower()))


@router.post(
    "/close",
    response=ClosedOut,
    summary="Close your account",
    operation_id="account_close",
)
@can_answer(
    "not_found",
    "wrong_password",
    "locked_out",
    "too_many_attempts",
    "messages_in_review",
    "payment_pending",
    "refund_unmatched",
)
def close(request: HttpRequest, data: CloseIn) -> ClosedOut:
    """For good: connections end (messages on their way are returned and refunded), every
    wallet goes back to its cards, and every token stops working. Refused, with nothing
    changed, while a message you sent is in review (409 messages_in_review) or a payment is
    being processed (409 payment_pending)."""
    contact = account.close_account(
        contact=contact_of(request), password=data.password, client=request.META.get("REMOTE_ADDR")
    )
    assert contact.closed_at is not None
    return ClosedOut(closed_at=contact.closed_at)


@reset_router.post(
    "/password-reset",
    auth=None,
    response={202: PasswordResetOut},
    summary="Email a link to choose a new password",
    operation_id="password_reset",
)
@can_answer("too_many_attempts")
def password_reset(request: HttpRequest, data: PasswordResetIn) -> Status[PasswordResetOut]:
    """The same answer whether or not an account uses the address; the link (to the web
    site, valid for a few hours, once) goes only to an account's own address."""
    account.request_password_reset(email=data.email, client=request.META.get("REMOTE_ADDR"))
    message = _(
        "If a Homeward account uses this address, we have sent it a link to choose a new password."
    )
    return Status(202, PasswordResetOut(message=message))
