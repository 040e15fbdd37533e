"""The ways a person disguises a word to slip it past a filter.

Each function takes one token (a word, a number, a handle: no spaces) and a seeded random
generator, and returns the disguised token. ``disguise`` applies a named obfuscation to a
whole key span (one or more tokens). The corpus generator calls it on the bracketed key
words of every violating message, once per obfuscation type.
"""

from __future__ import annotations

import random
from collections.abc import Callable

# Leetspeak as people type it. "l" is left alone on purpose: most people who write "1" mean
# "i", and the corpus should test the common habit rather than every possible one.
LEET = {"a": "4@", "e": "3", "i": "1!", "o": "0", "s": "5$", "t": "7", "g": "9", "b": "8"}

# Cyrillic and Greek letters that look like Latin ones.
HOMOGLYPHS = {
    "a": "аα",  # Cyrillic a, Greek alpha
    "c": "с",
    "d": "ԁ",
    "e": "е",
    "h": "һ",
    "i": "іι",
    "j": "ј",
    "k": "κ",
    "o": "оο",
    "p": "р",
    "s": "ѕ",
    "t": "τ",
    "u": "υ",
    "v": "ν",
    "x": "х",
    "y": "у",
    "A": "АΑ",
    "B": "ВΒ",
    "C": "С",
    "E": "ЕΕ",
    "H": "НΗ",
    "I": "ІΙ",
    "K": "КΚ",
    "M": "МΜ",
    "N": "Ν",
    "O": "ОΟ",
    "P": "РΡ",
    "S": "Ѕ",
    "T": "ТΤ",
    "X": "ХΧ",
    "Y": "Υ",
    "Z": "Ζ",
}

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
COMBINING = "\u0301\u0300\u0308\u0303\u0302\u0336\u0335\u0331\u0323\u0327"

Transform = Callable[[str, random.Random], str]


def _pick_positions(rng: random.Random, candidates: list[int], share: float) -> set[int]:
    """A random share of the candidate positions, never none (so the word always changes)."""
    if not candidates:
        return set()
    chosen = {i for i in candidates if rng.random() < share}
    return chosen or {rng.choice(candidates)}


def leet(token: str, rng: random.Random) -> str:
    positions = _pick_positions(rng, [i for i, c in enumerate(token) if c.lower() in LEET], 0.7)
    return "".join(
        rng.choice(LEET[c.lower()]) if i in positions else c for i, c in enumerate(token)
    )


def homoglyph(token: str, rng: random.Random) -> str:
    positions = _pick_positions(rng, [i for i, c in enumerate(token) if c in HOMOGLYPHS], 0.5)
    return "".join(rng.choice(HOMOGLYPHS[c]) if i in positions else c for i, c in enumerate(token))


def fullwidth(token: str, rng: random.Random) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in token)


def repeated_letters(token: str, rng: random.Random) -> str:
    positions = _pick_positions(rng, [i for i, c in enumerate(token) if c.isalpha()], 0.3)
    return "".join(c * rng.randint(3, 5) if i in positions else c for i, c in enumerate(token))


def combining_marks(token: str, rng: random.Random) -> str:
    positions = _pick_positions(rng, [i for i, c in enumerate(token) if c.isalnum()], 0.7)
    return "".join(c + rng.choice(COMBINING) if i in positions else c for i, c in enumerate(token))


def zero_width(token: str, rng: random.Random) -> str:
    gaps = _pick_positions(rng, list(range(1, len(token))), 0.7)
    return "".join((rng.choice(ZERO_WIDTH) if i in gaps else "") + c for i, c in enumerate(token))


def _between_letters(token: str, separator: str) -> str:
    """The separator between every two letters or digits ("(555)" -> "(5.5.5)")."""
    out = [token[:1]]
    for before, char in zip(token, token[1:], strict=False):
        out.append(separator + char if before.isalnum() and char.isalnum() else char)
    return "".join(out)


def _separated(separator: str) -> Transform:
    def separate(token: str, rng: random.Random) -> str:
        return _between_letters(token, separator)

    return separate


def hyphenated(token: str, rng: random.Random) -> str:
    """Either every letter apart ("e-s-c-a-p-e") or the word broken once ("es-cape")."""
    if len(token) > 4 and token.isalpha() and rng.random() < 0.4:
        cut = rng.randint(2, len(token) - 2)
        return token[:cut] + "-" + token[cut:]
    return _between_letters(token, "-")


# Changes to the letters themselves come first, separators after, when two are mixed.
TRANSFORMS: dict[str, Transform] = {
    "leet": leet,
    "homoglyph": homoglyph,
    "fullwidth": fullwidth,
    "repeated_letters": repeated_letters,
    "combining_marks": combining_marks,
    "spaced": _separated(" "),
    "dotted": _separated("."),
    "hyphenated": hyphenated,
    "zero_width": zero_width,
}

MIXES: list[tuple[str, str]] = [
    ("leet", "spaced"),
    ("homoglyph", "zero_width"),
    ("leet", "dotted"),
    ("combining_marks", "hyphenated"),
    ("homoglyph", "repeated_letters"),
    ("leet", "zero_width"),
    ("repeated_letters", "spaced"),
    ("fullwidth", "zero_width"),
    ("homoglyph", "dotted"),
    ("leet", "repeated_letters"),
]

OBFUSCATIONS = [
    "leet",
    "spaced",
    "dotted",
    "hyphenated",
    "homoglyph",
    "fullwidth",
    "zero_width",
    "repeated_letters",
    "combining_marks",
    "mixed",
]


def disguise(span: str, obfuscation: str, rng: random.Random) -> str:
    """The key span disguised one way (or, for "mixed", two ways at once)."""
    steps = list(rng.choice(MIXES)) if obfuscation == "mixed" else [obfuscation]
    tokens = span.split(" ")
    for step in steps:
        tokens = [TRANSFORMS[step](token, rng) for token in tokens]
    # Letters spaced apart need a wider gap between words, or the words run together.
    joiner = "   " if "spaced" in steps else " "
    return joiner.join(tokens)
