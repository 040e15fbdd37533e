"""Numbers people type in a form or carry in an address: an id, a page's last row, a size."""

from __future__ import annotations

# Eighteen digits fit any id the database hands out (a 64-bit integer holds nineteen).
MAX_DIGITS = 18


def whole_number(text: str) -> int | None:
    """The number ``text`` writes in the digits 0-9 alone, or None. ``str.isdigit`` also
    takes "²" and "٣", which ``int`` refuses or reads as another number."""
    if text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS:
        return int(text)
    return None
