"""The learned second opinion: a small text classifier that can raise a message to *flag*.

A logistic regression over hashed features, one-vs-rest: one weight vector says whether a
message violates at all ("violating"), and one per category says which category. It is
meant to judge what a message says, not how its writer writes, so its features are the
message's *content* words only:
- each word by one key (the shortest of ``tokens.Token.keys``, so "knives" and "knife" are
  one feature), leaving out function words, light verbs and greetings (``STOPWORDS``,
  English and Spanish: "her", "at", "be", "make sure", "por favor" say who wrote a letter,
  not what it asks for), and words of one letter;
- each pair of neighbouring content words ("hide knife" in "hide the knife").
Character n-grams (``CHAR_SIZES``) can be taken inside content words, never across them;
the shipped model uses none: on messages by another writer they cost more than they gave.

Each feature is hashed with CRC-32 (stable across processes, unlike ``hash()``) into
``BUCKETS`` buckets, and a message counts each bucket once, scaled so that the features
of a message have unit length (a long letter does not win by length alone; a short one
counts as FLOOR features, so a few words do not decide alone).

The weights are trained by ``manage.py train_screening_model`` on the labelled development
data and shipped as plain JSON (``library/classifier.json``): per class a bias, sparse
weights rounded to 4 decimals (the buckets as gaps from the one before, to keep the file
small), and a threshold chosen so that few innocent messages are flagged, both in
cross-validation and among innocent messages by other writers; and the most frequent text
of each bucket that pushes a class up, so a reviewer can read the words that drove a score.

A message is flagged when any class's probability reaches its threshold. The hit covers
the whole message (a score belongs to all of it), always with action "flag": the
classifier never blocks on its own.

It may also clear (``reads_innocent``, used by ``stack.second_opinion``): where only the
library's word layers flagged a message (concepts, slang, library rules not marked as
sure), and its words read as plainly innocent, both the whole message and around each
hit (a sentence buried in a long letter is read with its neighbours, not with the letter).
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import math
import threading
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

from homeward.screening import categories, native
from homeward.screening.engine import Hit
from homeward.screening.layers import tokens as tokens_module
from homeward.screening.layers.tokens import Words
from homeward.screening.normalize import Normalized, normalize

FORMAT = 2
BUCKETS = 2**18
# Character n-grams are taken only inside content words (a misspelt word shares parts with
# the word it means), never across words: across words they mostly learn a writer's style.
CHAR_SIZES: tuple[int, ...] = ()
# A message counts as having at least this many features when its features are scaled, so
# a short message is not judged on a handful of features each weighing a lot.
FLOOR = 12
VIOLATING = "violating"
CLASSES: tuple[str, ...] = (VIOLATING, *categories.LIBRARY_CODES)
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "library" / "classifier.json"
LAYER = "classifier"
# CRC-32 start values that keep the three kinds of feature apart.
_CHARS, _WORD, _PAIR = 0, 1, 2
_MASK = BUCKETS - 1
_SHOWN = 5

# Function words, English and Spanish: they say how someone writes, not what they mean, so
# they are neither features nor break the pairs of content words around them. Written as
# the keys tokens give (``tokens.key``: folded, doubled letters collapsed).
_STOPWORDS_EN = """
a about above after again against ain all also am an and any are aren as at be because been
before being below between both but by can cannot could did do does doing don done down
during each either else even ever every few for from further get gets getting got gonna had
has have having he her here hers herself him himself his how i if im in into is isn it its
itself ive just lets like ll me might mine more most much must my myself neither no nor not
now of off oh ok okay on once only or other ought our ours ourselves out over own re s same
shall she should so some such t than that thats the their theirs them themselves then there
these they this those though through thus to too under until up upon us ve very was wasn we
were what when where whether which while who whom whose why will with would yeah yes yet you
your yours yourself yourselves d m y u ur ya im
"""
_STOPWORDS_ES = """
a al algo algun alguna alguno algunos ante antes aqui asi aun aunque bien cada como con
contra cual cuales cuando cuanto de del desde donde dos el ella ellas ello ellos en entre
era eran eres es esa esas ese eso esos esta estaba estaban estamos estan estar estas este
esto estos estoy fue fueron fui ha haber habia han has hasta hay he hemos hubo la las le les
lo los mas me mi mis mucho muy nada ni no nos nosotros o otra otras otro otros para pero poco
por porque pues que quien quienes se ser si sin sobre solo somos son soy su sus tal tambien
tan tanto te tenemos tener tengo ti tiene tienen toda todas todo todos tu tus un una unas uno
unos usted ustedes va vamos y ya yo q pa pq xq tmb
"""
# Light verbs, greetings and fillers: frequent in every kind of letter, so what they add
# to a score is the writer's habits (a "make sure", a "tell me", a "por favor").
_LIGHT = """
back bring call come could day did get give go going good got hello hey hi hope know let
lol look love make many maybe mean miss need one put really right said say see send sure
take talk tell thank thanks thing things think time told try want way well went write
again already always anyway just never soon still
dar decir dejar favor hablar hacer hola ir llamar mandar nomas oye pasar poder poner
querer saber salir seguir sentir ver venir
aca ahi ahora alla alli bueno casi cosa cosas despues entonces luego nunca siempre vez
"""
STOPWORDS: frozenset[str] = frozenset(
    tokens_module.key(word) for word in (_STOPWORDS_EN + _STOPWORDS_ES + _LIGHT).split()
)


def stopwords_version() -> str:
    """The first 12 hex digits of the SHA-256 of the function words: a model trained
    with other function words would score other features."""
    return hashlib.sha256(" ".join(sorted(STOPWORDS)).encode("utf-8")).hexdigest()[:12]


_word_keys: dict[str, bytes | None] = {}
_WORD_KEYS_LIMIT = 200_000


def word_key(word: str, keys: frozenset[str]) -> str:
    """The one key a word counts by: its shortest key (alphabetically first of equals)."""
    return min(keys, key=lambda k: (len(k), k)) if keys else word


def is_stopword(word: str, keys: frozenset[str]) -> bool:
    """Whether a word is a function word (by its own form or the key it counts by)."""
    if len(word) < 2:
        return True
    return tokens_module.key(word) in STOPWORDS or word_key(word, keys) in STOPWORDS


def _word_key_bytes(word: str, keys: frozenset[str]) -> bytes | None:
    """word_key, encoded, or None for a function word; cached per word (a word's keys
    never change)."""
    found = _word_keys.get(word, b"")
    if found == b"":
        if len(_word_keys) >= _WORD_KEYS_LIMIT:
            _word_keys.clear()
        found = _word_keys[word] = (
            None if is_stopword(word, keys) else word_key(word, keys).encode("utf-8")
        )
    return found


def _char_grams(words: Sequence[bytes]) -> list[bytes]:
    """The character n-grams inside each content word, with a space at either end."""
    grams: list[bytes] = []
    for word in words:
        data = b" " + word + b" "
        grams.extend(data[i : i + n] for n in CHAR_SIZES for i in range(len(data) - n + 1))
    return grams


def _content_words(tokens: Words) -> list[bytes]:
    """A message's content words (function words left out), as they are counted."""
    try:  # most messages: every word seen before, looked up without a call per word
        keyed = list(map(_word_keys.__getitem__, tokens.words))
    except KeyError:
        keyed = list(map(_word_key_bytes, tokens.words, tokens.keys))
    return list(filter(None, keyed))  # None: a function word (no key is empty)


def features(normalized: Normalized, tokens: Words) -> frozenset[int]:
    """The buckets a message sets. (``normalized`` is kept for callers: the features
    come from the tokens alone.)"""
    words = _content_words(tokens)
    if _buckets is not None and not CHAR_SIZES:
        return _buckets(words, _WORD, _PAIR, _MASK)  # the same, in one pass in C
    return word_buckets(words)


def word_buckets(words: list[bytes]) -> frozenset[int]:
    """The buckets of content words: the CRC-32 of each word and of each two neighbours
    written with a space between (that of the first, a space and the second, carried on
    from one to the next), and of the character n-grams. ``native/_text.c`` does the same
    for words and pairs in C, which is used when it is built."""
    firsts = map(zlib.crc32, repeat(b" "), map(zlib.crc32, words[:-1], repeat(_PAIR)))
    hashes = [*map(zlib.crc32, words, repeat(_WORD)), *map(zlib.crc32, words[1:], firsts)]
    if CHAR_SIZES:
        hashes.extend(map(zlib.crc32, _char_grams(words)))
    return frozenset(map(_MASK.__and__, hashes))


_buckets: Callable[[list[bytes], int, int, int], frozenset[int]] | None = native.function(
    "_text", "buckets"
)


def named_features(normalized: Normalized, tokens: Words) -> dict[int, str]:
    """Each bucket a message sets, with a readable name of what set it: the words as the
    message wrote them ('knives' for the word counted as knife, 'hide knives' for a pair
    of content words; training keeps the most frequent), '…nife…' for characters (spaces
    shown as _). Used in training to name the kept buckets; slower than ``features``."""
    content = [t for t in tokens if _word_key_bytes(t.word, t.keys) is not None]
    words = [_word_key_bytes(t.word, t.keys) or b"" for t in content]
    shown = [t.word for t in content]
    named: dict[int, str] = {}
    for word, name in zip(words, shown, strict=True):
        named.setdefault(zlib.crc32(word, _WORD) & _MASK, name)
    for i in range(len(words) - 1):
        pair = words[i] + b" " + words[i + 1]
        named.setdefault(zlib.crc32(pair, _PAIR) & _MASK, f"{shown[i]} {shown[i + 1]}")
    if CHAR_SIZES:
        for gram in _char_grams(words):
            named.setdefault(zlib.crc32(gram) & _MASK, "…" + gram.decode().replace(" ", "_") + "…")
    return named


def gaps(buckets: Sequence[int]) -> list[int]:
    """Sorted buckets as the first and the differences after it (a smaller file)."""
    return [b - a for a, b in zip([0, *buckets], buckets, strict=False)]


def ungaps(differences: Iterable[int]) -> list[int]:
    return list(itertools.accumulate(int(d) for d in differences))


def scale(count: int) -> float:
    """The value of each feature of a message with ``count`` features: unit length, or
    less for a message with fewer than FLOOR features."""
    return 1.0 / math.sqrt(max(count, FLOOR)) if count else 0.0


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True)
class Model:
    """Trained weights, as loaded from the JSON file."""

    version: str  # the first 12 hex digits of the file's SHA-256
    classes: tuple[str, ...]
    bias: tuple[float, ...]
    thresholds: tuple[float, ...]
    # bucket -> its weight in each class, in the order of ``classes``
    rows: dict[int, tuple[float, ...]]
    # bucket -> the same weights packed into one integer (see ``pack``)
    packed: dict[int, int]
    names: dict[int, str]
    fingerprint: str  # SHA-256 of the training data
    settings: dict[str, Any]

    @classmethod
    def from_json(cls, data: bytes) -> Model:
        document = json.loads(data)
        if document.get("format") != FORMAT:
            raise ValueError(f"classifier file format {document.get('format')!r} is not {FORMAT}")
        settings = document["features"]
        if (
            settings.get("buckets") != BUCKETS
            or tuple(settings.get("chars", ())) != CHAR_SIZES
            or settings.get("floor") != FLOOR
            or settings.get("stopwords") != stopwords_version()
        ):
            raise ValueError("classifier file was trained with other feature settings")
        classes = tuple(document["classes"])
        if classes[0] != VIOLATING or not set(classes[1:]) <= set(categories.LIBRARY_CODES):
            raise ValueError(f"classifier file has unknown classes {classes!r}")
        rows: dict[int, list[float]] = {}
        for index, name in enumerate(classes):
            weights = document["weights"][name]
            for bucket, weight in zip(ungaps(weights["buckets"]), weights["values"], strict=True):
                rows.setdefault(bucket, [0.0] * len(classes))[index] = float(weight)
        named = document["names"]
        return cls(
            version=hashlib.sha256(data).hexdigest()[:12],
            classes=classes,
            bias=tuple(float(document["bias"][name]) for name in classes),
            thresholds=tuple(float(document["thresholds"][name]) for name in classes),
            rows={bucket: tuple(row) for bucket, row in rows.items()},
            packed={bucket: pack(row) for bucket, row in rows.items()},
            names=dict(zip(ungaps(named["buckets"]), map(str, named["names"]), strict=True)),
            fingerprint=str(document["training"]["fingerprint"]),
            settings=dict(settings),
        )


@dataclass(frozen=True)
class Scored:
    """What the classifier makes of a message. ``probability`` and ``threshold`` are those
    of the class that decided (the one furthest past its threshold, or the overall score
    when none is); ``category`` is the category it points to; ``features`` the features
    that pushed it most, as "'name' +weight"."""

    probability: float
    category: str
    features: tuple[str, ...]
    threshold: float = 1.0
    flagged: bool = False


_cache: dict[Path, Model] = {}
_lock = threading.Lock()


def load(path: Path = DEFAULT_PATH) -> Model:
    """The model in a weights file, read once per process. Kept by the path as given too:
    every message asks for the model, and resolving a path asks the file system (50 µs)."""
    model = _cache.get(path)
    if model is None:
        resolved = Path(path).resolve()
        with _lock:
            model = _cache.get(resolved)
            if model is None:
                model = _cache[resolved] = Model.from_json(resolved.read_bytes())
            _cache[path] = model
    return model


# Weights are packed into one integer per bucket, a field of _BITS bits per class holding
# the weight in units of 1e-4 (the file's precision) plus _OFFSET, so that adding the
# integers of a message's buckets adds every class's weights at once, exactly, in C.
_BITS = 48
_FIELD = (1 << _BITS) - 1
_OFFSET = 1 << 30


def pack(weights: Sequence[float]) -> int:
    packed = 0
    for index, weight in enumerate(weights):
        units = round(weight * 10_000)
        if not -_OFFSET < units < _OFFSET:
            raise ValueError(f"weight {weight} is too large for the classifier")
        packed |= (units + _OFFSET) << (_BITS * index)
    return packed


def _margins(model: Model, buckets: Iterable[int], value: float) -> list[float]:
    """Each class's score (a logit) for a message's buckets."""
    found = [*filter(None, map(model.packed.get, buckets))]
    total, offset = sum(found), len(found) * _OFFSET
    return [
        bias + value * ((((total >> (_BITS * index)) & _FIELD) - offset) / 10_000)
        for index, bias in enumerate(model.bias)
    ]


def _logit(p: float) -> float:
    """The logit of a threshold; a threshold of 1 is never reached."""
    if p >= 1:
        return math.inf
    p = max(p, 1e-9)
    return math.log(p / (1 - p))


def _judge(model: Model, margins: Sequence[float]) -> tuple[bool, int, int]:
    """Whether the scores flag the message, the class that decided (the one furthest past
    its threshold; the overall score when none is) and the category they point to."""
    past = [m - _logit(t) for m, t in zip(margins, model.thresholds, strict=True)]
    decider = max(range(len(past)), key=past.__getitem__)
    flagged = past[decider] >= 0
    if not flagged:
        decider = 0
    category = decider
    if decider == 0:  # the overall score: the category is the likeliest one
        category = 1 + max(range(len(margins) - 1), key=lambda i: margins[i + 1])
    return flagged, decider, category


def score(normalized: Normalized, tokens: Words, model: Model) -> Scored:
    """The classifier's opinion of a message, with the features that drove it."""
    buckets = features(normalized, tokens)
    value = scale(len(buckets))
    margins = _margins(model, buckets, value)
    flagged, decider, category = _judge(model, margins)
    return Scored(
        probability=sigmoid(margins[decider]),
        category=model.classes[category],
        features=_explain(model, buckets, value, decider),
        threshold=model.thresholds[decider],
        flagged=flagged,
    )


def _explain(
    model: Model,
    buckets: Iterable[int],
    value: float,
    index: int,
    *,
    down: bool = False,
    names: dict[int, str] | None = None,
) -> tuple[str, ...]:
    """The named features that pushed class ``index`` up most (``down``: pulled it down
    most), strongest first, named from ``names`` (the model's by default)."""
    rows, sign = model.rows, -1 if down else 1
    names = model.names if names is None else names
    pushes = [(sign * row[index], bucket) for bucket in buckets if (row := rows.get(bucket))]
    top = heapq.nlargest(_SHOWN, (push for push in pushes if push[0] > 0))
    return tuple(
        f"'{names.get(bucket, f'#{bucket}')}' {sign * weight * value:+.2f}"
        for weight, bucket in top
    )


def find(normalized: Normalized, tokens: Words, model: Model | None = None) -> list[Hit]:
    """A flag over the whole message when the classifier's score passes its threshold."""
    model = model if model is not None else load()
    buckets = features(normalized, tokens)
    value = scale(len(buckets))
    margins = _margins(model, buckets, value)
    flagged, decider, category = _judge(model, margins)
    if not flagged:  # most messages: no explaining needed
        return []
    scored = Scored(
        probability=sigmoid(margins[decider]),
        category=model.classes[category],
        features=_explain(model, buckets, value, decider),
        threshold=model.thresholds[decider],
        flagged=flagged,
    )
    original = normalized.original
    if decider == 0:
        detail = (
            f"violating score {scored.probability:.2f} (threshold {scored.threshold:.2f}), "
            f"likeliest category {scored.category}"
        )
    else:
        detail = (
            f"{scored.category} score {scored.probability:.2f} (threshold {scored.threshold:.2f})"
        )
    if scored.features:
        detail += "; words that drove it: " + ", ".join(scored.features)
    return [
        Hit(
            rule=LAYER,
            category=scored.category,
            action="flag",
            start=0,
            end=len(original),
            text=original,
            layer=LAYER,
            detail=detail,
        )
    ]


# When the second opinion reads a message as innocent (``reads_innocent``), by the
# *evidence* of its scores (each score less its bias: what the message's words add): the
# violating score's below ``CLEAR_BELOW`` and the score of each category something was
# found in below ``CLEAR_CATEGORY_BELOW`` (the violating score alone is no guide: "knife"
# and "fight" pull it down, as hard innocent messages use them, while the weapons score
# carries them). Chosen leaving four development authors out at a time (trained on the
# other sixteen, scored on them): their innocent messages the layers flagged, 11.3% ->
# 8.5%, for 2 of their ~3,800 violating messages (recall 91.3% either way); with the
# category's score below 0, 9.6% for 2; with it below 0.5 and no bar on the violating
# score, 7.3% for 37.
CLEAR_BELOW = -1.0
CLEAR_CATEGORY_BELOW = 0.5
# Characters read each side of a hit (then to the word's end): about two sentences. The
# words there must read as innocent too: a sentence buried in a long letter is not judged
# by the letter's other words.
CLEAR_AROUND = 150


@dataclass(frozen=True)
class Innocent:
    """Why the second opinion reads a message as innocent: the violating evidence of the
    whole message and the highest around a hit, and the words that pulled it down most."""

    evidence: float
    around: float
    features: tuple[str, ...]

    @property
    def detail(self) -> str:
        detail = (
            f"the words read as innocent: violating evidence {self.evidence:+.2f} for the "
            f"message and at most {self.around:+.2f} around what was found (below "
            f"{CLEAR_BELOW:+.2f}; each category found below {CLEAR_CATEGORY_BELOW:+.2f})"
        )
        if self.features:
            detail += "; words that drove it: " + ", ".join(self.features)
        return detail


def _evidence(
    normalized: Normalized, words: Words, model: Model
) -> tuple[list[float], list[int], float]:
    """What a message's words add to each class's score (its margin less the bias), with
    its buckets and their value."""
    buckets = sorted(features(normalized, words))
    value = scale(len(buckets))
    margins = _margins(model, buckets, value)
    return [m - b for m, b in zip(margins, model.bias, strict=True)], buckets, value


def _innocent(evidence: Sequence[float], found: Sequence[int]) -> bool:
    return evidence[0] < CLEAR_BELOW and all(evidence[i] < CLEAR_CATEGORY_BELOW for i in found)


def reads_innocent(
    normalized: Normalized,
    words: Words,
    found: Iterable[tuple[int, int, str]],
    model: Model | None = None,
) -> Innocent | None:
    """Whether the message's words read as innocent, as a whole and around each of
    ``found`` (start, end and category of what was found, in the original text); None when
    they do not."""
    model = model if model is not None else load()
    found = list(found)
    classes = [model.classes.index(c) for c in {c for _, _, c in found} if c in model.classes]
    whole, buckets, value = _evidence(normalized, words, model)
    if not _innocent(whole, classes):
        return None
    original, around = normalized.original, -math.inf
    for start, end in sorted({(start, end) for start, end, _ in found}):
        nearby = normalize(_around(original, start, end))
        evidence = _evidence(nearby, tokens_module.tokenize(nearby), model)[0]
        if not _innocent(evidence, classes):
            return None
        around = max(around, evidence[0])
    # Named from the message's own words: the model names only features that push up.
    pulls = _explain(model, buckets, value, 0, down=True, names=named_features(normalized, words))
    return Innocent(whole[0], around, pulls)


def _around(text: str, start: int, end: int) -> str:
    """``CLEAR_AROUND`` characters each side of text[start:end], out to whole words."""
    low, high = max(0, start - CLEAR_AROUND), min(len(text), end + CLEAR_AROUND)
    while low > 0 and not text[low - 1].isspace():
        low -= 1
    while high < len(text) and not text[high].isspace():
        high += 1
    return text[low:high]


def score_text(text: str, model: Model | None = None) -> Scored:
    """``score`` of a raw text (normalised and tokenised here)."""
    normalized = normalize(text)
    return score(normalized, tokens_module.tokenize(normalized), model or load())
