"""What a display name may hold: one line of words, never a link.

Names travel where we speak: residents see them on the kiosk, staff in the console, and the
name a person types at sign-up goes into the email sent to the address they typed (which
need not be theirs). A name with new lines or a web address could pass for our own words
there ("Account suspended: visit …"), so such names are refused at the door, with a message
that says what to change.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from homeward.core.errors import DomainError

# Zero-width joiner and non-joiner are part of how some scripts (Persian, Indic) and emoji
# are written; every other invisible format character can only hide or reorder text.
JOINERS = {"\u200c", "\u200d"}
REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# Characters that browsers and mail programs treat as the dot of a domain name.
DOTS = "[.\u3002\uff0e\uff61\u2024]"
LINK = re.compile(
    rf"[a-z][a-z0-9+.-]*:/"  # a scheme: http://, https://, ftp:/…
    rf"|www{DOTS}"  # www.example
    rf"|[^\s.]{DOTS}[\w-]{{2}}",  # a dot inside a word, as in a domain: evil.com/x, a@b.org
    re.IGNORECASE,
)


def _invisible_or_line_break(text: str) -> bool:
    return any(
        unicodedata.category(char) in REFUSED_CATEGORIES and char not in JOINERS for char in text
    )


def check_display_name(name: str) -> None:
    """Raise DomainError(``name_not_plain``) for a name that is not one line of plain words.

    Refused: control characters (new lines, tabs), invisible formatting characters (which
    can hide or reverse text), and anything that looks like a web address: a scheme
    ("http://"), "www.", or a dot inside a word followed by two or more letters, as in a
    domain name ("evil.com/x"). Initials keep their full stops: "J.R. Smith" is a name.
    """
    if _invisible_or_line_break(name):
        raise DomainError(
            "name_not_plain",
            _("Write your name on one line, without tabs or special invisible characters."),
        )
    # Full-width and other compatibility forms ("ｈｔｔｐ：／／") read as their plain letters.
    if LINK.search(unicodedata.normalize("NFKC", name)):
        raise DomainError(
            "name_not_plain",
            _(
                "A name cannot contain a web address or link. If your name has a full stop, "
                "put a space after it (as in “J. Smith”)."
            ),
        )
