"""Recovery codes are stored keyed with the server's secret key. A code has only 50 random
bits, so a plain hash in a leaked database could be reversed by trying every code; an
HMAC under SECRET_KEY gives nothing to try without the key."""

from __future__ import annotations

import datetime as dt
import hashlib

from django_otp.plugins.otp_static.models import StaticToken

from homeward import builders as t
from homeward.console.tests.test_second_factor import enrol_through_the_pages, password_only
from homeward.people import second_factor


def signs_in_with(user, code: str) -> bool:
    client = password_only(user)
    response = client.post("/console/verify/", {"code": code, "next": "/console/"})
    return response.status_code == 302 and response["Location"] == "/console/"


def wait_out_the_wrong_code_pause(user) -> None:
    """django-otp pauses a device after a wrong code; time passes (its own clock)."""
    device = second_factor.StaticDevice.objects.get(user=user)
    device.throttling_failure_timestamp -= dt.timedelta(minutes=5)
    device.save(update_fields=["throttling_failure_timestamp"])


def test_a_database_copy_alone_does_not_give_the_recovery_codes_away(world, settings):
    user = world.facility_admin
    codes = enrol_through_the_pages(password_only(user), user)
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(stored) == 10
    # Hashing every possible code, as someone with only the database would, finds nothing.
    for code in codes:
        for typed in (code, code.replace("-", "")):
            assert hashlib.sha256(typed.encode()).hexdigest()[:16] not in stored
    # With another server key the stored values match nothing: they depend on the key.
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another-key-" + "x" * 50
    settings.SECRET_KEY_FALLBACKS = []
    assert not signs_in_with(user, codes[0])
    assert second_factor.recovery_codes_left(user) == 10
    # Rotating the key keeps the codes working while the old key is a fallback.
    settings.SECRET_KEY_FALLBACKS = [old_key]
    wait_out_the_wrong_code_pause(user)
    assert signs_in_with(user, codes[0])
    assert second_factor.recovery_codes_left(user) == 9
    assert not signs_in_with(user, codes[0])  # and each still works once


def test_recovery_codes_are_typed_with_spaces_dashes_or_capitals(world):
    user = world.reviewer_1
    codes = enrol_through_the_pages(password_only(user), user)
    t.accept_staff_notice(user)
    assert signs_in_with(user, f"  {codes[0].upper()} ")
    assert signs_in_with(user, codes[1].replace("-", " "))
    assert second_factor.recovery_codes_left(user) == 8
