"""Text edits that remember where each character came from.

A stage of normalisation is a list of edits (start, end, replacement) on a text. Applied to
a Track, they also carry along, for each character, the [lo, hi) span of the original text
it came from: every character of a replacement comes from the whole span it replaced. The
normaliser's exact offset maps are built this way (see normalize.py).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from array import array
from collections.abc import Callable
from typing import Literal

from homeward.screening import native

NormalForm = Literal["NFC", "NFD", "NFKC", "NFKD"]
Edit = tuple[int, int, str]  # replace text[start:end] (never empty) with a string

_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
# Tracks of texts up to this long start as slices (copies) of it: faster than from a range.
_COUNT = array("q", range(20_001))


def apply_edits(text: str, edits: list[Edit]) -> str:
    """The text with the edits (sorted, not overlapping) made."""
    parts: list[str] = []
    pos = 0
    for start, end, replacement in edits:
        parts += (text[pos:start], replacement)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


class Track:
    """A text and, for each of its characters, the [lo, hi) span of the original. The spans
    are kept in arrays of machine integers: slicing and joining them is a copy of memory,
    several times faster than lists, whose every element is an object."""

    def __init__(self, text: str, lo: array[int], hi: array[int]) -> None:
        self.text, self.lo, self.hi = text, lo, hi

    @classmethod
    def of(cls, text: str) -> Track:
        n = len(text)
        if n >= len(_COUNT):
            return cls(text, array("q", range(n)), array("q", range(1, n + 1)))
        return cls(text, _COUNT[:n], _COUNT[1 : n + 1])

    def apply(self, edits: list[Edit]) -> Track:
        if not edits:
            return self
        if all(end - start == len(out) == 1 for start, end, out in edits):  # "A" -> "a"
            return Track(apply_edits(self.text, edits), self.lo, self.hi)
        lo, hi = _spans(self.lo, self.hi, edits)
        return Track(apply_edits(self.text, edits), lo, hi)


def spans(lo: array[int], hi: array[int], edits: list[Edit]) -> tuple[array[int], array[int]]:
    """The spans in the original (``lo``, ``hi``) of the characters of a text after the
    edits (sorted, not overlapping): every character of a replacement comes from the whole
    span it replaced. ``native/_edits.c`` does the same in C, which is used when it is
    built."""
    new_lo, new_hi = array("q"), array("q")
    pos = 0
    for start, end, replacement in edits:
        if start > pos:
            new_lo += lo[pos:start]
            new_hi += hi[pos:start]
        if len(replacement) == 1:  # most edits: a run collapsed, a character replaced
            new_lo.append(lo[start])
            new_hi.append(hi[end - 1])
        elif replacement:
            new_lo += array("q", (lo[start],)) * len(replacement)
            new_hi += array("q", (hi[end - 1],)) * len(replacement)
        pos = end
    new_lo += lo[pos:]
    new_hi += hi[pos:]
    return new_lo, new_hi


_spans: Callable[[array[int], array[int], list[Edit]], tuple[array[int], array[int]]] = (
    native.function("_edits", "spans") or spans
)


def through(
    lo: array[int], hi: array[int], firsts: bytes, ends: bytes
) -> tuple[array[int], array[int]]:
    """The spans in the original (``lo``, ``hi``) of a text made from another whose spans
    those are, each of its characters from the run [first, end) of the other's (``firsts``
    and ``ends``: machine integers, as array('q') reads them). ``native/_edits.c`` does
    the same in C, which is used when it is built."""
    if len(firsts) != len(ends) or len(firsts) % 8:
        raise TypeError("through(lo, hi, firsts: bytes, ends: bytes of as many integers)")
    if len(lo) != len(hi):
        raise ValueError("through: lo and hi are not as long")
    starts, stops = array("q", firsts), array("q", ends)
    if any(not 0 <= a < b <= len(lo) for a, b in zip(starts, stops, strict=True)):
        raise ValueError("through: a span lies outside the text")
    return array("q", map(lo.__getitem__, starts)), array("q", (hi[b - 1] for b in stops))


def regex_edits(
    pattern: re.Pattern[str], text: str, repl: Callable[[re.Match[str]], str]
) -> list[Edit]:
    return [(m.start(), m.end(), r) for m in pattern.finditer(text) if (r := repl(m)) != m.group()]


def normalization_edits(form: NormalForm, text: str) -> list[Edit]:
    """Unicode normalisation as edits on the smallest groups of characters that normalise
    independently. ASCII never combines with what follows, so only each non-ASCII run and
    the character before it (a possible base for combining marks) needs work."""
    if unicodedata.is_normalized(form, text):
        return []
    nf = functools.partial(unicodedata.normalize, form)
    edits: list[Edit] = []
    for run in _NON_ASCII_RUN.finditer(text):
        offset = max(run.start() - 1, 0)
        region = text[offset : run.end()]
        starts = [i for i, ch in enumerate(region) if i == 0 or not unicodedata.combining(ch)]
        groups: list[list[int]] = []
        for begin, end in zip(starts, starts[1:] + [len(region)], strict=True):
            if groups:  # merge with the previous group when they interact (é, Hangul)
                prev = region[groups[-1][0] : groups[-1][1]]
                piece = region[begin:end]
                if nf(prev + piece) != nf(prev) + nf(piece):
                    groups[-1][1] = end
                    continue
            groups.append([begin, end])
        for begin, end in groups:
            out = nf(region[begin:end])
            if out != region[begin:end]:
                edits.append((offset + begin, offset + end, out))
    if apply_edits(text, edits) != nf(text):
        edits = [(0, len(text), nf(text))]  # never seen; stay correct
    return edits


def char_edits(text: str, mapping: Callable[[str], str], may_change: re.Pattern[str]) -> list[Edit]:
    """A per-character mapping as edits, visiting only what may_change finds. Each edit
    covers a letter with its combining marks: a dropped mark still belongs to its letter,
    so a highlight of "e\u0336" covers the stroke too."""
    edits: list[Edit] = []
    done = 0
    for m in may_change.finditer(text):
        start, end = m.start(), m.end()
        if start < done:
            continue
        while start > done and unicodedata.category(text[start])[0] == "M":
            start -= 1
        while end < len(text) and unicodedata.category(text[end])[0] == "M":
            end += 1
        done = end
        if (out := mapping(text[start:end])) != text[start:end]:
            edits.append((start, end, out))
    return edits
