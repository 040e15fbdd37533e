"""Folding at the level of words: letters spaced apart, joiners inside words, leetspeak.

Each stage looks at a class string (one character per character of the text: see
char_class) with regexes that start on a literal character, so ordinary text costs a
fast scan, and returns the edits to make. The normaliser's fast path applies them to the
text, its exact path to a Track: the same edits, so the two routes agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from homeward.screening import native
from homeward.screening.edits import Edit

APOSTROPHES = "'`"  # curly ones were straightened already; ʼ and ʻ look like '
LEET_LETTER = dict(zip("01345789!|$@", "oieastbgiisa", strict=True))
# A digit-and-letter token that is a number with a unit ("5pm", "1st", "1990s", "4x4"), not
# a disguised word. Single letters are not units here: "0f", "1n", "1t" are leet for words.
_NUMBER_LIKE = re.compile(
    r"[0-9]+(?:st|nd|rd|th|am|pm|hrs?|mins?|secs?|lbs?|kg|mg|ml|oz|ft|in|mi|km|cm|mm|mph|yrs?"
    r"|yo|gb|mb)|[0-9]{2,}s|[0-9]+x[0-9]+"
)


class LazyTable(dict[int, str]):
    """A str.translate table filled in on first sight of each character, so we need not
    classify all 1.1 million code points at import. It keeps at most 65,536 of them, so
    messages full of odd characters cannot grow it without end."""

    def __init__(self, rule: Callable[[str], str]) -> None:
        super().__init__()
        self._rule = rule

    def __missing__(self, cp: int) -> str:
        value = self._rule(chr(cp))
        if len(self) < 65_536:
            self[cp] = value
        return value


def char_class(ch: str) -> str:
    """One character per character, so the folding regexes run on a tiny alphabet: a letter,
    1 leet digit, 0 other digit, ! for ! and | (which may end a sentence), $ for $ and @,
    ' apostrophe, . dot, - joiner, ? list punctuation (never joins letters: "a, b, c"
    stays), and " " for space and everything else that ends a word."""
    if ch in APOSTROPHES:
        return "'"
    if ch in LEET_LETTER:
        return "1" if ch.isdigit() else "!" if ch in "!|" else "$"
    if ch.isalpha() or unicodedata.category(ch).startswith("M"):
        return "a"
    if ch.isnumeric():
        return "0"
    if ch in ".-_*~^=+#":
        return "." if ch == "." else "-"
    return "?" if ch in ",;:/&?" else " "


CLASSES = LazyTable(char_class)
# The same for Latin-1 characters, one byte each: most messages are classed by
# bytes.translate, several times faster than str.translate through a table of objects.
LATIN1_CLASSES = bytes(ord(char_class(chr(c))) for c in range(256))


def classes_of(text: str) -> str:
    """``text.translate(CLASSES)``: each character's class."""
    try:
        data = text.encode("latin-1")
    except UnicodeEncodeError:
        return text.translate(CLASSES)
    return data.translate(LATIN1_CLASSES).decode("latin-1")


# Patterns on the class string. Each starts with a literal character, which the regex
# engine finds fastest, and checks the context after it.
# Letters spaced apart: three or more elements with 1-3 separators between them, where an
# element is one letter or digit with any leet symbols or apostrophes around it ("7@", "n's")
# or between it and the next ("3$5"). The last one ends a word. (Spelled so that most
# attempts, at the start of each ordinary word, fail at its second letter.)
_ELEMENT = r"[!$']*[a1](?:[!$']+[a1])*[!$']*"
_SPACED_RUN = rf"{_ELEMENT}[ .\-][ .\-]{{0,2}}(?:{_ELEMENT}[ .\-]{{1,3}})+{_ELEMENT}(?![a01])"
_SPACED = re.compile(r" (?=[a1][!$' .\-])" + _SPACED_RUN)
_SPACED_AT_START = re.compile(_SPACED_RUN)
# Joiner runs with a letter (or leet symbol) on one side and a letter or digit on the other.
_JOINER = re.compile(r"-(?:(?<=[a!$]-)-*(?=[a01!$])|(?<=[01]-)-*(?=[a!$]))")
# A dot between two tokens; joined when it looks like "b.0.l$4" rather than "3.5" or "end.Now".
_DOT = re.compile(r"\.(?<=[a01!$]\.)(?=[a01!$])")
# Where leet may be: a leet digit touching a letter or symbol, a ! or | before a letter or
# digit (after one it may end a sentence: "team!"), a $ or @ by a letter, and a lone @.
_LEET = {
    "1": re.compile(r"1(?:(?<=[a!$]1)|(?=[a!$]))"),
    "!": re.compile(r"!(?=[a01!$])"),
    "$": re.compile(r"\$(?:(?=[01!$]*a)|(?<=a\$)|(?<![a01]\$)(?![a01]))"),
}
_TOKEN_TAIL = re.compile(r"[a01!$']*")
_SEPARATORS = re.compile(r"[ .\-]+")


@lru_cache(maxsize=8)
def spaced_runs(classes: str) -> tuple[tuple[int, int, tuple[Edit, ...]], ...]:
    """Join letters spaced, dotted or hyphenated apart: "e s c a p e", "3.s.c.4.p.3". A
    wide gap stays between words, and so do spaces among more dots or hyphens
    ("b.r.e.a.k o.u.t"; but "x-r a t e d" is one word). The last few answers are kept: a
    message with letters spaced apart asks twice of each of two class strings (its folded
    view, from the plain view and again from the base, then the view's exact map)."""
    if _may_be_spaced is not None and not _may_be_spaced(classes):
        return ()  # no two segments in a row that could be spaced letters (most texts)
    first = _SPACED_AT_START.match(classes)
    runs = [first.span()] if first else []
    runs += [
        (m.start() + 1, m.end()) for m in _SPACED.finditer(classes, first.end() if first else 0)
    ]
    joined = []
    for start, end in runs:
        gaps = [m.span() for m in _SEPARATORS.finditer(classes, start, end)]
        letters = classes.count("a", start, end)
        if not letters or 3 * letters < len(gaps) + 1:  # "1 2 3", "I 5 4 1" are not words
            continue
        spaced = [" " in classes[a:b] for a, b in gaps]
        among_dots = 2 * spaced.count(True) < len(spaced)
        edits = tuple(
            (a, b, " " if space and ("  " in classes[a:b] or among_dots) else "")
            for (a, b), space in zip(gaps, spaced, strict=True)
        )
        joined.append((start, end, edits))
    return tuple(joined)


# ``native/_text.c``: a test, in C, that is False only where the regexes would find nothing.
_may_be_spaced: Callable[[str], bool] | None = native.function("_text", "may_be_spaced")


def spaced_edits(text: str, classes: str) -> list[Edit]:
    return [edit for *_, edits in spaced_runs(classes) for edit in edits]


def joiner_edits(text: str, classes: str) -> list[Edit]:
    """Drop hyphens, underscores and the like inside a word ("es-cape", "k_i_l_l"), and dots
    inside a word that has a single letter or leet on either side ("b.0.l$4", "U.S")."""
    edits = [(m.start(), m.end(), "") for m in _JOINER.finditer(classes)]
    for m in _DOT.finditer(classes):
        before = classes[_token_start(classes, m.start()) : m.start()]
        after = classes[m.end() : _token_end(classes, m.end())]
        around = before + after
        leet = "1" in around or "!" in around or "$" in around
        if "a" in around and (len(before) == 1 or len(after) == 1 or leet):
            edits.append((m.start(), m.end(), ""))
    return sorted(edits)


def _token_end(classes: str, at: int) -> int:
    tail = _TOKEN_TAIL.match(classes, at)
    return tail.end() if tail else at  # the pattern matches the empty string: always a tail


def _token_start(classes: str, at: int) -> int:
    before = classes.rfind(" ", 0, at), classes.rfind("?", 0, at), classes.rfind(".", 0, at)
    return 1 + max(*before, classes.rfind("-", 0, at))


def leet_edits(text: str, classes: str) -> list[Edit]:
    """Leet characters -> letters in tokens that have a letter and are not a number with a
    unit ("3sc4p3" -> "escape", "p1ll$", "!n"; "5pm", "28th" stay; but "ak47" -> "akat"),
    and in tokens of leet digits with !, | or @ ("!7" -> "it", a lone "@" -> "a"; "$40",
    "911" stay)."""
    edits: list[Edit] = []
    done = 0
    candidates = [m.start() for c, p in _LEET.items() if c in classes for m in p.finditer(classes)]
    for at in sorted(candidates):
        if at < done:
            continue  # already handled as part of an earlier token
        start = _token_start(classes, at)
        end = done = _token_end(classes, at)
        while end > start and classes[end - 1] == "!":  # "team!", "wow!!" end a sentence
            end -= 1
        token = classes[start:end]
        if "a" in token:
            digits = start + len(token) - len(token.lstrip("!$"))  # "@5pm" is a time
            if _NUMBER_LIKE.fullmatch(text, digits, end):
                continue
        elif not (
            text[start:end] == "@" or "1" in token and ("!" in token or "@" in text[start:end])
        ):
            continue
        edits += [
            (i, i + 1, LEET_LETTER[text[i]]) for i in range(start, end) if classes[i] in "1!$"
        ]
    return edits
