"""Signed values in notification links: an unsubscribe link names one contact and one event,
and works for nothing else."""

from __future__ import annotations

from django.core import signing

SALT = "homeward.notifications.unsubscribe"


def unsubscribe(contact_id: int, event: str) -> str:
    return signing.dumps({"c": contact_id, "e": event}, salt=SALT, compress=True)


def read_unsubscribe(token: str) -> tuple[int, str] | None:
    """(contact id, event) of a genuine token, or None for anything else. Unsubscribe links
    do not expire: a person may click one from an old email."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict):
        return None
    contact, event = value.get("c"), value.get("e")
    if not isinstance(contact, int) or not isinstance(event, str):
        return None
    return contact, event
