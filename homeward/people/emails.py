"""Every email Homeward sends is built here, from our own templates.

A template under ``templates/email/`` says every word; the values a person wrote (a name)
are passed apart from ours and made safe for a plain-text email before they reach it: one
line, no invisible characters, no double quotes to close the quotes we put around them, and
anything that looks like a link broken so mail programs do not make it one. The subject is
a template of its own and never carries what a user wrote.

Emails go out through the ``send_email`` job, after the transaction that queued them
commits, so a rolled-back change sends nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from django.template.loader import render_to_string
from django.utils import translation

from homeward.jobs import services as jobs

# A user's value in an email is a short quoted phrase, never a paragraph.
USER_VALUE_MAX = 120
KEEP = {"\u200c", "\u200d"}  # joiners that some scripts need
HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
DOTS = "[.\u3002\uff0e\uff61\u2024]"
LINK_PARTS = re.compile(rf"(?<=\S)({DOTS})(?=[\w-]{{2}})|(:)(?=/)|(?<=www)({DOTS})", re.I)


def user_value(text: str) -> str:
    """What a person wrote, made safe to quote in a plain-text email.

    Names are checked when they are typed (``people.names``); this is the second fence, for
    anything written before those checks and for any value a future email quotes.
    """
    flat = "".join(
        " " if unicodedata.category(char) in HIDDEN and char not in KEEP else char
        for char in unicodedata.normalize("NFKC", text)
    )
    flat = " ".join(flat.split()).replace('"', "'")
    # "evil.com" → "evil[.]com", "https://" → "https[:]//": still readable, never a link.
    flat = LINK_PARTS.sub(lambda match: f"[{match.group(0)}]", flat)
    if len(flat) > USER_VALUE_MAX:
        flat = flat[: USER_VALUE_MAX - 1] + "…"
    return flat


def render(
    template: str,
    *,
    ours: Mapping[str, object],
    theirs: Mapping[str, str],
    language: str = "",
) -> tuple[str, str]:
    """(subject, body) from ``email/<template>.subject.txt`` and ``email/<template>.txt``.

    ``ours`` are values we made (a link we signed, a number of days); ``theirs`` are values
    a person typed, each passed through ``user_value``. The subject sees only ``ours``.
    Written in ``language`` (the reader's choice), else in the language of the request.
    """
    with translation.override(language or translation.get_language()):
        rendered = render_to_string(f"email/{template}.subject.txt", dict(ours))
        subject = " ".join(rendered.split())  # a header is one line
        context = {**ours, **{name: user_value(value) for name, value in theirs.items()}}
        body = render_to_string(f"email/{template}.txt", context).strip() + "\n"
    return subject, body


def queue(
    *,
    to: str,
    template: str,
    ours: Mapping[str, object],
    theirs: Mapping[str, str],
    language: str = "",
) -> None:
    """Queue one email to ``to``, sent by the worker once the caller's transaction commits."""
    subject, body = render(template, ours=ours, theirs=theirs, language=language)
    jobs.enqueue("send_email", to=to, subject=subject, body=body)
