"""Concepts: what a message is about, found by words of several concepts meeting nearby.

``library/concepts.toml`` names *concepts* (weapon, harm, target person, money movement,
way out, ...), each a list of English and Spanish words and short phrases in base form,
and *rules* that combine them: "make/hide + weapon within 7 words, in one sentence,
unless kitchen words are near" flags weapons. Words match every inflection the lemmatiser
knows ("knives", "mataré"), because the message's tokens carry their lemmas (``tokens``).

The file is read and checked once per process (``library()``); a mistake in it raises a
ConceptError naming the concept or rule and the problem. ``find(normalized, tokens)``
returns one flag-only Hit per rule per place, spanning the words that met, with a detail
such as "make/hide 'hide' + weapon 'knife' within 5 words".
"""

from __future__ import annotations

import bisect
import hashlib
import re
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from homeward.screening import categories, native
from homeward.screening.engine import Hit
from homeward.screening.layers import contexts
from homeward.screening.layers import tokens as tk
from homeward.screening.layers.once import once
from homeward.screening.layers.tokens import AnchoredLexicon, Words
from homeward.screening.normalize import Normalized

LAYER = "concept"
LAWYER = "lawyer"
SECRET = "secret"
CONCEPTS_FILE = Path(__file__).resolve().parent.parent / "library" / "concepts.toml"
MAX_WINDOW = 40
# Across sentence ends, concepts further apart than this are rarely about one thing: family
# letters of unrelated sentences matched 17 times in 300 with windows of up to 30 words,
# 4 times with 12 (and the development set lost 47 of 443 concept catches).
MAX_OPEN_WINDOW = 12
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_RULE_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_CONCEPT_FIELDS = {"label", "words"}
_RULE_FIELDS = {
    "id",
    "category",
    "severity",
    "note",
    "all",
    "window",
    "sentence",
    "unless",
    "unless_words",
    "unless_window",
    "unless_message",
}
_RULE_REQUIRED = ("id", "category", "severity", "note", "all", "window")
# A word entry: letters, with spaces, apostrophes, dots or hyphens between them.
_ENTRY = re.compile(r"[^\W\d_]+(?:[\s'’.\-]+[^\W\d_]+)*[.]?\Z")
# Sentence ends between two words; a one-letter word or a short title before the dot
# ("C.O.", "Mr.") does not end one.
_SENTENCE_END = re.compile(r"[.!?;]")
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "sr", "sra", "srta", "jr", "vs"})
# Spelling tricks inside words, which the folded view undoes: a digit or symbol between
# letters ("sh@nk", "p1stola"), a symbol before a word ("$hank"), letters dotted or spaced
# apart ("k.n.i.f.e"). Not a digit before letters: "5pm" and "3rd" are no trick.
_SYMBOLS = re.compile(r"[0-9@$!|*]+")
_SPACED = re.compile(r"(?:\b[^\W\d_][.\-_ ]){2,}[^\W\d_]\b")
# How a lexicon splits an entry into words.
_LETTERS = re.compile(r"[^\W\d_]+")
# Words of an `unless_words` list are found as concepts of this name.
_WORD_PREFIX = "="


class ConceptError(ValueError):
    """A concepts file that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Concept:
    name: str
    label: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class ConceptRule:
    id: str
    category: str
    severity: int
    note: str
    all: tuple[str, ...]  # concept names, each of which must be present
    window: int  # words from the first to the last, inclusive
    sentence: bool = False
    unless: frozenset[str] = frozenset()  # concept names, and "=<word>" for unless_words
    unless_window: int = 0
    unless_message: frozenset[str] = frozenset()  # concept names: innocent anywhere

    @cached_property
    def ranks(self) -> tuple[int, ...]:
        """Each concept's place among the rule's concept names sorted (``meet``)."""
        ordered = sorted(self.all)
        return tuple(ordered.index(name) for name in self.all)


@dataclass(frozen=True)
class ConceptLibrary:
    """The checked contents of a concepts file, ready to screen with."""

    concepts: Mapping[str, Concept]
    rules: tuple[ConceptRule, ...]
    version: str
    # The words of the concepts some rule needs (each with those of its concepts), and of
    # those only a rule's exceptions name (``unless``, ``unless_message``, ``unless_words``)
    # or that only something else asks about (a lawyer's letter): most words of a family
    # letter that mean something to concepts mean an innocent context, which matters only
    # where a rule's concepts met, so they are looked for only then.
    lexicon: AnchoredLexicon[frozenset[str]] = field(repr=False)
    contexts: AnchoredLexicon[frozenset[str]] = field(repr=False)
    # Each rule once, under the first of its concepts, as ``meetings`` takes it.
    by_first: Mapping[str, tuple[Meeting, ...]] = field(repr=False)
    # The same in numbers, for ``native/_meet.c``: each name the lexicon finds, by its
    # number; the numbers of the names of each of the lexicon's anchors
    # (``AnchoredLexicon.anchors``); and by each name's number the rules ``by_first`` lists
    # under it, each with its concepts' numbers.
    names: tuple[str, ...] = field(repr=False, default=())
    names_of: tuple[tuple[int, ...], ...] = field(repr=False, default=())
    rules_by_name: tuple[tuple[NumberedMeeting, ...], ...] = field(repr=False, default=())
    size: int = 0  # the words and phrases of the file

    def find(self, normalized: Normalized, words: Words) -> list[Hit]:
        """One hit per rule per place where its concepts meet. Compiled, the words are
        walked and the concepts met in numbers (``native/_meet.c``), and where they were
        found is made for Python only for a message where some rule's concepts meet."""
        hits: list[Hit] = []
        found: list[Mapping[str, list[tuple[int, int]]]] = []  # meet_words hands it over
        if _meet_words is None:
            found.append(self.lexicon.places(words))
            if not found[0]:
                return []
        everything = _Contexts(self.contexts, words, lambda: found[0])

        def accept(rule: ConceptRule, spans: list[tuple[int, int]], first: int, end: int) -> int:
            if rule.sentence and not _one_sentence(normalized.plain.text, words, first, end):
                return NOT_A_HIT
            if rule.unless and _near(rule, everything.places(), first, end):
                return NOT_A_HIT
            if _in_a_name(normalized, words, spans):
                return NOT_A_HIT
            # (a rule without such exceptions never asks where every concept is)
            if rule.unless_message and not everything.places().keys().isdisjoint(
                rule.unless_message
            ):
                return STOP
            chosen = dict(zip(rule.all, spans, strict=True))
            hits.append(self._hit(rule, chosen, normalized, words, first, end))
            return A_HIT

        if _meet_words is None:
            meetings(found[0], self.by_first, accept)
        else:
            lexicon = self.lexicon
            _meet_words(
                words.words,
                lexicon.packed_by_word,
                lexicon.packed,
                self.names,
                self.names_of,
                self.rules_by_name,
                accept,
                found,
                words.keys,
                lexicon.entry_keys,
                tk.WORDS_KEPT,
            )
        return hits

    def _hit(
        self,
        rule: ConceptRule,
        chosen: Mapping[str, tuple[int, int]],
        normalized: Normalized,
        words: Words,
        first: int,
        last: int,
    ) -> Hit:
        plain = normalized.plain.text
        met = " + ".join(
            f"{self.concepts[name].label} '{plain[slice(*words.span(a, b))]}'"
            for name, (a, b) in sorted(chosen.items(), key=lambda item: item[1])
        )
        count = last - first + 1
        detail = f"{met} within {count} word{'s' if count > 1 else ''}"
        if rule.sentence:
            detail += " in one sentence"
        start, end = tk.original_span(normalized, words, first, last)
        return Hit(
            rule=f"{LAYER}:{rule.id}",
            category=rule.category,
            action="flag",
            start=start,
            end=end,
            text=normalized.original[start:end],
            layer=LAYER,
            detail=detail,
        )


class _Contexts:
    """Where every concept of a message is, the innocent contexts included: found the
    first time a rule's concepts meet (most messages: never)."""

    def __init__(
        self,
        contexts: AnchoredLexicon[frozenset[str]],
        words: Words,
        places: Callable[[], Mapping[str, list[tuple[int, int]]]],
    ) -> None:
        self._contexts, self._words, self._places = contexts, words, places
        self._all: Mapping[str, list[tuple[int, int]]] | None = None

    def places(self) -> Mapping[str, list[tuple[int, int]]]:
        if self._all is None:
            self._all = {**self._places(), **self._contexts.places(self._words)}
        return self._all


def _in_a_name(
    normalized: Normalized,
    words: Words,
    spans: Iterable[tuple[int, int]],
) -> bool:
    """Whether one of the single words that met is part of a person's name ("Reverend
    Shank", "Coach Glock"): then it is not the thing it also names. Only a Capitalised
    word can be (``contexts``), so the message's names are found only for one."""
    original = normalized.original
    for first, last in spans:
        if first == last:
            start, end = tk.original_span(normalized, words, first, last)
            capital = start < end and original[start].isupper()
            if capital and contexts.in_a_name(original, start, end):
                return True
    return False


def _overlaps(span: tuple[int, int], others: Any) -> bool:
    return any(span[0] <= b and a <= span[1] for a, b in others)


def _first_within(
    spans: list[tuple[int, int]], first: int, limit: int, taken: Any
) -> tuple[int, int] | None:
    """The first of the sorted ``spans`` inside words first..limit that overlaps none of
    ``taken``. Found by bisection: a long letter holds a concept dozens of times."""
    for index in range(bisect.bisect_left(spans, (first, -1)), len(spans)):
        span = spans[index]
        if span[0] > limit:
            break
        if span[1] <= limit and not _overlaps(span, taken):
            return span
    return None


# What ``meet``'s ``accept`` answers for a place where the concepts meet.
NOT_A_HIT, A_HIT, STOP = 0, 1, 2


def meet(
    lists: list[list[tuple[int, int]]],
    ranks: tuple[int, ...],
    window: int,
    accept: Callable[[list[tuple[int, int]], int, int], int],
) -> None:
    """Call ``accept(chosen, first, end)`` for each place where one span of every list (one
    list per concept of a rule, in its order, each sorted) lies within ``window`` words.

    Each span, in order of place and then of concept name (``ranks``), starts a try; the
    other concepts are taken in the rule's order, each at its first span inside the window
    that overlaps none taken. After a hit (``A_HIT``), tries start after its last word;
    ``STOP`` ends the search. ``native/_meet.c`` does the same in C (``meet``, which the
    tests compare with this on any spans, and ``meet_words``, which screening uses)."""
    starts = sorted((span, ranks[c], c) for c, spans in enumerate(lists) for span in spans)
    covered = -1  # the last word of the previous hit
    for (first, last), _, concept in starts:
        if first <= covered:
            continue
        limit = first + window - 1
        if last > limit:
            continue
        chosen = [(first, last)] * len(lists)
        taken = [(first, last)]
        for other, spans in enumerate(lists):
            if other == concept:
                continue
            span = _first_within(spans, first, limit, taken)
            if span is None:
                break
            chosen[other] = span
            taken.append(span)
        else:
            end = max(span[1] for span in chosen)
            verdict = accept(chosen, first, end)
            if verdict == STOP:
                break
            if verdict == A_HIT:
                covered = end


# A rule as ``meetings`` takes it: the rule, its concepts' names, their ranks, its window;
# and as ``meet_words`` takes it, with the numbers of its concepts' names.
Meeting = tuple["ConceptRule", tuple[str, ...], tuple[int, ...], int]
NumberedMeeting = tuple["ConceptRule", tuple[int, ...], tuple[int, ...], int]


def meetings(
    places: Mapping[str, list[tuple[int, int]]],
    by_first: Mapping[str, tuple[Meeting, ...]],
    accept: Callable[[ConceptRule, list[tuple[int, int]], int, int], int],
) -> None:
    """``meet`` for each rule whose every concept is in ``places``, in order (for each name
    found, the rules ``by_first`` lists under it), calling ``accept(rule, chosen, first,
    end)``. ``native/_meet.c`` does the same from the words, in numbers (``meet_words``)."""
    present = set(places)
    candidates = [m for name in places for m in by_first.get(name, ()) if present.issuperset(m[1])]
    for rule, names, ranks, window in candidates:
        meet([places[name] for name in names], ranks, window, partial(accept, rule))


# The walk and ``meetings`` in one pass, in numbers (``ConceptLibrary.find``), used when it
# is built.
_meet_words: Callable[..., None] | None = native.function("_meet", "meet_words")


def _near(
    rule: ConceptRule, places: Mapping[str, list[tuple[int, int]]], first: int, last: int
) -> bool:
    """Whether one of the rule's innocent contexts is within its unless_window of the match."""
    low, high = first - rule.unless_window, last + rule.unless_window
    return any(
        _first_within(places[name], low, high, ()) is not None
        for name in rule.unless
        if name in places
    )


def _one_sentence(text: str, words: Words, first: int, last: int) -> bool:
    """Whether words ``first`` to ``last`` are in one sentence: no sentence mark between
    two of them, but a dot after one letter or a short title ("C.O.", "Mr.")."""
    starts, letters = words.starts(), words.words
    if not _SENTENCE_END.search(text, starts[first] + len(letters[first]), starts[last]):
        return True
    for i in range(first + 1, last + 1):
        before_end, start = starts[i - 1] + len(letters[i - 1]), starts[i]
        if _SENTENCE_END.search(text, before_end, start):
            gap = text[before_end:start].strip()
            before = letters[i - 1]
            if not (gap == "." and (len(before) == 1 or before in _ABBREVIATIONS)):
                return False
    return True


# --- reading and checking the file -------------------------------------------------------


def load(path: Path = CONCEPTS_FILE) -> ConceptLibrary:
    """Read and check a concepts file; any mistake raises ConceptError naming the entry."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ConceptError(f"{path.name}: cannot read the concepts file: {exc}.") from None
    return parse(content, path.name)


def parse(content: bytes, name: str = "concepts.toml") -> ConceptLibrary:
    """A concepts library from the bytes of a file called ``name`` (for messages)."""
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConceptError(f"{name}: not valid TOML: {exc}.") from None
    extra = set(data) - {"concept", "rule"}
    if extra:
        raise ConceptError(
            f"{name}: unexpected top-level keys {sorted(extra)}; use [concept.<name>] and [[rule]]."
        )
    raw_concepts = data.get("concept", {})
    raw_rules = data.get("rule", [])
    if not isinstance(raw_concepts, dict) or not raw_concepts:
        raise ConceptError(f"{name}: no [concept.<name>] tables.")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise ConceptError(f"{name}: no [[rule]] tables.")
    concepts = {
        concept_name: _concept(concept_name, raw, name)
        for concept_name, raw in raw_concepts.items()
    }
    rules: list[ConceptRule] = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_rules, start=1):
        rule = _rule(raw, concepts, f"{name}, rule {number}")
        if rule.id in seen:
            raise ConceptError(f"{name}, rule {number} ({rule.id!r}): the id is used twice.")
        seen.add(rule.id)
        rules.append(rule)

    meanings: dict[str, set[str]] = defaultdict(set)
    for concept in concepts.values():
        for word in concept.words:
            meanings[word].add(concept.name)
    for rule in rules:
        for word_name in rule.unless:
            if word_name.startswith(_WORD_PREFIX):
                meanings[word_name[len(_WORD_PREFIX) :]].add(word_name)
    needed = {name for rule in rules for name in rule.all}
    lexicon = AnchoredLexicon(
        (word, frozenset(names & needed)) for word, names in meanings.items() if names & needed
    )
    contexts = AnchoredLexicon(
        (word, frozenset(names - needed)) for word, names in meanings.items() if names - needed
    )
    by_first: dict[str, list[Meeting]] = defaultdict(list)
    for rule in rules:
        by_first[rule.all[0]].append((rule, rule.all, rule.ranks, rule.window))
    numbered = {name: n for n, name in enumerate(sorted(needed))}
    return ConceptLibrary(
        concepts=concepts,
        rules=tuple(rules),
        version=hashlib.sha256(content).hexdigest()[:12],
        lexicon=lexicon,
        contexts=contexts,
        by_first={first: tuple(group) for first, group in by_first.items()},
        names=tuple(numbered),
        names_of=tuple(tuple(map(numbered.__getitem__, a.value)) for a in lexicon.anchors),
        rules_by_name=tuple(
            tuple(
                (rule, tuple(map(numbered.__getitem__, names)), ranks, window)
                for rule, names, ranks, window in by_first.get(name, ())
            )
            for name in numbered
        ),
        size=len(meanings),
    )


def _concept(concept_name: str, raw: Any, file: str) -> Concept:
    where = f"{file}, concept {concept_name!r}"
    if not _NAME.match(concept_name):
        raise ConceptError(f"{where}: a concept name is lower-case letters, digits and _.")
    if not isinstance(raw, dict):
        raise ConceptError(f"{where}: each concept is a [concept.<name>] table.")
    unknown = set(raw) - _CONCEPT_FIELDS
    if unknown:
        raise ConceptError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: label, words.")
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise ConceptError(f"{where}: missing label (the name a reviewer reads).")
    words = raw.get("words")
    if not isinstance(words, list) or not words:
        raise ConceptError(f"{where}: words must be a non-empty list of words and phrases.")
    checked = _words(words, where)
    return Concept(concept_name, label.strip(), checked)


def _words(words: list[Any], where: str) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for word in words:
        if not isinstance(word, str) or not _ENTRY.match(word.strip()):
            raise ConceptError(
                f"{where}: {word!r} is not a word or phrase (letters only: numbers are not words)."
            )
        letters = tk.key(word)
        if len(letters) < 2:
            raise ConceptError(
                f"{where}: {word!r} is one letter, which would match almost anything."
            )
        same = " ".join(tk.key(w) for w in _LETTERS.findall(word.casefold()))
        if same in seen:
            raise ConceptError(f"{where}: {word!r} is listed twice (as {seen[same]!r}).")
        seen[same] = word
    return tuple(word.strip() for word in words)


def _rule(raw: Any, concepts: Mapping[str, Concept], where: str) -> ConceptRule:
    if not isinstance(raw, dict):
        raise ConceptError(f"{where}: each rule is a [[rule]] table.")
    if isinstance(raw.get("id"), str):
        where += f" ({raw['id']!r})"
    unknown = set(raw) - _RULE_FIELDS
    if unknown:
        raise ConceptError(
            f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(_RULE_FIELDS)}."
        )
    missing = [name for name in _RULE_REQUIRED if name not in raw]
    if missing:
        raise ConceptError(f"{where}: missing {', '.join(missing)}.")
    rule_id, category, note = raw["id"], raw["category"], raw["note"]
    if not isinstance(rule_id, str) or not _RULE_ID.match(rule_id):
        raise ConceptError(f"{where}: id is lower-case letters, digits and hyphens.")
    if category not in categories.LIBRARY_CODES:
        raise ConceptError(
            f"{where}: unknown category {category!r}; one of {', '.join(categories.LIBRARY_CODES)}."
        )
    severity = _whole(raw, "severity", where)
    if not 1 <= severity <= 3:
        raise ConceptError(f"{where}: severity is 1 (low), 2 or 3 (high).")
    if not isinstance(note, str) or not note.strip():
        raise ConceptError(f"{where}: note must say, for reviewers, what the rule looks for.")
    needs = _names(raw, "all", concepts, where)
    if not needs:
        raise ConceptError(f"{where}: 'all' names at least one concept.")
    if len(set(needs)) != len(needs):
        raise ConceptError(f"{where}: 'all' names a concept twice.")
    window = _whole(raw, "window", where)
    if not len(needs) <= window <= MAX_WINDOW:
        raise ConceptError(
            f"{where}: window is from {len(needs)} (one word per concept) to {MAX_WINDOW} words."
        )
    if len(needs) == 1:
        # A rule of one concept fires on any of its entries, however many words it has
        # ("put him in the hospital" under a window of 1).
        window = max(window, *(len(tk.words_of(entry)) for entry in concepts[needs[0]].words))
    else:
        # An entry too long to meet the others within the window could never match.
        for name in needs:
            for entry in concepts[name].words:
                if len(tk.words_of(entry)) + len(needs) - 1 > window:
                    raise ConceptError(
                        f"{where}: {entry!r} ({name}) is too long to meet the other concepts"
                        f" within {window} words."
                    )
    sentence = raw.get("sentence", False)
    if not isinstance(sentence, bool):
        raise ConceptError(f"{where}: sentence is true or false.")
    if not sentence and window > MAX_OPEN_WINDOW:
        raise ConceptError(
            f"{where}: a window across sentences is at most {MAX_OPEN_WINDOW} words "
            "(further apart, concepts are rarely about one thing); or set sentence = true."
        )
    unless = _names(raw, "unless", concepts, where)
    unless_message = _names(raw, "unless_message", concepts, where)
    unless_words = raw.get("unless_words", [])
    if not isinstance(unless_words, list):
        raise ConceptError(f"{where}: unless_words must be a list of words and phrases.")
    words = _words(unless_words, where) if unless_words else ()
    unless_window = _whole(raw, "unless_window", where, default=window)
    if not 0 <= unless_window <= MAX_WINDOW:
        raise ConceptError(f"{where}: unless_window is from 0 to {MAX_WINDOW} words.")
    if "unless_window" in raw and not (unless or words):
        raise ConceptError(f"{where}: unless_window without unless or unless_words.")
    return ConceptRule(
        id=rule_id,
        category=category,
        severity=severity,
        note=" ".join(note.split()),
        all=needs,
        window=window,
        sentence=sentence,
        unless=frozenset(unless) | {_WORD_PREFIX + w for w in words},
        unless_window=unless_window,
        unless_message=frozenset(unless_message),
    )


def _whole(raw: Mapping[str, Any], name: str, where: str, default: int | None = None) -> int:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConceptError(f"{where}: {name} must be a whole number.")
    return value


def _names(
    raw: Mapping[str, Any], name: str, concepts: Mapping[str, Concept], where: str
) -> tuple[str, ...]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConceptError(f"{where}: {name} must be a list of concept names.")
    unknown = [v for v in value if v not in concepts]
    if unknown:
        raise ConceptError(
            f"{where}: unknown concept(s) {', '.join(map(repr, unknown))} in {name}."
        )
    return tuple(value)


# --- the process's library ---------------------------------------------------------------


@once
def library() -> ConceptLibrary:
    """The concepts file beside the rule library, read and checked once per process."""
    return load()


def find(normalized: Normalized, words: Words) -> list[Hit]:
    """The concept hits of a message, given its tokens (``tokens.tokenize(normalized)``).

    A message with spelling tricks inside words ("k.n.i.f.e", "b@ll00ns", "p1stola") is
    read a second time from its folded view, where they are undone; a hit found only
    there is added (its span still maps to the original text)."""
    concepts = library()
    hits = concepts.find(normalized, words)
    if _has_tricks(normalized.plain.text, words):
        folded = Normalized(normalized.original, normalized.folded, normalized.folded)
        for hit in concepts.find(folded, tk.tokenize(folded)):
            if not any(
                h.rule == hit.rule and h.start < hit.end and hit.start < h.end for h in hits
            ):
                hits.append(hit)
    return hits


def in_a_lawyers_letter(normalized: Normalized) -> bool:
    """Whether a message speaks as or to a lawyer (the ``lawyer`` concept's words: "my
    client", "Estimado Sr.", "public defender")."""
    return says(normalized, LAWYER)


def asks_for_secrecy(normalized: Normalized) -> bool:
    """Whether a message asks to keep something secret (the ``secret`` concept's words:
    "don't tell nobody", "no le digas a nadie", "burn this")."""
    return says(normalized, SECRET)


def says(normalized: Normalized, name: str) -> bool:
    """Whether one of the words of concept ``name`` is in a message."""
    concepts, words = library(), tk.tokenize(normalized)
    return any(
        name in names
        for lexicon in (concepts.lexicon, concepts.contexts)
        for _, _, names in lexicon.spans(words)
    )


def _inside_a_word(symbols: re.Match[str]) -> bool:
    """Whether a run of digits and symbols sits between letters ("p1stola", "sh@nk"), or
    is an @ or $ before two letters ("$hank"). (Found from the symbols out: a search for
    a letter first tries every letter of a message.)"""
    text, start, end = symbols.string, symbols.start(), symbols.end()
    after = text[end : end + 2]
    if after[:1].isalpha() and after[:1] != "_":
        if start > 0 and text[start - 1].isalpha():
            return True
        if text[end - 1] in "@$" and len(after) == 2 and after.isalpha():
            return True
    return False


def symbols_inside_words(text: str) -> bool:
    """Whether digits or symbols sit inside a word of ``text`` (``_inside_a_word``)."""
    return any(map(_inside_a_word, _SYMBOLS.finditer(text)))


def three_single_letters(words: list[str]) -> bool:
    """Whether three words in a row are one letter each ("k n i f e")."""
    singles = [i for i, word in enumerate(words) if len(word) == 1]
    return any(singles[i + 2] - singles[i] == 2 for i in range(len(singles) - 2))


# ``native/_text.c`` does the same in C; used when it is built.
_symbols_inside_words: Callable[[str], bool] = (
    native.function("_text", "symbols_inside_words") or symbols_inside_words
)
_three_single_letters: Callable[[list[str]], bool] = (
    native.function("_text", "three_single_letters") or three_single_letters
)


def _has_tricks(text: str, words: Words) -> bool:
    """Whether a message has spelling tricks inside words (cheap checks first)."""
    if _symbols_inside_words(text):
        return True
    return _three_single_letters(words.words) and bool(_SPACED.search(text))


def lexicon_size() -> int:
    """How many words and phrases the concepts know (for display)."""
    return library().size


def version() -> str:
    """A short fingerprint of the concepts file: its content's SHA-256, first 12 digits."""
    return library().version
