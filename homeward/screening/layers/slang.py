"""Slang: prison and street words, English and Spanish, and what they mean.

The lexicon is ``library/slang.toml``: each entry a term in base form (one or more words),
its language, category, severity (1 to 3) and a short meaning a reviewer reads. Terms match
through the morphology tokens (``tokens.Lexicon``), so "toolies" finds "toolie" and
"pericos" finds "perico"; a one-word term, or the last word of a longer one, also matches
its plural with -s or -es when the lemmatiser does not know the word. ``also`` lists other
spellings and forms the lemmatiser does not join ("darle piso" beside "dar piso"). Terms
are words only: the tokens of a message are its runs of letters.

Many slang words are also ordinary words. An entry can say what makes it innocent and what
it needs:
- ``innocent``: words or phrases that, within the window of the term, mean the ordinary
  sense ("perico" near abuela or jaula is a parrot; "kite" near medical is a request slip).
  Then nothing is reported.
- ``needs``: for a term too common to count alone, words of which one must be within the
  window ("work" is drugs only near send, bring, package ...).
The window is ``window`` words either side (6 unless the entry says). Word lists shared by
several entries are written once under ``[groups]`` and named with "@": ``needs =
["@deal-en"]``.

Hits: rule "slang:<entry id>" (the id is the term with dashes, unless the entry gives one),
layer "slang", action flag, the term's span in the original text, and a detail such as
"'toolie': a gun".

The file is read and checked once per process; any mistake (an unknown category or field, a
missing meaning, an unknown group, two entries with one id) stops the load with a
SlangError naming the entry.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homeward.screening import categories, native
from homeward.screening.engine import Hit
from homeward.screening.layers.once import once
from homeward.screening.layers.tokens import AnchoredLexicon, Words, key, original_span
from homeward.screening.normalize import Normalized

LAYER = "slang"
LIBRARY = Path(__file__).resolve().parent.parent / "library" / "slang.toml"
LANGUAGES = ("en", "es")
DEFAULT_WINDOW = 6
MAX_WINDOW = 30
FIELDS = {
    "id",
    "term",
    "also",
    "lang",
    "category",
    "severity",
    "meaning",
    "innocent",
    "needs",
    "window",
}
REQUIRED = ("term", "lang", "category", "severity", "meaning")
_WORD = re.compile(r"[^\W\d_]+")
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

Phrase = tuple[str, ...]  # the keys of a phrase's words


class SlangError(ValueError):
    """A slang file that cannot be loaded; the message says which entry and why."""


@dataclass(frozen=True)
class Entry:
    id: str
    term: str
    lang: str
    category: str
    severity: int
    meaning: str
    also: tuple[str, ...] = ()
    innocent: tuple[Phrase, ...] = ()
    needs: tuple[Phrase, ...] = ()
    window: int = DEFAULT_WINDOW
    # innocent and needs by their first word, for looking them up near a term
    innocent_index: Mapping[str, tuple[Phrase, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )
    needs_index: Mapping[str, tuple[Phrase, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )
    # the keys of the term's own words, in every spelling the lexicon looks for
    own: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    @property
    def detail(self) -> str:
        return f"'{self.term}': {self.meaning}"


@dataclass(frozen=True)
class SlangLexicon:
    """A checked slang file: its entries, the lexicon that finds them, and its version."""

    entries: tuple[Entry, ...]
    lexicon: AnchoredLexicon[Entry]
    version: str

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, normalized: Normalized, tokens: Words) -> list[Hit]:
        """A hit per occurrence of a term that its context does not make innocent. Where
        one term lies inside a longer one found at the same place, only the longer counts."""
        found = [
            (first, last, entry)
            for first, last, entry in self.lexicon.spans(tokens)
            if _counts(entry, tokens, first, last)
        ]
        if not found:
            return []
        inside = _inside_longer({(first, last) for first, last, _ in found})
        hits = []
        seen: set[tuple[str, int, int]] = set()
        for first, last, entry in found:
            if (first, last) in inside:
                continue
            if (entry.id, first, last) in seen:
                continue  # two spellings of one entry (perico, pericos) on the same words
            seen.add((entry.id, first, last))
            start, end = original_span(normalized, tokens, first, last)
            hits.append(
                Hit(
                    rule=f"{LAYER}:{entry.id}",
                    category=entry.category,
                    action="flag",
                    start=start,
                    end=end,
                    text=normalized.original[start:end],
                    layer=LAYER,
                    detail=entry.detail,
                )
            )
        return hits


def _inside_longer(spans: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The spans (first and last word) that lie inside another, longer one: in order of
    start, longest first, a span is inside one before it when one before it reaches as far.
    (One pass: a message of thousands of terms costs no more than a sort.)"""
    inside: set[tuple[int, int]] = set()
    reach = -1
    for first, last in sorted(spans, key=lambda span: (span[0], -span[1])):
        if reach >= last:
            inside.add((first, last))
        reach = max(reach, last)
    return inside


def _counts(entry: Entry, tokens: Words, first: int, last: int) -> bool:
    """Whether a term found at tokens[first..last] counts: nothing innocent near it, and a
    needed word near it when the entry needs one."""
    if not entry.innocent and not entry.needs:
        return True
    keys = tokens.keys
    lo, hi = max(0, first - entry.window), min(len(keys) - 1, last + entry.window)
    # The needed word first: most terms that need one ("boy", "work") have none near.
    if entry.needs and not _near(entry.needs_index, keys, lo, hi, first, last, entry.own):
        return False
    return not (
        entry.innocent and _near(entry.innocent_index, keys, lo, hi, first, last, entry.own)
    )


def near(
    index: Mapping[str, tuple[Phrase, ...]],
    keys: list[frozenset[str]],
    lo: int,
    hi: int,
    first: int,
    last: int,
    own: frozenset[str],
) -> bool:
    """Whether one of the phrases (by first word) occurs in words lo..hi (their ``keys``).
    A phrase may include the term ("packs of gum", "bien cuete"), and one within the term
    counts when it names another form than the term's own ("working" for "work").
    ``native/_walk.c`` does the same in C, which is used when it is built."""
    count = len(keys)
    for at in range(lo, hi + 1):
        inside = first <= at <= last
        for k in keys[at]:
            for phrase in index.get(k, ()):
                end = at + len(phrase) - 1
                if inside and end <= last and own.issuperset(phrase):
                    continue
                if end < count and all(phrase[i] in keys[at + i] for i in range(1, len(phrase))):
                    return True
    return False


_near: Callable[..., bool] = native.function("_walk", "near") or near


def _index(phrases: tuple[Phrase, ...]) -> dict[str, tuple[Phrase, ...]]:
    by_first: dict[str, list[Phrase]] = defaultdict(list)
    for phrase in phrases:
        by_first[phrase[0]].append(phrase)
    return {k: tuple(v) for k, v in by_first.items()}


# --- loading and checking ---------------------------------------------------------------


def _phrase(text: str) -> Phrase:
    return tuple(key(w) for w in _WORD.findall(text.casefold()))


def _plurals(term: str, lang: str) -> list[str]:
    """The term and the plural of its last word ("toolies", "cuetes", "fierros"), for words
    the lemmatiser does not know: -s, -es after s, x, z, ch, sh and -ies after a consonant
    and y in English; -s after a vowel, -es after a consonant and -ces for -z in Spanish."""
    head, _, last = term.rpartition(" ")
    if not last.isalpha():
        return [term]
    forms = {last}
    if lang == "es":
        if last.endswith("z"):
            forms.add(last[:-1] + "ces")
        else:
            forms.add(last + ("s" if last[-1] in "aeiouáéó" else "es"))
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(last + "es")
    elif last.endswith("y") and len(last) > 2 and last[-2] not in "aeiou":
        forms.add(last[:-1] + "ies")
    else:
        forms.add(last + "s")
    return sorted(f"{head} {form}".strip() for form in forms)


def _also(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SlangError(f"{where}: also must be a list of other spellings of the term")
    for spelling in value:
        _check_words(spelling, where)
    return tuple(" ".join(v.split()) for v in value)


def _check_words(term: str, where: str) -> None:
    words = _phrase(term)
    if not words or not all(words):
        raise SlangError(f"{where}: {term!r} has no words to look for")
    if re.search(r"[^\w\s'\-]|\d|_", term):
        raise SlangError(f"{where}: {term!r} may have only letters, spaces, dashes, apostrophes")


def _slug(term: str) -> str:
    """A term as an id: lower case, accents dropped, words joined by dashes."""
    plain = unicodedata.normalize("NFKD", term.casefold())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return "-".join(re.findall(r"[a-z0-9]+", plain))


def _words_list(
    value: Any, where: str, name: str, groups: Mapping[str, tuple[Phrase, ...]]
) -> tuple[Phrase, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SlangError(f"{where}: {name} must be a list of words or phrases")
    phrases: list[Phrase] = []
    for item in value:
        if item.startswith("@"):
            if item[1:] not in groups:
                raise SlangError(f"{where}: {name} names an unknown group {item!r}")
            phrases.extend(groups[item[1:]])
            continue
        phrase = _phrase(item)
        if not phrase or not all(phrase):
            raise SlangError(f"{where}: {name} has {item!r}, which has no words")
        phrases.append(phrase)
    return tuple(dict.fromkeys(phrases))


def _entry(raw: Any, number: int, groups: Mapping[str, tuple[Phrase, ...]], file: str) -> Entry:
    where = f"{file}, entry {number}"
    if not isinstance(raw, dict):
        raise SlangError(f"{where}: not a table")
    if isinstance(raw.get("term"), str):
        where += f" ({raw['term']!r})"
    unknown = sorted(set(raw) - FIELDS)
    if unknown:
        raise SlangError(f"{where}: unknown field {', '.join(unknown)}")
    missing = [name for name in REQUIRED if name not in raw]
    if missing:
        raise SlangError(f"{where}: missing {', '.join(missing)}")
    for name in ("term", "lang", "category", "meaning"):
        if not isinstance(raw[name], str) or not raw[name].strip():
            raise SlangError(f"{where}: {name} must be a non-empty string")
    term = " ".join(raw["term"].split())
    _check_words(term, where)
    if raw["lang"] not in LANGUAGES:
        raise SlangError(f"{where}: unknown language {raw['lang']!r} (one of {LANGUAGES})")
    if raw["category"] not in categories.LIBRARY_CODES:
        raise SlangError(f"{where}: unknown category {raw['category']!r}")
    severity = raw["severity"]
    if not isinstance(severity, int) or isinstance(severity, bool) or not 1 <= severity <= 3:
        raise SlangError(f"{where}: severity must be 1, 2 or 3")
    window = raw.get("window", DEFAULT_WINDOW)
    if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= MAX_WINDOW:
        raise SlangError(f"{where}: window must be a number of words from 1 to {MAX_WINDOW}")
    entry_id = raw.get("id", _slug(term))
    if not isinstance(entry_id, str) or not _ID.fullmatch(entry_id):
        raise SlangError(f"{where}: id must be lower-case letters, digits and dashes")
    lang = raw["lang"]
    also = _also(raw.get("also", []), where)
    innocent = _words_list(raw.get("innocent", []), where, "innocent", groups)
    needs = _words_list(raw.get("needs", []), where, "needs", groups)
    return Entry(
        id=entry_id,
        term=term,
        lang=lang,
        category=raw["category"],
        severity=severity,
        meaning=" ".join(raw["meaning"].split()),
        also=also,
        innocent=innocent,
        needs=needs,
        window=window,
        innocent_index=_index(innocent),
        needs_index=_index(needs),
        own=frozenset(k for spelling in (term, *also) for k in _phrase(spelling))
        | frozenset(
            key(form.rpartition(" ")[2]) for s in (term, *also) for form in _plurals(s, lang)
        ),
    )


def load(path: Path = LIBRARY) -> SlangLexicon:
    """Read and check a slang file (the library's unless told)."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise SlangError(f"{path.name}: no such slang file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SlangError(f"{path.name}: not valid TOML ({exc})") from None
    extra = sorted(set(data) - {"groups", "entry"})
    if extra:
        raise SlangError(f"{path.name}: unknown section {', '.join(extra)}")
    raw_groups = data.get("groups", {})
    if not isinstance(raw_groups, dict):
        raise SlangError(f"{path.name}: [groups] must be a table of word lists")
    groups: dict[str, tuple[Phrase, ...]] = {}
    for name, words in raw_groups.items():
        groups[name] = _words_list(words, f"{path.name}, group {name!r}", "the group", {})
    raw_entries = data.get("entry", [])
    if not isinstance(raw_entries, list) or not raw_entries:
        raise SlangError(f"{path.name}: no [[entry]] tables")
    entries: list[Entry] = []
    ids: dict[str, int] = {}
    for number, raw in enumerate(raw_entries, start=1):
        entry = _entry(raw, number, groups, path.name)
        if entry.id in ids:
            raise SlangError(
                f"{path.name}, entry {number} ({entry.term!r}): id {entry.id!r} is also "
                f"entry {ids[entry.id]}'s; give one of them its own id"
            )
        ids[entry.id] = number
        entries.append(entry)
    lexicon: AnchoredLexicon[Entry] = AnchoredLexicon(
        (form, entry)
        for entry in entries
        for spelling in (entry.term, *entry.also)
        for form in _plurals(spelling, entry.lang)
    )
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
    version = hashlib.sha256(canonical.encode()).hexdigest()[:12]
    return SlangLexicon(tuple(entries), lexicon, version)


@once
def library() -> SlangLexicon:
    """The library's slang file, read and checked once per process."""
    return load()


def find(normalized: Normalized, tokens: Words) -> list[Hit]:
    """The slang hits of a message, given its tokens (``tokens.tokenize``)."""
    return library().find(normalized, tokens)


@once
def court_words() -> frozenset[str]:
    """The hits (``slang:<id>``) that name a drug or a weapon, of severity 1 or 2, in one
    word ("cocaína", "methamphetamine", "pistola"): words a lawyer's letter about the case
    uses (``stack.beside_a_lawyer``)."""
    return frozenset(
        f"{LAYER}:{entry.id}"
        for entry in library().entries
        if entry.category in (categories.DRUGS, categories.WEAPONS)
        and entry.severity <= 2
        and " " not in entry.term
    )


def version() -> str:
    """A short fingerprint of the slang file: any change to an entry gives a new one."""
    return library().version


def size() -> int:
    """How many entries the slang file has."""
    return len(library())
