"""Rolling out a new SECRET_KEY: what the old one signed keeps working while it is listed in
SECRET_KEY_FALLBACKS, and stops when it is dropped."""

from __future__ import annotations

from homeward.personas import client_for, settings_read_with


def fallbacks_read_from(value: str) -> list[str]:
    read = settings_read_with("'|'.join(settings.SECRET_KEY_FALLBACKS)", SECRET_KEY_FALLBACKS=value)
    assert read.returncode == 0, read.stderr
    return read.stdout.strip().split("|")


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
