"""API credentials: create, check and revoke bearer tokens for contacts.

Tokens live here rather than in ``people`` because they exist only for the API surface.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from homeward.api.models import ApiToken
from homeward.connections import services as connections
from homeward.core import audit, clock
from homeward.core.errors import DomainError
from homeward.notifications import push
from homeward.notifications.models import PushDevice
from homeward.people import throttle
from homeward.people.models import Contact, User

KEY_PREFIX = "hw_"
# A token's last use is written at most this often, so reads do not each cost a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# How long after a refresh the old token may retry it (its answer lost), while the token
# that answer carried is unused.
REFRESH_RETRY_WINDOW = dt.timedelta(minutes=2)


class InvalidCredentials(DomainError):
    status = 401

    def __init__(self) -> None:
        super().__init__(
            "invalid_credentials",
            _("The email or password is not right, or this is not a family or friend account."),
        )


class TokenExpired(DomainError):
    """A token past its ``expires_at``: the app signs in again (refreshing is too late)."""

    status = 401

    def __init__(self) -> None:
        super().__init__(
            "token_expired",
            _("This token has expired. Sign in again for a new one."),
        )


class TokenNotLive(DomainError):
    """A token revoked while its request was under way (a refresh racing another)."""

    status = 401

    def __init__(self) -> None:
        super().__init__(
            "unauthenticated", _("This token no longer works. Sign in again for a new one.")
        )


class TokenNotFound(DomainError):
    status = 404

    def __init__(self) -> None:
        super().__init__("not_found", _("Not found."))


def lifetime() -> dt.timedelta:
    return dt.timedelta(days=settings.API_TOKEN_DAYS)


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
        if user is None or contact is None or attempt.kind != throttle.Kind.CONTACT:
            raise InvalidCredentials()
        attempt.succeeded()
    with transaction.atomic():
        # Under the account's row, as a password change holds it: a password changed since
        # it was checked (its stored hash is another) gets no token that would outlive the
        # change (the hash compared, not the password hashed a second time).
        held = User.objects.select_for_update().values_list("password", flat=True)
        if held.get(pk=contact.user_id) != user.password:
            raise InvalidCredentials()
        token, key = issue_token(contact=contact, name=name, ip=ip)
    # Invitations sent to this email before the account existed now belong to it.
    connections.claim_invitations(contact=contact)
    return token, key


def issue_token(*, contact: Contact, name: str, ip: str | None) -> tuple[ApiToken, str]:
    """A new token for a contact who has just proved their password."""
    with transaction.atomic():
        token, key = _new_token(user=contact.user, name=name)
        audit.record(
            actor=contact.user,
            action="api.token_created",
            obj=token,
            data={"name": token.name, "prefix": token.prefix, "ip": ip},
        )
    return token, key


def _new_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        key_hash=hash_key(key),
        prefix=key[:10],
        created_at=now,
        expires_at=now + lifetime(),
    )
    return token, key


def trusted_device_token(*, email: str) -> str:
    """A device value for an app that has just signed in as ``email`` (the API's form of
    the web's device cookie)."""
    name = throttle.normalise(email)
    return throttle.trusted_browser_token(kind=throttle.Kind.CONTACT, name=name)


def token_for_key(key: str) -> ApiToken | None:
    """The live token of an active contact for ``key``, or None. Notes when it was used
    (at most once a minute). A token past its expiry raises TokenExpired, so the app can
    tell "sign in again" from "this was never a token"."""
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
    if token.expires_at <= now:
        raise TokenExpired()
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
            push.forget_tokens([token.pk])
            audit.record(
                actor=token.user,
                action="api.token_revoked",
                obj=token,
                data={"prefix": token.prefix},
            )
    token.refresh_from_db()
    return token


def refresh_token(*, token: ApiToken, ip: str | None) -> tuple[ApiToken, str]:
    """Swap a token for a new one (same name, a new full lifetime); the old one stops
    working at once.

    A refresh retried with the old token (its answer lost on the way) is answered with
    another new token, and the one the lost answer carried is revoked, while that one has
    never been used and the retry comes within REFRESH_RETRY_WINDOW: the app ends with one
    working token either way. Refreshes of one token racing are taken one at a time (the
    old token's row is locked); each retry replaces the token the one before made.
    """
    with transaction.atomic():
        # The account's row first, as a password change holds it while it revokes every
        # token: a refresh under way when the password changes commits first, and its new
        # token is revoked with the rest; one that comes after finds the old token revoked.
        User.objects.select_for_update().filter(pk=token.user_id).first()
        old = ApiToken.objects.select_for_update().get(pk=token.pk)
        now = clock.now()
        if old.revoked_at is None:
            old.revoked_at = now
        elif not _retry_may_replace(old, now):
            raise TokenNotLive()
        else:
            ApiToken.objects.filter(replaces=old).update(revoked_at=now)
        new, key = _new_token(user=old.user, name=old.name)
        # The devices registered with the old token (or with the lost answer's) follow.
        push.move_tokens([old.pk, old.replaced_by_id or old.pk], new.pk)
        old.replaced_by = new
        old.save(update_fields=["revoked_at", "replaced_by"])
        audit.record(
            actor=old.user,
            action="api.token_refreshed",
            obj=new,
            data={"old": old.prefix, "prefix": new.prefix, "ip": ip},
        )
    return new, key


def _retry_may_replace(old: ApiToken, now: dt.datetime) -> bool:
    """Whether ``old``, revoked by a refresh, may refresh again: a retry soon after, whose
    first answer's token nobody has used (so nobody holds it)."""
    if old.replaced_by_id is None or old.revoked_at is None:
        return False
    if now - old.revoked_at > REFRESH_RETRY_WINDOW:
        return False
    return ApiToken.objects.filter(
        pk=old.replaced_by_id, revoked_at__isnull=True, last_used_at__isnull=True
    ).exists()


def token_for_refresh(key: str) -> ApiToken | None:
    """For the refresh operation only: the live token for ``key`` (as token_for_key), or
    one a refresh has just swapped whose retry may replace its new token."""
    if not key.startswith(KEY_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__contact")
        .filter(key_hash=hash_key(key), user__is_active=True)
        .first()
    )
    if token is None or token.revoked_at is None:
        return token_for_key(key)
    if hasattr(token.user, "contact") and _retry_may_replace(token, clock.now()):
        return token
    return None


def register_push_device(
    *, token: ApiToken, kind: str, endpoint: str, p256dh: str, auth: str, name: str
) -> tuple[PushDevice, bool]:
    """Register a device for push under the token of the request, holding the token's row
    so a revoke or refresh racing it either comes first (and this is refused) or finds the
    device to forget or carry over."""
    with transaction.atomic():
        live = ApiToken.objects.select_for_update().filter(pk=token.pk, revoked_at__isnull=True)
        if not live.exists():
            raise TokenNotLive()
        return push.register(
            contact=token.user.contact,
            kind=kind,
            endpoint=endpoint,
            p256dh=p256dh,
            auth=auth,
            name=name,
            token_id=token.pk,
        )


def live_tokens_of(*, user: User) -> list[ApiToken]:
    """A person's tokens that still work, newest first."""
    return list(
        ApiToken.objects.filter(
            user=user, revoked_at__isnull=True, expires_at__gt=clock.now()
        ).order_by("-created_at", "-pk")
    )


def access_token_by_id(*, user: User, token_id: int) -> ApiToken:
    """One of the person's own tokens; anyone else's (or none) is 404."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise TokenNotFound()
    return token


def revoke_token_by_id(*, user: User, token_id: int) -> ApiToken:
    """Stop one of the person's own tokens (another device's, or this one)."""
    return revoke_token(token=access_token_by_id(user=user, token_id=token_id))


def revoke_all_tokens(*, user: User, keep: ApiToken | None = None) -> int:
    """Stop every token of the person's (but ``keep``, when given): sign out everywhere."""
    with transaction.atomic():
        tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
        if keep is not None:
            tokens = tokens.exclude(pk=keep.pk)
        push.forget_tokens(list(tokens.values_list("pk", flat=True)))
        revoked = tokens.update(revoked_at=clock.now())
        if revoked:
            audit.record(
                actor=user, action="api.tokens_revoked", obj=user, data={"tokens": revoked}
            )
    return revoked


def revoke_all_of(user: User) -> None:
    """The receiver of ``people.account.password_changed``: a new password (or a closed
    account) ends every token the account had."""
    push.forget_devices_of(user)  # every device, whichever token registered it
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )
    if revoked:
        audit.record(actor=user, action="api.tokens_revoked", obj=user, data={"tokens": revoked})
