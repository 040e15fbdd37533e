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
character); Python only loops over the rare places that need an edit. The exact offset
maps are built by a slower routine, and only when to_original() is first called, i.e. when
a rule hit. That routine replays the same stages as explicit edits (edits.py): the word
stages (folding.py) share their edit functions with the fast path, and for the bulk stages
(NFKC, case, white space, marks, repeats) property tests prove both routes agree.
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from homeward.screening.edits import (
    Edit,
    Track,
    apply_edits,
    char_edits,
    normalization_edits,
    regex_edits,
)
from homeward.screening.folding import (
    CLASSES,
    LazyTable,
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
        if _HAS_INVISIBLE_BMP.search(text) or (_has_astral(text) and _INVISIBLE.search(text)):
            text = _INVISIBLE.sub("", text)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        text = text.casefold()
        for space in _SPACES:
            if space in text:
                text = text.replace(space, " ")
    while "   " in text:  # str.replace beats a regex here
        text = text.replace("   ", "  ")
    return text


def _squeeze(text: str) -> str:
    """Runs of spaces -> one, ends trimmed."""
    text = text.strip(" ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def plain(text: str) -> str:
    """The plain view's text of any string."""
    return _squeeze(_base(text))


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
    if not text.isascii() and not unicodedata.is_normalized("NFD", text):
        text = unicodedata.normalize("NFD", text)
    # The same as text.translate(_FOLD_CHARS), only faster: accents and "¿" are most of it.
    if not text.isascii() and _MARKS.search(text):
        text = _MARKS.sub("", text)
    if not text.isascii() and _SYMBOLS.search(text):
        text = _SYMBOLS.sub(" ", text)
    if not text.isascii() and (_LOOKALIKE.search(text) or _has_astral(text)):
        text = text.translate(_FOLD_CHARS)
    while "   " in text:  # a dropped mark or symbol can leave spaces together
        text = text.replace("   ", "  ")
    classes = text.translate(CLASSES)
    edits = spaced_edits(text, classes)
    if edits and squeezed is not None and squeezed != base:
        return _fold_base(base)
    joined = changed = bool(edits)
    if joined:
        text = apply_edits(text, edits)
    if "'" in text or "`" in text:  # after joining spaced letters, which may be "n's"
        text, changed = text.replace("'", "").replace("`", ""), True
    if changed:
        classes = text.translate(CLASSES)
    for edits_of in (joiner_edits, leet_edits):
        edits = edits_of(text, classes)
        if edits:
            text = apply_edits(text, edits)
            classes = text.translate(CLASSES)
    return _collapse_repeats(_squeeze(text)), joined


def fold(text: str) -> str:
    """The folded view's text of any string (used on rule phrases)."""
    return _fold_base(_base(_case_lookalikes(text)))[0]


def _has_astral(text: str) -> bool:
    return len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)


def _collapse_repeats(text: str) -> str:
    if not text.isascii():
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


# ---- the slow, exact path: the same stages as explicit edits ----------------------------


def _track_base(original: str) -> Track:
    track = Track.of(original)
    track = track.apply(char_edits(track.text, lambda ch: ch.translate(_STRAIGHTEN), _CURLY))
    track = track.apply(regex_edits(_INVISIBLE, track.text, lambda m: ""))
    track = track.apply(normalization_edits("NFKC", track.text))
    track = track.apply(char_edits(track.text, str.casefold, _MAY_CASEFOLD))
    return track.apply(regex_edits(_ODD_SPACE, track.text, lambda m: " " * min(len(m[0]), 2)))


def _squeeze_edits(text: str) -> list[Edit]:
    trim = lambda m: "" if m.start() == 0 or m.end() == len(text) else " "  # noqa: E731
    return regex_edits(_ODD_SPACE_RUN, text, trim)


def _track_plain(original: str) -> tuple[Track, list[Span]]:
    track = _track_base(original)
    return track.apply(_squeeze_edits(track.text)), []


def _track_folded(original: str) -> tuple[Track, list[Span]]:
    """The exact folded view, and the spans of it that were letters spaced apart. Offsets
    are those of the original: _case_lookalikes maps one character for one."""
    track = _track_base(_case_lookalikes(original))
    track = track.apply(normalization_edits("NFD", track.text))
    track = track.apply(char_edits(track.text, lambda ch: ch.translate(_FOLD_CHARS), _MAY_FOLD))
    track = track.apply(regex_edits(_WIDE_GAP, track.text, lambda m: "  "))
    runs = spaced_runs(track.text.translate(CLASSES))
    spaced = [(track.lo[start], track.hi[end - 1]) for start, end, _ in runs]
    track = track.apply([edit for *_, edits in runs for edit in edits])
    track = track.apply(regex_edits(_APOSTROPHE, track.text, lambda m: ""))
    for edits_of in (joiner_edits, leet_edits):
        track = track.apply(edits_of(track.text, track.text.translate(CLASSES)))
    track = track.apply(_squeeze_edits(track.text))
    track = track.apply(regex_edits(_REPEAT, track.text, lambda m: m.group(1)))
    return track, [
        (bisect.bisect_left(track.lo, lo), bisect.bisect_right(track.hi, hi)) for lo, hi in spaced
    ]


# ---- the public interface -------------------------------------------------------------


@dataclass
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


@dataclass
class Normalized:
    original: str
    plain: View
    folded: View


def normalize(text: str) -> Normalized:
    """Both views of a text; their offset maps are built only if to_original is called."""
    base = _base(text)
    mapped = _case_lookalikes(text)
    plain_text = _squeeze(base)
    folded, joined = _fold_base(base, plain_text) if mapped is text else _fold_base(_base(mapped))
    return Normalized(
        text,
        View(plain_text, lambda: _track_plain(text), len(text)),
        View(folded, lambda: _track_folded(text), len(text), joined),
    )
