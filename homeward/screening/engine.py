"""The screening engine: text in, verdict and hits with spans out.

``screen(text, rules)`` is the one entry point the rest of Homeward uses. Rules are compiled
once per rule-set version (``compile_ruleset``, cached), never per message. Every text is
normalised into two views (``normalize.py``): *plain* for regular expressions, numbers and
handles, *folded* for words, where lookalike letters, leetspeak, spacing, punctuation and
repeats are undone. Hits are reported as spans of the original text, so a reviewer sees
exactly what the person wrote.

Rule kinds, each compiled to one or two *atoms* (a regex on one view):
- phrase: whole words on the folded view;
- tolerant: the phrase's letters with separators and repeats allowed between them (folded);
- regex: a regular expression on the plain view, case-insensitive;
- near: ``pattern`` within ``distance`` words of ``other`` (both phrases);
- unless: ``pattern`` unless ``other`` occurs anywhere in the message (both phrases).
An ``exception`` action suppresses overlapping hits of the same category.

Two matchers find the atoms: hyperscan (production) and a reference matcher built on
pyahocorasick and ``re`` (tests prove both give the same hits). Everything after matching is
shared, so the engines can differ only in what they find.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cache, partial
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Protocol, TypedDict, cast

from homeward.screening import categories, native
from homeward.screening.layers import WHOLE_MESSAGE
from homeward.screening.normalize import Normalized, View, bare, fold, normalize

if TYPE_CHECKING:
    import hyperscan  # imported where used: loading it costs, and tests run without it

    from homeward.screening.layers.stack import Layers

ENGINE_NAME = "hyperscan-v2"
VERDICT_ORDER = {"clear": 0, "flag": 1, "block": 2}
KINDS = ("phrase", "tolerant", "regex", "near", "unless")
# The categories of the product brief (screening/categories.py); a facility's own rules
# may also use "other".
CATEGORIES = categories.LIBRARY_CODES
ACTIONS = ("flag", "block", "exception")
PLAIN, FOLDED = "plain", "folded"
# What hyperscan scans besides the two views: the folded view squeezed (``alnum_squeezed``).
SQUEEZED = "squeezed"
_VIEW_OF = {PLAIN: PLAIN, FOLDED: FOLDED, SQUEEZED: FOLDED}  # the view each scan reads


@dataclass(frozen=True)
class RuleSpec:
    id: int | str
    kind: str = "phrase"
    pattern: str = ""
    category: str = "other"
    action: str = "flag"
    severity: int = 1
    other: str = ""
    distance: int = 0
    # A word of the baseline library that is often innocent when written plainly ("rifle",
    # "stabbed", "fuga"): screened with the layers, its hit counts only beside another
    # hit, or when the word is disguised. Not a field of a rule row: ``baseline`` sets it.
    corroborate: bool = False
    # A flag rule of the baseline library not marked as sure (severity 1 or 2: "protective
    # order", "arma de fuego", "la víctima"): words a lawyer's letter says about the case.
    # In one, it counts only beside a hit that is not such a word. Set by ``baseline`` too.
    court_word: bool = False


# Articles a weakest lone word may follow: "the victim", "la testigo".
ARTICLES = frozenset(("the", "a", "an", "el", "la", "los", "las", "un", "una"))


def lone_word(rule: RuleSpec) -> bool:
    """A flag rule for one plain word, not marked as sure (severity 3), or for an article
    and a word at the lowest severity ("the victim", "la víctima": a person reads the
    context, and a lawyer's letter speaks of the victim)."""
    if rule.action != "flag" or rule.kind not in ("phrase", "tolerant"):
        return False
    words = rule.pattern.casefold().split()
    if len(words) == 2 and words[0] in ARTICLES:
        return rule.severity == 1
    return len(words) == 1 and rule.severity <= 2


def baseline(rule: RuleSpec) -> RuleSpec:
    """A rule of the baseline library as it screens: a lone word needs corroboration, and
    a flag rule not marked as sure needs it in a lawyer's letter. A facility's or an
    agency's own rules always count alone: someone chose them."""
    court_word = rule.action == "flag" and rule.severity <= 2
    return replace(rule, corroborate=lone_word(rule), court_word=court_word)


class SpecFields(TypedDict):
    """The fields that decide what a rule matches and does (everything but its id), by
    name, to pass on as keywords."""

    kind: str
    pattern: str
    category: str
    action: str
    severity: int
    other: str
    distance: int


# Their names, in order.
SPEC_FIELDS = tuple(SpecFields.__annotations__)


class HasSpec(Protocol):
    """Anything with a rule's SPEC_FIELDS: a rule row, a RuleSpec."""

    @property
    def kind(self) -> str: ...
    @property
    def pattern(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def severity(self) -> int: ...
    @property
    def other(self) -> str: ...
    @property
    def distance(self) -> int: ...


def spec_fields(source: HasSpec) -> SpecFields:
    """The SPEC_FIELDS of a rule row, a RuleSpec or anything else that has them."""
    return SpecFields(
        kind=source.kind,
        pattern=source.pattern,
        category=source.category,
        action=source.action,
        severity=source.severity,
        other=source.other,
        distance=source.distance,
    )


@dataclass(frozen=True)
class Hit:
    """What screening found, as a span of the original text.

    ``rule`` names what found it: a rule's id, or "<layer>:<name>" for the other layers
    ("detector:phone", "concept:make-weapon", "slang:toolie", "decoder:rot13",
    "classifier", "language:not-screened"). ``detail`` says why in a reviewer's words:
    the concepts that met, what a slang word means, the decoded text, the features that
    drove the classifier."""

    rule: int | str
    category: str
    action: str
    start: int
    end: int
    text: str
    layer: str = "rule"
    detail: str = ""


@dataclass(frozen=True)
class Verdict:
    verdict: str
    hits: list[Hit] = field(default_factory=list)
    # Hits the second opinion cleared (``stack.second_opinion``), and why: kept with the
    # message's screening result and shown to whoever reads it, and where rules are tried.
    cleared: list[Hit] = field(default_factory=list)
    cleared_because: str = ""

    @property
    def categories(self) -> list[str]:
        return sorted({hit.category for hit in self.hits})

    def hits_as_dicts(self) -> list[dict[str, object]]:
        return [asdict(hit) for hit in self.hits]

    def cleared_as_dicts(self) -> list[dict[str, object]]:
        return [asdict(hit) for hit in self.cleared]


class RuleError(ValueError):
    """A rule that cannot be compiled; the message says why, for the person who wrote it."""


# --- atoms: what the matchers look for ---------------------------------------------------


@dataclass(frozen=True)
class Atom:
    view: str  # PLAIN or FOLDED
    regex: str
    phrase: str = ""  # the folded phrase, when the atom is a whole-word phrase
    # Whole words only. Checked after matching rather than with \b in the pattern, because
    # hyperscan supports \b only for ASCII and the folded view can hold any letter.
    bounded: bool = False
    # A tolerant atom of ASCII letters and digits: its letters, in lower case, each run of
    # one character made one ("kill" -> "kil"). Wherever the atom matches a view, this
    # occurs in ``alnum_squeezed`` of the view's bytes (hyperscan looks for it there).
    squeezed: str = ""


def _words(phrase: str) -> str:
    folded = fold(phrase).strip()
    if len(folded.replace(" ", "")) < 2:
        raise RuleError(f"{phrase!r} is too short to screen for.")
    return folded


def phrase_atom(phrase: str) -> Atom:
    words = _words(phrase)
    return Atom(FOLDED, re.escape(words).replace(r"\ ", " "), phrase=words, bounded=True)


def tolerant_atom(phrase: str) -> Atom:
    letters = [c for c in _words(phrase) if not c.isspace()]
    # A letter beyond ASCII is a group, so that its repeats are the whole character's when
    # the folded database reads bytes ("ж+" would repeat its last byte only).
    body = r"[\W_]*".join(f"{re.escape(c)}+" if c.isascii() else f"(?:{c})+" for c in letters)
    written = "".join(letters)
    simple = written.isascii() and written.isalnum()
    squeezed = alnum_squeezed(written.encode()).decode() if simple else ""
    return Atom(FOLDED, body, bounded=True, squeezed=squeezed)


_NOT_ALNUM = bytes(c for c in range(256) if not (chr(c).isascii() and chr(c).isalnum()))


def alnum_squeezed(data: bytes) -> bytes:
    """The ASCII letters and digits of ``data`` (every other byte dropped), the letters in
    lower case, each run of one of them made one: "S.h-a a_n_k" is "shank". A tolerant atom
    of ASCII letters and digits allows only other bytes between its letters, and repeats of
    each, so wherever it matches, its ``squeezed`` letters occur here. ``native/_text.c``
    does the same in C, which is used when it is built."""
    kept = data.translate(None, _NOT_ALNUM).lower()
    if len(kept) < 2:
        return kept
    # Byte i of ``changes`` is kept[i] ^ kept[i + 1]: 0 where the next one repeats it (the
    # last byte is kept's own, never 0). Runs are few: the folded view's are made one already.
    x = int.from_bytes(kept, "little")
    changes = (x ^ (x >> 8)).to_bytes(len(kept), "little")
    pieces, start = [], 0
    repeat = changes.find(0)
    while repeat >= 0:
        pieces.append(kept[start : repeat + 1])
        start = repeat + 2
        repeat = changes.find(0, repeat + 1)
    pieces.append(kept[start:])
    return b"".join(pieces)


_alnum_squeezed: Callable[[bytes], bytes] = (
    native.function("_text", "alnum_squeezed") or alnum_squeezed
)


def regex_atom(pattern: str) -> Atom:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise RuleError(f"The regular expression does not compile: {exc}.") from None
    return Atom(PLAIN, pattern)


def atoms_of(rule: RuleSpec) -> tuple[Atom, ...]:
    if rule.kind == "phrase":
        return (phrase_atom(rule.pattern),)
    if rule.kind == "tolerant":
        return (tolerant_atom(rule.pattern),)
    if rule.kind == "regex":
        return (regex_atom(rule.pattern),)
    if rule.kind in ("near", "unless"):
        if not rule.other.strip():
            raise RuleError(f"A '{rule.kind}' rule needs the other phrase.")
        return (phrase_atom(rule.pattern), phrase_atom(rule.other))
    raise RuleError(f"Unknown rule kind {rule.kind!r}.")


# --- matchers ----------------------------------------------------------------------------

Span = tuple[int, int]
Spans = dict[int, list[Span]]  # atom index -> [(start, end)] in view characters


class Matcher(Protocol):
    def match(self, views: Mapping[str, str], source: Mapping[str, View] | None = None) -> Spans:
        """The spans of the atoms in ``views`` (each view's text by name); ``source``, the
        same views themselves where the caller has them (a matcher may read their bytes)."""


def merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping matches of one atom become one span (matchers differ in how they
    report overlaps; the union is the same)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


Locator = Callable[[str], list[Span]]


def _spans(regex: re.Pattern[str], text: str) -> list[Span]:
    """Every match of ``regex`` from every start position (overlapping ones included)."""
    found = []
    position = 0
    while (m := regex.search(text, position)) is not None:
        if m.end() > m.start():
            found.append(m.span())
        position = m.start() + 1
    return found


def _occurrences(phrase: str, text: str) -> list[Span]:
    """Every occurrence of a literal phrase (overlapping ones included); str.find is several
    times faster than a regex search for a literal."""
    found = []
    position = text.find(phrase)
    while position >= 0:
        found.append((position, position + len(phrase)))
        position = text.find(phrase, position + 1)
    return found


def _locator(atom: Atom) -> Locator:
    if atom.phrase:
        return partial(_occurrences, atom.phrase)
    return partial(_spans, _python_regex(atom))


def _python_regex(atom: Atom) -> re.Pattern[str]:
    # ASCII classes, as hyperscan has them without its Unicode mode.
    return re.compile(atom.regex, re.IGNORECASE | re.ASCII)


class ReferenceMatcher:
    """pyahocorasick for whole-word phrases, ``re`` for everything else. Slow and simple:
    the yardstick the fast matcher is tested against."""

    def __init__(self, atoms: Sequence[Atom], wanted: Iterable[int]) -> None:
        import ahocorasick

        self.automaton = ahocorasick.Automaton()
        self.regexes: list[tuple[int, str, re.Pattern[str]]] = []
        for index in wanted:
            atom = atoms[index]
            if atom.phrase:
                # Each key stores its length and every atom that uses the phrase.
                _, ids = self.automaton.get(atom.phrase, (0, ()))
                self.automaton.add_word(atom.phrase, (len(atom.phrase), (*ids, index)))
            else:
                self.regexes.append((index, atom.view, _python_regex(atom)))
        if len(self.automaton):
            self.automaton.make_automaton()

    def match(self, views: Mapping[str, str], source: Mapping[str, View] | None = None) -> Spans:
        found: Spans = defaultdict(list)
        text = views[FOLDED]
        if len(self.automaton):
            for last, (length, ids) in self.automaton.iter(text):
                for index in ids:
                    found[index].append((last - length + 1, last + 1))
        for index, view, regex in self.regexes:
            spans = _spans(regex, views[view])
            if spans:
                found[index].extend(spans)
        return found


class _SoftEdges:
    """Places inside letters that were spaced apart, where word edges are unknown ("a s h a
    n k" folds to "ashank"), so a phrase there needs no word boundary. Looked up only when
    a match fails the plain word-edge test, since finding them builds the view's map."""

    def __init__(self, view: View) -> None:
        self.view = view
        self._spans: list[Span] | None = None

    def inside(self, position: int) -> bool:
        if self._spans is None:
            self._spans = self.view.spaced_out()
        return any(s < position < e for s, e in self._spans)


def _edge(text: str, index: int, position: int, soft: _SoftEdges | None) -> bool:
    """A word edge at ``position``, or a place inside spaced-apart letters."""
    return _word_edge(text, index) or (soft is not None and soft.inside(position))


def _word_edge(text: str, index: int) -> bool:
    """True when ``index`` is outside the text or not a word character (a \\b edge)."""
    if index < 0 or index >= len(text):
        return True
    char = text[index]
    return not (char.isalnum() or char == "_")


class HyperscanMatcher:
    """The atoms in hyperscan databases, each scanned in a single pass: the plain view's,
    the folded view's, and the folded view's tolerant atoms of ASCII letters and digits
    looked for as literals in the view squeezed (``SQUEEZED``).

    Hyperscan says *which* atoms occur (without start-of-match tracking, which makes
    compiling and scanning several times cheaper); the few atoms that do occur are then
    located exactly with ``re`` on that view. With a ``cache_dir``, compiled databases are
    kept on disk by content, so every worker process loads a version instead of compiling it.

    ``partners``: atoms worth locating only where one of some phrases occurs in its view
    (``CompiledRuleSet._partners``); the others are located wherever they occur.
    """

    def __init__(
        self,
        atoms: Sequence[Atom],
        wanted: Iterable[int],
        locators: Sequence[Locator],
        cache_dir: Path | None = None,
        partners: Mapping[int, tuple[tuple[str, str], ...]] | None = None,
    ) -> None:
        self.locators = locators
        self.partners = partners or {}
        # Each database by what it scans: a view, or SQUEEZED (the tolerant atoms of ASCII
        # letters and digits, as literals in ``alnum_squeezed`` of the folded view: a tenth
        # of the cost of their patterns, which allow anything between any two letters).
        self.databases: dict[str, hyperscan.Database] = {}
        # A scan needs a scratch space of its database that no other thread is using: each
        # thread has its own (a lock around the scans would cost more on every message).
        self.local = threading.local()
        wanted = set(wanted)
        chosen: dict[str, list[tuple[int, Atom]]] = defaultdict(list)
        for index, atom in enumerate(atoms):
            if index in wanted:
                chosen[SQUEEZED if atom.squeezed else atom.view].append((index, atom))
        for scan in (PLAIN, FOLDED, SQUEEZED):
            if chosen[scan]:
                self.databases[scan] = _database(chosen[scan], cache_dir, scan)

    def size(self) -> int:
        """Bytes of the compiled databases (as serialised, which is what a worker loads)."""
        import hyperscan

        return sum(len(hyperscan.dumpb(db)) for db in self.databases.values())

    def match(self, views: Mapping[str, str], source: Mapping[str, View] | None = None) -> Spans:
        found: Spans = {}
        scratches = getattr(self.local, "scratches", None) or self._scratches()
        for scan, database in self.databases.items():
            view = _VIEW_OF[scan]
            text = views[view]
            data = text.encode() if source is None else source[view].utf8()
            if scan == SQUEEZED:
                data = _alnum_squeezed(data)
            present: set[int] = set()
            # (data, handler, flags, context, scratch): keywords cost more than the scan
            database.scan(data, _collect, 0, present, scratches[scan])
            for index in sorted(present):
                others = self.partners.get(index)
                if others and not any(phrase in views[v] for v, phrase in others):
                    continue
                spans = self.locators[index](text)
                if spans:
                    found[index] = spans
        return found

    def _scratches(self) -> dict[str, hyperscan.Scratch]:
        """This thread's scratch space for each database, made on its first scan."""
        import hyperscan

        made = {scan: hyperscan.Scratch(db) for scan, db in self.databases.items()}
        self.local.scratches = made
        return made


def _database(
    chosen: Sequence[tuple[int, Atom]], cache_dir: Path | None, scan: str
) -> hyperscan.Database:
    """A database of ``chosen`` atoms for a scan: of the plain view, read as UTF-8; of the
    folded view, read byte by byte; or SQUEEZED, their ``squeezed`` letters as literals.
    The folded view's atoms are our own whole-word phrases and tolerant patterns, whose one
    class, [\\W_], holds every byte of a character beyond ASCII as it holds the character
    (hyperscan's \\w is ASCII's): read byte by byte they find every text they find as
    UTF-8 (the exact locators decide the spans), from a database a fifth of the size,
    faster to scan and to compile. People's regular expressions (the plain view's) are
    read as UTF-8."""
    import hyperscan

    # Both views are already case-folded; CASELESS is for the regexes people write.
    # (SINGLEMATCH would report each atom once but makes the databases 15x bigger.)
    flags = hyperscan.HS_FLAG_CASELESS | (hyperscan.HS_FLAG_UTF8 if scan == PLAIN else 0)
    if scan == SQUEEZED:
        expressions = [re.escape(atom.squeezed).encode() for _, atom in chosen]
    else:
        expressions = [atom.regex.encode() for _, atom in chosen]
    ids = [index for index, _ in chosen]
    cached = None
    if cache_dir is not None:
        # The package defines __version__; its stub leaves it out.
        version = hyperscan.__version__  # type: ignore[attr-defined]
        key = hashlib.sha256(repr((version, flags, expressions, ids)).encode())
        cached = cache_dir / f"{key.hexdigest()[:32]}.hsdb"
        if cached.exists():
            loaded = hyperscan.loadb(cached.read_bytes(), hyperscan.HS_MODE_BLOCK)
            loaded.scratch = hyperscan.Scratch(loaded)  # a loaded database has none yet
            return loaded
    database = hyperscan.Database()
    try:
        database.compile(
            expressions=expressions, ids=ids, elements=len(ids), flags=[flags] * len(ids)
        )
    except hyperscan.error as exc:
        raise RuleError(f"A rule cannot be compiled for fast screening: {exc}") from None
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(hyperscan.dumpb(database))
        partial.replace(cached)  # atomic: another worker never reads half a file
    return database


def _collect(index: int, start: int, end: int, flags: int, present: object) -> None:
    # ``present`` is the set handed to scan as its context (typed there as any object).
    cast(set[int], present).add(index)


# --- compiled rule sets ------------------------------------------------------------------


class CompiledRuleSet:
    """The rules of one version, compiled. Screening a message never compiles anything."""

    def __init__(
        self,
        rules: Sequence[RuleSpec],
        *,
        engine: str = "hyperscan",
        cache_dir: Path | None = None,
    ) -> None:
        self.version = ruleset_version(rules)
        self.rules = list(rules)
        self.corroborate = frozenset(rule.id for rule in rules if rule.corroborate)
        # The baseline library's flag rules not marked as sure, each with its phrase as
        # written (casefolded, without accents): a lawyer's letter uses them as they are.
        self.court_words = {rule.id: bare(rule.pattern) for rule in rules if rule.court_word}
        atoms: list[Atom] = []
        index_of: dict[Atom, int] = {}
        self.rule_atoms: list[tuple[int, ...]] = []
        for rule in self.rules:
            if rule.action not in ACTIONS:
                raise RuleError(f"Unknown action {rule.action!r}.")
            ids: list[int] = []
            for atom in atoms_of(rule):
                if atom not in index_of:
                    index_of[atom] = len(atoms)
                    atoms.append(atom)
                ids.append(index_of[atom])
            self.rule_atoms.append(tuple(ids))
        # Rules by their first atom: a message visits only the rules whose atom it contains.
        self.rules_by_atom: dict[int, list[int]] = defaultdict(list)
        for position, rule_ids in enumerate(self.rule_atoms):
            self.rules_by_atom[rule_ids[0]].append(position)
        self.atoms = atoms
        self.locators = [_locator(atom) for atom in atoms]
        # Matchers look only for each rule's first atom. The other phrase of a near/unless
        # rule (often a common word such as "you") is looked for only when the first occurs.
        if engine == "hyperscan":
            self.matcher: Matcher = HyperscanMatcher(
                atoms, self.rules_by_atom, self.locators, cache_dir, self._partners()
            )
        elif engine == "reference":
            self.matcher = ReferenceMatcher(atoms, self.rules_by_atom)
        else:
            raise ValueError(f"unknown engine {engine!r}")

    def screen(
        self,
        text: str,
        *,
        detector_actions: Mapping[str, str] | None = None,
        layers: Layers | None = None,
    ) -> Verdict:
        """The verdict on a text: rules always, detectors when ``detector_actions`` is given
        (``{}`` for every detector at its default), the layers of ``layers.stack`` when
        ``layers`` says which. A lone surrogate, which no request carries (the input guard
        refuses them) but a command's argument may, is read as U+FFFD, one for one."""
        try:
            return self._screen(text, detector_actions, layers)
        except UnicodeEncodeError:
            if not _SURROGATE.search(text):
                raise
            return self._screen(_SURROGATE.sub("\ufffd", text), detector_actions, layers)

    def _screen(
        self, text: str, detector_actions: Mapping[str, str] | None, layers: Layers | None
    ) -> Verdict:
        normalized = normalize(text)
        views = {PLAIN: normalized.plain.text, FOLDED: normalized.folded.text}
        source = {PLAIN: normalized.plain, FOLDED: normalized.folded}
        # Inside letters that were spaced apart, word edges are unknown ("a s h a n k" folds
        # to "ashank"), so there a phrase needs no word boundary.
        soft = _SoftEdges(normalized.folded)
        spans = self._whole(views, self.matcher.match(views, source), soft)
        hits: list[Hit] = []
        exceptions: list[Hit] = []
        if spans:  # most messages: no rule's first atom
            hits, exceptions = self._rule_hits(normalized, views, spans, soft)
        if detector_actions is not None or layers is not None:
            detect, stack = _above()
            if detector_actions is not None:
                hits.extend(detect(normalized, detector_actions))
            if layers is not None:
                hits.extend(stack.layer_hits(self, normalized, layers, detector_actions))
                # A layer's exceptions (a child's number game read in the open) cancel as
                # the rules' do.
                if any(h.action == "exception" for h in hits):
                    exceptions = exceptions + [h for h in hits if h.action == "exception"]
                    hits = [h for h in hits if h.action != "exception"]
        if exceptions:
            hits = [h for h in hits if not _suppressed(h, exceptions)]
        if layers is not None and layers.contexts:
            hits = stack.cancelled_by_names(normalized, hits)
            hits = stack.corroborated(self.corroborate, hits)
            hits = stack.beside_a_lawyer(self.court_words, normalized, hits)
        cleared: list[Hit] = []
        because = ""
        if layers is not None and layers.classifier and layers.clears:
            hits, cleared, because = stack.second_opinion(self.court_words, normalized, hits)
        hits.sort(key=_place)
        cleared.sort(key=_place)
        verdict = "clear"
        for hit in hits:
            if VERDICT_ORDER[hit.action] > VERDICT_ORDER[verdict]:
                verdict = hit.action
        return Verdict(verdict, hits, cleared, because)

    def _partners(self) -> dict[int, tuple[tuple[str, str], ...]]:
        """For each first atom that only near rules begin with, their other phrases (each
        with its view), when every one is a phrase: such an atom is worth locating only
        where one of them occurs ("tell" is in most letters, "tell ... i said" in few)."""
        partners: dict[int, tuple[tuple[str, str], ...]] = {}
        for index, positions in self.rules_by_atom.items():
            if not all(self.rules[p].kind == "near" for p in positions):
                continue
            others = [self.atoms[self.rule_atoms[p][1]] for p in positions]
            if all(other.phrase for other in others):
                partners[index] = tuple((other.view, other.phrase) for other in others)
        return partners

    def _whole(self, views: Mapping[str, str], raw: Spans, soft: _SoftEdges) -> Spans:
        """Keep whole-word matches of bounded atoms; merge each atom's overlapping spans."""
        spans: Spans = {}
        for index, found in raw.items():
            atom = self.atoms[index]
            if atom.bounded:
                text = views[atom.view]
                edges = soft if atom.view == FOLDED else None
                found = [
                    (s, e)
                    for s, e in found
                    if _edge(text, s - 1, s, edges) and _edge(text, e, e, edges)
                ]
            if found:
                spans[index] = merge(found)
        return spans

    def _locate(self, index: int, views: Mapping[str, str], soft: _SoftEdges) -> list[Span]:
        """Spans of an atom the matchers were not asked for."""
        raw = {index: self.locators[index](views[self.atoms[index].view])}
        return self._whole(views, raw, soft).get(index, [])

    def _rule_hits(
        self, normalized: Normalized, views: Mapping[str, str], spans: Spans, soft: _SoftEdges
    ) -> tuple[list[Hit], list[Hit]]:
        hits: list[Hit] = []
        exceptions: list[Hit] = []
        candidates = sorted(p for atom in spans for p in self.rules_by_atom.get(atom, ()))
        runs: Runs | None = None  # the folded view's words, found once for every near
        for position in candidates:
            rule, atom_ids = self.rules[position], self.rule_atoms[position]
            first = spans[atom_ids[0]]
            view = self.atoms[atom_ids[0]].view
            if rule.kind == "near":
                second = self._locate(atom_ids[1], views, soft)
                if first and second and runs is None:
                    runs = _runs(views[FOLDED])
                found = _near(views[FOLDED], first, second, rule.distance, runs)
            elif rule.kind == "unless":
                found = [] if self._locate(atom_ids[1], views, soft) else first
            else:
                found = first
            for start, end in found:
                hit = _hit(rule, normalized, view, start, end)
                (exceptions if rule.action == "exception" else hits).append(hit)
        return hits, exceptions


def _place(hit: Hit) -> tuple[int, int, str]:
    return hit.start, hit.end, str(hit.rule)


@cache
def _above() -> tuple[Callable[[Normalized, Mapping[str, str]], list[Hit]], ModuleType]:
    """The detectors and the layers, which build on this module: imported on first use
    (an import statement costs a microsecond on every message)."""
    from homeward.screening.detectors import detect
    from homeward.screening.layers import stack

    return detect, stack


def _hit(rule: RuleSpec, normalized: Normalized, view: str, start: int, end: int) -> Hit:
    source = normalized.plain if view == PLAIN else normalized.folded
    o_start, o_end = source.to_original(start, end)
    return Hit(
        rule.id, rule.category, rule.action, o_start, o_end, normalized.original[o_start:o_end]
    )


# The words of ``_near``: where each run of non-space characters starts, and where each ends.
Runs = tuple[Sequence[int], Sequence[int]]


def _runs(text: str) -> Runs:
    """The words of ``_near`` (``Runs``)."""
    spans = [m.span() for m in _RUNS.finditer(text)]
    if not spans:
        return (), ()
    starts, ends = zip(*spans, strict=True)
    return starts, ends


def _near(
    text: str,
    first: list[tuple[int, int]],
    second: list[tuple[int, int]],
    distance: int,
    runs: Runs | None = None,
) -> list[tuple[int, int]]:
    """Spans covering an occurrence of A and one of B at most ``distance`` words apart.

    Words are runs of non-space characters (``_runs`` of the text, given or found here);
    the words between two spans are the runs that reach into the gap. Only the occurrences
    of B within reach of each A are looked at (by bisection), so a message repeating both
    thousands of times stays linear-logarithmic."""
    if not first or not second:  # the usual case: "tell" without "i said" anywhere
        return []
    starts, ends = _runs(text) if runs is None else runs

    def between(i: int, j: int) -> int:
        return max(0, bisect.bisect_left(starts, j) - bisect.bisect_right(ends, i))

    second = sorted(second)
    b_starts = [s for s, _ in second]
    longest = max((e - s for s, e in second), default=0)
    found = []
    for a_start, a_end in first:
        # B within reach: from `distance` runs (and one B) before A to `distance` runs after.
        before = bisect.bisect_left(starts, a_start) - distance - 1
        low = (starts[before] if before >= 0 else 0) - longest
        after = bisect.bisect_right(ends, a_end) + distance
        high = starts[after] if after < len(starts) else len(text)
        for index in range(bisect.bisect_left(b_starts, low), bisect.bisect_right(b_starts, high)):
            b_start, b_end = second[index]
            if a_end > b_start and b_end > a_start:
                continue  # overlapping: the same words, not two things near each other
            gap = between(a_end, b_start) if a_end <= b_start else between(b_end, a_start)
            if gap <= distance:
                found.append((min(a_start, b_start), max(a_end, b_end)))
    return merge(found)


_RUNS = re.compile(r"\S+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _suppressed(hit: Hit, exceptions: Sequence[Hit]) -> bool:
    """Whether an exception of the hit's category overlaps it. A hit about the whole
    message (a classifier score, a language) is never cancelled by a phrase inside it."""
    if hit.layer in WHOLE_MESSAGE:
        return False
    return any(
        e.category == hit.category and e.start < hit.end and hit.start < e.end for e in exceptions
    )


def ruleset_version(rules: Sequence[RuleSpec]) -> str:
    """A fingerprint of the rules (and the engine) a text was screened with."""
    digest = hashlib.sha256(ENGINE_NAME.encode())
    for rule in sorted(rules, key=lambda r: str(r.id)):
        fields = (rule.id, rule.kind, rule.pattern, rule.category, rule.action, rule.severity)
        digest.update("\x1f".join(map(str, (*fields, rule.other, rule.distance))).encode())
        if rule.corroborate:
            digest.update(b"\x1dcorroborate")
        if rule.court_word:
            digest.update(b"\x1dcourt")
        digest.update(b"\x1e")
    return digest.hexdigest()[:16]


_cache: OrderedDict[tuple[str, str], CompiledRuleSet] = OrderedDict()
_cache_lock = threading.Lock()
CACHE_SIZE = 64


def compile_ruleset(
    rules: Sequence[RuleSpec], *, engine: str = "hyperscan", cache_dir: Path | None = None
) -> CompiledRuleSet:
    """The compiled rule set for these rules, compiled at most once per version in a
    process (and, with a ``cache_dir`` shared by the workers, once per machine)."""
    key = (ruleset_version(rules), engine)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    compiled = CompiledRuleSet(rules, engine=engine, cache_dir=cache_dir)
    with _cache_lock:
        _cache[key] = compiled
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


def screen(
    text: str,
    rules: Sequence[RuleSpec],
    *,
    detector_actions: Mapping[str, str] | None = None,
    layers: Layers | None = None,
    engine: str = "hyperscan",
) -> Verdict:
    compiled = compile_ruleset(rules, engine=engine)
    return compiled.screen(text, detector_actions=detector_actions, layers=layers)
