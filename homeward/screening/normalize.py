"""Two normalised views of a message, each mapping back to offsets in the original.

* plain: curly quotes straightened, NFKC, case-folded, invisible and format characters
  removed (zero-width, soft hyphen, bidi controls, variation selectors, control
  characters), white space runs -> one space, ends trimmed. Numbers, money and handles are
  matched here.
* folded: the same, then lookalike letters -> Latin, combining marks and apostrophes
  dropped, other non-ASCII punctuation and emoji -> space, letters spaced, dotted or
  hyphenated apart joined ("e s c a p e"; a wide gap stays between words), joiners inside
  words removed ("es-cape", "es_cape"), leetspeak inside words ("3sc4p3"; "$40", "911",
  "5pm" stay), repeated letters collapsed ("kill" -> "kil": rule phrases fold the same way).

Speed: every message goes through normalize(), so the views are built with C-level string
operations only (translate, replace, normalize, regex scans that start on a literal
character); Python only loops over the rare places that need an edit. Most messages (each
character mapped alone: Latin-1, symbols and emoji, curly quotes; no letters spaced
apart) take one pass in C for each view (``native/_text.c``: plain_chars, fold_simply; the
folded view's pass asks the Python leet stage where leet may be, and makes its edits, a
character for a character, in place).
The exact offset maps are built only when to_original() is first called, i.e. when
something hit: for those messages by the same passes, which also say where each character
comes from (plain_origins, fold_simply_origins); for the others by a slower routine that
replays the stages as explicit edits (edits.py). The word stages (folding.py) share their
edit functions with the fast path, and for the bulk stages (NFKC, case, white space,
marks, repeats) and the passes in C, property tests prove the routes agree.
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

from homeward.screening import native
from homeward.screening.edits import (
    Edit,
    Track,
    apply_edits,
    char_edits,
    normalization_edits,
    regex_edits,
    through,
)
from homeward.screening.folding import (
    APOSTROPHES,
    LATIN1_CLASSES,
    LazyTable,
    classes_of,
    joiner_edits,
    leet_edits,
    spaced_edits,
    spaced_runs,
)

logger = logging.getLogger(__name__)
Span = tuple[int, int]


# Characters a reader cannot see; removed before anything else so they cannot split words.
# Cf as of Unicode 15, non-space controls, variation selectors, the combining grapheme
# joiner and the Hangul fillers. A test checks this covers unicodedata's Cf and Cc.
_INVISIBLE_BMP = (
    "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\xad\u034f\u0600-\u0605\u061c\u06dd\u070f"
    "\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
)
_INVISIBLE_ASTRAL = (
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f\U000e0100-\U000e01ef"
)
_INVISIBLE = re.compile(f"[{_INVISIBLE_BMP}{_INVISIBLE_ASTRAL}]+")
# A set of only BMP characters compiles to a lookup table: three times faster to scan.
_HAS_INVISIBLE_BMP = re.compile(f"[{_INVISIBLE_BMP}]")
# ASCII shortcut for the plain view: lower case, every white space -> " ", controls -> NUL
# to be deleted after (a table without deletions keeps str.translate on its fast path).
_ASCII_PLAIN = {
    i: " " if ch.isspace() else "\0" if _INVISIBLE.match(ch) else ch.lower()
    for i, ch in ((i, chr(i)) for i in range(128))
}

# Letters that look like Latin ones, after case folding: Cyrillic, Greek, Latin letters
# that do not decompose, small capitals, and the modifier-letter apostrophes. (Fullwidth
# and mathematical letters, ligatures and circled letters are already Latin after NFKC.)
_LOOKALIKES = dict(
    zip(
        "авекмнорстухѕіјԁԛԝһүьпгӏαβγεζηικμνορτυχωıɑɩøđħłŧƀɇᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢʼʻ",
        "abekmhopctyxsijdqwhybnrlabyeznikuvoptuxwiaiodhltbeabcdefghijklmnoprstuvwyz''",
        strict=True,
    )
)
_CURLY_QUOTES = [("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"')]
_STRAIGHTEN = str.maketrans(dict(_CURLY_QUOTES))
_CASE_LOOKALIKES = str.maketrans("ΗΜΝΥ", "HMNY")
_APOSTROPHE = re.compile("['`]+")


def _fold_char(ch: str) -> str:
    """Lookalikes -> Latin; combining marks go; other punctuation, symbols and emoji outside
    ASCII end a word ("¿", "“", "—", "❤")."""
    if ch in _LOOKALIKES:
        return _LOOKALIKES[ch]
    category = unicodedata.category(ch)
    if category in ("Mn", "Me"):
        return ""
    if not ch.isascii() and (category[0] in "PS" or "\U0001f000" <= ch <= "\U0001faff"):
        return " "
    return ch


_FOLD_CHARS = LazyTable(_fold_char)
# What _fold_char changes, as regexes that replace with a string (fast in C): marks and
# symbols in the BMP (listed once at import, 5 ms), and lookalikes. The rest (beyond the
# BMP, and never in ordinary text) goes through the table.
_FOLDED_BMP: dict[str, list[str]] = {"": [], " ": []}
for _ch in map(chr, [*range(0x80, 0xD800), *range(0xE000, 0x10000)]):
    _FOLDED_BMP.get(_fold_char(_ch), []).append(_ch)
_MARKS = re.compile(f"[{''.join(_FOLDED_BMP[''])}]")
_SYMBOLS = re.compile(f"[{''.join(_FOLDED_BMP[' '])}]")
_LOOKALIKE = re.compile(f"[{''.join(_LOOKALIKES)}]")


def _latin1_table(value: Callable[[str], str]) -> bytes:
    """A bytes.translate table from what each Latin-1 character becomes: \0 where it is
    dropped, \x01 where it does not become one Latin-1 character."""
    out = []
    for ch in map(chr, range(256)):
        to = value(ch)
        out.append(0 if to == "" else ord(to) if len(to) == 1 and 1 < ord(to) < 256 else 1)
    return bytes(out)


# The plain view's base character by character (invisible -> gone, white space -> " ", else
# NFKC and case folding: "É" -> "é"; "ß", "µ", "¼" change length or leave Latin-1).
_LATIN1_PLAIN = _latin1_table(
    lambda ch: (
        ""
        if _INVISIBLE.match(ch)
        else " "
        if ch.isspace()
        else unicodedata.normalize("NFKC", ch).casefold()
    )
)
# The same for the exact route: white space is left to its own stage there.
_LATIN1_EXACT = _latin1_table(
    lambda ch: "" if _INVISIBLE.match(ch) else unicodedata.normalize("NFKC", ch).casefold()
)
_LATIN1_FOLD = _latin1_table(
    lambda ch: "\x01" if ch < " " else unicodedata.normalize("NFD", ch).translate(_FOLD_CHARS)
)


def _wide_table() -> dict[int, int]:
    """What the fast paths make of the characters beyond Latin-1 that people type: curly
    quotes (straightened), characters a reader cannot see (dropped: the joiners and
    variation selectors inside emoji), and symbols that NFKC, case folding and NFD leave
    alone and the folded view makes a space (dashes, bullets, hearts, emoji: kept as they
    are in the plain view). Any other character takes the general route. (Built from the
    blocks where such characters are, in a few milliseconds.)"""
    table = {ord(curly): ord(straight) for curly, straight in _CURLY_QUOTES}
    blocks = [range(0x2000, 0x2C00), range(0xFE00, 0xFE10), range(0xFEFF, 0xFF00)]
    blocks += [range(0x1F000, 0x1FB00), range(0xE0000, 0xE0080)]
    for code in (code for block in blocks for code in block if code not in table):
        ch = chr(code)
        if _INVISIBLE.match(ch):
            table[code] = 0
        elif (
            not ch.isspace()
            and unicodedata.normalize("NFKC", ch) == ch
            and unicodedata.normalize("NFD", ch) == ch
            and ch.casefold() == ch
            and _fold_char(ch) == " "
        ):
            table[code] = code
    return table


_WIDE = _wide_table()
# White space that survives NFKC; the rest (no-break, em, ideographic spaces) became " ".
_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\u1680\u2028\u2029"

# For the exact path: what a stage may change, so it visits only that.
_CURLY = re.compile("[\u2018\u2019\u201c\u201d]")
_MAY_CASEFOLD = re.compile("[A-Z\x80-\U0010ffff]")
_MAY_FOLD = re.compile("[\x80-\U0010ffff]")
_ODD_SPACE = re.compile(r"\s\s+|[^\S ]")  # runs, and any white space but a space
_ODD_SPACE_RUN = re.compile("^ +|  +| +$")  # runs, and a space at either end
_WIDE_GAP = re.compile(" {3,}")
_REPEAT = re.compile(r"([^\W\d_])\1+")
_ZERO_TO_FF = bytes([0xFF] + [0] * 255)
_NUL_RUN = re.compile(b"\0+")
_MARKED_RUN = re.compile(b"\xff\xff*")  # starts on a literal byte: found fast
_LETTER_TO_FF = bytes(0xFF if chr(i).isalpha() and i < 128 else 0 for i in range(256))


# ---- the fast path -----------------------------------------------------------------


def _base(text: str) -> str:
    """Invisible characters gone, NFKC, case-folded, every white space a space, and runs of
    spaces kept at two at most: the folded view reads a wide gap ("b r e a k   o u t") as a
    gap between words. The plain view squeezes them."""
    if not text.isascii():  # phones type curly quotes; straight ones keep us on ASCII
        for curly, straight in _CURLY_QUOTES:
            if curly in text:
                text = text.replace(curly, straight)
    if text.isascii():
        text = text.translate(_ASCII_PLAIN)
        if "\0" in text:
            text = text.replace("\0", "")
    else:
        text = _base_non_ascii(text)
    while "   " in text:  # str.replace beats a regex here
        text = text.replace("   ", "  ")
    return text


def _base_non_ascii(text: str) -> str:
    latin = _latin1(text, _LATIN1_PLAIN)
    if latin is not None:
        return latin
    # Latin-1 with symbols, emoji, curly quotes: each character mapped alone, in C.
    mapped = None if _plain_chars is None else _plain_chars(text, _LATIN1_PLAIN, _WIDE)
    if mapped is not None:
        return mapped
    return _base_general(text)


def _base_general(text: str) -> str:
    """The general route for any text: invisible characters out, NFKC, case folding, every
    white space a space."""
    if _HAS_INVISIBLE_BMP.search(text) or (_has_astral(text) and _INVISIBLE.search(text)):
        text = _INVISIBLE.sub("", text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    for space in _SPACES:
        if space in text:
            text = text.replace(space, " ")
    return text


def _latin1(text: str, table: bytes) -> str | None:
    """A text of Latin-1 characters mapped one byte at a time (bytes.translate, in C), or
    None if it has other characters or one the table marks \x01 (needs the general route).
    \0 in the table deletes. Most messages in Western languages take this route."""
    try:
        data = text.encode("latin-1")
    except UnicodeEncodeError:
        return None
    data = data.translate(table)
    if b"\x01" in data:
        return None
    if b"\0" in data:
        data = data.translate(None, b"\0")
    return data.decode("latin-1")


def squeeze(text: str) -> str:
    """Runs of spaces -> one, ends trimmed."""
    text = text.strip(" ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def plain(text: str) -> str:
    """The plain view's text of any string."""
    view = None if _plain_view is None else _plain_view(text, _LATIN1_PLAIN, _WIDE)
    return _squeeze(_base(text)) if view is None else view


_SPANISH_ACCENTS = str.maketrans("áéíóúüñ", "aeiouun")


def bare(text: str) -> str:
    """Case-folded, without the accents Spanish writes ("La Víctima" is "la victima"), and
    nothing else undone: letters in disguise (full-width, struck through, with invisible
    characters between them) stay as they were written, for the callers that ask whether a
    word was written plainly."""
    return unicodedata.normalize("NFC", text.casefold()).translate(_SPANISH_ACCENTS)


def _case_lookalikes(text: str) -> str:
    """Greek capitals that look like other Latin letters than their small forms (Η is H, η
    is n): mapped before case folding, one character for one, so offsets do not move."""
    if text.isascii() or not any(capital in text for capital in "ΗΜΝΥ"):
        return text
    return text.translate(_CASE_LOOKALIKES)


def _fold_base(base: str, squeezed: str | None = None) -> tuple[str, bool]:
    """The folded view's text, from _base() of the text, and whether letters spaced apart
    were joined. Given the base squeezed as well, starts from that (saving a squeeze): the
    same unless letters spaced apart need the wide gaps; then it starts again from the base."""
    text = base if squeezed is None else squeezed
    if not text.isascii():
        text = _fold_chars(text)
    while "   " in text:  # a dropped mark or symbol can leave spaces together
        text = text.replace("   ", "  ")
    classes = classes_of(text)
    edits = spaced_edits(text, classes)
    if edits and squeezed is not None and squeezed != base:
        return _fold_base(base)
    joined = changed = bool(edits)
    if joined:
        text = apply_edits(text, edits)
    if "'" in text or "`" in text:  # after joining spaced letters, which may be "n's"
        text, changed = text.replace("'", "").replace("`", ""), True
    if changed:
        classes = classes_of(text)
    for edits_of in (joiner_edits, leet_edits):
        edits = edits_of(text, classes)
        if edits:
            text = apply_edits(text, edits)
            classes = classes_of(text)
    return _collapse_repeats(_squeeze(text)), joined


def _fold_chars(text: str) -> str:
    """NFD, then text.translate(_FOLD_CHARS): lookalikes -> Latin, marks dropped, symbols
    -> space. Done one byte at a time for Latin-1 text (NFD splits each of its letters into
    a letter and one mark, so character by character is the same), else with regexes that
    replace with a string (faster than translate: accents and "¿" are most of it)."""
    latin = _latin1(text, _LATIN1_FOLD)
    if latin is not None:
        return latin
    if not unicodedata.is_normalized("NFD", text):
        text = unicodedata.normalize("NFD", text)
    if not text.isascii() and _MARKS.search(text):
        text = _MARKS.sub("", text)
    if not text.isascii() and _SYMBOLS.search(text):
        text = _SYMBOLS.sub(" ", text)
    if not text.isascii() and (_LOOKALIKE.search(text) or _has_astral(text)):
        text = text.translate(_FOLD_CHARS)
    return text


def fold(text: str) -> str:
    """The folded view's text of any string (used on rule phrases, and on each word a
    message brings that screening has not seen before): taken in one pass where it can be,
    as ``normalize`` takes it."""
    mapped = _case_lookalikes(text)
    base = _base(mapped)
    if _fold_simply is not None and mapped is text:
        simply = _fold_simply(
            _squeeze(base), _LATIN1_FOLD, LATIN1_CLASSES, _WIDE, spaced_edits, leet_edits
        )
        if simply is not None:
            return simply
    return _fold_base(base)[0]


def _has_astral(text: str) -> bool:
    return len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)


def collapse_repeats(text: str) -> str:
    """Each run of one letter repeated -> the letter."""
    if not text.isascii() or "\0" in text:  # the fast path marks deletions with NUL
        return _REPEAT.sub(r"\1", text)
    # ASCII: find "letter equals the next byte" for all positions at once with big-integer
    # XOR and bytes.translate, zero the repeats and delete the zero bytes -- four times
    # faster than the regex on ordinary text, which repeats letters often ("all", "see").
    # The plain view has no NUL characters, so zero is free to mark deletions.
    data = text.encode("ascii")
    x = int.from_bytes(data, "little")
    same = (x ^ (x >> 8)).to_bytes(len(data), "little").translate(_ZERO_TO_FF)
    drop = int.from_bytes(same, "little") & int.from_bytes(data.translate(_LETTER_TO_FF), "little")
    if not drop:
        return text
    kept = (x & ~(drop << 8)).to_bytes(len(data), "little")
    return kept.translate(None, b"\0").decode("ascii")


# ``native/_text.c`` does both in C; used when it is built.
_squeeze: Callable[[str], str] = native.function("_text", "squeeze") or squeeze
_collapse_repeats: Callable[[str], str] = (
    native.function("_text", "collapse_repeats") or collapse_repeats
)
# And, in one pass, what _fold_base makes of a squeezed plain view without letters spaced
# apart (most messages, and those with leet), given _LATIN1_FOLD, the class table, _WIDE,
# and the two word stages it asks where its quick tests say letters may be spaced apart or
# leet may be; None where there are letters spaced apart or a character needs the general
# route. Where it is not built, _fold_base runs for every message. The same with where each
# character of the view comes from: its exact map, found in one pass.
Origins = tuple[str, bytes, bytes]
_Stage = Callable[[str, str], list[Edit]]
_fold_simply: Callable[[str, bytes, bytes, dict[int, int], _Stage, _Stage], str | None] | None = (
    native.function("_text", "fold_simply")
)
_fold_simply_origins: (
    Callable[[str, bytes, bytes, dict[int, int], _Stage, _Stage], Origins | None] | None
) = native.function("_text", "fold_simply_origins")
# Spans carried from one text to another made from runs of it (``edits.through``).
_through = native.function("_edits", "through") or through
# The plain view's base of a text whose every character maps alone (by _LATIN1_PLAIN or
# _WIDE), and the plain view with its exact map: what _track_plain replays, in one pass.
_plain_chars: Callable[[str, bytes, dict[int, int]], str | None] | None = native.function(
    "_text", "plain_chars"
)
# The plain view itself where every character maps alone: what _squeeze(_base(text)) is.
_plain_view: Callable[[str, bytes, dict[int, int]], str | None] | None = native.function(
    "_text", "plain_view"
)
_plain_origins: Callable[[str, bytes, dict[int, int]], Origins | None] | None = native.function(
    "_text", "plain_origins"
)


# ---- the slow, exact path: the same stages as explicit edits ----------------------------


def _track_base(original: str, general: bool = False) -> Track:
    """The base as explicit edits. Each stage first checks cheaply whether it has anything
    to do: most texts need only a few of them. Latin-1 text takes the character-by-character
    route of the fast path (one character for one, or deleted) unless ``general``."""
    track = Track.of(original)
    if not original.isascii() and any(curly in original for curly, _ in _CURLY_QUOTES):
        track = track.apply(char_edits(track.text, lambda ch: ch.translate(_STRAIGHTEN), _CURLY))
    latin = None if general else _latin1_track(track, _LATIN1_EXACT)
    if latin is not None:
        track = latin
    else:
        text = track.text
        if _HAS_INVISIBLE_BMP.search(text) or (_has_astral(text) and _INVISIBLE.search(text)):
            track = track.apply(regex_edits(_INVISIBLE, track.text, lambda m: ""))
        track = track.apply(normalization_edits("NFKC", track.text))
        track = track.apply(char_edits(track.text, str.casefold, _MAY_CASEFOLD))
    if general:
        edits = regex_edits(_ODD_SPACE, track.text, lambda m: " " * min(len(m[0]), 2))
    else:
        edits = _odd_space_edits(track.text)
    return track.apply(edits)


def _latin1_track(track: Track, table: bytes) -> Track | None:
    """A stage that maps Latin-1 text one character for one or deletes (see _latin1)."""
    try:
        data = track.text.encode("latin-1").translate(table)
    except UnicodeEncodeError:
        return None
    if b"\x01" in data:
        return None
    track = Track(data.decode("latin-1"), track.lo, track.hi)
    if b"\0" in data:
        track = track.apply([(m.start(), m.end(), "") for m in _NUL_RUN.finditer(data)])
    return track


def _squeeze_edits(text: str) -> list[Edit]:
    """Runs of spaces -> one, ends trimmed: what regex_edits(_ODD_SPACE_RUN, ...) gives, with
    str.find (a regex scan that stops at every space is ten times slower)."""
    head, tail = len(text) - len(text.lstrip(" ")), len(text.rstrip(" "))
    if head == len(text):
        return [(0, head, "")] if head else []
    edits = [(0, head, "")] if head else []
    edits += [(start, end, " ") for start, end in _runs_of_spaces(text, head, tail)]
    if tail < len(text):
        edits.append((tail, len(text), ""))
    return edits


def _runs_of_spaces(text: str, start: int, end: int) -> list[Span]:
    """The runs of two or more spaces in text[start:end]."""
    runs = []
    while (at := text.find("  ", start, end)) >= 0:
        start = at + 2
        while start < end and text[start] == " ":
            start += 1
        runs.append((at, start))
    return runs


def _odd_space_edits(text: str) -> list[Edit]:
    """What regex_edits(_ODD_SPACE, ...) gives (white space runs -> at most two spaces, any
    white space but a space -> a space) on a text after NFKC, where the only white space
    is " " and _SPACES: found with str.find and str.replace instead of a slow regex scan."""
    odd = [space for space in _SPACES if space in text]
    if not odd and "  " not in text:
        return []
    spaced = text
    for space in odd:
        spaced = spaced.replace(space, " ")
    runs = _runs_of_spaces(spaced, 0, len(spaced))
    edits = [(a, b, "  ") for a, b in runs if text[a:b] != "  "]
    starts = [a for a, _ in runs]
    for space in odd:
        at = text.find(space)
        while at >= 0:
            run = bisect.bisect_right(starts, at) - 1
            if run < 0 or runs[run][1] <= at:  # not inside a run
                edits.append((at, at + 1, " "))
            at = text.find(space, at + 1)
    return sorted(edits)


def _apostrophe_edits(text: str) -> list[Edit]:
    """Apostrophes dropped, one edit each (the same spans as one edit per run)."""
    edits = []
    for mark in APOSTROPHES:
        at = text.find(mark)
        while at >= 0:
            edits.append((at, at + 1, ""))
            at = text.find(mark, at + 1)
    return sorted(edits)


# Latin-1 characters whose plain form is not one Latin-1 character ("ß", "½", "µ"): the
# general route, where lengths may change both ways. A table of the 256 bytes, 1 for those.
_LATIN1_GENERAL = bytes(int(_LATIN1_PLAIN[c] == 1) for c in range(256))


def _plain_map(original: str, plain_text: str) -> tuple[Track, list[Span]]:
    """The plain view's exact map. Most messages need no replay: a Latin-1 text mapped one
    character for one, with nothing deleted or squeezed (the same length), is its plain
    view character by character, so the map is the identity; where something was deleted
    or squeezed, one pass in C finds it (``_plain_origins``)."""
    if len(plain_text) == len(original) and _one_for_one(original):
        return Track.of(plain_text), []
    found = None if _plain_origins is None else _plain_origins(original, _LATIN1_PLAIN, _WIDE)
    if found is not None:
        text, firsts, ends = found
        return Track(text, array("q", firsts), array("q", ends)), []
    return _track_plain(original)


def _one_for_one(original: str) -> bool:
    """Whether ``_base`` maps each character of ``original`` to at most one (Latin-1 by
    its table, never by the general route). Its bytes are read through a table: a set's
    ``isdisjoint`` makes an object of every character (20 µs for a letter of 1.6 KB)."""
    if original.isascii():
        return True
    try:
        data = original.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return 1 not in data.translate(_LATIN1_GENERAL)


def all_latin1(text: str) -> bool:
    """Whether every character of ``text`` is in Latin-1."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _simple_folded_map(original: str, plain: View) -> tuple[Track, list[Span]]:
    """The folded view's exact map where ``_fold_simply`` made the view from the plain one:
    the spans the one pass finds in the plain view, carried through the plain view's map
    (as they are where the plain view is the original character for character)."""
    found = None
    if _fold_simply_origins is not None:
        found = _fold_simply_origins(
            plain.text, _LATIN1_FOLD, LATIN1_CLASSES, _WIDE, spaced_edits, leet_edits
        )
    if found is None:
        return _track_folded(original)
    folded, firsts, ends = found
    if len(plain.text) == len(original) and _one_for_one(original):
        return Track(folded, array("q", firsts), array("q", ends)), []
    track = plain._track()
    if track.text != plain.text:  # the routes disagree (never seen): the replay is exact
        return _track_folded(original)
    lo, hi = _through(track.lo, track.hi, firsts, ends)
    return Track(folded, lo, hi), []


def _track_plain(original: str, general: bool = False) -> tuple[Track, list[Span]]:
    track = _track_base(original, general)
    return track.apply(_squeeze_edits_of(track.text, general)), []


def _track_folded(original: str, general: bool = False) -> tuple[Track, list[Span]]:
    """The exact folded view, and the spans of it that were letters spaced apart. Offsets
    are those of the original: _case_lookalikes maps one character for one."""
    track = _track_base(_case_lookalikes(original), general)
    latin = None if general or track.text.isascii() else _latin1_track(track, _LATIN1_FOLD)
    if latin is not None:
        track = latin
    elif not track.text.isascii():
        track = track.apply(normalization_edits("NFD", track.text))
        fold_char = lambda ch: ch.translate(_FOLD_CHARS)  # noqa: E731
        track = track.apply(char_edits(track.text, fold_char, _MAY_FOLD))
    if "   " in track.text:
        track = track.apply(regex_edits(_WIDE_GAP, track.text, lambda m: "  "))
    runs = spaced_runs(classes_of(track.text))
    spaced = [(track.lo[start], track.hi[end - 1]) for start, end, _ in runs]
    track = track.apply([edit for *_, edits in runs for edit in edits])
    if general:
        track = track.apply(regex_edits(_APOSTROPHE, track.text, lambda m: ""))
    else:
        track = track.apply(_apostrophe_edits(track.text))
    for edits_of in (joiner_edits, leet_edits):
        track = track.apply(edits_of(track.text, classes_of(track.text)))
    track = track.apply(_squeeze_edits_of(track.text, general))
    track = track.apply(_repeat_edits(track.text, general))
    return track, [
        (bisect.bisect_left(track.lo, lo), bisect.bisect_right(track.hi, hi)) for lo, hi in spaced
    ]


def _squeeze_edits_of(text: str, general: bool) -> list[Edit]:
    if general:
        trim = lambda m: "" if m.start() == 0 or m.end() == len(text) else " "  # noqa: E731
        return regex_edits(_ODD_SPACE_RUN, text, trim)
    return _squeeze_edits(text)


def _repeat_edits(text: str, general: bool = False) -> list[Edit]:
    """Runs of a repeated letter -> the letter. For ASCII, found as _collapse_repeats finds
    them (a byte per character marking the repeats), then the marked runs with a regex that
    starts on a literal byte: four times faster than _REPEAT."""
    if general or not text.isascii():
        return regex_edits(_REPEAT, text, lambda m: m.group(1))
    data = text.encode("ascii")
    x = int.from_bytes(data, "little")
    same = (x ^ (x >> 8)).to_bytes(len(data), "little").translate(_ZERO_TO_FF)
    drop = int.from_bytes(same, "little") & int.from_bytes(data.translate(_LETTER_TO_FF), "little")
    if not drop:
        return []
    # Byte i of drop is set where character i + 1 repeats character i.
    marks = drop.to_bytes(len(data), "little")
    return [(m.start(), m.end() + 1, text[m.start()]) for m in _MARKED_RUN.finditer(marks)]


# ---- the public interface -------------------------------------------------------------


@dataclass(slots=True)
class View:
    text: str
    # How to build the exact map (on first use, then kept), the original's length, and
    # whether letters spaced apart were joined.
    _build: Callable[[], tuple[Track, list[Span]]] | None = field(
        default=None, repr=False, compare=False
    )
    _original_length: int = field(default=0, repr=False, compare=False)
    _joined: bool = field(default=False, repr=False, compare=False)
    _built: tuple[Track, list[Span]] | None = field(default=None, repr=False, compare=False)
    _utf8: bytes | None = field(default=None, init=False, repr=False, compare=False)

    def utf8(self) -> bytes:
        """The text as UTF-8, made once: the rules, the detectors' gate and the decoders'
        gate each scan a view as bytes."""
        if self._utf8 is None:
            self._utf8 = self.text.encode()
        return self._utf8

    def _track(self) -> Track:
        if self._built is None:
            assert self._build is not None
            self._built = self._build()
        return self._built[0]

    def spaced_out(self) -> list[Span]:
        """Spans of this view that were letters spaced apart ("a s h a n k" -> "ashank").
        Where words begin and end inside them is unknown (a one-letter word next to the
        letters joins them too), so a phrase matched inside one needs no word boundary."""
        if not self._joined:
            return []
        self._track()
        assert self._built is not None
        return self._built[1]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The [start, end) span of the original text that produced text[start:end]."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span {start}:{end} is outside a view of {len(self.text)}")
        if self._build is None:  # a view that is its own original
            return start, end
        track = self._track()
        if track.text != self.text:  # the two routes disagree: be coarse, never wrong
            logger.error("normalize: offset map mismatch for a %d-character text", len(self.text))
            return 0, self._original_length
        if start == end:
            at = track.lo[start] if start < len(track.lo) else (track.hi[-1] if track.hi else 0)
            return at, at
        return track.lo[start], track.hi[end - 1]


@dataclass(slots=True)
class Normalized:
    original: str
    plain: View
    folded: View


def normalize(text: str) -> Normalized:
    """Both views of a text; their offset maps are built only if to_original is called."""
    plain_text = None if _plain_view is None else _plain_view(text, _LATIN1_PLAIN, _WIDE)
    base = None
    if plain_text is None:
        base = _base(text)
        plain_text = _squeeze(base)
    mapped = _case_lookalikes(text)
    plain_view = View(plain_text, lambda: _plain_map(text, plain_text), len(text))
    simply = None
    if _fold_simply is not None and mapped is text:
        simply = _fold_simply(
            plain_text, _LATIN1_FOLD, LATIN1_CLASSES, _WIDE, spaced_edits, leet_edits
        )
    if simply is not None:
        folded, joined = simply, False
        build = lambda: _simple_folded_map(text, plain_view)  # noqa: E731
    else:
        if mapped is text:
            folded, joined = _fold_base(_base(text) if base is None else base, plain_text)
        else:
            folded, joined = _fold_base(_base(mapped))
        build = lambda: _track_folded(text)  # noqa: E731
    return Normalized(text, plain_view, View(folded, build, len(text), joined))
