"""Rolling out a new SECRET_KEY: what the old one signed keeps working while it is listed in
SECRET_KEY_FALLBACKS, and stops when it is dropped."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

from homeward.personas import client_for


def fallbacks_read_from(value: str) -> list[str]:
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print('|'.join(settings.SECRET_KEY_FALLBACKS))"
    environ = dict(os.environ, DJANGO_SETTINGS_MODULE="homeward.settings")
    environ["SECRET_KEY_FALLBACKS"] = value
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().split("|")


def test_the_environment_lists_the_old_keys():
    assert fallbacks_read_from("old-key-1, old-key-2") == ["old-key-1", "old-key-2"]


def test_a_session_survives_a_new_key_while_the_old_one_is_a_fallback(world, settings):
    page = "/connections/"
    during, after = client_for(world.contact_a.user), client_for(world.contact_b.user)
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-brand-new-key-for-this-deployment"
    settings.SECRET_KEY_FALLBACKS = [old]
    # Signed in before the change, and back during the roll-out: still signed in (Django
    # moves the session onto the new key).
    assert during.get(page).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    assert during.get(page).status_code == 200
    # Not back before the old key was dropped: signed out, asked to sign in again.
    assert after.get(page).status_code == 302
