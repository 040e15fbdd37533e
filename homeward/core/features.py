"""Features that exist. A page may promise a feature only when its flag here is True.

Words about appeals, photos or emailed invitations were written ahead of the features; a
family that reads "you can appeal" and finds no way to do it has been misled. Each sentence
that promises one of these shows only when its flag is on, and the issue that builds the
feature turns the flag on (with the tests that prove it works). These are facts about the
code, not settings: a deployment cannot switch on a feature that is not there.

Read the flags at the moment of use (``features.PHOTOS``, or ``built("photos")`` and the
``{% built "photos" as … %}`` template tag), never copied at import, so tests can switch
them.
"""

from __future__ import annotations

import sys

# Families (and residents) can appeal a blocked message or a suspension.
APPEALS = True
# Messages can carry photos (and photos are priced in stamps).
PHOTOS = True
# An invitation from a resident is emailed to the address they typed.
INVITATION_EMAILS = True

NAMES = ("APPEALS", "PHOTOS", "INVITATION_EMAILS")


def built(name: str) -> bool:
    """Whether the feature ``name`` ("appeals", "photos", "invitation_emails") exists."""
    flag = name.upper()
    if flag not in NAMES:
        raise ValueError(f"No feature called {name!r}; known: {', '.join(NAMES)}.")
    return bool(getattr(sys.modules[__name__], flag))
