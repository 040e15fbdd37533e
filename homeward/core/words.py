"""Small helpers for the sentences Homeward says to people."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import pgettext


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def moment(value: dt.datetime, timezone: str) -> str:
    """A moment as the clocks of ``timezone`` show it, for a sentence: '5 Jan 2027, 14:00 EST'."""
    # Translators: a date format (https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date);
    # keep "T", the time zone's abbreviation.
    written = pgettext("moment in a sentence", "j M Y, H:i T")
    return dateformat.format(value.astimezone(ZoneInfo(timezone)), written)
