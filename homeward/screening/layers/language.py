"""Languages not screened: a message mostly in a language the library does not cover.

The rules and lexicons speak English and Spanish. A message written mostly in another
language (Vietnamese, Tagalog, Chinese, Arabic ...) would pass every one of them, which
says nothing about what it means, so it is flagged as *not screened* for a person to read
instead of passed as clear.

How: the share of a message's letters that belong to words the English or Spanish
dictionaries know (simplemma's, which morphology already loads), as written or folded
(repeated letters and lookalikes undone). Ordinary English and Spanish, slang and
misspellings included, keep well above half; a message with at least ``MIN_LETTERS``
letters and under ``KNOWN_SHARE`` of them known is not screened. Letters of scripts written
without spaces (Chinese, Japanese, Thai) count as unknown words. Short messages ("ok",
"gracias", a name) are never judged.
"""

from __future__ import annotations

from itertools import compress

from homeward.screening.categories import CODED
from homeward.screening.engine import Hit
from homeward.screening.layers.tokens import Words, in_dictionary
from homeward.screening.normalize import Normalized

RULE = "language:not-screened"
MIN_LETTERS = 24
KNOWN_SHARE = 0.45
_CACHE_LIMIT = 200_000


def known(word: str) -> bool:
    """Whether the English or Spanish dictionary knows a lower-case word (a single letter
    counts as known: "y", "a", "o")."""
    return len(word) == 1 or in_dictionary(word)


_readable: dict[str, bool] = {}
# A long letter is judged on this many of its words, taken evenly from all of it.
SAMPLE = 400


def readable(word: str, keys: frozenset[str]) -> bool:
    """A word a dictionary knows as written or once folded ("hhhouse", "vісtіm")."""
    answer = _readable.get(word)
    if answer is None:
        answer = known(word) or any(known(k) for k in keys)
        if len(_readable) >= _CACHE_LIMIT:
            _readable.clear()
        _readable[word] = answer
    return answer


def known_share(tokens: Words) -> tuple[float, int]:
    """The share of letters in known words among ``SAMPLE`` words spread over the message
    (every word of a short one), and the number of letters there."""
    step = max(1, len(tokens) // SAMPLE)
    words = tokens.words[::step]
    try:  # most messages: every word judged before, looked up without a call per word
        answers = list(map(_readable.__getitem__, words))
    except KeyError:
        answers = list(map(readable, words, tokens.keys[::step]))
    letters = sum(map(len, words))
    known_letters = sum(map(len, compress(words, answers)))
    return (known_letters / letters if letters else 1.0), letters


def find(normalized: Normalized, tokens: Words) -> list[Hit]:
    share, letters = known_share(tokens)
    if letters < MIN_LETTERS or share >= KNOWN_SHARE:
        return []
    original = normalized.original
    return [
        Hit(
            RULE,
            CODED,
            "flag",
            0,
            len(original),
            original,
            layer="language",
            detail=(
                f"Mostly not English or Spanish ({1 - share:.0%} of the letters are in words "
                "neither dictionary knows): screening cannot read it, so a person should."
            ),
        )
    ]
