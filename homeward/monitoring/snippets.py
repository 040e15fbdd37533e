"""A few lines of a message around what a search found, the matches marked.

Matches are looked for as screening reads the message: in its plain view (case and accents
as written) and its folded view ("k.n.1.f.e" reads "knife"), each mapped back to the
original text, so the mark falls on what the person wrote. A word matches a term when it
begins with it ("knife" marks "knifes"); a phrase, its words in order. The result is plain
text in pieces, marked or not: the template escapes every piece.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from homeward.monitoring.query import Query
from homeward.screening.normalize import fold, normalize

WIDTH = 240  # characters shown around the first match


@dataclass(frozen=True)
class Piece:
    text: str
    marked: bool


def _bare(text: str) -> str:
    """Lower case without accents (for matching the plain view)."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matches(body: str, query: Query) -> list[tuple[int, int]]:
    """Spans of ``body`` where a term of ``query`` is, merged and in order."""
    normalized = normalize(body)
    spans: list[tuple[int, int]] = []
    for term in query.terms:
        words = " ".join(term.words)
        for view, needle in (
            (normalized.plain, _bare(words)),
            (normalized.folded, " ".join(fold(w).replace(" ", "") for w in term.words)),
        ):
            haystack = _bare(view.text) if view is normalized.plain else view.text
            if len(haystack) != len(view.text):  # an accent that does not decompose away
                haystack = view.text
            pattern = re.compile(r"(?<![^\W_])" + re.escape(needle).replace(r"\ ", r"\W+"))
            for found in pattern.finditer(haystack):
                spans.append(view.to_original(found.start(), found.end()))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        elif start < end:
            merged.append((start, end))
    return merged


def snippet(body: str, query: Query) -> list[Piece]:
    """About WIDTH characters of ``body`` around its first match, in pieces."""
    found = matches(body, query)
    if len(body) <= WIDTH:
        start, end = 0, len(body)
    else:
        first = found[0][0] if found else 0
        start = max(0, min(first - WIDTH // 3, len(body) - WIDTH))
        end = start + WIDTH
        # Whole words at either end.
        if start > 0:
            space = body.find(" ", start, first if found else start + 20)
            start = space + 1 if space != -1 else start
        if end < len(body):
            space = body.rfind(" ", end - 20, end)
            end = space if space != -1 else end
    pieces: list[Piece] = []
    at = start
    for s, e in found:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        if s > at:
            pieces.append(Piece(body[at:s], False))
        pieces.append(Piece(body[s:e], True))
        at = e
    if at < end:
        pieces.append(Piece(body[at:end], False))
    if start > 0:
        pieces.insert(0, Piece("…", False))
    if end < len(body):
        pieces.append(Piece("…", False))
    return pieces
