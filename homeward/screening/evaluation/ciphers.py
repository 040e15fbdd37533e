"""The home-made codes people use to hide a message in plain sight.

The corpus writes coded messages as plain sentences passed through these, so a reader of
the generator sees what each coded message says.
"""

from __future__ import annotations

import base64
import codecs
import string

_ATBASH = str.maketrans(
    string.ascii_lowercase + string.ascii_uppercase,
    string.ascii_lowercase[::-1] + string.ascii_uppercase[::-1],
)


def rot13(text: str) -> str:
    return codecs.encode(text, "rot13")


def atbash(text: str) -> str:
    return text.translate(_ATBASH)


def a1z26(text: str, separator: str = " ") -> str:
    """Each letter as its place in the alphabet ("19 5 14 4 / 9 20", or "19-5-14-4 9-20")."""
    words = [
        separator.join(str(ord(c) - 96) for c in w if c.isalpha()) for w in text.lower().split()
    ]
    return (" / " if separator == " " else " ").join(words)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def hexed(text: str) -> str:
    return text.encode().hex()


def backwards(text: str) -> str:
    return " ".join(word[::-1] for word in reversed(text.split()))
