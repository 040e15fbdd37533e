"""API credentials: create, check and revoke bearer tokens for contacts.

Tokens live here rather than in ``people`` because they exist only for the API surface.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from homeward.api.models import ApiToken
from homeward.connections import services as connections
from homeward.core import audit, clock
from homeward.core.errors import DomainError
from homeward.people import throttle
from homeward.people.models import Contact, User

KEY_PREFIX = "hw_"
# A token's last use is written at most this often, so reads do not each cost a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class InvalidCredentials(DomainError):
    status = 401

    def __init__(self) -> None:
        super().__init__(
            "invalid_credentials",
            _("The email or password is not right, or this is not a family or friend account."),
        )


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(
    *,
    email: str,
    password: str,
    name: str = "",
    ip: str | None = None,
    device_token: str | None = None,
) -> tuple[ApiToken, str]:
    """Sign a contact in and return their new token with its key (shown this once only).

    Staff, unknown emails, inactive accounts and wrong passwords all get the same refusal,
    so the endpoint does not reveal which accounts exist or who is staff.
    """
    email = throttle.normalise(email)
    # The same count as the web's sign-in (one per account, plus the address), taken
    # before the password is checked: a contact locked on /signin/ is locked here too, and
    # a staff account is counted as staff. An app that signed in before sends its device
    # value (see trusted_device_token) and is counted on its own, past a stranger's lock of
    # the account or the address.
    with throttle.begin_password(
        kind=throttle.Kind.CONTACT, name=email, address=ip, device_token=device_token
    ) as attempt:  # leaving it by InvalidCredentials (or any error) counts a failure
        user = authenticate(username=email, password=password)
        contact = Contact.objects.filter(user=user).first() if user is not None else None
        # A staff account's right password is refused and counted like a wrong one: it
        # must not reset the staff count.
        if contact is None or attempt.kind != throttle.Kind.CONTACT:
            raise InvalidCredentials()
        attempt.succeeded()
    token, key = issue_token(contact=contact, name=name, ip=ip)
    # Invitations sent to this email before the account existed now belong to it.
    connections.claim_invitations(contact=contact)
    return token, key


def issue_token(*, contact: Contact, name: str, ip: str | None) -> tuple[ApiToken, str]:
    """A new token for a contact who has just proved their password."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=contact.user,
            name=name.strip()[:100],
            key_hash=hash_key(key),
            prefix=key[:10],
            created_at=clock.now(),
        )
        audit.record(
            actor=contact.user,
            action="api.token_created",
            obj=token,
            data={"name": token.name, "prefix": token.prefix, "ip": ip},
        )
    return token, key


def trusted_device_token(*, email: str) -> str:
    """A device value for an app that has just signed in as ``email`` (the API's form of
    the web's device cookie)."""
    name = throttle.normalise(email)
    return throttle.trusted_browser_token(kind=throttle.Kind.CONTACT, name=name)


def token_for_key(key: str) -> ApiToken | None:
    """The live token of an active contact for ``key``, or None. Notes when it was used."""
    if not key.startswith(KEY_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__contact")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or not hasattr(token.user, "contact"):
        return None
    now = clock.now()
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    return token


def revoke_token(*, token: ApiToken) -> ApiToken:
    """Stop a token working. Revoking twice changes nothing."""
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=clock.now()
        )
        if revoked:
            audit.record(
                actor=token.user,
                action="api.token_revoked",
                obj=token,
                data={"prefix": token.prefix},
            )
    token.refresh_from_db()
    return token


def revoke_all_of(user: User) -> None:
    """The receiver of ``people.account.password_changed``: a new password (or a closed
    account) ends every token the account had."""
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )
    if revoked:
        audit.record(actor=user, action="api.tokens_revoked", obj=user, data={"tokens": revoked})
