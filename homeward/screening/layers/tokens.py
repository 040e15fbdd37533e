"""Morphology: the words of a message, each with the forms a lexicon can know it by.

A message's words are read from its *plain* view (case-folded, accents and doubled letters
kept, so a lemmatiser can read them). Each word carries *keys*: the word folded as the
engine folds phrases (accents dropped, doubled letters collapsed, lookalikes undone), and
the folded English and Spanish lemmas of it. "knives" has the keys knives and knife;
"mataré" has matare and matar; "killed" has kiled and kil. A lexicon entry matches a word
when the entry, folded the same way (``key``), is among the word's keys: lexicons are
written in base forms and match every inflection the lemmatiser knows.

Lemmas come from simplemma (dictionary-based, English and Spanish, no model to train). Its
dictionaries load once per process (about 1.5 s); a word's keys are cached, so a message
costs a dictionary lookup per word.

``Lexicon`` finds entries of one or more words in a message's tokens, by the first word's
keys, and every hit maps back to the original text through the plain view.
"""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, NamedTuple, Protocol, TypeVar, overload

from homeward.screening import native
from homeward.screening.layers.once import once
from homeward.screening.normalize import Normalized, fold

LANGUAGES = ("en", "es")
# Letters (any script) with inner apostrophes kept out: "victim's" is "victim" and "s".
_WORD = re.compile(r"[^\W\d_]+")
_CACHE_LIMIT = 200_000
# The same words for a Latin-1 text, five times faster than the regex: every character
# the regex would not take becomes a space (bytes.translate, in C), then str.split.
_NOT_WORD_LATIN1 = bytes(c if _WORD.fullmatch(chr(c)) else 0x20 for c in range(256))


def starts_of(text: str) -> list[int]:
    """Where each word of ``_WORD.findall(text)`` starts. ``native/_text.c`` does the same
    in C, which is used when it is built."""
    return [m.start() for m in _WORD.finditer(text)]


_starts_of: Callable[[str], list[int]] = native.function("_text", "starts") or starts_of


class Vocabulary:
    """Each word read so far, with its keys (``keys``): ``words_and_keys(text)`` gives the
    words of a text (``words_of``), the keys of each one known (None where it is not) and
    how many are not known. ``native/_text.c`` has the same in C, used when it is built:
    it finds each word by its characters where it lies in the text and hands back the str
    it keeps for it, so a word seen before costs no new str (most words of most messages),
    and a dict that has it as a key (a lexicon's words) finds it at once."""

    def __init__(self) -> None:
        self._keys: dict[str, frozenset[str]] = {}

    def words_and_keys(self, text: str) -> tuple[list[str], list[frozenset[str] | None], int]:
        words = words_of(text)
        keys = list(map(self._keys.get, words))
        return words, keys, keys.count(None)

    def add(self, word: str, keys: frozenset[str]) -> None:
        self._keys[word] = keys

    def get(self, word: str) -> frozenset[str] | None:
        return self._keys.get(word)

    def clear(self) -> None:
        self._keys.clear()

    def __len__(self) -> int:
        return len(self._keys)


def words_of(text: str) -> list[str]:
    """``_WORD.findall(text)``: the letters of a text, word by word."""
    try:
        data = text.encode("latin-1")
    except UnicodeEncodeError:
        return _WORD.findall(text)
    return data.translate(_NOT_WORD_LATIN1).decode("latin-1").split()


_vocabulary: Vocabulary = (native.function("_text", "Vocabulary") or Vocabulary)()


class _Lemmatize(Protocol):
    def __call__(self, token: str, lang: str) -> str: ...


@once
def _lemmatizer() -> _Lemmatize:
    """simplemma's lemmatize, imported on first use (its dictionaries take a while)."""
    import simplemma

    lemmatize: _Lemmatize = simplemma.lemmatize
    return lemmatize


def lemmas(word: str) -> frozenset[str]:
    """The English and Spanish lemmas of a lower-case word (the word itself when the
    dictionaries do not know it)."""
    lemmatize = _lemmatizer()
    return frozenset(lemmatize(word, lang=lang).casefold() for lang in LANGUAGES)


@lru_cache(maxsize=200_000)
def in_dictionary(word: str) -> bool:
    """Whether the English or Spanish dictionary (simplemma's) knows a lower-case word."""
    import simplemma

    if len(word) >= 4 and word.isascii() and word.isalpha() and word.islower():
        starts = dictionary_starts()
        if starts is not None and not begins_a_word(word, starts):
            return False  # the dictionaries cost microseconds a word: most are not asked
    return any(simplemma.is_known(word, lang=lang) for lang in LANGUAGES)


@once
def dictionary_starts() -> frozenset[str] | None:
    """The first four and the first five letters, in lower case, of every word of the
    English and Spanish dictionaries (about 88,000 of them, from a million words, read once
    in a second or two): a word of lower-case ASCII letters that does not begin so is known
    to neither (simplemma looks such a word up as it is and capitalised), so they need not
    be asked about it (``begins_a_word``). None where simplemma does not lay its
    dictionaries open this way."""
    try:
        from simplemma.strategies.dictionaries.dictionary_factory import (
            DEFAULT_DICTIONARY_FACTORY,
        )

        words = [
            word.lower()
            for lang in LANGUAGES
            for word in DEFAULT_DICTIONARY_FACTORY.get_dictionary(lang)
        ]
    except (ImportError, AttributeError, TypeError):
        return None
    return frozenset(word[:4] for word in words) | frozenset(word[:5] for word in words)


def begins_a_word(word: str, starts: frozenset[str]) -> bool:
    """Whether a word of four letters or more begins as one of the words ``starts`` holds
    the beginnings of (their first four and five letters) does."""
    return word[:4] in starts and (len(word) < 5 or word[:5] in starts)


def key(word: str) -> str:
    """A lexicon word as tokens know it: folded the way the engine folds phrases."""
    return fold(word).replace(" ", "")


# Words as people text them, with the word they stand for: "a q hora" is "a qué hora", "d
# noche" is "de noche", "x el pasillo" is "por el pasillo". A lexicon entry written in full
# matches them too.
TEXTED = {
    "q": "que",
    "k": "que",
    "ke": "que",
    "d": "de",
    "x": "por",
    "xq": "porque",
    "pq": "porque",
    "dnd": "donde",
    "tmb": "también",
    "tb": "también",
    "bn": "bien",
    "pa": "para",
    "u": "you",
    "ur": "your",
    "wat": "what",
    "wen": "when",
}


def keys(word: str) -> frozenset[str]:
    """Every key of one word of a message: itself, the word it stands for when texted
    (``TEXTED``) and their lemmas, folded."""
    found = _vocabulary.get(word)
    if found is None:
        forms = {word} | set(lemmas(word))
        if word in TEXTED:
            forms |= {TEXTED[word], *lemmas(TEXTED[word])}
        found = frozenset(k for k in map(key, forms) if k)
        if len(_vocabulary) >= _CACHE_LIMIT:
            _vocabulary.clear()
        _vocabulary.add(word, found)
    return found


class Token(NamedTuple):
    """One word of a message (a named tuple: a message makes dozens, and a frozen dataclass
    costs several times more to build)."""

    # Its position among the message's tokens (shadowing tuple.index, which nothing uses).
    index: int  # type: ignore[assignment]
    word: str  # as in the plain view: lower case, accents kept
    keys: frozenset[str]
    start: int  # offsets in the plain view
    end: int


class Words(Sequence[Token]):
    """The words of a message and their keys, as two lists read in one pass of a regular
    expression (a word's keys are cached across messages). Most words of most messages mean
    nothing to any lexicon, so the layers look words up in these lists; where the words are
    (whole ``Token`` objects, by index or by iterating) is worked out the first time a
    layer asks, which is when something was found."""

    __slots__ = ("_starts", "keys", "text", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        self.words, cached, unknown = _vocabulary.words_and_keys(text)  # as in the plain view
        self._starts: list[int] | None = None  # worked out when something is found
        if not unknown:
            self.keys: list[frozenset[str]] = cached  # type: ignore[assignment]  # no None
        else:  # a word not seen before (or not since the cache was cleared)
            self.keys = [k or keys(w) for w, k in zip(self.words, cached, strict=True)]

    def __len__(self) -> int:
        return len(self.words)

    def starts(self) -> list[int]:
        """Where each word starts in the text."""
        if self._starts is None:
            self._starts = _starts_of(self.text)
        return self._starts

    @overload
    def __getitem__(self, index: int) -> Token: ...
    @overload
    def __getitem__(self, index: slice) -> list[Token]: ...
    def __getitem__(self, index: int | slice) -> Token | list[Token]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self.words)))]
        if index < 0:
            index += len(self.words)
        word, start = self.words[index], self.starts()[index]
        return Token(index, word, self.keys[index], start, start + len(word))

    def __iter__(self) -> Iterator[Token]:
        return (self[i] for i in range(len(self.words)))

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Where words ``first`` to ``last`` (inclusive) are in the text: from the first's
        start to the last's end (without making their tokens)."""
        starts = self.starts()
        return starts[first], starts[last] + len(self.words[last])


def tokenize(normalized: Normalized) -> Words:
    """The words of a message (its plain view), with their keys on demand."""
    return Words(normalized.plain.text)


def original_span(normalized: Normalized, words: Words, first: int, last: int) -> tuple[int, int]:
    """The span of the original text from word ``first`` to word ``last`` (inclusive)."""
    return normalized.plain.to_original(*words.span(first, last))


# --- lexicons ---------------------------------------------------------------------------

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Found(Generic[T]):
    first: int  # token indexes, inclusive
    last: int
    entry: T


class Lexicon(Generic[T]):
    """Entries of one or more words, each carrying a value; found among a message's tokens.

    An entry's words are folded with ``key``; a message word matches an entry word when the
    entry word's key is among the message word's keys (so entries are written in base form).
    """

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], T]]] = defaultdict(list)
        for phrase, value in entries:
            words = tuple(key(w) for w in _WORD.findall(phrase.casefold()))
            if not words or not all(words):
                raise ValueError(f"{phrase!r} has no words to look for")
            self._by_first[words[0]].append((words, value))
        self.size = sum(len(v) for v in self._by_first.values())

    def __len__(self) -> int:
        return self.size

    def find(self, tokens: Words) -> list[Found[T]]:
        found: list[Found[T]] = []
        by_first = self._by_first
        for token in tokens:
            for k in token.keys:
                for words, value in by_first.get(k, ()):
                    last = token.index + len(words) - 1
                    if last < len(tokens) and all(
                        words[i] in tokens[token.index + i].keys for i in range(1, len(words))
                    ):
                        found.append(Found(token.index, last, value))
        return found


# Words too common to look an entry up by: an entry is looked up by its least common word,
# so "la corta" costs nothing where "la" is. Function words first, then common verbs. (They
# change only how fast entries are found, never what is found.)
_FUNCTION_WORDS = (
    "a al de del el en la las le les lo los me mi mis nos se su sus te tu tus un una y o "
    "que pa para por con es esta the an to of in on at my your ur his her him them i you it "
    "that this is be for with and or we they he she u up out no not who ya dont cant sin ni "
    "ese esa eso este hay muy mas pero como"
)
_COMMON_WORDS = (
    "dar hacer poner get got put take give go make made phone where send sent from know "
    "down through write word went inside said says say tell told call watch letter back run "
    "pay pagar mandar manda tiene decir dile like"
)
_FUNCTION = frozenset(key(word) for word in _FUNCTION_WORDS.split())
_COMMON = frozenset(key(word) for word in _COMMON_WORDS.split())
# The most words a lexicon keeps what it knows of (``AnchoredLexicon``); then it forgets.
WORDS_KEPT = 200_000
# The array type of 32-bit ints, as ``native/_meet.c`` reads a packed word (int32_t).
_INT32 = next(code for code in "ilh" if array(code).itemsize == 4)


class _Anchor(NamedTuple, Generic[T]):
    at: int  # the place of the anchoring word in the entry
    words: tuple[str, ...]  # the keys of the entry's words
    value: T


def _rarity(word: str) -> tuple[bool, bool, bool, int]:
    """How good a word is to look an entry up by: more than a letter ("s" of "it's"), not
    a function word, not a common one, then longer."""
    return (len(word) > 1, word not in _FUNCTION, word not in _COMMON, len(word))


class _Anchored(NamedTuple, Generic[T]):
    """What one word anchors: the one-word entries it is, and the longer entries it is
    the least common word of, by the key of the word after it (or before it, when it is
    the entry's last word)."""

    ones: tuple[T, ...]
    after: dict[str, tuple[_Anchor[T], ...]]
    before: dict[str, tuple[_Anchor[T], ...]]


class AnchoredLexicon(Lexicon[T]):
    """A ``Lexicon`` that finds the same entries many times faster.

    - Each entry is looked up by its least common word rather than its first ("put in
      work", "la corta", "the yard" are tried where "work", "corta" and "yard" occur, not
      at every "put", "la" and "the"), then by its neighbour's key, so "can" costs one
      lookup of the next word, not a check of every entry of "can".
    - What a word anchors is worked out once and kept per word: a word that anchors
      nothing (most words of most messages) costs one dictionary lookup."""

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        entries = list(entries)
        super().__init__(entries)
        by_anchor: dict[str, list[_Anchor[T]]] = defaultdict(list)
        for phrase, value in entries:
            words = tuple(key(w) for w in _WORD.findall(phrase.casefold()))
            at = max(range(len(words)), key=lambda i: _rarity(words[i]))
            by_anchor[words[at]].append(_Anchor(at, words, value))
        self._by_anchor = {k: tuple(v) for k, v in by_anchor.items()}
        # Every key an entry is looked up by: a word none of whose keys is one anchors
        # nothing (most new words), which the walk keeps without asking ``_learn``.
        self.anchor_keys: Mapping[str, object] = self._by_anchor
        self._by_word: dict[str, _Anchored[T] | None] = {}
        # The same in numbers, for the compiled walk of ``native/_meet.c`` (``packed``):
        # each anchor numbered in the order of ``_by_anchor`` (``anchors``, and the number
        # of each key's first), each key of an entry's words numbered.
        self.anchors: tuple[_Anchor[T], ...] = tuple(
            anchor for anchors in self._by_anchor.values() for anchor in anchors
        )
        self._first_number: dict[str, int] = {}
        counted = 0
        for k, anchors in self._by_anchor.items():
            self._first_number[k] = counted
            counted += len(anchors)
        entry_keys = dict.fromkeys(k for anchor in self.anchors for k in anchor.words)
        self._key_number = {k: number for number, k in enumerate(entry_keys)}
        # Every key of an entry's words: a word none of whose keys is one is None to
        # ``packed`` (most new words), which the walk keeps without asking it.
        self.entry_keys: Mapping[str, object] = self._key_number
        self.packed_by_word: dict[str, bytes | None] = {}

    def _anchored(self, word: str) -> tuple[list[int], dict[str, list[int]], dict[str, list[int]]]:
        """The numbers of the anchors a word is (``anchors``): of its one-word entries, and
        of its longer ones by the key of the word after it (or before it, when it is the
        entry's last word), in the order ``walk`` tries them."""
        ones: list[int] = []
        after: dict[str, list[int]] = defaultdict(list)
        before: dict[str, list[int]] = defaultdict(list)
        for k in keys(word):
            anchors = self._by_anchor.get(k, ())
            for number, anchor in enumerate(anchors, start=self._first_number.get(k, 0)):
                at, words = anchor.at, anchor.words
                if len(words) == 1:
                    ones.append(number)
                elif at + 1 < len(words):
                    after[words[at + 1]].append(number)
                else:
                    before[words[at - 1]].append(number)
        return ones, after, before

    def _learn(self, word: str) -> _Anchored[T] | None:
        """Work out once what a word anchors (None for nothing), and keep it."""
        if len(self._by_word) >= WORDS_KEPT:
            self._by_word.clear()
        anchored = None
        if not self._by_anchor.keys().isdisjoint(keys(word)):  # most new words: nothing
            ones, after, before = self._anchored(word)
            if ones or after or before:
                anchor = self.anchors.__getitem__
                anchored = _Anchored(
                    tuple(anchor(n).value for n in ones),
                    {k: tuple(map(anchor, v)) for k, v in after.items()},
                    {k: tuple(map(anchor, v)) for k, v in before.items()},
                )
        self._by_word[word] = anchored
        return anchored

    def packed(self, word: str) -> bytes | None:
        """What a word is to the compiled walk of ``native/_meet.c``, worked out once and
        kept: None for a word none of whose keys is a word of an entry, else native-endian
        32-bit ints: the numbers of its keys that are (K, then K numbers), of the one-word
        entries it anchors (O, then O anchor numbers), and the longer entries it anchors
        (C, then C times: the anchor's place in its entry, the entry's length, the anchor's
        number, the numbers of the entry's words' keys), in the order ``walk`` tries them."""
        found = self.packed_by_word.get(word, _UNKNOWN)
        if found is not _UNKNOWN:
            return found  # type: ignore[no-any-return]
        word_keys = keys(word)
        packed = None
        if not self._key_number.keys().isdisjoint(word_keys):  # most new words: none
            own = sorted(self._key_number[k] for k in word_keys if k in self._key_number)
            ones, after, before = self._anchored(word)
            ints = [len(own), *own, len(ones), *ones]
            longer = [n for group in (after, before) for numbers in group.values() for n in numbers]
            ints.append(len(longer))
            for number in longer:
                anchor = self.anchors[number]
                ints += [anchor.at, len(anchor.words), number]
                ints += [self._key_number[k] for k in anchor.words]
            packed = array(_INT32, ints).tobytes()
        if len(self.packed_by_word) >= WORDS_KEPT:
            self.packed_by_word.clear()
        self.packed_by_word[word] = packed
        return packed

    def spans(self, tokens: Words) -> list[tuple[int, int, T]]:
        """(first, last, value) of every entry found, first and last inclusive."""
        return _walk(
            tokens.words, tokens.keys, self._by_word, self._learn, self.anchor_keys, WORDS_KEPT
        )

    def find(self, tokens: Words) -> list[Found[T]]:
        return [Found(first, last, value) for first, last, value in self.spans(tokens)]

    def places(self, tokens: Words) -> dict[str, list[tuple[int, int]]]:
        """For a lexicon whose values are sets of names (concepts): ``places_of`` what
        ``spans`` finds."""
        return _walk_places(
            tokens.words, tokens.keys, self._by_word, self._learn, self.anchor_keys, WORDS_KEPT
        )


def walk(
    words: list[str],
    keys: list[frozenset[str]],
    by_word: dict[str, _Anchored[T] | None],
    learn: Callable[[str], _Anchored[T] | None],
    anchors: Mapping[str, object] | None = None,
    kept: int = 0,
) -> list[tuple[int, int, T]]:
    """(first, last, value) of every entry anchored at one of ``words``, by what each word
    anchors (``by_word``, or ``learn`` for a word not there yet). Given ``anchors`` (the
    keys entries are anchored by) and ``kept`` (the most words by_word keeps), a new word
    none of whose keys is in anchors is kept as anchoring nothing without asking learn,
    while by_word holds fewer than kept words (as learn keeps it: learn empties a full
    by_word). ``native/_walk.c`` does the same in C, which is used when it is built."""
    found: list[tuple[int, int, T]] = []
    count = len(keys)
    for index, word in enumerate(words):
        anchored = by_word.get(word, _UNKNOWN)
        if anchored is _UNKNOWN:
            if (
                anchors is not None
                and len(by_word) < kept
                and anchors.keys().isdisjoint(keys[index])
            ):
                anchored = by_word[word] = None
            else:
                anchored = learn(word)
        if anchored is None:
            continue
        ones, after, before = anchored
        for value in ones:
            found.append((index, index, value))
        if after and index + 1 < count:
            following = keys[index + 1]
            for k, candidates in after.items():
                if k in following:
                    _whole(candidates, index, keys, found)
        if before and index > 0:
            preceding = keys[index - 1]
            for k, candidates in before.items():
                if k in preceding:
                    _whole(candidates, index, keys, found)
    return found


_UNKNOWN: Any = object()


def _whole(
    candidates: tuple[_Anchor[T], ...],
    index: int,
    keys: Sequence[frozenset[str]],
    found: list[tuple[int, int, T]],
) -> None:
    """Add to ``found`` each entry, anchored at ``index``, whose every word is there."""
    count = len(keys)
    for at, words, value in candidates:
        first = index - at
        size = len(words)
        if first < 0 or first + size > count:
            continue
        for i in range(size):
            if words[i] not in keys[first + i]:
                break
        else:
            found.append((first, first + size - 1, value))


_walk: Callable[..., list[Any]] = native.function("_walk", "walk") or walk


def places_of(found: list[tuple[int, int, frozenset[str]]]) -> dict[str, list[tuple[int, int]]]:
    """Each name of the sets ``found`` holds (a lexicon's spans) with the sorted spans where
    it was found, each once. ``native/_walk.c`` does the same in C, used when it is built."""
    places: dict[str, list[tuple[int, int]]] = {}
    for first, last, meant in found:
        for name in meant:
            if name in places:
                places[name].append((first, last))
            else:
                places[name] = [(first, last)]
    for spans in places.values():
        if len(spans) > 1:
            spans[:] = sorted(set(spans))
    return places


def walk_places(
    words: list[str],
    keys: list[frozenset[str]],
    by_word: dict[str, _Anchored[frozenset[str]] | None],
    learn: Callable[[str], _Anchored[frozenset[str]] | None],
    anchors: Mapping[str, object] | None = None,
    kept: int = 0,
) -> dict[str, list[tuple[int, int]]]:
    """``places_of`` the ``walk`` of a lexicon whose values are sets of names.
    ``native/_walk.c`` does both in one pass, used when it is built."""
    if anchors is None:
        return _places_of(_walk(words, keys, by_word, learn))
    return _places_of(_walk(words, keys, by_word, learn, anchors, kept))


_places_of: Callable[..., dict[str, list[tuple[int, int]]]] = (
    native.function("_walk", "places_of") or places_of
)
_walk_places: Callable[..., dict[str, list[tuple[int, int]]]] = (
    native.function("_walk", "walk_places") or walk_places
)
