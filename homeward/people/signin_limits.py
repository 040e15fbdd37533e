"""Lockout after repeated wrong passwords (5 in 15 minutes).

A contact's account opens again 15 minutes after the last failure. A staff account stays
locked until an admin releases it (`manage.py release_signin USERNAME`), as the security
baseline asks: staff accounts reach every message of a facility.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from homeward.core import audit, clock
from homeward.core.errors import DomainError
from homeward.people.models import SignInFailure

LIMIT = 5
WINDOW = dt.timedelta(minutes=15)


def _key(surface: str, name: str) -> str:
    return f"{surface}:{name.strip().lower()}"[:300]


def _locked(key: str, *, until_released: bool) -> bool:
    failures = SignInFailure.objects.filter(key=key)
    if not until_released:
        failures = failures.filter(at__gte=clock.now() - WINDOW)
    return failures.count() >= LIMIT


def check(surface: str, name: str, *, until_released: bool = False) -> None:
    """Refuse before even checking the password when the account is locked."""
    if _locked(_key(surface, name), until_released=until_released):
        if until_released:
            message = "This account is locked after too many wrong passwords. Ask an admin."
        else:
            message = "Too many wrong passwords. Wait 15 minutes, then try again."
        raise DomainError("locked_out", message, status=429)


def record_failure(surface: str, name: str) -> None:
    key = _key(surface, name)
    with transaction.atomic():
        SignInFailure.objects.create(key=key, at=clock.now())
        # Failures older than the window only matter for staff; the rest are dropped.
        if surface != "console":
            SignInFailure.objects.filter(key=key, at__lt=clock.now() - WINDOW).delete()
        if SignInFailure.objects.filter(key=key).count() == LIMIT:
            audit.record(actor="system", action="signin.locked", data={"account": key})


def clear(surface: str, name: str) -> int:
    """A good sign-in (or an admin's release) forgets the failures."""
    with transaction.atomic():
        deleted, _ = SignInFailure.objects.filter(key=_key(surface, name)).delete()
    return deleted


def release(*, username: str, actor: object) -> int:
    released = clear("console", username)
    audit.record(actor=actor, action="signin.released", data={"account": username})
    return released
