"""The note that stands where retention removed a message's text, in the reader's language.

Retention (``monitoring.retention.remove``) writes the note into the message's body when it
removes the text, in English: nobody's language is known then, and a contact and a resident
read the same body. A page, an API answer or an archive that shows a body says the note again
with ``shown_body``, in the language active for whoever reads it; any other body is shown
as it was stored.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import translation
from django.utils.translation import ngettext

from homeward.messaging.models import Message

# The note as ``stored_note`` writes it (in English).
STORED = re.compile(
    r"\(The text of this message was removed on (?P<day>\d{4}-\d{2}-\d{2}): (?P<agency>.+) "
    r"keeps message text for (?P<days>[\d,]+) days?\.\)",
    re.S,
)


def removed_note(*, day: str, agency: str, days: int) -> str:
    """The note in the language active now; ``day`` as stored (YYYY-MM-DD)."""
    return ngettext(
        "(The text of this message was removed on %(day)s: %(agency)s keeps message text for "
        "%(count)s day.)",
        "(The text of this message was removed on %(day)s: %(agency)s keeps message text for "
        "%(count)s days.)",
        days,
    ) % {"day": day, "agency": agency, "count": days}


def stored_note(*, agency: str, days: int, at: dt.datetime) -> str:
    """The note written in place of the text: in English, whoever's request removes it."""
    with translation.override("en"):
        return removed_note(day=f"{at:%Y-%m-%d}", agency=agency, days=days)


def shown_body(message: Message) -> str:
    """The body to show: a note of removal said in the reader's language, else as stored."""
    if message.content_removed_at is None:
        return message.body
    found = STORED.fullmatch(message.body)
    if found is None:
        return message.body
    days = int(found["days"].replace(",", ""))
    return removed_note(day=found["day"], agency=found["agency"], days=days)
