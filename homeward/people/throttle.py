"""The one sign-in throttle, for every surface: web, console, API and kiosk (and the count
of requests that make us send email).

Each attempt is counted *before* the password or PIN is checked, by one conditional
UPDATE on a counter row (``SignInThrottle``): the row is bumped only while it is under its
limit, so a burst of parallel attempts cannot slip past it (PostgreSQL re-checks the
condition after waiting for the row's lock; SQLite takes the write lock at BEGIN). Exactly
``limit`` attempts in a window get their password checked; the rest are refused with 429.
The failure that reaches the limit starts a timed lock, audited once (``signin.locked``).

What is counted (the buckets):

- an account, by its name normalised as Django's forms do (NFKC) and lower-cased, so a
  look-alike spelling ("ａdmin") is the same account. Which rule counts it is decided by
  the account itself, whatever the surface: a user with a staff membership is counted as
  staff (locked for 30 minutes, told by email at most once a day) on the console, the web,
  the API and the Django admin alike; a contact as a contact (shared by the web and the
  API; told of a lock through ``contact_locked``, which notifications sends at most once a
  day); only a name with no account takes the rule of the surface it was typed on;
- a trusted browser of an account: a browser that signed in to the account before carries
  a signed cookie (OWASP's device cookie; an API app gets the same value in the
  ``X-Homeward-Device`` header and sends it back), and its attempts are counted on their
  own, so a stranger who locks the account does not lock out its owner. The cookie is
  bound to the account's password: changing the password revokes every one;
- a client address: many failures from one address refuse browsers without a device
  cookie for the account they try (password spraying). An IPv6 address is counted by its
  /64 network, which one subscriber usually holds whole;
- a kiosk resident number (per facility) and a kiosk device;
- requests that make us email an address someone typed (a sign-up, a password reset, an
  email change: ``count_email_request``), per address and per client network, whatever
  the password;
- a contact's photo uploads (``count_photo_upload``), per contact and hour.

An admin can release a lock sooner (``release_signin`` command, the console's sign-in
locks page).

Callers report how an attempt ended inside a ``with`` block, so an attempt cannot be left
unreported (an exception, or no report at all, counts as a failure)::

    with throttle.begin_password(kind=..., name=..., address=...) as attempt:
        user = authenticate(...)
        if user is not None:
            attempt.succeeded()
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from homeward.core import audit, clock
from homeward.core.errors import DomainError, NotFound
from homeward.core.hooks import Hook
from homeward.core.models import AuditEvent
from homeward.people import access, emails
from homeward.people.models import Contact, SignInThrottle, StaffMembership, User

logger = logging.getLogger(__name__)
Kind = SignInThrottle.Kind
MINUTE = dt.timedelta(minutes=1)
# Counters untouched this long are deleted (every window and lock is far shorter).
PRUNE_AFTER = dt.timedelta(days=1)
# An account's owner (staff, or a contact through ``contact_locked``) is told of a lock at
# most this often: someone who locks the account again and again must not fill its inbox.
LOCK_EMAIL_EVERY = dt.timedelta(days=1)

# Called in the transaction that starts a lock on a contact's account (not on one of its
# trusted browsers, nor on an address), with when it started and when it ends:
# notifications registers telling the contact.
contact_locked: Hook[[Contact, dt.datetime, dt.datetime]] = Hook("contact_locked")


@dataclass(frozen=True)
class Rule:
    limit: int
    window: dt.timedelta
    lock_for: dt.timedelta
    code: str
    message: str | Promise  # a sentence for people, said in the language of the request


CONTACT = Rule(
    5,
    15 * MINUTE,
    15 * MINUTE,
    "locked_out",
    gettext_lazy("Too many wrong passwords. Wait 15 minutes, then try again."),
)
STAFF = Rule(
    5,
    15 * MINUTE,
    30 * MINUTE,
    "locked_out",
    gettext_lazy(
        "This account is locked after too many wrong passwords. Wait 30 minutes, or ask an "
        "admin to release it."
    ),
)
ADDRESS = Rule(
    50,
    15 * MINUTE,
    15 * MINUTE,
    "too_many_attempts",
    gettext_lazy("Too many sign-in attempts from your network. Wait 15 minutes, then try again."),
)
KIOSK_NUMBER = Rule(
    5,
    15 * MINUTE,
    15 * MINUTE,
    "locked_out",
    gettext_lazy(
        "This resident number is locked after too many wrong tries. "
        "Ask a staff member for help, or try again in 15 minutes."
    ),
)
# Someone trying one common PIN against many numbers fails once per number: count the
# whole device too.
KIOSK_DEVICE = Rule(
    20,
    15 * MINUTE,
    15 * MINUTE,
    "kiosk_locked",
    gettext_lazy(
        "This kiosk is paused after many wrong sign-ins. Ask a staff member for help, or "
        "try again in 15 minutes."
    ),
)
ACCOUNT_RULES: dict[str, Rule] = {Kind.CONTACT: CONTACT, Kind.STAFF: STAFF}
# Requests that make Homeward email an address someone typed (a sign-up's confirmation, a
# password reset, an email change's link), counted per address, whatever asked, and per
# client network, so nobody can fill an inbox, or send mail through us, by asking again and
# again. Nothing is locked: each counter refuses until its hour has passed.
EMAILS_TO_ADDRESS = Rule(
    5,
    60 * MINUTE,
    60 * MINUTE,
    "too_many_attempts",
    gettext_lazy(
        "Too many requests for this email address in the last hour. Any emails we sent are "
        "in its inbox (check the spam folder too); or wait an hour, then try again."
    ),
)
EMAILS_FROM_CLIENT = Rule(
    20,
    60 * MINUTE,
    60 * MINUTE,
    "too_many_attempts",
    gettext_lazy(
        "Too many requests from your network in the last hour. Wait an hour, then try again."
    ),
)
# A released resident's archive code (``messaging.archive_codes``), counted per resident
# number at a facility (guessing one person's code) and per client network (trying many
# numbers); a right code clears the number's count.
ARCHIVE_CODE = Rule(
    5,
    15 * MINUTE,
    60 * MINUTE,
    "locked_out",
    gettext_lazy(
        "Too many wrong codes for this resident number. Try again in an hour, or ask the "
        "facility for a new code."
    ),
)
ARCHIVE_FROM = Rule(
    20,
    60 * MINUTE,
    60 * MINUTE,
    "too_many_attempts",
    gettext_lazy("Too many archive codes tried from your network. Wait an hour, then try again."),
)

# The device cookie: signed, bound to one account, good for half a year.
TRUSTED_SALT = "homeward.people.trusted-browser"
TRUSTED_MAX_AGE = 180 * 24 * 3600


class Refused(DomainError):
    status = 429

    def __init__(self, bucket: Bucket, now: dt.datetime) -> None:
        super().__init__(bucket.rule.code, str(bucket.rule.message))
        row = SignInThrottle.objects.filter(key=bucket.key).first()
        until = now + bucket.rule.window
        if row is not None:
            until = row.locked_until or row.window_start + bucket.rule.window
        self.retry_after = max(1, int((until - now).total_seconds()) + 1)


@dataclass(frozen=True)
class Bucket:
    key: str
    kind: str
    rule: Rule
    subject: str
    user_id: int | None = None
    facility_id: int | None = None
    device_id: int | None = None


def username_as_typed(name: str) -> str:
    """The name as Django's sign-in forms pass it to ``authenticate()``: NFKC-normalised
    (``UsernameField``) and stripped, case kept."""
    return unicodedata.normalize("NFKC", name).strip()


def normalise(name: str) -> str:
    """The account name as counted: "KIM@example.org ", "kim@example.org" and the
    fullwidth "ｋｉｍ@example.org" are one."""
    return username_as_typed(name).lower()[:254]


def normalise_number(number: str) -> str:
    """A resident number as typed at a kiosk, as looked up and counted."""
    return number.strip().upper()[:30]


def address_key(address: str) -> str:
    """The client address as counted: an IPv4 address as is, an IPv6 address by its /64
    network (rotating through one's own /64 is not a new client); anything else as is."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address[:200]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def _user_named(name: str) -> User | None:
    """The account ``authenticate()`` would check for ``name`` (exact username), or, when
    none, the one account whose username differs only in case (a typed "Rev1" counts
    against "rev1"). Two accounts differing only in case are never guessed between."""
    typed = username_as_typed(name)
    user = User.objects.filter(username=typed).first()
    if user is not None:
        return user
    alike = list(User.objects.filter(username__iexact=typed)[:2])
    return alike[0] if len(alike) == 1 else None


def _kind_of(user: User | None, surface_kind: str) -> str:
    """The rule an account is counted under: its own kind, whatever surface it is tried on;
    the surface's kind for a name with no account (or one that is neither, an operator)."""
    if user is not None:
        if StaffMembership.objects.filter(user=user).exists():
            return Kind.STAFF
        if Contact.objects.filter(user=user).exists():
            return Kind.CONTACT
    return surface_kind


# --- trusted browsers (device cookies) --------------------------------------------------


def _account_key(kind: str, name: str) -> str:
    return f"{kind}:{normalise(name)}"


def _password_mark(user: User) -> str:
    """Changes whenever the account's password does (Django's session auth hash does the
    same), so a new password revokes every device cookie of the account."""
    return salted_hmac(TRUSTED_SALT, user.password, algorithm="sha256").hexdigest()


def trusted_browser_token(*, kind: str, name: str) -> str:
    """A new device cookie value for a browser that has just signed in to this account."""
    user = _user_named(name)
    data = {
        "a": _account_key(_kind_of(user, kind), name),
        "b": secrets.token_urlsafe(12),
        "u": user.pk if user is not None else None,
        "p": _password_mark(user) if user is not None else "",
    }
    return signing.dumps(data, salt=TRUSTED_SALT)


def device_cookie_options() -> dict[str, Any]:
    """The attributes of every device cookie (web and console): script cannot read it, it
    is sent on top-level navigation only, over HTTPS when sessions are."""
    return {
        "max_age": TRUSTED_MAX_AGE,
        "httponly": True,
        "samesite": "Lax",
        "secure": settings.SESSION_COOKIE_SECURE,
    }


def _trusted_browser(account_key: str, user: User | None, token: str | None) -> str | None:
    """The browser id in ``token`` when it is a valid device cookie for this account, made
    while it had its current password. No account, no trusted browser."""
    if not token or user is None:
        return None
    try:
        data = signing.loads(token, salt=TRUSTED_SALT, max_age=TRUSTED_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != account_key or data.get("u") != user.pk:
        return None
    mark = data.get("p")
    if not isinstance(mark, str) or not constant_time_compare(mark, _password_mark(user)):
        return None
    browser = data.get("b")
    return browser if isinstance(browser, str) and browser else None


# --- counting -----------------------------------------------------------------------------


def _bump(bucket: Bucket, now: dt.datetime) -> bool:
    """Count one attempt on ``bucket`` unless it is at its limit or locked."""
    for _attempt in range(2):  # a second try only if the row was pruned between the two statements
        _ensure_row(bucket, now)
        bumped = _bump_row(bucket, now)
        if bumped or SignInThrottle.objects.filter(key=bucket.key).exists():
            return bumped
    return False


def _ensure_row(bucket: Bucket, now: dt.datetime) -> None:
    SignInThrottle.objects.bulk_create(
        [
            SignInThrottle(
                key=bucket.key,
                kind=bucket.kind,
                subject=bucket.subject[:300],
                user_id=bucket.user_id,
                facility_id=bucket.facility_id,
                device_id=bucket.device_id,
                window_start=now,
                count=0,
            )
        ],
        ignore_conflicts=True,  # ON CONFLICT DO NOTHING: the row may exist already
    )


def _bump_row(bucket: Bucket, now: dt.datetime) -> bool:
    rule = bucket.rule
    cutoff = now - rule.window
    lock_over = Q(locked_until__lte=now)
    starts_afresh = Q(window_start__lte=cutoff) | lock_over
    under_limit = Q(locked_until__isnull=True) & (
        Q(window_start__lte=cutoff) | Q(count__lt=rule.limit)
    )
    bumped = SignInThrottle.objects.filter(under_limit | lock_over, key=bucket.key).update(
        count=Case(When(starts_afresh, then=Value(1)), default=F("count") + 1),
        window_start=Case(When(starts_afresh, then=Value(now)), default=F("window_start")),
        locked_until=Case(When(lock_over, then=Value(None)), default=F("locked_until")),
    )
    return bumped == 1


def _unbump(bucket: Bucket) -> None:
    """Take back one counted attempt that succeeded (an address counts only failures)."""
    SignInThrottle.objects.filter(key=bucket.key, count__gt=0).update(count=F("count") - 1)


def _start_lock(bucket: Bucket, now: dt.datetime) -> bool:
    """After a failure: lock the bucket if it has reached its limit. True when this call
    started the lock (exactly one failure does, however many race)."""
    rule = bucket.rule
    not_locked = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    started = SignInThrottle.objects.filter(
        not_locked, key=bucket.key, count__gte=rule.limit, window_start__gt=now - rule.window
    ).update(locked_until=now + rule.lock_for)
    return started == 1


def _tell_staff(bucket: Bucket, until: dt.datetime, now: dt.datetime) -> bool:
    """Email the staff member whose account was locked, unless they were told of a lock in
    the last day. True when an email was queued."""
    # The user's row lock makes two locks starting at once (the account and one of its
    # browsers) agree on which one tells.
    user = (
        User.objects.select_for_update().filter(pk=bucket.user_id).first()
        if bucket.user_id is not None
        else None
    )
    if user is None or not user.email or not StaffMembership.objects.filter(user=user).exists():
        return False
    told_lately = AuditEvent.objects.filter(
        action="signin.locked", at__gte=now - LOCK_EMAIL_EVERY, data__emailed_user=user.pk
    ).exists()
    if told_lately:
        return False
    # Built from our own template: only our words and the account's username as stored
    # (set by an admin), never what was typed at the sign-in form.
    emails.queue(
        to=user.email,
        template="staff_locked",
        language=user.language or settings.LANGUAGE_CODE,  # the console speaks English
        ours={
            "username": user.get_username(),
            "limit": bucket.rule.limit,
            "until": f"{until:%Y-%m-%d %H:%M}",
            "minutes": int(bucket.rule.lock_for.total_seconds() // 60),
        },
        theirs={},
    )
    return True


def _tell_contact(user_id: int, now: dt.datetime, until: dt.datetime) -> None:
    """Let the contact whose account was locked hear of it (a user who is not a contact, an
    operator tried on the web, hears nothing)."""
    contact = Contact.objects.select_related("user").filter(user_id=user_id).first()
    if contact is not None:
        contact_locked(contact, now, until)


def _prune(now: dt.datetime) -> None:
    """Forget counters that ended long ago. Run after a lock has been committed, in its own
    short transaction and holding no other row: spraying, the thing that makes many rows,
    also makes locks. Housekeeping: if it collides with a sign-in (a deadlock, a timeout),
    the next lock prunes instead."""
    try:
        with transaction.atomic():
            SignInThrottle.objects.filter(
                Q(locked_until__isnull=True) | Q(locked_until__lt=now),
                window_start__lt=now - PRUNE_AFTER,
            ).delete()
    except DatabaseError:
        logger.info("Sign-in counters not pruned this time", exc_info=True)


def _lock_started(bucket: Bucket, now: dt.datetime) -> None:
    until = now + bucket.rule.lock_for
    data: dict[str, Any] = {
        "kind": bucket.kind,
        "subject": bucket.subject,
        "until": until.isoformat(),
    }
    if bucket.user_id is not None and _tell_staff(bucket, until, now):
        data["emailed_user"] = bucket.user_id
    if bucket.kind == Kind.CONTACT and bucket.user_id is not None:
        _tell_contact(bucket.user_id, now, until)
    audit.record(
        actor="system",
        action="signin.locked",
        object_type="signinthrottle",
        object_id=bucket.key[:64],
        facility_id=bucket.facility_id,
        data=data,
    )
    transaction.on_commit(lambda: _prune(now))


class Attempt:
    """One sign-in attempt that has been counted. Report how it ended; used as a context
    manager, leaving the block without ``succeeded()`` (by an exception, or by forgetting)
    reports a failure, so every counted attempt can start a lock."""

    def __init__(self, counted: list[Bucket], clears: list[Bucket], kind: str) -> None:
        self.counted = counted
        self._clears = clears
        # The rule the account was counted under (staff or contact), decided by the account.
        self.kind = kind
        self.reported = False

    def __enter__(self) -> Attempt:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.reported:
            return
        if exc is None:
            self.failed()
            return
        try:
            self.failed()
        except Exception:
            # Never hide the error that ended the attempt behind this one.
            logger.exception("A failed sign-in attempt could not be reported")

    def failed(self) -> None:
        if self.reported:
            return
        self.reported = True
        now = clock.now()
        with transaction.atomic():
            for bucket in self.counted:
                if _start_lock(bucket, now):
                    _lock_started(bucket, now)

    def succeeded(self) -> None:
        """Forget the account's (or this trusted browser's) count; an address keeps only
        its failures."""
        if self.reported:
            return
        self.reported = True
        with transaction.atomic():
            for bucket in self.counted:
                if bucket in self._clears:
                    SignInThrottle.objects.filter(key=bucket.key).update(count=0, locked_until=None)
                else:
                    _unbump(bucket)


def _count(buckets: list[Bucket]) -> None:
    """Count one request on every bucket, or on none: ``Refused`` names the first full one."""
    now = clock.now()
    with transaction.atomic():
        for bucket in buckets:
            if not _bump(bucket, now):
                # Raising rolls back the buckets bumped before: a refused attempt is not
                # counted anywhere.
                raise Refused(bucket, now)


def _take(buckets: list[Bucket], clears: list[Bucket], kind: str) -> Attempt:
    _count(buckets)
    return Attempt(buckets, clears, kind)


def begin_password(
    *, kind: str, name: str, address: str | None = None, device_token: str | None = None
) -> Attempt:
    """Count a password attempt for an account before its password is checked.

    ``kind`` is the surface's kind: ``Kind.CONTACT`` (web and API) or ``Kind.STAFF``
    (console, Django admin). It decides only for a name with no account; an account is
    counted under its own rule wherever it is tried (``Attempt.kind`` says which). Raises
    ``Refused`` (429) when the account, this trusted browser or the address is at its limit.
    """
    user = _user_named(name)
    kind = _kind_of(user, kind)
    rule = ACCOUNT_RULES[kind]
    subject = normalise(name)
    account_key = _account_key(kind, name)
    # The account's owner is told of its lock (staff by ``_tell_staff``, a contact through
    # ``contact_locked``); only staff accounts are looked after by admins.
    user_id = user.pk if user is not None else None
    browser = _trusted_browser(account_key, user, device_token)
    if browser is not None:
        # The owner's browser: counted on its own, past the account's lock and the address's.
        trusted = Bucket(
            f"{account_key}|browser:{browser}", Kind.TRUSTED_BROWSER, rule, subject, user_id
        )
        return _take([trusted], clears=[trusted], kind=kind)
    account = Bucket(account_key, kind, rule, subject, user_id)
    buckets = [account]
    if address:
        counted = address_key(address)
        buckets.insert(0, Bucket(f"address:{counted}", Kind.ADDRESS, ADDRESS, counted))
    return _take(buckets, clears=[account], kind=kind)


def begin_kiosk(*, facility_id: int, device_id: int, device_name: str, number: str) -> Attempt:
    """Count a PIN attempt per resident number (per facility) and per kiosk device."""
    number = normalise_number(number)
    device = Bucket(
        f"kiosk_device:{device_id}",
        Kind.KIOSK_DEVICE,
        KIOSK_DEVICE,
        device_name,
        facility_id=facility_id,
        device_id=device_id,
    )
    resident_number = Bucket(
        f"kiosk_number:{facility_id}:{number}",
        Kind.KIOSK_NUMBER,
        KIOSK_NUMBER,
        number,
        facility_id=facility_id,
    )
    return _take([device, resident_number], clears=[resident_number], kind=Kind.KIOSK_NUMBER)


def begin_archive_code(*, facility_id: int, number: str, address: str | None) -> Attempt:
    """Count an archive code typed for a resident number at a facility, and from the client
    ``address``, before the code is checked. Raises ``Refused`` (429) at either limit."""
    number = normalise_number(number)
    person = Bucket(
        f"archive_code:{facility_id}:{number}",
        Kind.ARCHIVE_CODE,
        ARCHIVE_CODE,
        number,
        facility_id=facility_id,
    )
    buckets = [person]
    if address:
        client = address_key(address)
        buckets.insert(0, Bucket(f"archive_from:{client}", Kind.ARCHIVE_FROM, ARCHIVE_FROM, client))
    return _take(buckets, clears=[person], kind=Kind.ARCHIVE_CODE)


def count_email_request(*, email: str, address: str | None, to_address: bool = True) -> None:
    """Count a request that emails ``email`` (typed by whoever asks), from the client
    ``address``, before anything is looked up or sent. Raises ``Refused`` (429) when the
    address typed or the client's network has had its share this hour; a refused request
    is not counted. ``to_address=False`` counts the network alone (a request that sends
    nothing, but whose answer tells something, as a sign-up's "taken")."""
    typed = normalise(email)
    buckets = []
    if to_address:
        buckets.append(Bucket(f"email_to:{typed}", Kind.EMAIL_TO, EMAILS_TO_ADDRESS, typed))
    if address:
        client = address_key(address)
        buckets.append(Bucket(f"email_from:{client}", Kind.EMAIL_FROM, EMAILS_FROM_CLIENT, client))
    _count(buckets)


def photo_uploads_rule(limit: int) -> Rule:
    """A contact's photo uploads: ``limit`` an hour. Nothing is locked: the counter refuses
    until its hour has passed."""
    return Rule(
        limit,
        60 * MINUTE,
        60 * MINUTE,
        "too_many_uploads",
        gettext_lazy(
            "You have sent as many photos as you may in one hour. Wait a while, then try again."
        ),
    )


def count_photo_upload(*, contact: Contact, limit: int) -> None:
    """Count one photo upload by ``contact`` before anything is kept. Raises ``Refused``
    (429) when ``limit`` were counted in the contact's current hour; a refused upload is
    not counted. (The same conditional UPDATE as sign-ins: parallel uploads cannot pass.)"""
    bucket = Bucket(
        f"photo_uploads:{contact.pk}",
        Kind.PHOTO_UPLOADS,
        photo_uploads_rule(limit),
        f"contact {contact.pk}",
        user_id=contact.user_id,
    )
    _count([bucket])


# --- locks, and releasing them ---------------------------------------------------------------


def current_locks() -> QuerySet[SignInThrottle]:
    return SignInThrottle.objects.filter(locked_until__gt=clock.now())


def release(*, name: str, actor: audit.Actor | str | None) -> int:
    """Release every lock on the account ``name`` (staff username or contact email), and on
    its trusted browsers. Returns how many counters were reset."""
    subject = normalise(name)
    kinds = [Kind.STAFF, Kind.CONTACT, Kind.TRUSTED_BROWSER]
    with transaction.atomic():
        released = SignInThrottle.objects.filter(
            Q(count__gt=0) | Q(locked_until__isnull=False), subject=subject, kind__in=kinds
        ).update(count=0, locked_until=None)
        audit.record(
            actor=actor,
            action="signin.released",
            data={"subject": subject, "counters": released},
        )
    return released


def locks_for_admin(admin: User) -> QuerySet[SignInThrottle]:
    """Current locks this admin may see and release: staff accounts in their scope (and
    those accounts' trusted browsers), kiosk numbers and devices at their facilities."""
    staff = Q(kind__in=[Kind.STAFF, Kind.TRUSTED_BROWSER], user__in=access.staff_managed_by(admin))
    kiosk = Q(
        kind__in=[Kind.KIOSK_NUMBER, Kind.KIOSK_DEVICE],
        facility__in=access.staff_facilities(admin, access.ADMIN_ROLES),
    )
    return (
        current_locks()
        .filter(staff | kiosk)
        .select_related("user", "facility")
        .order_by("locked_until", "id")
    )


def release_lock(*, admin: User, lock_id: int) -> SignInThrottle:
    """An admin releases one lock they may see; anything else is not found."""
    with transaction.atomic():
        lock = locks_for_admin(admin).filter(pk=lock_id).first()
        if lock is None:
            raise NotFound(_("No such lock."), "lock_not_found")
        SignInThrottle.objects.filter(pk=lock.pk).update(count=0, locked_until=None)
        audit.record(
            actor=admin,
            action="signin.released",
            object_type="signinthrottle",
            object_id=lock.pk,
            facility_id=lock.facility_id,
            data={"kind": lock.kind, "subject": lock.subject},
        )
    return lock
