"""Context exceptions for names: "Coach Glock said", "Reverend Dwayne Shank", "Sr. Navaja".

A word that is part of a person's name is not the thing it also names. A single flagged
word of a rule or of slang inside a name is cancelled; a block, a detector, a concept or a
decoded text never is. A name here is:
- one to three Capitalised words after a title ("Coach", "Reverend", "Officer", "Dr.",
  "Sr.", "Doña", "Pastor" ...), the titles kept per language below; or
- a Capitalised word right after another Capitalised word that does not begin a sentence
  ("we saw Dwayne Shank at church");
- the Capitalised name after "named", "called", "se llama" ("a robot named Jailbreak"), and
  a title in quotes that begins with a capital ("'Escape from Alcatraz'", "'La Fuga'");
- a Capitalised nickname after a title and an article, as Spanish says them ("tu tío el
  Perico", "mi compa la Güera"), and a pet's name before what it is ("Glock the dog").
A word written in lower case is never a name, and "the Glock", "a Shank" (an article before
it) is not either. Idioms are cancelled by the library's exception rules ("escape room",
"gun charge"), which an administrator extends in the console like any rule.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from functools import lru_cache


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


TITLES: dict[str, frozenset[str]] = {
    "en": _set(
        "mr mrs ms miss mister dr doctor coach reverend rev pastor father sister brother "
        "deacon bishop elder minister judge officer sergeant sgt deputy sheriff captain capt "
        "lieutenant lt warden professor prof uncle aunt auntie cousin grandpa grandma saint "
        "st attorney counselor nurse principal chaplain imam rabbi lady sir"
    ),
    "es": _set(
        "sr sra srta señor señora señorita don doña dona doctor doctora dra lic licenciado "
        "licenciada profe profesor profesora maestro maestra padre madre hermano hermana "
        "pastor pastora tío tía tio tia abuelo abuela primo prima santo santa san juez jueza "
        "oficial capitán entrenador entrenadora comadre compadre compa carnal cuñado cuñada "
        "vecino vecina sobrino sobrina suegro suegra padrino madrina"
    ),
}
_TITLES = frozenset().union(*TITLES.values())
# Words after which a Capitalised word is a name: "a robot named Jailbreak".
_NAMING = _set(
    "named called titled nicknamed llamado llamada llama apodado apodada apodan dice dicen "
    "decimos puso pusieron"
)
# Words that may stand between a naming word and the name: "named it Sicario", "le dicen el
# Sicario".
_BETWEEN_NAMING = _set("it him her el la lo le")
# A pet's name is said before what it is: "Glock the dog", "Bala, el perro".
# The clause ends there, or goes on about the animal ("Glock the dog update:", "ate"): not
# "Glock, the dog knows, is in the car".
_A_PET = re.compile(
    r",? (?:the|our|my|your|el|la|mi|tu|nuestro|nuestra) (?:dog|cat|puppy|kitten|pup|horse|"
    r"pony|goat|parrot|perro|perrito|perrita|gato|gatito|gatita|caballo|chivo|loro)\b"
    r"(?=\s*(?:[.,!?:;)]|$|update|ate|got|is|was|has|had|just|finally|de|ya|se|tuvo|comió))"
)
# The articles of a nickname after a title: "tu tío el Perico".
_NICKNAMING = _set("el la")
# Words before which a Capitalised word is a thing, not a person: "the Glock", "mi Cuete".
_DETERMINERS = _set(
    "the a an this that my your his her our their some el la los las un una mi mis tu tus "
    "su sus este esta ese esa aquel aquella nuestro nuestra"
)
# Title case only: a word in capitals ("KILL") is shouting, not a name.
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZÁÉÍÓÚÑÜ"
_LOWER = "abcdefghijklmnopqrstuvwxyzáéíóúñü'’-"
_CAP = f"[{_UPPER}][{re.escape(_LOWER)}]*"
# Runs of one to four Capitalised words; each run is judged by the word before it.
_RUN = re.compile(rf"{_CAP}(?:[ \t]+{_CAP}){{0,3}}")
_GAP = re.compile(r"[ \t]+")  # between the words of a run
# One Capitalised word, whole.
_CAPITALISED = re.compile(rf"(?<![\w'’]){_CAP}(?![\w'’])")
_OPENING = " \t\"'“‘«"
_ENDS_SENTENCE = ".!?¡¿:\n"
# A quoted title: a capital after the opening quote, up to eight words, no sentence inside.
# An apostrophe opens a title only where a word does not go on through it ("O'Brien").
# (It begins with a set of characters, which the regex engine finds fastest.)
_QUOTED = re.compile(rf"[\"“‘«'](?<!\w')([{_UPPER}¡¿][^\"”’»'.!?\n]{{0,60}})[\"”’»']")


@lru_cache(maxsize=64)
def name_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of the original text that are parts of people's names. A message's layers
    ask up to three times (concepts on both views, then the names check): found once."""
    titles = _titles(text)
    spans: list[tuple[int, int]] = []
    for run in _RUN.finditer(text):
        start, end = run.span()
        before = text[max(0, start - 40) : start].rstrip(_OPENING)
        words = before.replace("\n", " ").casefold().split()[-2:]
        word = words[-1].rstrip(".,") if words else ""
        naming = word in _NAMING or (
            len(words) == 2
            and word in _BETWEEN_NAMING
            and (words[0] in _NAMING or (word in _NICKNAMING and words[0] in _TITLES))
        )
        if word in _TITLES or naming:
            spans.append((start, end))  # "Coach Glock", "named Jailbreak"
            continue
        gap = _GAP.search(text, start, end)  # after the run's first word
        if gap is None:
            if _A_PET.match(text, end):
                spans.append((start, end))  # "Glock the dog"
            continue  # one word, and no title or "named" before it: not a name
        if text[start : gap.start()].casefold().rstrip(".") in _TITLES:
            spans.append((gap.end(), end))  # "Reverend Dwayne Shank": the words after it
        else:
            # Two or more Capitalised words: a name, but the first word of a sentence may
            # only be capitalised because it begins the sentence ("Tell Big Mike").
            first = not before or before[-1] in _ENDS_SENTENCE
            spans.append((gap.end() if first else start, end))
    return tuple(titles + spans + _named_again(text, spans))


def _titles(text: str) -> list[tuple[int, int]]:
    """The spans of the quoted titles of ``text``."""
    return [m.span(1) for m in _QUOTED.finditer(text)]


def in_a_name(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` lies inside one of the names of ``text``
    (``name_spans``), found by bisection: a message of thousands of names and words costs
    a look-up per word, not a pass over every name. Where a span of characters begins in
    no Capitalised word (and not between two), only a quoted title can hold it: the other
    names of a long letter (every run of Capitalised words judged by the words before it)
    are not found. (An empty span may sit at a name's end: every name is found for it.)"""
    if 0 <= start < end <= len(text) and not _in_a_capitalised_word(text, start):
        return _within(_titles_index(text), start, end)
    return _within(_names_index(text), start, end)


# The most characters ``_in_a_capitalised_word`` looks back through: more than any word.
_LONGEST_LOOKED = 64


def _in_a_capitalised_word(text: str, at: int) -> bool:
    """Whether the character at ``at`` may be inside a run of Capitalised words (``_RUN``):
    in a word that a capital begins, or a space or tab (between two of them). A word
    longer than ``_LONGEST_LOOKED`` is not looked back through (it may be)."""
    if text[at] in " \t":
        return True
    for back in range(at, max(-1, at - _LONGEST_LOOKED), -1):
        if text[back] not in _LOWER:
            return text[back] in _UPPER
    # All lower case: back to the text's start, in no such word; else too long to tell.
    return at >= _LONGEST_LOOKED


Index = tuple[list[int], list[int]]


@lru_cache(maxsize=64)
def _names_index(text: str) -> Index:
    return _index(name_spans(text))


@lru_cache(maxsize=64)
def _titles_index(text: str) -> Index:
    return _index(_titles(text))


def _index(spans: Iterable[tuple[int, int]]) -> Index:
    """The spans' starts in order, and for each the furthest end of a span starting there
    or before."""
    ordered = sorted(spans)
    return [s for s, _ in ordered], list(itertools.accumulate((e for _, e in ordered), max))


def _within(index: Index, start: int, end: int) -> bool:
    """Whether ``start`` to ``end`` lies inside one of the spans of ``index``."""
    starts, reach = index
    at = bisect.bisect_right(starts, start)
    return at > 0 and reach[at - 1] >= end


def _named_again(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where a word found in a name above comes back alone, Capitalised, without an article
    or a possessive before it: "Coach Shank says ... Shank told me" is one man. ("the
    Shank", "my Shank" are not him.)"""
    names = {w for s, e in spans for w in _GAP.split(text[s:e]) if len(w) > 2 and w[1:].islower()}
    if not names:
        return []
    found = _index(spans)
    again = []
    for m in _CAPITALISED.finditer(text):  # one pass, however many names
        if m.group() not in names or _within(found, m.start(), m.start() + 1):
            continue
        if _word_before(text, m.start()) not in _DETERMINERS:
            again.append(m.span())
    return again


def _word_before(text: str, start: int) -> str:
    """The word just before ``start``, past opening quotes, lower case."""
    before = text[max(0, start - 40) : start].rstrip(_OPENING)
    return before.rpartition(" ")[2].rpartition("\n")[2].casefold()
