"""The note retention leaves in a message's place is stored in English and said again in
the reader's language (``monitoring.words.shown_body``)."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from homeward.facilities.models import Agency
from homeward.messaging.models import Message
from homeward.monitoring import retention, words

AT = dt.datetime(2026, 6, 1, 3, 0, tzinfo=dt.UTC)


def removed(days: int) -> Message:
    agency = Agency(name="New York DOCCS", message_retention_days=days)
    return Message(body=retention.tombstone(agency, AT), content_removed_at=AT)


def test_the_note_is_stored_in_english_whatever_language_is_active() -> None:
    with translation.override("es"):
        message = removed(30)
    assert message.body == (
        "(The text of this message was removed on 2026-06-01: New York DOCCS keeps message "
        "text for 30 days.)"
    )
    assert removed(1).body.endswith("keeps message text for 1 day.)")


def test_the_note_is_shown_in_the_readers_language() -> None:
    message = removed(30)
    with translation.override("es"):
        assert words.shown_body(message) == (
            "(El texto de este mensaje se eliminó el 2026-06-01: New York DOCCS conserva el "
            "texto de los mensajes durante 30 días.)"
        )
        assert words.shown_body(removed(1)).endswith("durante 1 día.)")
    assert words.shown_body(message) == message.body


def test_any_other_body_is_shown_as_stored() -> None:
    kept = Message(body="(The text of this message was removed on 2026-06-01)")
    other = Message(body="Something else", content_removed_at=AT)
    with translation.override("es"):
        assert words.shown_body(kept) == kept.body
        assert words.shown_body(other) == "Something else"
