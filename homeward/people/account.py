"""A contact's own account: a forgotten password, a new password, a new email, closing.

Each is one service function and one transaction. What other apps keep for the account
(API tokens, connections, wallets) follows through hooks they register, called inside that
transaction, so a refusal anywhere changes nothing:

- ``password_changed``: the API revokes the account's tokens (Django ends the other
  sessions itself: a session carries a hash of the password it signed in with, and the
  trusted-browser cookies are bound to it the same way);
- ``may_close``: a receiver raises ``DomainError`` to refuse closing (messages in review,
  a payment still being processed);
- ``account_closing``: connections end, so messages on their way are returned and refunded;
- ``account_closed``: then the money left goes back to the cards it came from.

Emails about the account (a reset link, a confirmation link, a notice to the old address)
are not notifications a person can turn off: they go out through ``people.emails``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from homeward.core import audit, clock, links
from homeward.core.errors import DomainError, NotFound
from homeward.core.hooks import Hook
from homeward.people import emails, throttle
from homeward.people.models import Contact, User

password_changed: Hook[[User]] = Hook("password_changed")
may_close: Hook[[Contact]] = Hook("may_close")
account_closing: Hook[[Contact]] = Hook("account_closing")
account_closed: Hook[[Contact]] = Hook("account_closed")

RESET_HOURS = settings.PASSWORD_RESET_TIMEOUT // 3600
EMAIL_CHANGE_SALT = "homeward.people.email-change"
EMAIL_CHANGE_DAYS = 2


def _link_invalid() -> DomainError:
    return DomainError(
        "link_invalid",
        "This link is not valid: it was used already, has expired, or is incomplete. "
        "Ask for a new one.",
    )


def _contact_with_email(email: str) -> Contact | None:
    """The open contact account that signs in with ``email``."""
    return (
        Contact.objects.select_related("user")
        .filter(user__email__iexact=email.strip(), user__is_active=True, closed_at__isnull=True)
        .first()
    )


def _check_password(user: User, password: str) -> None:
    if not user.check_password(password):
        raise DomainError("wrong_password", "That is not your current password.")


def _check_new_password(user: User, password: str) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise DomainError("weak_password", " ".join(exc.messages)) from None


def _set_password(user: User, password: str, *, action: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=user, action=action, obj=user)
    password_changed(user)
    emails.queue(to=user.email, template="password_changed", ours={}, theirs={})


# --- a forgotten password ---------------------------------------------------------------


def request_password_reset(*, email: str, client: str | None = None) -> None:
    """Email a reset link if ``email`` belongs to an open contact account. Whoever asks
    hears the same answer either way (the caller says "if an account uses this address"),
    so the form tells no one which addresses have accounts. Counted per address typed and
    per ``client`` network, like every request that emails an address."""
    throttle.count_email_request(email=email, address=client)
    contact = _contact_with_email(email)
    if contact is None:
        return
    user = contact.user
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    emails.queue(
        to=user.email,
        template="password_reset",
        ours={"link": links.absolute("password_reset", f"{uid}/{token}"), "hours": RESET_HOURS},
        theirs={},
    )
    audit.record(actor=user, action="contact.password_reset_asked", obj=contact)


def reset_user(uid: str, token: str) -> User:
    """The account a reset link is for, while the link is good: Django's token is bound to
    the password and the last sign-in, so it stops working once used, and after
    ``PASSWORD_RESET_TIMEOUT``."""
    try:
        pk = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, UnicodeDecodeError):
        raise _link_invalid() from None
    user = User.objects.filter(
        pk=pk, is_active=True, contact__isnull=False, contact__closed_at__isnull=True
    ).first()
    if user is None or not default_token_generator.check_token(user, token):
        raise _link_invalid()
    return user


def reset_password(*, uid: str, token: str, password: str) -> User:
    """Set a new password from a reset link. The link works once."""
    with transaction.atomic():
        user = reset_user(uid, token)
        User.objects.select_for_update().filter(pk=user.pk).first()
        user = reset_user(uid, token)  # again, holding the row: two tabs cannot both use it
        _check_new_password(user, password)
        _set_password(user, password, action="contact.password_reset")
    return user


# --- a new password, a new email ----------------------------------------------------------


def change_password(*, user: User, current: str, new: str) -> None:
    """Every other session, trusted browser and API token of the account ends."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _check_password(user, current)
        if current == new:
            raise DomainError("same_password", "Choose a password you have not been using.")
        _check_new_password(user, new)
        _set_password(user, new, action="contact.password_changed")


def email_in_use(email: str, *, besides: User | None = None) -> bool:
    """Whether an account other than ``besides`` signs in with ``email`` (a closed account
    leaves its address free)."""
    taken = Q(username__iexact=email) | Q(email__iexact=email)
    users = User.objects.filter(taken).exclude(contact__closed_at__isnull=False)
    if besides is not None:
        users = users.exclude(pk=besides.pk)
    return users.exists()


def request_email_change(
    *, contact: Contact, password: str, new_email: str, client: str | None = None
) -> None:
    """Send a confirmation link to ``new_email``; nothing changes until it is opened. The
    old address is told once the change is made."""
    user = contact.user
    new_email = new_email.strip().lower()
    _check_password(user, password)
    try:
        validate_email(new_email)
    except ValidationError:
        raise DomainError("email_invalid", "Enter a valid email address.") from None
    if new_email == user.email.lower():
        raise DomainError("same_email", "That is already your email address.")
    if email_in_use(new_email, besides=user):
        raise DomainError("email_taken", "Another account uses this email. Choose another.")
    throttle.count_email_request(email=new_email, address=client)
    data = {"contact": contact.pk, "old": user.email, "new": new_email}
    token = signing.dumps(data, salt=EMAIL_CHANGE_SALT)
    with transaction.atomic():
        emails.queue(
            to=new_email,
            template="email_change",
            ours={
                "link": links.absolute("confirm_email_change", token),
                "days": EMAIL_CHANGE_DAYS,
            },
            theirs={"name": contact.display_name},
        )
        audit.record(
            actor=user, action="contact.email_change_asked", obj=contact, data={"new": new_email}
        )


def confirm_email_change(*, token: str) -> Contact:
    """Open the link sent to the new address: it becomes the account's email (and its
    sign-in name), proved, and the old address is told."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_DAYS * 86400)
    except signing.BadSignature:  # expired links too
        raise _link_invalid() from None
    with transaction.atomic():
        contact = (
            Contact.objects.select_for_update()
            .select_related("user")
            .filter(pk=data.get("contact"), closed_at__isnull=True)
            .first()
        )
        # Changed since the link was sent (by this link or another): the link is spent.
        if contact is None or contact.user.email != data.get("old"):
            raise _link_invalid()
        new = str(data.get("new", ""))
        user = contact.user
        if email_in_use(new, besides=user):
            raise DomainError("email_taken", "Another account now uses this email.")
        old = user.email
        user.email = user.username = new
        user.save(update_fields=["email", "username"])
        contact.email_verified_at = clock.now()
        contact.save(update_fields=["email_verified_at"])
        audit.record(
            actor=user,
            action="contact.email_changed",
            obj=contact,
            data={"old": old, "new": new},
        )
        emails.queue(to=old, template="email_changed", ours={}, theirs={"new": new})
    return contact


# --- closing -----------------------------------------------------------------------------


def close_account(*, contact: Contact, password: str) -> Contact:
    """Close the account for good: connections end (messages on their way are returned and
    refunded), every wallet goes back to its cards, tokens and sessions end, and signing in
    is refused. Records stay as retention requires. The email address is free for a new
    account afterwards."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().select_related("user").get(pk=contact.pk)
        if contact.closed_at is not None:
            raise NotFound()
        user = contact.user
        _check_password(user, password)
        may_close(contact)
        now = clock.now()
        contact.closed_at = now
        contact.save(update_fields=["closed_at"])
        email = user.email
        # The sign-in name moves aside (the address stays on record) so the address can
        # open a new account; no password opens this one again.
        user.username = f"closed-{user.pk}-{email}"[:150]
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["username", "is_active", "password"])
        account_closing(contact)
        account_closed(contact)
        audit.record(actor=user, action="contact.account_closed", obj=contact)
        password_changed(user)
        emails.queue(to=email, template="account_closed", ours={}, theirs={})
    return contact
