"""Decoders: hidden messages made readable, so that the rules can screen them again.

``decode(normalized)`` proposes the texts a message may be hiding, each a ``Decoded`` with
the span of the original text it came from and the decoded text as plain lower-case words
(what the engine screens again with the rules and word layers, and what a reviewer sees):

- ``rot13``, ``caesar-<n>`` and ``atbash``: a run of words that are not English or Spanish
  and become mostly words once every letter is shifted back ``n`` places (13 is ROT13) or
  the alphabet is read backwards (A=Z);
- ``reversed``: a sentence written backwards ("yadsruht ecnef") whose words read backwards
  are real words;
- ``reversed-words``: a word that matters written backwards in a sentence written forwards
  ("the enohp is in the elbib cover"), the sentence with its backwards words turned round;
- ``acrostic-lines``: the first letters of four or more lines, or of four or more
  sentences, spelling words; ``acrostic-words``: the first letters of capitalised words
  ("Garage, Umbrella, Nickel", "Te Un Niño El Lunes"), all of them (in a message of at
  most ``MANY_CAPITALISED`` of them) or a run of four or more, spelling words;
- ``letter-numbers``: numbers standing for letters ("5-19-3-1-16-5" is "escape"; A=1,
  else A=0 or Z=1);
- ``spelled-digits``: digits written as English or Spanish words ("five five five, two
  one two", "cinco cinco cinco") or mixed with digits, as the number;
- ``split-words``: a word that matters broken in two by a space or a line break
  ("esc\\nape", "sh ank"), joined, in its sentence as written;
- ``morse``: three or more Morse letters ("--. ..- -. / .. -."), words apart by a slash or
  a bar (letters with none between words are split into words as acrostics are);
- ``play-language``: the languages children speak to keep a secret, three or more words
  of them in a run: the Spanish p-language (jerigonza: "mapatapa apal sapapopo" is "mata
  al sapo") and pig Latin ("e-thay itch-snay" is "the snitch").

Decisions:
- A decoder proposes only what plausibly *is* a hidden message: the decoded letters must
  be mostly words (an own list of common English and Spanish words, the words that matter
  to screening, and the lemmatiser's dictionaries for longer words), and clearly more so
  than the text as written. The rules then judge what the decoded text says.
- The word decoders read the *folded* view (spaced and dotted letters joined, leetspeak
  undone, accents and repeated letters dropped); so do the word lists they look words up
  in. Acrostics read the original (capitals and line breaks are the code).

- "Spells words" for an acrostic: the initials split into common words or words that
  matter covering most of them with one of four letters or more, or holding a word that
  matters. Initials of every word of a sentence are not read: ordinary sentences spell
  short words by chance, and reading them costs every message. A message that says to
  read it down ("read it slow", "read this one the way we talked about", "léelo de arriba
  pa abajo") has said that its lines hold something: there, words covering three in five
  of the initials of its lines or sentences (its greeting and the line saying so among
  them), one of four letters or more, or a word that matters of three, are enough.

Speed: most messages yield nothing, and cheaply (about 15-35 µs a message on the
development set, most of it the gates). A hyperscan scan of the folded view (shifted and
reversed common words, words that matter backwards or broken in two, number groups, number
words; one database built once per process, about a second and a half) says which word
decoders could find anything; acrostics are first read as a string of capitals or
sentence initials and looked at only if a piece of it begins a word. Only then are words
looked up one by one (each word once per process, cached). ``decode(...,
use_gate=False)`` runs every decoder: the tests use it to show the gate hides nothing.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import takewhile
from typing import TYPE_CHECKING, cast

from homeward.screening import native
from homeward.screening.detector_cipher import KNOWN_WORDS
from homeward.screening.detector_patterns import NUMBER_WORDS
from homeward.screening.layers.once import once
from homeward.screening.layers.tokens import dictionary_starts, in_dictionary, key
from homeward.screening.normalize import Normalized, View, all_latin1

if TYPE_CHECKING:
    import hyperscan

NAMES = (
    "rot13",
    "caesar",
    "atbash",
    "reversed",
    "reversed-words",
    "acrostic-lines",
    "acrostic-words",
    "letter-numbers",
    "spelled-digits",
    "split-words",
    "morse",
    "play-language",
)


@dataclass(frozen=True)
class Decoded:
    """A text a message may be hiding. ``name``: the decoder ("caesar-3" for a shift of
    three); ``start``, ``end``: the span of the original text it came from; ``text``: the
    decoded text as plain lower-case words."""

    name: str
    start: int
    end: int
    text: str


Span = tuple[int, int]

# --- words ------------------------------------------------------------------------------

# Common words beyond the cipher detector's list, the ones hidden messages are made of:
# days, times, places in a facility, things passed, and the verbs that go with them.
_MORE_WORDS = """
    monday tuesday wednesday thursday friday saturday sunday tues thurs wed sat sun mon fri
    night midnight noon dawn morning evening afternoon hour clock count shift
    fence wall gate door window roof yard tower tunnel drain vent bars lock key keys cell
    block tier unit pod dorm kitchen laundry chapel library gym shower showers bathroom
    north south east west left right back front side behind under over inside outside
    bring take hide hidden drop pick leave run go going gone out get meet wait ready
    car van truck ride road lot field woods river creek bridge church store station
    money cash bag box package card cards phone stuff shoe shoes book paper letter mail
    blue red green black white brown big little new old same tell call said says done
    knife gun shank blade piece weed dope pills coke meth escape kill hit stab shoot beat
    hurt pay owe debt tax taxes dues snitch witness cop cops guard guards officer
    lunes martes miercoles miércoles jueves viernes sabado sábado domingo noche tarde
    madrugada hora medianoche cuenta turno barda muro reja puerta ventana techo patio
    torre tunel túnel drenaje celda pasillo cocina lavanderia capilla biblioteca regadera
    norte sur este oeste izquierda derecha atras atrás detras detrás debajo encima dentro
    fuera afuera traer trae trae llevar lleva esconder escondido dejar deja recoger
    salir sal vete correr esperar espera listo lista carro troca camioneta camino rio río
    puente iglesia tienda dinero lana feria bolsa caja paquete tarjeta telefono teléfono
    cosa zapato zapatos libro papel carta correo azul rojo roja verde negro negra blanco
    cuchillo pistola fierro punta navaja droga mota coca cristal pastillas fuga escapar
    matar pegar picar golpear pagar debe deuda cuota soplon soplón testigo guardia
    llego llegó llega pide pidio pidió todo dia día lomo pesos peso confinado espejo
    confinamiento estado listo tenemos mercancia mercancía casa
    daddy mommy papa papi mami abuela grandma grandpa nana welcome
"""
COMMON = KNOWN_WORDS | frozenset(_MORE_WORDS.split())
COMMON_KEYS = frozenset(key(w) for w in COMMON)

# Words that matter to screening, whole: what a split word or an acrostic is worth
# proposing for (besides a sentence of common words).
_TRIGGER_WORDS = """
    escape escaping jailbreak tunnel fence ladder rope hacksaw cutters breakout runaway
    knife knives shank shiv blade razor weapon pistol rifle glock gun guns ammo bullets
    shotgun piece strap burner stab kill murder shoot hurt beat jump smash snitch rat
    heroin cocaine crack meth fentanyl suboxone xanax oxy percs pills weed dope kush
    spice k2 strips molly ecstasy drugs stash package smuggle contraband balloons
    witness victim address recant testify lawyer judge court threat
    scam fraud cards checks account transfer wire
    naked nudes horny sexy porn
    escapar fuga fugarse fugarme huir tunel barda cuchillo navaja punta fierro pistola
    cuete arma armas balas matar matarlo matarla matalo matala matenlo picar golpe golpiza
    soplon soplones rata
    droga drogas mota coca perico cristal heroina fentanilo pastillas paquete mercancia
    globos globitos segueta
    testigo victima direccion denuncia estafa tarjetas desnuda desnudo
"""


def _words(text: str) -> list[str]:
    return text.split()


def _library_words() -> frozenset[str]:
    """Single words of four letters or more that the rule library looks for."""
    from homeward.screening.library.loader import load_library

    found = set()
    for rule in load_library():
        if rule.kind in ("phrase", "tolerant", "near", "unless"):
            for phrase in (rule.pattern, rule.other):
                word = phrase.strip().casefold()
                if word.isalpha() and len(word) >= 4 and word not in _NOT_TRIGGERS:
                    found.add(word)
    return frozenset(found)


# Single words of the library that only matter beside others.
_NOT_TRIGGERS = frozenset(
    _words(
        """tell them gate hide socks phone mete torre tower tarjeta facebook instagram celular
    swallow sneak cipher decipher decode descifra descífralo atbash"""
    )
)


@once
def _trigger_sets() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The words that matter (own list and the library's), read once per process: folded,
    and without accents (for acrostics, where doubled letters count); and every common
    word or word that matters without accents."""
    words = set(_TRIGGER_WORDS.split()) | _library_words()
    plain = frozenset(map(unaccent, words))
    return (
        frozenset(key(w) for w in words),
        plain,
        plain | frozenset(map(unaccent, COMMON)),
    )


@once
def _backwards_triggers() -> frozenset[str]:
    """The words that matter, and those that matter beside others ("phone", "celular"),
    of four letters or more, written backwards, where backwards they are no word
    ("enohp", "efink"; not "deer" for "reed")."""
    words = trigger_keys() | frozenset(map(key, _NOT_TRIGGERS))
    return frozenset(
        w[::-1] for w in words if len(w) >= 4 and w.isascii() and w.isalpha() and not known(w[::-1])
    )


def trigger_keys() -> frozenset[str]:
    return _trigger_sets()[0]


def unaccent(text: str) -> str:
    """Lower case without accents ("Túnel" -> "tunel"), one letter for one."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=100_000)
def known(word: str) -> bool:
    """Whether a folded word is an English or Spanish word: a common one, one that matters,
    or (three letters or more) one the lemmatiser's dictionaries know."""
    if word in COMMON_KEYS or word in trigger_keys():
        return True
    if len(word) < 3 or not word.isalpha():
        return False
    return in_dictionary(word)


def known_share(words: Iterable[str]) -> float:
    """The share of letters that are in known words."""
    total = hit = 0
    for word in words:
        total += len(word)
        if known(word):
            hit += len(word)
    return hit / total if total else 0.0


_WORD = re.compile(r"[^\W\d_]+")
_ALNUM = re.compile(r"[^\W_]+")


def plain_words(text: str) -> str:
    """A text as lower-case words and numbers separated by single spaces."""
    return " ".join(_ALNUM.findall(text.casefold()))


# --- shifted alphabets ------------------------------------------------------------------

_ABC = "abcdefghijklmnopqrstuvwxyz"
# Decoding tables: shift n reads each letter n places back; atbash reads A as Z.
_SHIFTS: dict[str, dict[int, int]] = {
    ("rot13" if n == 13 else f"caesar-{n}"): str.maketrans(_ABC, _ABC[-n:] + _ABC[:-n])
    for n in range(1, 26)
}
_SHIFTS["atbash"] = str.maketrans(_ABC, _ABC[::-1])
_ENCODE = {name: {v: k for k, v in table.items()} for name, table in _SHIFTS.items()}
# The words a shifted message is made of: common words of three letters or more, shifted.
_FUNCTION_WORDS = """
    the and you for that with this are was have not but what all can will your from they
    just tonight out get got now when where here there bring money
    que los las del por para con una esta este pero como todo hay mas muy
"""
SHIFT_MARKERS = frozenset(
    marker
    for word in _FUNCTION_WORDS.split()
    for table in _ENCODE.values()
    if (marker := word.translate(table)) not in COMMON_KEYS and marker not in COMMON
)
# Each marker and the shifts that make it a common word.
SHIFT_OF: dict[str, frozenset[str]] = {
    marker: frozenset(name for name, table in _ENCODE.items() if marker == word.translate(table))
    for word in _FUNCTION_WORDS.split()
    for marker in SHIFT_MARKERS
    if marker in {word.translate(table) for table in _ENCODE.values()}
}
# Two or more words in capitals: codes are often written so ("NBSUFT OPDIF").
_CAPITALS = re.compile(r"\b[A-Z]{2,}(?:[^A-Za-z0-9\n]{1,3}[A-Z]{2,})+\b")
# A byte table: A to Z become "A", every other byte a space.
_CAPITAL_PAIRS = bytes(0x41 if 0x41 <= c <= 0x5A else 0x20 for c in range(256))
_NOT_CAPITAL = bytes(c for c in range(256) if not chr(c).isupper())


def capitals(text: str) -> tuple[str, bool, int]:
    """What the capitals decoders read first: the capitals among its Latin-1 characters
    (the acrostics of capitalised words), whether two of A to Z stand side by side (where
    ``_CAPITALS`` may find words in capitals), and how many line breaks it holds (the
    acrostics of lines). ``native/_text.c`` does the same in C, which is used when it is
    built."""
    latin1 = text.encode("latin-1", "replace")
    letters = latin1.translate(None, _NOT_CAPITAL).decode("latin-1")
    return letters, b"AA" in latin1.translate(_CAPITAL_PAIRS), text.count("\n")


_capitals: Callable[[str], tuple[str, bool, int]] = native.function("_text", "capitals") or capitals


def _shifted(words: list[str], start: int) -> Iterable[tuple[int, int]]:
    """Runs of words (index ranges) that are not common words, with 6 letters or more."""
    run = start
    for index in range(start, len(words) + 1):
        if index == len(words) or words[index] in COMMON_KEYS:
            if sum(map(len, words[run:index])) >= 6:
                yield run, index
            run = index + 1


def _shift_run(run: list[str], shifts: Iterable[str]) -> tuple[str, int, int, str] | None:
    """The best of these shifts for a run of words, if it makes them mostly words: its
    name, the words it covers (unknown words at either end left out) and the text."""
    name, decoded, _ = _best_shift(run, shifts)
    lo, hi = 0, len(decoded)
    while hi - lo > 1 and not known(decoded[lo]):
        lo += 1
    while hi - lo > 1 and not known(decoded[hi - 1]):
        hi -= 1
    decoded = decoded[lo:hi]
    long_word = any(len(w) >= 4 and w in COMMON_KEYS | trigger_keys() for w in decoded)
    if known_share(decoded) >= 0.75 and long_word and (hi - lo >= 2 or len(decoded[0]) >= 6):
        return name, lo, hi, " ".join(decoded)
    return None


def _best_shift(words: list[str], shifts: Iterable[str]) -> tuple[str, list[str], float]:
    best = ("", words, 0.0)
    for name in sorted(shifts):
        decoded = [w.translate(_SHIFTS[name]) for w in words]
        share = known_share(decoded)
        if share > best[2] + 1e-9:
            best = (name, decoded, share)
    return best


# --- reading backwards ------------------------------------------------------------------

# Common words written backwards that are not words themselves ("eht", "yadsruht", "euq").
REVERSED_MARKERS = frozenset(
    marker
    for word in COMMON_KEYS
    if len(word) >= 3 and (marker := word[::-1]) not in COMMON_KEYS and marker != word
)
_SENTENCE_END = re.compile(r"[.!?;:\"'()\n]|\s-\s|/")


# An accent or tilde a folded word may have lost ("tia" is "tía").
_ACCENTED = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú", "n": "ñ"}


def _written_with_accent(word: str) -> bool:
    """Whether a folded word is a word of the dictionaries with one accent or tilde put
    back: "tia" (tía), "oir" (oír)."""
    return any(
        in_dictionary(f"{word[:i]}{_ACCENTED[c]}{word[i + 1 :]}")
        for i, c in enumerate(word)
        if c in _ACCENTED
    )


@once
def _markers() -> tuple[frozenset[str], frozenset[str]]:
    """SHIFT_MARKERS and REVERSED_MARKERS without the words the dictionaries know, as
    written or with an accent the folded view dropped (an aunt, "tía", is in one Spanish
    letter in twenty-five; as a marker of shift 8 she sent them to the shift decoder)."""
    shift, backwards = (
        frozenset(w for w in markers if not known(w) and not _written_with_accent(w))
        for markers in (SHIFT_MARKERS, REVERSED_MARKERS)
    )
    return shift, backwards


# --- the decoder ------------------------------------------------------------------------


def decode(normalized: Normalized, *, use_gate: bool = True) -> list[Decoded]:
    """The hidden texts a message may hold (most messages: none). ``use_gate=False`` runs
    every decoder whatever the gate says (slower, the same result)."""
    return _Message(normalized).decode(use_gate)


# --- the gate ---------------------------------------------------------------------------


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(sorted(re.escape(w) for w in words))


def _gate_patterns() -> dict[str, list[str]]:
    """Loose patterns on the folded view, per decoder: a decoder whose patterns do not
    occur cannot find anything. Whole words (thousands of them), then regular
    expressions."""
    shift, backwards = _markers()
    words_backwards = [rf"\b{w}\b" for w in sorted(_backwards_triggers())]
    # Each word that matters (of ASCII letters) broken once: the decoder's documented scope
    # ("sh ank"). A message they let by is also read for words in three pieces, which they
    # do not look for themselves. Testing two and three pieces in C instead cost more than
    # these patterns (measured: README, 7 December, third session).
    split = [
        rf"\b{word[:i]} {word[i:]}\b"
        for word in sorted(trigger_keys())
        if word.isascii() and word.isalpha()
        for i in range(1, len(word))
    ]
    number_words = f"(?:{NUMBER_WORDS})"
    letter = "[.-]{1,5}(?: ?[/|] ?| )"  # a Morse letter and what follows it
    # Two words of the p-language or of pig Latin with at most one word between, whatever
    # separates them, or two in one folded word (the folded view reads "|" and "1" as "i").
    p_syllable = "(?:apa|epe|ipi|opo|upu)"
    between = "[^a-z]+(?:[a-z]+[^a-z]+)?[a-z]*"
    return {
        "shift": [rf"\b{w}\b" for w in sorted(shift)],
        "reversed": [rf"\b{w}\b" for w in sorted(backwards | {"ne"})],
        "reversed-words": words_backwards,
        "split": split,
        "numbers": [
            r"\b[0-9]{1,2}[-.][0-9]{1,2}\b",
            r"\b[0-9]{1,2}(?:, ?[0-9]{1,2}){3}\b",
            r"\b[0-9]{1,2} [0-9]{1,2}\b",  # apart by spaces: read only with the key given
        ],
        "spelled": [rf"\b(?:{number_words}|[0-9])[ ,.-]{{1,3}}{number_words}\b"],
        "morse": [rf"(?:^|[\s/|]){letter}{letter}[.-]{{1,5}}(?:[\s/|]|$)"],
        # ("mapatapa apal", "ethay itchsnay": the folded view joins "e-thay")
        "play": [
            f"{p_syllable}[a-z]*{between}{p_syllable}",
            f"{p_syllable}[a-z]*{p_syllable}",
            rf"ay{between}ay\b",
            "ay[a-z]{1,12}ay",
        ],
        # A word every phrase of _READ_DOWN holds, as folded (doubled letters single:
        # "arriba" is "ariba", "letter" "leter"; leetspeak undone: "1st" is "ist"): the
        # message is searched for the phrase only where one of them is.
        "told": [
            r"\bread\b",
            r"\b(?:first|ist|1st) (?:let+ers?|words?)\b",
            r"\b(?:despacio|despacito|calma|cuidado|abajo|renglon|linea|lineas|quedamos)\b",
            r"\bcomo te (?:ens|dije)",
            r"\ble(?:lo|la|los|las)? como\b",  # "léela como": "lela como", folded
            r"\bprimeras? let+ras?\b",
        ],
    }


_GATE_NAMES = frozenset(
    ("shift", "reversed", "reversed-words", "numbers", "spelled", "split", "morse", "play", "told")
)


@once
def _apart_patterns() -> tuple[list[re.Pattern[bytes]], list[re.Pattern[bytes]]]:
    group = _gate_patterns()
    return (
        [re.compile(p.encode()) for p in group["play"]],
        [re.compile(p.encode()) for p in group["numbers"]],
    )


def play_and_numbers(data: bytes) -> tuple[bool, bool]:
    """Whether the gate's patterns of the play languages occur in a folded view (as
    UTF-8), and whether those of numbers do. ``native/_text.c`` does the same in C, which
    is used when it is built."""
    play, numbers = _apart_patterns()
    return any(p.search(data) for p in play), any(p.search(data) for p in numbers)


_play_and_numbers_in_c = native.function("_text", "play_and_numbers")
_play_and_numbers: Callable[[bytes], tuple[bool, bool]] = _play_and_numbers_in_c or play_and_numbers
# The gate's patterns looked for with the pass of C rather than hyperscan, where it is
# built: loose patterns around short, common pieces ("ay", a digit), which cost hyperscan
# more than all the thousands of words together (the database scanned a long letter in 9 µs
# with them, 4.4 without; the pass of C takes 2.2). Without it they stay in the database
# (Python's regular expressions take a tenth of a millisecond on a long letter).
_SCANNED_APART: tuple[str, ...] = ("play", "numbers") if _play_and_numbers_in_c else ()


class _Gate:
    """The gate patterns in one hyperscan database, compiled once per process (about a
    second and a half); each thread scans with its own scratch space. Without hyperscan
    every decoder runs. The patterns of a decoder share one id, reported once: the
    database is a fifth of the size it is with an id for each pattern (half a megabyte,
    not two and a half), and a smaller database is less often pushed out of the CPU's
    caches by the rest of screening between two messages. Where the pass of C is built,
    the play languages' and the numbers' patterns are looked for with it
    (``_SCANNED_APART``)."""

    def __init__(self) -> None:
        self.local = threading.local()
        self.database: hyperscan.Database | None = None
        group = {k: v for k, v in _gate_patterns().items() if k not in _SCANNED_APART}
        self.names = list(group)
        try:
            import hyperscan

            expressions = [p.encode() for patterns in group.values() for p in patterns]
            database = hyperscan.Database()
            database.compile(
                expressions=expressions,
                ids=[number for number, patterns in enumerate(group.values()) for _ in patterns],
                elements=len(expressions),
                flags=hyperscan.HS_FLAG_SINGLEMATCH,
            )
        except Exception:  # noqa: BLE001 - no hyperscan here: every decoder runs
            return
        self.database = database

    def candidates(self, view: View) -> set[str] | None:
        """The decoders that could find something (None: all of them)."""
        if self.database is None:
            return None
        scratch = getattr(self.local, "scratch", None)
        if scratch is None:
            import hyperscan

            scratch = self.local.scratch = hyperscan.Scratch(self.database)
        found: set[str] = set()
        data = view.utf8()
        # (data, handler, flags, context, scratch): keywords cost more than the scan
        self.database.scan(data, _on_match, 0, (found, self.names), scratch)
        if _SCANNED_APART:
            play, numbers = _play_and_numbers(data)
            if play:
                found.add("play")
            if numbers:
                found.add("numbers")
        return found


def _on_match(index: int, start: int, end: int, flags: int, context: object) -> None:
    # ``context`` is what candidates handed to scan (typed there as any object).
    found, names = cast(tuple[set[str], list[str]], context)
    found.add(names[index])


@once
def _gate() -> _Gate:
    """The gate's database, compiled once per process."""
    return _Gate()


class _Message:
    """One message's views and folded words, shared by the decoders."""

    def __init__(self, normalized: Normalized) -> None:
        self.normalized = normalized
        self.folded = normalized.folded.text
        self._matches: list[re.Match[str]] | None = None
        self.found: list[Decoded] = []

    @property
    def matches(self) -> list[re.Match[str]]:
        """The folded view's words (found only for a message a gate lets through)."""
        if self._matches is None:
            self._matches = list(_WORD.finditer(self.folded))
        return self._matches

    @property
    def words(self) -> list[str]:
        return [m.group() for m in self.matches]

    def decode(self, use_gate: bool = True) -> list[Decoded]:
        if not self.folded:
            return []
        gates = _gate().candidates(self.normalized.folded) if use_gate else None
        may = _GATE_NAMES.__contains__ if gates is None else gates.__contains__
        original = self.normalized.original
        letters, paired, lines = _capitals(original)
        if may("shift"):
            self._shifts()
        if len(letters) >= 6 and paired:
            self._shifted_capitals(original)
        if may("reversed"):
            self._reversed()
        if may("reversed-words"):
            self._reversed_words()
        if may("numbers"):
            self._letter_numbers()
        if may("spelled"):
            self._spelled_digits()
        if may("split"):
            self._split_words()
        if may("morse"):
            self._morse()
        if may("play"):
            self._play_language()
        self._acrostics(original, letters, lines, may_be_told=may("told"))
        self.found.sort(key=lambda d: (d.start, d.end, d.name))
        return self.found

    def _add(self, name: str, view_span: Span, text: str, *, view: str = "folded") -> None:
        source = self.normalized.folded if view == "folded" else self.normalized.plain
        start, end = source.to_original(*view_span)
        self._add_original(name, (start, end), text)

    def _add_original(self, name: str, span: Span, text: str) -> None:
        text = plain_words(text)
        if text and not any(d.name == name and d.text == text for d in self.found):
            self.found.append(Decoded(name, span[0], span[1], text))

    def _span(self, first: int, last: int) -> Span:
        """The folded-view span from word ``first`` to word ``last - 1``."""
        return self.matches[first].start(), self.matches[last - 1].end()

    # ROT13, Caesar shifts and Atbash
    def _shifts(self) -> None:
        """Runs of uncommon words holding a shifted common word ("gur"), tried with the
        shifts that make that word common."""
        words = self.words
        for first, last in _shifted(words, 0):
            run = words[first:last]
            shifts = {name for w in run for name in SHIFT_OF.get(w, ())}
            if shifts and known_share(run) < 0.5:
                found = _shift_run(run, shifts)
                if found is not None:
                    name, lo, hi, decoded = found
                    self._add(name, self._span(first + lo, first + hi), decoded)

    def _shifted_capitals(self, original: str) -> None:
        """Words in capitals ("NBSUFT OPDIF"), tried with every shift (looked for only
        where two capitals stand side by side: elsewhere _CAPITALS finds nothing)."""
        for m in _CAPITALS.finditer(original):
            run = _WORD.findall(m.group().casefold())
            if known_share(run) < 0.5:
                found = _shift_run(run, _SHIFTS)
                if found is not None:
                    name, lo, hi, decoded = found
                    spans = [w.span() for w in _WORD.finditer(original, *m.span())]
                    self._add_original(name, (spans[lo][0], spans[hi - 1][1]), decoded)

    # reversed text
    def _reversed(self) -> None:
        text = self.folded
        # Each stretch between punctuation: (start, end, letters, known backwards, known
        # as written), for the stretches that read better backwards.
        stretches: list[tuple[int, int, int, int, int]] = []
        at = 0
        for end in [m.start() for m in _SENTENCE_END.finditer(text)] + [len(text)]:
            words = _WORD.findall(text, at, end)
            if words:
                letters = sum(map(len, words))
                back = sum(len(w) for w in words if known(w[::-1]))
                ahead = sum(len(w) for w in words if known(w))
                if back > ahead and back >= 0.5 * letters:
                    segment = text[at:end]
                    lead, trail = len(segment) - len(segment.lstrip()), len(segment.rstrip())
                    stretches.append((at + lead, at + trail, letters, back, ahead))
            at = end + 1
        # Stretches one after another (nothing but punctuation between) are one message.
        groups: list[list[tuple[int, int, int, int, int]]] = []
        for stretch in stretches:
            if groups and not _WORD.search(text, groups[-1][-1][1], stretch[0]):
                groups[-1].append(stretch)
            else:
                groups.append([stretch])
        for group in groups:
            letters, back, ahead = (sum(s[i] for s in group) for i in (2, 3, 4))
            count = len(_WORD.findall(text, group[0][0], group[-1][1]))
            if letters < 6 or (count < 2 and letters < 7):
                continue
            start, end = group[0][0], group[-1][1]
            backwards = text[start:end][::-1]
            common = COMMON_KEYS | trigger_keys()
            long_word = any(
                len(w) >= 4 and w in common or len(w) >= 5 and known(w)
                for w in _WORD.findall(backwards)
            )
            if back >= 0.7 * letters and back >= ahead + 0.3 * letters and long_word:
                self._add("reversed", (start, end), backwards)

    # words written backwards in a sentence written forwards
    def _reversed_words(self) -> None:
        """A word that matters written backwards among words written forwards ("the enohp
        is in the elbib cover"): the sentence with every word that reads as a word only
        backwards turned round. One pass over the words, sentence by sentence."""
        triggers = _backwards_triggers()
        ends = iter([m.start() for m in _SENTENCE_END.finditer(self.folded)])
        sentence_end = next(ends, len(self.folded))
        sentence: list[re.Match[str]] = []
        for match in [*self.matches, None]:
            while match is not None and match.start() >= sentence_end:
                self._turn_round(sentence, triggers)
                sentence = []
                sentence_end = next(ends, len(self.folded))
            if match is None:
                self._turn_round(sentence, triggers)
            else:
                sentence.append(match)

    def _turn_round(self, sentence: list[re.Match[str]], triggers: frozenset[str]) -> None:
        words = [m.group() for m in sentence]
        if not any(w in triggers and not known(w) for w in words):
            return
        start, end = self.normalized.folded.to_original(sentence[0].start(), sentence[-1].end())
        if any(d.name == "reversed" and d.start < end and start < d.end for d in self.found):
            return  # the whole sentence is written backwards: read as such already
        turned = [w[::-1] if len(w) >= 4 and not known(w) and known(w[::-1]) else w for w in words]
        self._add_original("reversed-words", (start, end), " ".join(turned))

    # letter-number codes
    def _letter_numbers(self) -> None:
        plain = self.normalized.plain.text
        groups = [(m.span(), _numbers(m.group())) for m in _NUMBER_GROUP.finditer(plain)]
        groups += [(m.span(), _numbers(m.group())) for m in _NUMBER_LIST.finditer(plain)]
        spaced = list(_NUMBER_SPACED.finditer(plain))
        if spaced and OPEN_KEY.search(self.normalized.original):
            groups += [(m.span(), _numbers(m.group())) for m in spaced]
        groups = [(span, numbers) for span, numbers in sorted(groups) if max(numbers) <= 26]
        if not groups:
            return
        # Groups one after another (with single numbers or a few words between) are one code.
        runs: list[list[tuple[Span, list[int]]]] = []
        for group in groups:
            if runs and _joins(plain[runs[-1][-1][0][1] : group[0][0]]):
                runs[-1].append(group)
            else:
                runs.append([group])
        for run in runs:
            start, end = run[0][0][0], run[-1][0][1]
            for letter_of in _ALPHABETS:
                text = _letters_in_place(plain, start, end, run, letter_of)
                if text is not None:
                    self._add("letter-numbers", (start, end), text, view="plain")
                    break

    # spelled-out digits
    def _spelled_digits(self) -> None:
        plain = self.normalized.plain.text
        for m in _SPELLED_RUN.finditer(plain):
            parts = _NUMBER_PART.findall(m.group())
            spelled = sum(p.isalpha() for p in parts)
            digits = "".join(_DIGIT_OF.get(p, p) for p in parts)
            if spelled >= 3 and len(digits) >= 5 and not _is_counting(digits):
                self._add("spelled-digits", m.span(), digits, view="plain")

    # words split apart
    def _split_words(self) -> None:
        words, text = self.words, self.folded
        if len(words) < 2:
            return
        triggers = trigger_keys()
        together = set(map(str.__add__, words, words[1:]))
        together |= set(map("".join, zip(words, words[1:], words[2:], strict=False)))
        if together.isdisjoint(triggers):
            return
        fixes: list[tuple[int, int]] = []
        for size in (2, 3):
            for first in range(len(words) - size + 1):
                parts = words[first : first + size]
                whole = "".join(parts)
                if whole not in triggers or any(p in triggers for p in parts):
                    continue
                if all(p in COMMON_KEYS or known(p) for p in parts):
                    continue  # words that happen to make another: "be" "at"
                gaps = [
                    text[self.matches[i].end() : self.matches[i + 1].start()]
                    for i in range(first, first + size - 1)
                ]
                if all(gap.strip(" -") == "" for gap in gaps):
                    fixes.append((first, first + size))
        folded, original = self.normalized.folded, self.normalized.original
        for first, last in fixes:
            # The sentence as written, with the pieces of the word put together.
            start, end = folded.to_original(*self._sentence(first, last))
            pieces = [folded.to_original(*self.matches[i].span()) for i in range(first, last)]
            joined = "".join(original[a:b] for a, b in pieces)
            sentence = original[start : pieces[0][0]] + joined + original[pieces[-1][1] : end]
            self._add_original("split-words", (start, end), sentence)

    def _sentence(self, first: int, last: int) -> Span:
        """The folded-view span of the sentence around words ``first`` to ``last - 1``."""
        text = self.folded
        start = max(text.rfind(c, 0, self.matches[first].start()) for c in ".!?") + 1
        ends = [text.find(c, self.matches[last - 1].end()) for c in ".!?"]
        end = min([e for e in ends if e >= 0], default=len(text))
        while start < end and text[start] == " ":
            start += 1
        return start, end

    # Morse code
    def _morse(self) -> None:
        """Runs of three or more Morse letters, a slash (or a bar) between words. Letters
        written with no slash between words are split into words as acrostics are."""
        for m in _MORSE_RUN.finditer(self.folded):
            letters = [
                [_MORSE_LETTER.get(code) for code in word.split()]
                for word in _MORSE_GAP.split(m.group())
            ]
            if any(None in word for word in letters):
                continue  # not Morse: dots and dashes that are no letter
            words = ["".join(cast(list[str], word)) for word in letters]
            if len(words) == 1 and len(words[0]) <= _SPLIT_AT_MOST and (found := spells(words[0])):
                words = found[0].split()
            if sum(map(len, words)) >= 3 and known_share(words) >= 0.5:
                self._add("morse", m.span(), " ".join(words))

    # play languages
    def _play_language(self) -> None:
        """Runs of three or more words of the p-language or of pig Latin (one word between
        two of them may be written plainly: "in", "al"), read back, if they then read as
        words."""
        plain = self.normalized.plain.text
        matches = list(_parts(_PLAY_WORD, plain))
        for read in (_unp, _unpig):
            decoded = [read(m.group()) for m in matches]
            for first, last in _runs([word is not None for word in decoded]):
                if sum(decoded[i] is not None for i in range(first, last + 1)) < 3:
                    continue
                words = [
                    read(matches[i].group(), strict=False) or matches[i].group()
                    for i in range(first, last + 1)
                ]
                if known_share(map(key, words)) >= 0.75:
                    span = (matches[first].start(), matches[last].end())
                    self._add("play-language", span, " ".join(words), view="plain")

    # acrostics
    def _acrostics(
        self, original: str, capitals: str, lines: int, *, may_be_told: bool = True
    ) -> None:
        """Each kind of acrostic is looked at closely only if a cheap test says it could
        spell something (_may_spell): four lines at least whose initials could, or four
        capitals that could. Sentences and words that spell something begin with capitals
        (a message all in lower case is not read for them). A message that says to read it
        down (``told_to_read_down``: "read it slow", "léelo de arriba a abajo") has the
        initials of its lines and sentences read on less evidence (``spells``); it is
        searched for that only where the gate says it may (``may_be_told``)."""
        told: bool | None = None  # whether the message says to read it down (asked once)
        for pattern, initials in (
            (_LINE, _LINE_INITIAL.findall(original) if lines >= 3 else []),
            (_SENTENCE, _sentence_initials(original)),
        ):
            if len(initials) < 4:
                continue
            if _may_spell(initials) and self._acrostic("acrostic-lines", _split(pattern, original)):
                continue
            if told is None:
                told = may_be_told and told_to_read_down(self.normalized.plain.text)
            if told:
                self._acrostic("acrostic-lines", _split(pattern, original), told=True)
        # All the capitals, not only those that begin words: a superset of the initials'
        # pieces unless a word in capitals sits inside the acrostic.
        if not _may_spell(capitals):
            return
        capitalised = _CAPITALISED_LATIN1 if all_latin1(original) else _CAPITALISED
        words = [(m.start(), m.group()) for m in _parts(capitalised, original)]
        whole = len(words) <= MANY_CAPITALISED
        if whole:
            self._acrostic("acrostic-words", words, initial_first=True)
        for run in _consecutive(original, words, whole_read=whole):
            self._acrostic("acrostic-words", run, initial_first=True)

    def _acrostic(
        self,
        name: str,
        parts: list[tuple[int, str]],
        *,
        initial_first: bool = False,
        told: bool = False,
    ) -> bool:
        """Add what the initials of ``parts`` spell, if anything, and say whether they
        did. ``initial_first``: each part begins with its initial (a capitalised word);
        ``told``: the message says to read it so (``spells``)."""
        # (where the part starts, the part, where its initial is, the initial)
        starts: list[tuple[int, str, int, str]] = []
        for at, part in parts:
            initial = (0, part[0].casefold()) if initial_first else _initial(part)
            if initial is not None:
                starts.append((at, part, at + initial[0], initial[1]))
        letters = unaccent("".join(start[3] for start in starts))
        if len(letters) != len(starts) or len(letters) < 4:
            return False  # a letter that folds to none or two ("ß"): no acrostic to read
        found = spells(letters, told=told)
        if found is None:
            return False
        text, (first, last) = found
        start = starts[first][2]
        end = starts[last - 1][0] + len(starts[last - 1][1].rstrip())
        self._add_original(name, (start, end), text)
        return True


# --- Morse and play-language helpers ----------------------------------------------------

_MORSE_CODES = """
    .- -... -.-. -.. . ..-. --. .... .. .--- -.- .-.. -- -. --- .--. --.- .-. ... - ..-
    ...- .-- -..- -.-- --.. ----- .---- ..--- ...-- ....- ..... -.... --... ---.. ----.
"""
_MORSE_LETTER = dict(zip(_MORSE_CODES.split(), "abcdefghijklmnopqrstuvwxyz0123456789", strict=True))
# Morse letters written with no slash between words are split into words up to this many.
_SPLIT_AT_MOST = 64
# The lines, sentences and capitalised words an acrostic is read from, and the words read
# as a play language, are those that begin in a message's first characters, as many as a
# facility's default length limit allows: each costs look-ups in the dictionaries, and a
# message of 100,000 characters can hold 30,000 of them.
READ_AT_MOST = 6_000


def _parts(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches of ``pattern`` in ``text`` that begin in its first ``READ_AT_MOST``
    characters."""
    return takewhile(lambda m: m.start() < READ_AT_MOST, pattern.finditer(text))


# Three or more groups of dots and dashes, a space between letters, a slash or bar between
# words, standing alone (not an ellipsis after a word).
_MORSE_RUN = re.compile(r"(?<![^\s/|])[.-]{1,5}(?:(?: ?[/|] ?| )[.-]{1,5}){2,}(?![^\s/|])")
_MORSE_GAP = re.compile(r" ?[/|] ?")
# A word of the plain view with one inner hyphen kept ("itch-snay").
_PLAY_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")
# The p-language repeats each syllable's vowel after a p: "mapatapa" is "mata".
_P_SYLLABLE = re.compile(r"([aeiouáéíóú])p\1")
_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxyz")
_VOWELS = frozenset("aeiouáéíóú")


def _unp(word: str, strict: bool = True) -> str | None:
    """A word of the p-language read back ("capalzoponepes" is "calzones"), or None. Strict:
    only a word that is no word as written ("papa" and "tapa" are words)."""
    if "-" in word:
        return None
    read = _P_SYLLABLE.sub(r"\1", word)
    if read == word or (strict and known(key(word))):
        return None
    return read


@lru_cache(maxsize=4096)
def _unpig(word: str, strict: bool = True) -> str | None:
    """A word of pig Latin read back ("itch-snay" and "itchsnay" are "snitch", "ethay"
    "the"), or None: the consonants before the "ay" go back in front (without a hyphen,
    the most of them that make a word; "in-way" is "in"). Strict: without a hyphen, only a
    word that is no word as written ("today", "okay")."""
    head, dash, tail = word.partition("-")
    if dash:
        if not tail.endswith("ay") or not set(tail[:-2]) <= _CONSONANTS or len(tail) > 5:
            return None
        moved = tail[:-2]
        # "in-way", "in-yay": a word beginning with a vowel, itself first ("im-hay" is "him")
        candidates = [head, moved + head] if moved in ("w", "y", "") else [moved + head]
    else:
        if len(word) < 3 or not word.endswith("ay"):
            return None
        if (strict or len(word) < 5) and known(key(word)):
            return None  # "today", "okay"; "away" and "day" even beside pig Latin
        stem = word[:-2]
        # "atway": a word beginning with a vowel (first: "twa" is a word too); then
        # the consonants moved back, the most of them first; last, a word beginning with
        # a vowel with nothing moved ("Iay" is "I")
        candidates = [stem[:-1]] if stem[-1] in "wy" else []
        candidates += [
            stem[-k:] + stem[:-k]
            for k in (3, 2, 1)
            if len(stem) > k and set(stem[-k:]) <= _CONSONANTS
        ]
        if stem[0] in _VOWELS:
            candidates.append(stem)
    return next((c for c in candidates if c and _a_word(c)), None)


def _a_word(word: str) -> bool:
    """Whether a plain lower-case word is a word (folded, as ``known`` asks, or as written:
    "three" folds to "thre")."""
    return known(key(word)) or (len(word) >= 3 and in_dictionary(word))


def _runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
    """The index ranges (first and last, inclusive) of runs of true flags, one false flag
    between two true ones allowed."""
    runs: list[tuple[int, int]] = []
    for index, flag in enumerate(flags):
        if not flag:
            continue
        if runs and index - runs[-1][1] <= 2:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


# --- letter-number helpers --------------------------------------------------------------

# A letter-number code's key written out in the message: "1=A 2=B", "la A es 1", "every
# number is a letter".
OPEN_KEY = re.compile(
    r"\b(?:1 ?(?:=|es|is|equals|means) ?(?:la )?a|(?:la )?a ?(?:=|es|is|equals) ?(?:el )?1)\b"
    r"|every number is a letter|cada n[uú]mero es una letra|a number for each letter"
    r"|un n[uú]mero (?:por|para) cada letra",
    re.IGNORECASE,
)
# Numbers apart by single spaces, as children write a code with its key ("A=1 B=2 ... 20 5 /
# 17 21 9 5 18 15"): read as letters only where the message gives the key (``OPEN_KEY``);
# elsewhere numbers in a row are scores, lottery numbers and prices.
_NUMBER_SPACED = re.compile(r"(?<![\w/:.,-])\d{1,2}(?: \d{1,2})+(?![\w/:]|[-.,]\d| \d)")
# Two or more numbers joined by dashes or dots ("20-8-5"), not inside a longer number, a
# date with a four-digit year or a time.
_NUMBER_GROUP = re.compile(r"(?<![\w/:.,-])\d{1,2}(?:[-.]\d{1,2})+(?![\w/:]|[-.,]\d)")
# Four or more numbers separated by commas ("5, 19, 3, 1, 16, 5").
_NUMBER_LIST = re.compile(r"(?<![\w/:.,-])\d{1,2}(?:, ?\d{1,2}){3,}(?![\w/:]|[-.,]\d)")
_BETWEEN = re.compile(r"[\s/|]*(?:(?:\d{1,2}|[^\W\d_]{1,5})[\s/|,]+){0,2}")


def _numbers(group: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", group)]


def _joins(between: str) -> bool:
    return _BETWEEN.fullmatch(between) is not None


_ALPHABETS: tuple[Callable[[int], str], ...] = (
    lambda n: _ABC[n - 1] if 1 <= n <= 26 else "",  # A=1
    lambda n: _ABC[n] if 0 <= n <= 25 else "",  # A=0
    lambda n: _ABC[26 - n] if 1 <= n <= 26 else "",  # Z=1
)


def _letters_in_place(
    plain: str,
    start: int,
    end: int,
    run: list[tuple[Span, list[int]]],
    letter_of: Callable[[int], str],
) -> str | None:
    """The code's text with each group read as a word (and a single number between groups
    as a letter), if the groups become mostly words; else None."""
    pieces: list[str] = []
    decoded: list[str] = []
    at = start
    for (g_start, g_end), numbers in run:
        pieces.append(_single_numbers(plain[at:g_start], letter_of))
        word = "".join(map(letter_of, numbers))
        if len(word) != len(numbers):
            return None
        pieces.append(word)
        decoded.append(word)
        at = g_end
    pieces.append(plain[at:end])
    letters = sum(map(len, decoded))
    if letters < 4:
        return None
    share = max(known_share(decoded), known_share(_segmented(decoded)))
    if share < 0.75 or not any(len(w) >= 3 and known(w) for w in decoded + _segmented(decoded)):
        return None
    text = " ".join(pieces)
    if len(run) == 1 and not known(decoded[0]):
        text = " ".join(_segment(decoded[0])[0])
    return text


def _segmented(words: list[str]) -> list[str]:
    return [w for word in words for w in _segment(word)[0]]


def _single_numbers(between: str, letter_of: Callable[[int], str]) -> str:
    return re.sub(r"\b\d{1,2}\b", lambda m: letter_of(int(m.group())) or m.group(), between)


# --- spelled digits helpers -------------------------------------------------------------

_NUMBER_LIST_WORDS = NUMBER_WORDS.split("|")
_DIGIT_OF = {w: str(i % 10) for i, w in enumerate(w for w in _NUMBER_LIST_WORDS if w != "oh")}
_DIGIT_OF["oh"] = "0"
_SPELLED_RUN = re.compile(
    rf"\b(?:{NUMBER_WORDS}|[0-9]+)(?:[ ,.-]{{1,3}}(?:{NUMBER_WORDS}|[0-9]+)\b){{3,}}"
)
_NUMBER_PART = re.compile(rf"\b(?:{NUMBER_WORDS})\b|[0-9]+")


def _is_counting(digits: str) -> bool:
    """A child counting, or a number said over and over ("one one one one one")."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(digits, digits[1:], strict=False)}
    return steps <= {1} or steps <= {9} or len(set(digits)) == 1


# --- acrostic helpers -------------------------------------------------------------------

_LINE = re.compile(r"[^\n]*[^\W\d_][^\n]*")
_SENTENCE = re.compile(r"[^.!?\n]*[^\W\d_][^.!?\n]*")
_LINE_INITIAL = re.compile(r"^[^\w\n]*([^\W\d_])", re.MULTILINE)
_OPENERS = " \"'¿¡([-*"
# A word that begins with a capital: a letter that is neither a-z nor one of Latin-1's small
# letters, ß to ÿ ("Él" is capitalised, "él" is not).
_CAPITALISED = re.compile(r"\b[^\W\d_a-z\xdf-\xff][^\W\d_]*")


def _latin1_class(pattern: str) -> str:
    """The characters of Latin-1 a one-character class matches, as a class of them: the
    regular expression module looks each up in a table, not in the Unicode database."""
    matches = re.compile(pattern).fullmatch
    return "[" + "".join(re.escape(chr(c)) for c in range(256) if matches(chr(c))) + "]"


# _CAPITALISED for a text of Latin-1 characters (most messages), three times as fast: the
# same matches.
_CAPITALISED_LATIN1 = re.compile(
    _latin1_class(r"[^\W\d_a-z\xdf-\xff]") + r"(?<!\w.)" + _latin1_class(r"[^\W\d_]") + "*"
)


def _split(pattern: re.Pattern[str], original: str) -> list[tuple[int, str]]:
    """The lines or sentences of a message (``_LINE``, ``_SENTENCE``), each with where it
    starts."""
    return [(m.start(), m.group()) for m in _parts(pattern, original)]


# A message that says to read it down its lines ("read it slow", "read this one the way we
# talked about", "read it like the notes we passed", "the first letter of each line",
# "léelo de arriba pa abajo", "léela como las notitas de la escuela"), on the plain
# view (case-folded, accents kept). "Top to bottom" and "de arriba a abajo" alone are how a
# house is cleaned, and "read it twice" or "ya lee bien" how a letter or a child is read: a
# verb of reading comes first, then a way to read that says more.
_READ_DOWN = re.compile(
    r"\bread (?:it|this|them|this one|this letter|my letter|the letter|each line|every line)"
    r"\b[^.!?\n]{0,30}?\b(?:slow|slowly|careful|carefully|close|closely|down|downwards"
    r"|top to bottom|from the top|line by line|the (?:right|special|old|other) way"
    r"|the way (?:we|i|you) (?:talked|said|practiced|practised|showed|taught|told)"
    r"|like (?:we|i) (?:said|talked|showed|taught|told|practiced)|between the lines)\b"
    r"|\bread (?:it|this|them|this one|this letter|my letter|the letter) (?:like|the way) (?:the"
    r"|our|we|before|last|old|always|when|in)\b"
    r"|\b(?:first|1st) (?:letter|letters|word|words) of (?:each|every|the) (?:line|sentence)s?\b"
    r"|\bread (?:the )?(?:first|1st) (?:letter|letters|word|words)\b"
    r"|\b(?:l[eé]e(?:lo|la|los|las|me)?|l[eé]anlo|l[eé]er(?:lo|la|los|las)?|lea)\b"
    r"[^.!?\n]{0,30}?\b(?:despacio|despacito|con calma|con cuidado|hacia abajo"
    r"|de arriba (?:a|pa|para|hacia) abajo|rengl[oó]n por rengl[oó]n|l[ií]nea por l[ií]nea"
    r"|como te (?:ense[nñ][eé]|dije)|como quedamos|entre l[ií]neas)"
    r"|\bl[eé]e(?:lo|la|los|las)? como (?:las|los|la|el|antes|siempre|cuando|en|te)\b"
    r"|\b(?:la|las) primeras? letras? de cada (?:l[ií]nea|rengl[oó]n|oraci[oó]n|frase)",
)
# How much of a message's initials words must cover when it says to read it so.
TOLD_COVERED = 0.6


def told_to_read_down(plain: str) -> bool:
    """Whether a message (its plain view) says to read it down its lines or sentences."""
    return bool(_READ_DOWN.search(plain))


def _initial(part: str) -> tuple[int, str] | None:
    """The first letter of a line, sentence or word, and its offset in it."""
    m = _WORD.search(part)
    return (m.start(), m.group()[0].casefold()) if m else None


# What may stand between two words of a list besides spaces and commas: "Leon and Lorenzo".
_LIST_JOINS = frozenset(("", "and", "&", "y", "e"))


# The most capitalised words whose initials are read as a whole. A longer letter's (its
# sentences' first words, its names, its "I"s) spell words by chance: in the development
# sets and the regression corpus (11,530 messages) the only two such readings of more than
# 24 were false alarms ("hurt" among 28 initials of a thank-you letter, among 46 of
# another), and every code found so had 15 or fewer. Its runs (lists of names) are still
# read.
MANY_CAPITALISED = 24


def _consecutive(
    original: str, capitals: list[tuple[int, str]], *, whole_read: bool = True
) -> list[list[tuple[int, str]]]:
    """Runs of four or more capitalised words with nothing but spaces, commas or an "and"
    between (a list of names: "Kelly, Ian, Leon and Lorenzo"); a run of all of them only
    when they were not read as a whole (``whole_read``)."""
    runs: list[list[tuple[int, str]]] = []
    for at, word in capitals:
        if runs:
            last_at, last = runs[-1][-1]
            if original[last_at + len(last) : at].strip(" ,;") in _LIST_JOINS:
                runs[-1].append((at, word))
                continue
        runs.append([(at, word)])
    return [run for run in runs if len(run) >= 4 and (len(run) < len(capitals) or not whole_read)]


_MAX_WORD = 12


def sentence_initials(text: str) -> str:
    """The letters that begin the sentences of ``text``: the first character of the text and
    after each ". ", "! ", "? " and line break, past opening quotes, brackets and dashes,
    where it is a letter (str.split is cheap; the sentence regex is not).
    ``native/_text.c`` does the same in C, which is used when it is built."""
    text = text.replace("! ", ". ").replace("? ", ". ").replace("\n", ". ")
    firsts = (part.lstrip(_OPENERS)[:1] for part in text.split(". "))
    return "".join(c for c in firsts if c.isalpha())


_sentence_initials: Callable[[str], str] = (
    native.function("_text", "sentence_initials") or sentence_initials
)


def _initials(found: Sequence[str]) -> str:
    # A str is the letters already (joined, it would be read a letter at a time).
    letters = found if isinstance(found, str) else "".join(found)
    return letters.lower() if letters.isascii() else unaccent(letters)


def _may_spell(found: Sequence[str]) -> bool:
    """Whether four or more initials could spell something ``spells`` accepts: a piece of
    four that begins a common word or a word that matters, or a word that matters of three."""
    if len(found) < 4:
        return False
    starts, short, _ = _prefix_sets()
    return _pieces_in(_initials(found), starts, short)


def pieces_in(letters: str, fours: frozenset[str], threes: frozenset[str]) -> bool:
    """Whether a piece of four letters in a row of ``letters`` is one of ``fours``, or a
    piece of three one of ``threes``. ``native/_text.c`` does the same in C, which is used
    when it is built."""
    return not fours.isdisjoint(
        [letters[i : i + 4] for i in range(len(letters) - 3)]
    ) or not threes.isdisjoint([letters[i : i + 3] for i in range(len(letters) - 2)])


_pieces_in: Callable[[str, frozenset[str], frozenset[str]], bool] = (
    native.function("_text", "pieces_in") or pieces_in
)


@once
def _prefix_sets() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The first four letters of every common word or word that matters (four letters or
    more), the words that matter of three letters, and the first five letters of those of
    five or more."""
    _, triggers, vocabulary = _trigger_sets()
    return (
        frozenset(w[:4] for w in vocabulary if len(w) >= 4),
        frozenset(w for w in triggers if len(w) == 3),
        frozenset(w[:5] for w in triggers if len(w) >= 5),
    )


@once
def _word_starts() -> frozenset[str] | None:
    """The first four and five letters of every word ``known`` may say is one: of the
    common words, the words that matter and the dictionaries' (``tokens.dictionary_starts``).
    None where the dictionaries cannot be read so."""
    starts = dictionary_starts()
    if starts is None:
        return None
    ours = COMMON_KEYS | trigger_keys()
    return starts | frozenset(w[:4] for w in ours) | frozenset(w[:5] for w in ours)


@once
def _vocabulary_beginnings() -> frozenset[str]:
    """The beginnings of two letters or more of every word ``_segment`` takes from the
    common words and the words that matter (the words themselves among them)."""
    return frozenset(
        word[:length] for word in _trigger_sets()[2] for length in range(2, len(word) + 1)
    )


@lru_cache(maxsize=20_000)
def _segment(letters: str) -> tuple[list[str], int]:
    """The letters split into words covering as many letters as possible (the letters no
    word covers stay single), and how many letters words cover. Words of two letters or
    more from the common words and the words that matter. (Initials spell few words: the
    pieces tried from each letter stop where no common word or word that matters begins
    so and the dictionaries cannot hold a longer one; a piece of lower-case ASCII letters
    that begins no word (``_word_starts``) is not looked up in the dictionaries, which cost
    microseconds a piece.)"""
    vocabulary, beginnings = _trigger_sets()[2], _vocabulary_beginnings()
    n = len(letters)
    starts = _word_starts() if letters.isascii() and letters.islower() else None
    # The words found, by where they end: the places they start, in order.
    ending: list[list[int]] = [[] for _ in range(n + 1)]
    for j in range(n):
        longest = min(_MAX_WORD, n - j)
        # The longest piece from j the dictionaries may hold: any (no starts to rule them
        # out), four letters (the letters begin a word of four, not of five), or none.
        if starts is None:
            in_dictionaries = longest
        elif letters[j : j + 4] in starts:
            in_dictionaries = longest if letters[j : j + 5] in starts else 4
        else:
            in_dictionaries = 0
        for length in range(2, longest + 1):
            piece = letters[j : j + length]
            begun = piece in beginnings
            if not begun and length > in_dictionaries:
                break  # no longer piece from j is a word either
            if (begun and piece in vocabulary) or (4 <= length <= in_dictionaries and known(piece)):
                ending[j + length].append(j)
    # best[i]: (letters covered, -pieces) for letters[:i], and where its last piece starts.
    best: list[tuple[tuple[int, int], int]] = [((0, 0), 0)] + [((-1, 0), 0)] * n
    for i in range(1, n + 1):
        covered, pieces = best[i - 1][0]
        choice = ((covered, pieces - 1), i - 1)
        for j in ending[i]:
            c, p = best[j][0]
            candidate = ((c + i - j, p - 1), j)
            if candidate[0] > choice[0]:
                choice = candidate
        best[i] = choice
    words: list[str] = []
    i = n
    while i > 0:
        j = best[i][1]
        words.append(letters[j:i])
        i = j
    return words[::-1], best[n][0][0]


def spells(letters: str, *, told: bool = False) -> tuple[str, Span] | None:
    """The words a string of initials spells (and the initials they span), if it spells a
    word that matters, or almost all of it is words with at least one of four letters.
    ``told``: the message says to read it so, and its greeting and the line saying so are
    among the initials: a word that matters of three letters, or words covering most of
    them with one of four letters or more, is enough. (Untold, nothing is spelled without
    a common word or word that matters of four letters or more, or a word that matters of
    three, in a row: ``_holds_a_word`` says so first, before the letters are split into
    words, which costs more.)"""
    if not told and not _holds_a_word(letters):
        return None
    return _spelled(letters, told=told)


def _holds_a_word(letters: str) -> bool:
    """Whether ``letters`` hold, in a row, a word that matters of three letters or a
    common word or word that matters of four to ``_MAX_WORD`` (what ``spells`` needs, told
    or not, to find anything)."""
    fours, threes, _ = _prefix_sets()
    if any(letters[at : at + 3] in threes for at in range(len(letters) - 2)):
        return True
    vocabulary = _trigger_sets()[2]
    for at in range(len(letters) - 3):
        if letters[at : at + 4] in fours:
            longest = min(_MAX_WORD, len(letters) - at)
            if any(letters[at : at + n] in vocabulary for n in range(4, longest + 1)):
                return True
    return False


def _spelled(letters: str, *, told: bool = False) -> tuple[str, Span] | None:
    """What ``spells`` says, from the letters split into words."""
    words, covered = _segment(letters)
    triggers = _trigger_sets()[1]
    if told:
        if any(w in triggers for w in words if len(w) >= 3) or (
            covered >= TOLD_COVERED * len(letters) and any(len(w) >= 4 for w in words)
        ):
            return _trimmed(words)
        return None
    long_words = [w for w in words if len(w) >= 4 and w in _trigger_sets()[2]]
    if any(w in triggers for w in long_words):
        return _trimmed(words)
    if covered >= 0.75 * len(letters) and any(w in triggers for w in words if len(w) == 3):
        return _trimmed(words)
    mean = covered / max(1, sum(len(w) >= 2 for w in words))
    if len(letters) >= 6 and covered >= 0.85 * len(letters) and long_words and mean >= 3:
        return _trimmed(words)
    return None


def _trimmed(words: list[str]) -> tuple[str, Span]:
    """The words, without the single letters no word covers at either end, and the span
    of initials they come from."""
    first, last = 0, len(words)
    while first < last and len(words[first]) == 1:
        first += 1
    while last > first and len(words[last - 1]) == 1:
        last -= 1
    start = sum(map(len, words[:first]))
    return " ".join(words[first:last]), (start, start + sum(map(len, words[first:last])))
