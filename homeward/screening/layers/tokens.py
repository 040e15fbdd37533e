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
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, NamedTuple, Protocol, TypeVar

from homeward.screening.layers.once import once
from homeward.screening.normalize import Normalized, fold

LANGUAGES = ("en", "es")
# Letters (any script) with inner apostrophes kept out: "victim's" is "victim" and "s".
_WORD = re.compile(r"[^\W\d_]+")
_CACHE_LIMIT = 200_000


class _Lemmatize(Protocol):
    def __call__(self, token: str, lang: str) -> str: ...


_keys_cache: dict[str, frozenset[str]] = {}


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

    return any(simplemma.is_known(word, lang=lang) for lang in LANGUAGES)


def key(word: str) -> str:
    """A lexicon word as tokens know it: folded the way the engine folds phrases."""
    return fold(word).replace(" ", "")


def keys(word: str) -> frozenset[str]:
    """Every key of one word of a message: itself and its lemmas, folded."""
    found = _keys_cache.get(word)
    if found is None:
        forms = {word} | set(lemmas(word))
        found = frozenset(k for k in map(key, forms) if k)
        if len(_keys_cache) >= _CACHE_LIMIT:
            _keys_cache.clear()
        _keys_cache[word] = found
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


def tokenize(normalized: Normalized) -> list[Token]:
    """The words of a message with their keys."""
    text = normalized.plain.text
    cache = _keys_cache
    tokens = []
    for index, m in enumerate(_WORD.finditer(text)):
        word = m.group()
        tokens.append(Token(index, word, cache.get(word) or keys(word), m.start(), m.end()))
    return tokens


def original_span(normalized: Normalized, first: Token, last: Token) -> tuple[int, int]:
    """The span of the original text from the first token to the last."""
    return normalized.plain.to_original(first.start, last.end)


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

    def find(self, tokens: Sequence[Token]) -> list[Found[T]]:
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
