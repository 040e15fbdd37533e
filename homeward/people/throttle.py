"""The one sign-in throttle, for every surface: web, console, API and kiosk.

Each attempt is counted *before* the password or PIN is checked, by one conditional
UPDATE on a counter row (``SignInThrottle``): the row is bumped only while it is under its
limit, so a burst of parallel attempts cannot slip past it (PostgreSQL re-checks the
condition after waiting for the row's lock; SQLite takes the write lock at BEGIN). Exactly
``limit`` attempts in a window get their password checked; the rest are refused with 429.
The failure that reaches the limit starts a timed lock, audited once (``signin.locked``).

What is counted (the buckets):

- a family or friend account, by normalised email, shared by the web and the API;
- a staff account, by normalised username (locked for 30 minutes, and the person is told
  by email);
- a trusted browser of an account: a browser that signed in to the account before carries
  a signed cookie (OWASP's device cookie; an API app gets the same value in the
  ``X-Homeward-Device`` header and sends it back), and its attempts are counted on their
  own, so a stranger who locks the account does not lock out its owner;
- a client address: many failures from one address refuse browsers without a device
  cookie for the account they try (password spraying);
- a kiosk resident number (per facility) and a kiosk device.

An admin can release a lock sooner (``release_signin`` command, the console's sign-in
locks page).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, Value, When

from homeward.core import audit, clock
from homeward.core.errors import DomainError, NotFound
from homeward.people import access, emails
from homeward.people.models import SignInThrottle, StaffMembership, User

Kind = SignInThrottle.Kind
ADMIN_ROLES = (StaffMembership.Role.FACILITY_ADMIN, StaffMembership.Role.AGENCY_ADMIN)
MINUTE = dt.timedelta(minutes=1)
# Counters untouched this long are deleted (every window and lock is far shorter).
PRUNE_AFTER = dt.timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    limit: int
    window: dt.timedelta
    lock_for: dt.timedelta
    code: str
    message: str


CONTACT = Rule(
    5,
    15 * MINUTE,
    15 * MINUTE,
    "locked_out",
    "Too many wrong passwords. Wait 15 minutes, then try again.",
)
STAFF = Rule(
    5,
    15 * MINUTE,
    30 * MINUTE,
    "locked_out",
    "This account is locked after too many wrong passwords. Wait 30 minutes, or ask an "
    "admin to release it.",
)
ADDRESS = Rule(
    50,
    15 * MINUTE,
    15 * MINUTE,
    "too_many_attempts",
    "Too many sign-in attempts from your network. Wait 15 minutes, then try again.",
)
KIOSK_NUMBER = Rule(
    5,
    15 * MINUTE,
    15 * MINUTE,
    "locked_out",
    "This resident number is locked after too many wrong tries. "
    "Ask a staff member for help, or try again in 15 minutes.",
)
# Someone trying one common PIN against many numbers fails once per number: count the
# whole device too.
KIOSK_DEVICE = Rule(
    20,
    15 * MINUTE,
    15 * MINUTE,
    "kiosk_locked",
    "This kiosk is paused after many wrong sign-ins. Ask a staff member for help, or "
    "try again in 15 minutes.",
)
ACCOUNT_RULES = {Kind.CONTACT: CONTACT, Kind.STAFF: STAFF}

# The device cookie: signed, bound to one account, good for half a year.
TRUSTED_SALT = "homeward.people.trusted-browser"
TRUSTED_MAX_AGE = 180 * 24 * 3600


class Refused(DomainError):
    status = 429


@dataclass(frozen=True)
class Bucket:
    key: str
    kind: str
    rule: Rule
    subject: str
    user_id: int | None = None
    facility_id: int | None = None
    device_id: int | None = None


def normalise(name: str) -> str:
    """The account name as counted: "KIM@example.org " and "kim@example.org" are one."""
    return name.strip().lower()[:254]


# --- trusted browsers (device cookies) --------------------------------------------------


def _account_key(kind: str, name: str) -> str:
    return f"{kind}:{normalise(name)}"


def trusted_browser_token(*, kind: str, name: str) -> str:
    """A new device cookie value for a browser that has just signed in to this account."""
    data = {"a": _account_key(kind, name), "b": secrets.token_urlsafe(12)}
    return signing.dumps(data, salt=TRUSTED_SALT)


def _trusted_browser(account_key: str, token: str | None) -> str | None:
    """The browser id in ``token`` when it is a valid device cookie for this account."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=TRUSTED_SALT, max_age=TRUSTED_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != account_key:
        return None
    browser = data.get("b")
    return browser if isinstance(browser, str) and browser else None


# --- counting -----------------------------------------------------------------------------


def _bump(bucket: Bucket, now: dt.datetime) -> bool:
    """Count one attempt on ``bucket`` unless it is at its limit or locked."""
    for _ in range(2):  # a second try only if the row was pruned between the two statements
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


def _tell_staff(bucket: Bucket, until: dt.datetime) -> None:
    user = User.objects.filter(pk=bucket.user_id).first() if bucket.user_id else None
    if user is None or not user.email or not StaffMembership.objects.filter(user=user).exists():
        return
    # Built from our own template: only our words and the account's username as stored
    # (set by an admin), never what was typed at the sign-in form.
    emails.queue(
        to=user.email,
        template="staff_locked",
        ours={
            "username": user.get_username(),
            "limit": bucket.rule.limit,
            "until": f"{until:%Y-%m-%d %H:%M}",
            "minutes": int(bucket.rule.lock_for.total_seconds() // 60),
        },
        theirs={},
    )


def _prune(now: dt.datetime) -> None:
    """Forget counters that ended long ago. Run when a lock starts: spraying, the thing
    that makes many rows, also makes locks."""
    SignInThrottle.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now), window_start__lt=now - PRUNE_AFTER
    ).delete()


def _lock_started(bucket: Bucket, now: dt.datetime) -> None:
    _prune(now)
    until = now + bucket.rule.lock_for
    audit.record(
        actor="system",
        action="signin.locked",
        object_type="signinthrottle",
        object_id=bucket.key[:64],
        facility_id=bucket.facility_id,
        data={"kind": bucket.kind, "subject": bucket.subject, "until": until.isoformat()},
    )
    if bucket.user_id is not None:
        _tell_staff(bucket, until)


class Attempt:
    """One sign-in attempt that has been counted. Report how it ended."""

    def __init__(self, counted: list[Bucket], clears: list[Bucket]) -> None:
        self.counted = counted
        self._clears = clears

    def failed(self) -> None:
        now = clock.now()
        with transaction.atomic():
            for bucket in self.counted:
                if _start_lock(bucket, now):
                    _lock_started(bucket, now)

    def succeeded(self) -> None:
        """Forget the account's (or this trusted browser's) count; an address keeps only
        its failures."""
        with transaction.atomic():
            for bucket in self.counted:
                if bucket in self._clears:
                    SignInThrottle.objects.filter(key=bucket.key).update(count=0, locked_until=None)
                else:
                    _unbump(bucket)


def _take(buckets: list[Bucket], clears: list[Bucket]) -> Attempt:
    now = clock.now()
    with transaction.atomic():
        for bucket in buckets:
            if not _bump(bucket, now):
                # Raising rolls back the buckets bumped before: a refused attempt is not
                # counted anywhere.
                raise Refused(bucket.rule.code, bucket.rule.message)
    return Attempt(buckets, clears)


def begin_password(
    *, kind: str, name: str, address: str | None = None, device_token: str | None = None
) -> Attempt:
    """Count a password attempt for an account before its password is checked.

    ``kind`` is ``Kind.CONTACT`` (web and API) or ``Kind.STAFF`` (console). Raises
    ``Refused`` (429) when the account, this trusted browser or the address is at its limit.
    """
    rule = ACCOUNT_RULES[kind]
    subject = normalise(name)
    account_key = _account_key(kind, name)
    user_id = None
    if kind == Kind.STAFF:
        user_id = User.objects.filter(username__iexact=subject).values_list("pk", flat=True).first()
    browser = _trusted_browser(account_key, device_token)
    if browser is not None:
        # The owner's browser: counted on its own, past the account's lock and the address's.
        trusted = Bucket(
            f"{account_key}|browser:{browser}", Kind.TRUSTED_BROWSER, rule, subject, user_id
        )
        return _take([trusted], clears=[trusted])
    account = Bucket(account_key, kind, rule, subject, user_id)
    buckets = [account]
    if address:
        buckets.insert(0, Bucket(f"address:{address}", Kind.ADDRESS, ADDRESS, address))
    return _take(buckets, clears=[account])


def begin_kiosk(*, facility_id: int, device_id: int, device_name: str, number: str) -> Attempt:
    """Count a PIN attempt per resident number (per facility) and per kiosk device."""
    number = number.strip().upper()[:30]
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
    return _take([device, resident_number], clears=[resident_number])


# --- locks, and releasing them ---------------------------------------------------------------


def current_locks() -> QuerySet[SignInThrottle]:
    return SignInThrottle.objects.filter(locked_until__gt=clock.now())


def release(*, name: str, actor: object) -> int:
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


def _staff_in_scope(admin: User) -> QuerySet[User]:
    """Staff whose memberships lie within this admin's facilities or whole agencies."""
    facilities = access.staff_facilities(admin, ADMIN_ROLES)
    agencies = StaffMembership.objects.filter(
        user=admin, role=StaffMembership.Role.AGENCY_ADMIN, facility__isnull=True
    ).values("agency_id")
    memberships = StaffMembership.objects.filter(
        Q(facility__in=facilities) | Q(facility__isnull=True, agency_id__in=agencies)
    )
    return User.objects.filter(pk__in=memberships.values("user_id"))


def locks_for_admin(admin: User) -> QuerySet[SignInThrottle]:
    """Current locks this admin may see and release: staff accounts in their scope (and
    those accounts' trusted browsers), kiosk numbers and devices at their facilities."""
    staff = Q(kind__in=[Kind.STAFF, Kind.TRUSTED_BROWSER], user__in=_staff_in_scope(admin))
    kiosk = Q(
        kind__in=[Kind.KIOSK_NUMBER, Kind.KIOSK_DEVICE],
        facility__in=access.staff_facilities(admin, ADMIN_ROLES),
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
            raise NotFound("No such lock.", "lock_not_found")
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
