"""A contact's own account: a forgotten password, a new password, a new email, closing.

Each is one service function; what it changes, it changes in one transaction (a password
typed to prove who asks is checked and counted before, like a sign-in, so a stolen session
or token cannot guess it). What other apps keep for the account
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
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from homeward.core import audit, clock, links
from homeward.core.errors import DomainError, NotFound
from homeward.core.hooks import Hook
from homeward.people import emails, throttle
from homeward.people.models import Contact, User

password_changed: Hook[[User]] = Hook("password_changed")
# Called in the verifying transaction, with the contact, once the address is proved (also
# when it already was): connections registers the claiming of invitations sent to it.
email_verified: Hook[[Contact]] = Hook("email_verified")
may_close: Hook[[Contact]] = Hook("may_close")
account_closing: Hook[[Contact]] = Hook("account_closing")
account_closed: Hook[[Contact]] = Hook("account_closed")

EMAIL_CHANGE_SALT = "homeward.people.email-change"
EMAIL_CHANGE_DAYS = 2


def _link_invalid() -> DomainError:
    return DomainError(
        "link_invalid",
        _(
            "This link is not valid: it was used already, has expired, or is incomplete. "
            "Ask for a new one."
        ),
    )


def _contact_with_email(email: str) -> Contact | None:
    """The open contact account that signs in with ``email``."""
    return (
        Contact.objects.select_related("user")
        .filter(user__email__iexact=email.strip(), user__is_active=True, closed_at__isnull=True)
        .first()
    )


def reset_hours() -> int:
    """How long a reset link works, in whole hours (at least one)."""
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)


def _wrong_password() -> DomainError:
    return DomainError("wrong_password", _("That is not your current password."))


def _check_password(user: User, password: str, client: str | None) -> None:
    """The account's password, typed to prove who asks: counted like a sign-in to the
    account (``people.throttle``, outside any transaction, so a refusal does not roll the
    count back), so guessing it through a stolen session or token meets the same limit."""
    with throttle.begin_password(
        kind=throttle.Kind.CONTACT, name=user.get_username(), address=client
    ) as attempt:
        if user.check_password(password):
            attempt.succeeded()
            return
    raise _wrong_password()


def mark_verified(contact: Contact) -> None:
    """The contact proved they read their address (a verification link, an invitation or an
    email change's link sent to it): in the caller's transaction, holding the contact's
    row."""
    if contact.email_verified_at is None:
        contact.email_verified_at = clock.now()
        contact.save(update_fields=["email_verified_at"])
        audit.record(actor=contact.user, action="contact.email_verified", obj=contact)
    email_verified(contact)


def check_new_password(user: User, password: str) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise DomainError("weak_password", " ".join(exc.messages)) from None


def _set_password(user: User, password: str, *, action: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=user, action=action, obj=user)
    password_changed(user)
    emails.queue(
        to=user.email, template="password_changed", language=user.language, ours={}, theirs={}
    )


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
        language=user.language,
        ours={
            "link": links.absolute("password_reset", f"{uid}/{token}"),
            "hours": reset_hours(),
        },
        theirs={},
    )
    audit.record(actor=user, action="contact.password_reset_asked", obj=contact)


def reset_user(uid: str, token: str) -> User:
    """The account a reset link is for, while the link is good (``user_of_link``)."""
    open_contacts = User.objects.filter(contact__isnull=False, contact__closed_at__isnull=True)
    user = user_of_link(uid, token, open_contacts)
    if user is None:
        raise _link_invalid()
    return user


def user_of_link(uid: str, token: str, among: QuerySet[User]) -> User | None:
    """The active account of ``among`` a password link (``uid``/``token``) is for, while
    the link is good, or None: Django's token is bound to the password and the last
    sign-in, so it stops working once used, and after ``PASSWORD_RESET_TIMEOUT``."""
    try:
        pk = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    user = among.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def reset_password(*, uid: str, token: str, password: str) -> User:
    """Set a new password from a reset link. The link works once."""
    with transaction.atomic():
        user = reset_user(uid, token)
        User.objects.select_for_update().filter(pk=user.pk).first()
        user = reset_user(uid, token)  # again, holding the row: two tabs cannot both use it
        check_new_password(user, password)
        _set_password(user, password, action="contact.password_reset")
        # The lock someone's wrong guesses put on the account ends with their chance.
        throttle.release(name=user.get_username(), actor=user)
    return user


# --- a new password, a new email ----------------------------------------------------------


def change_password(*, user: User, current: str, new: str, client: str | None = None) -> None:
    """Every other session, trusted browser and API token of the account ends."""
    _check_password(user, current, client)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.check_password(current):  # changed by another tab since the check
            raise _wrong_password()
        if current == new:
            raise DomainError("same_password", _("Choose a password you have not been using."))
        check_new_password(user, new)
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
    old address is told now, and again once the change is made. The link is bound to the
    password: changing it (someone else asked?) makes the link worthless."""
    user = contact.user
    new_email = new_email.strip().lower()
    _check_password(user, password, client)
    try:
        validate_email(new_email)
    except ValidationError:
        raise DomainError("email_invalid", _("Enter a valid email address.")) from None
    if new_email == user.email.lower():
        raise DomainError("same_email", _("That is already your email address."))
    # Counted before the look-up, so it cannot be used to try address after address.
    throttle.count_email_request(email=new_email, address=client)
    if email_in_use(new_email, besides=user):
        raise DomainError("email_taken", _("Another account uses this email. Choose another."))
    data = {"contact": contact.pk, "old": user.email, "new": new_email, "p": _mark(user)}
    token = signing.dumps(data, salt=EMAIL_CHANGE_SALT)
    with transaction.atomic():
        emails.queue(
            to=new_email,
            template="email_change",
            language=user.language,
            ours={
                "link": links.absolute("confirm_email_change", token),
                "days": EMAIL_CHANGE_DAYS,
            },
            theirs={"name": contact.display_name},
        )
        emails.queue(
            to=user.email,
            template="email_change_asked",
            language=user.language,
            ours={"days": EMAIL_CHANGE_DAYS},
            theirs={"new": new_email},
        )
        audit.record(
            actor=user, action="contact.email_change_asked", obj=contact, data={"new": new_email}
        )


def _mark(user: User) -> str:
    """Changes whenever the account's password does."""
    return salted_hmac(EMAIL_CHANGE_SALT, user.password, algorithm="sha256").hexdigest()


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
        # The email changed since the link was sent (by this link or another), or the
        # password did: the link is spent.
        if (
            contact is None
            or contact.user.email != data.get("old")
            or not constant_time_compare(str(data.get("p", "")), _mark(contact.user))
        ):
            raise _link_invalid()
        new = str(data.get("new", ""))
        user = contact.user
        if email_in_use(new, besides=user):
            raise DomainError("email_taken", _("Another account now uses this email."))
        old = user.email
        user.email = user.username = new
        try:
            with transaction.atomic():
                user.save(update_fields=["email", "username"])
        except IntegrityError:  # another account took it at this very moment
            raise DomainError("email_taken", _("Another account now uses this email.")) from None
        contact.email_verified_at = None
        mark_verified(contact)  # the new address is proved, and its invitations found
        audit.record(
            actor=user,
            action="contact.email_changed",
            obj=contact,
            data={"old": old, "new": new},
        )
        emails.queue(
            to=old,
            template="email_changed",
            language=user.language,
            ours={},
            theirs={"new": new},
        )
    return contact


# --- closing -----------------------------------------------------------------------------


def close_account(*, contact: Contact, password: str, client: str | None = None) -> Contact:
    """Close the account for good: connections end (messages on their way are returned and
    refunded), every wallet goes back to its cards, tokens and sessions end, and signing in
    is refused. Records stay as retention requires. The email address is free for a new
    account afterwards. The contact's row is held throughout: a payment starting now waits,
    then finds the account closed."""
    if contact.closed_at is not None:
        raise NotFound()
    _check_password(contact.user, password, client)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().select_related("user").get(pk=contact.pk)
        if contact.closed_at is not None:
            raise NotFound()
        user = contact.user
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
        emails.queue(
            to=email, template="account_closed", language=user.language, ours={}, theirs={}
        )
    return contact
