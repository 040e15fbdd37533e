"""Detectors: what no word list can say. Phone numbers, street addresses, email and web
addresses (third-party relay), payment handles and apps (fraud), long digit strings,
cipher-like text, words that mix alphabets and everyday words in quotation marks, three
or more ("las 'camisas' ya llegaron, las 'corbatas' el jueves al 'taller'": coded
language).

Each detector is a category with an action the facility sets (flag, block or off; a
detector the facility has not set flags). Hits are reported like rule hits, with
``rule = "detector:<name>"`` and spans in the original text.

Decisions:
- Everything runs on the *plain* view: "$40" and "911" must stay numbers, and a Cyrillic
  letter inside a Latin word is itself the signal. Street addresses also run on the
  folded view, so "4415 M4pl3 Αvе" is still an address. Words in quotation marks are
  read as written: a title or a name in quotation marks ("El Conjuro") begins with a
  capital, a code word ("la 'harina'") does not.
- Email addresses are relay (detector ``email``): an address lets a resident reach
  someone outside the monitored conversation, as a phone number does. A facility that
  does not want that turns ``email`` off. Screening has no list of known addresses.
- A payment app's name alone ("I paid her back on Venmo") is not a hit; with a $cashtag,
  an @handle, a link or an amount of money nearby it is. $cashtags and gift card codes
  always are. Dates, times, years, money amounts and ordinary numbers are never hits.
- Where two detectors claim the same text the first in ``_ORDER`` wins (a phone number is
  not also a long digit string, a URL is not also a cipher blob); words mixing alphabets
  are reported whatever else hit.

Speed: an ordinary 1.6 KB message costs a few microseconds. One hyperscan scan of loose
*gate* patterns (a superset of the exact ones) says which detectors could match at all; only
those run their exact ``re`` patterns (detector_patterns.py). The cipher test is letter
statistics with bytes.translate and bytes.count (detector_cipher.py). ``detect(...,
use_gate=False)`` runs every exact pattern: the tests use it to prove the gate hides nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, cast

from homeward.screening import detector_patterns as p
from homeward.screening.categories import CODED, FRAUD, RELAY
from homeward.screening.detector_cipher import (
    BLOB_GATE,
    REVERSED_GATE,
    blob_spans,
    cipher_spans,
    reversed_spans,
)
from homeward.screening.engine import Hit
from homeward.screening.normalize import Normalized, View

if TYPE_CHECKING:
    import hyperscan

# Each detector and the category its hits carry.
DETECTORS: dict[str, str] = {
    "phone": RELAY,
    "address": RELAY,
    "email": RELAY,
    "url": RELAY,
    "payment": FRAUD,
    "digits": CODED,
    "cipher": CODED,
    "mixed_script": CODED,
    "code_words": CODED,
}
ACTIONS = ("flag", "block", "off")
DEFAULT_ACTION = "flag"
_ORDER = ("email", "payment", "url", "phone", "address", "digits", "cipher")

Span = tuple[int, int]

# --- the gate ----------------------------------------------------------------------------

_MARK = r"(\xcc[\x80-\xbf]|\xcd[\x80-\xaf])"  # UTF-8 of a combining mark (U+0300-U+036F)
_NW = p.NUMBER_WORDS


def _alternatives(words: str) -> str:
    return "|".join(words.split()).replace(".", r"\.")


_STREET_WORDS = " ".join(
    w for w in p.STREETS_ES.split() if w.isalpha() and w.isascii()
)  # "callejón" is below in UTF-8; "av." and "c/" have their own alternative
_ADDRESS_GATES = (
    # A street's name may hold any letter (\w in the exact pattern: "José", "a_b"). The
    # word edge after the street word is spelled out: hyperscan's \b made this scan 50%
    # slower (anything but [a-z0-9_] is a superset of the exact pattern's Unicode \b).
    rf"[0-9][a-z]? ([^ ]+ ){{0,4}}"
    rf"({_alternatives(p.SUFFIXES)}|{_alternatives(p.AMBIGUOUS)}|stret|terace|aley)"
    r"([^a-z0-9_]|$)",
    # "av." and "c/" end in punctuation: no word edge after them ("av. 5", "c/ olmo 5").
    rf"(\b({_alternatives(_STREET_WORDS)}|cale|carera|calejon|caretera|"
    r"callej\xc3\xb3n|calej\xc3\xb3n)\b|\b(av\.|c/))[^0-9]{0,200}[0-9]",
    r"p\.? ?o\.? ?box|apartado ",
)
_GATES: dict[str, tuple[str, ...]] = {
    # Digits spaced apart with "/" ("555/201/3344") are left to the digits gate below (a
    # "/" here makes the whole scan half again as slow): see _PARTS.
    "phone": (rf"[0-9]({_MARK}*[ .()+-]{{0,3}}[0-9]){{6}}",),
    # A number word and two more numbers, spelled or not: of the three or more words a
    # spelled phone number needs, one has two numbers after it ("one 5 two 5 three 5 4").
    "phone:spelled": (rf"\b({_NW})([ ,.-]{{1,3}}({_NW}|[0-9])\b){{2}}",),
    "address": _ADDRESS_GATES,
    "email": (r"@[a-z0-9-]+\.",),
    # A domain's host is read back over dots and hyphens too ("zelle-.com").
    "url": (r"https?://|www\.|[a-z0-9.-]\.[a-z]{2}|@[a-z0-9_]",),
    # The parts of a detector have gates of their own: only those that fired run (a gift
    # card code's pattern costs as much as the payment apps').
    "payment": (p.PAY_APPS.replace("?:", ""),),
    "payment:cashtag": (r"\$[a-z]",),
    "payment:gift_code": (r"[a-z0-9]{4}-[a-z0-9]{4,6}-[a-z0-9]{4}",),
    "digits": (
        rf"[0-9]({_MARK}*[ ./-]{{0,3}}[0-9]){{6}}",
        rf"[0-9]({_MARK}*[ /,.-]{{0,3}}[0-9]){{5}}",
    ),
    "blob": (BLOB_GATE,),
    "reversed": (REVERSED_GATE,),
    "mixed_script": (r"[\xcd-\xd4]",),  # UTF-8 lead bytes of Greek and Cyrillic letters
    # A quotation mark opening before a letter (in the plain view, in lower case, curly
    # quotation marks straight; beyond ASCII, any lead byte).
    "code_words": (r"(^|[\s(\[]|\xc2[\xa1\xbf])(['\"]|\xc2\xab|\xe2\x80[\x98\x9c])[a-z\xc2-\xf4]",),
}
# The folded view only matters for addresses, and every exact address pattern needs a digit:
# it is scanned with the address gates alone, and only when it has a digit.
_FOLDED_GATES: dict[str, tuple[str, ...]] = {"address": _ADDRESS_GATES}
_DIGITS = "0123456789"


class _Gate:
    """Gate patterns in one hyperscan database, compiled once per process; each thread
    scans with its own scratch space. Without hyperscan, every detector runs."""

    def __init__(self, gates: Mapping[str, tuple[str, ...]]) -> None:
        self.names = [name for name, patterns in gates.items() for _ in patterns]
        patterns = [pattern.encode("latin-1") for group in gates.values() for pattern in group]
        self.all = set(gates)
        self.local = threading.local()
        try:
            import hyperscan

            database = hyperscan.Database()
            database.compile(
                expressions=patterns,
                ids=list(range(len(patterns))),
                elements=len(patterns),
                flags=hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_DOTALL,
            )
            self.database: hyperscan.Database | None = database
        except Exception:  # noqa: BLE001 - no hyperscan here: run every exact pattern
            self.database = None

    def candidates(self, view: View) -> set[str]:
        if self.database is None:
            return set(self.all)
        scratch = getattr(self.local, "scratch", None)
        if scratch is None:  # the import is here: on every call it costs a fifth of a scan
            import hyperscan

            scratch = self.local.scratch = hyperscan.Scratch(self.database)
        found: set[str] = set()
        # (data, handler, flags, context, scratch): keywords cost more than the scan
        self.database.scan(view.utf8(), self._on_match, 0, found, scratch)
        return found

    def _on_match(self, index: int, start: int, end: int, flags: int, found: object) -> None:
        # ``found`` is the set handed to scan as its context (typed there as any object).
        cast(set[str], found).add(self.names[index])


_the_gates: tuple[_Gate, _Gate] | None = None
_gate_lock = threading.Lock()


def _gates() -> tuple[_Gate, _Gate]:
    """The gates of the plain view (every detector) and of the folded view (addresses)."""
    global _the_gates
    if _the_gates is None:
        with _gate_lock:
            if _the_gates is None:
                _the_gates = (_Gate(_GATES), _Gate(_FOLDED_GATES))
    return _the_gates


# --- detecting ---------------------------------------------------------------------------


_Plan = tuple[dict[str, str], tuple[str, ...]]
_plans: dict[tuple[tuple[str, str], ...], _Plan] = {}


def _plan(actions: Mapping[str, str]) -> _Plan:
    """The detectors wanted (name -> action) and the ones to run, in ``_ORDER``: a detector
    that is off still runs when a later one is on, so that what it would have claimed (a
    URL) is not reported as something else (a cipher blob). Worked out once per distinct
    ``actions`` (a facility has one), not once per message."""
    items = tuple(actions.items())
    key: tuple[tuple[str, str], ...] | None = items
    try:
        plan = _plans.get(items)
    except TypeError:  # an unhashable action: _wanted says what is wrong with it
        key, plan = None, None
    if plan is None:
        wanted = _wanted(actions)
        last = max((_ORDER.index(name) for name in wanted if name in _ORDER), default=-1)
        plan = (wanted, _ORDER[: last + 1])
        if len(_plans) >= 256:  # keys come from facility settings: few, but be safe
            _plans.clear()
        if key is not None:
            _plans[key] = plan
    return plan


def _wanted(actions: Mapping[str, str]) -> dict[str, str]:
    wanted = {}
    for name in DETECTORS:
        action = actions.get(name, DEFAULT_ACTION)
        if action not in ACTIONS:
            raise ValueError(
                f"Detector {name!r}: the action is flag, block or off, not {action!r}."
            )
        if action != "off":
            wanted[name] = action
    return wanted


def detect(
    normalized: Normalized, actions: Mapping[str, str], *, use_gate: bool = True
) -> list[Hit]:
    """The detector hits in a normalised text. ``actions``: detector name -> flag, block or
    off. ``use_gate=False`` runs every exact pattern (slower, same hits)."""
    wanted, run = _plan(actions)
    if not wanted or not normalized.plain.text:
        return []
    found = _Finder(normalized, use_gate).find(wanted, run)
    if not found:  # nine messages in ten
        return []
    hits = [
        Hit(
            f"detector:{name}",
            DETECTORS[name],
            wanted[name],
            start,
            end,
            normalized.original[start:end],
            layer="detector",
        )
        for name, spans in found.items()
        for start, end in spans
    ]
    hits.sort(key=lambda h: (h.start, h.end, h.rule))
    return hits


class _Finder:
    """Runs the detectors on one text; every span it returns is in the original text."""

    def __init__(self, normalized: Normalized, use_gate: bool) -> None:
        self.normalized = normalized
        self.plain = normalized.plain.text
        if not use_gate:
            self.candidates = set(_GATES)
            return
        plain_gate, folded_gate = _gates()
        self.candidates = plain_gate.candidates(normalized.plain)
        # The folded view is scanned only for addresses, and only when it could hold one
        # (ten substring tests are far cheaper than a scan). A candidate found there runs
        # the exact address patterns on both views, as one found on the plain view does.
        folded = normalized.folded.text
        if (
            "address" not in self.candidates
            and folded != self.plain
            and any(map(folded.__contains__, _DIGITS))
        ):
            self.candidates |= folded_gate.candidates(normalized.folded)

    def find(self, wanted: Mapping[str, str], run: Iterable[str]) -> dict[str, list[Span]]:
        """The spans of the ``wanted`` detectors; ``run``: the detectors to run, in order."""
        claimed: list[Span] = []
        found: dict[str, list[Span]] = {}
        candidates = self.candidates
        for name in run:
            if name in _GATED and candidates.isdisjoint(_GATED[name]):
                continue  # the gate says it cannot match: not even a method call
            spans = self._spans(name)
            if not spans:  # the usual case: nothing to merge, claim or report
                continue
            kept = [s for s in _merge(spans) if not _mostly_claimed(s, claimed)]
            claimed.extend(kept)
            if name in wanted and kept:
                found[name] = kept
        if "mixed_script" in wanted and "mixed_script" in self.candidates:
            spans = _merge(self._original(self.normalized.plain, p.mixed_scripts(self.plain)))
            if spans:
                found["mixed_script"] = spans
        if "code_words" in wanted and "code_words" in self.candidates:
            spans = p.code_words(self.normalized.original)  # read as written: capitals count
            if spans:
                found["code_words"] = spans
        return found

    def _spans(self, name: str) -> list[Span]:
        plain_view, text, has = self.normalized.plain, self.plain, self.candidates.__contains__
        if name == "cipher":
            spans = cipher_spans(text)
            if has("blob"):
                spans += blob_spans(text, self._original_text(plain_view))
            if has("reversed"):
                spans += reversed_spans(text)
            return self._original(plain_view, spans) if spans else spans
        if name == "address":
            return self._addresses()
        parts = _PARTS.get(name)
        if parts is not None:  # only the parts whose gate fired ("cashtag")
            kinds = {kind for gate, part in parts.items() if has(gate) for kind in part}
            if not kinds:
                return []
            return self._original(plain_view, _FINDERS[name](text, kinds))
        if not has(name):
            return []
        return self._original(plain_view, _FINDERS[name](text))

    def _addresses(self) -> list[Span]:
        if "address" not in self.candidates:
            return []
        plain, folded = self.normalized.plain, self.normalized.folded
        found = p.PLAIN_ADDRESSES.find(plain.text, self._original_text(plain))
        spans = self._original(plain, found)
        if folded.text != plain.text:
            found = p.FOLDED_ADDRESSES.find(folded.text, self._original_text(folded))
            spans += self._original(folded, found)
        return spans

    def _original(self, view: View, spans: Iterable[Span]) -> list[Span]:
        return [view.to_original(start, end) for start, end in spans if end > start]

    def _original_text(self, view: View) -> Callable[[Span], str]:
        def original(span: Span) -> str:
            start, end = view.to_original(*span)
            return self.normalized.original[start:end]

        return original


_FINDERS: dict[str, Callable[..., list[Span]]] = {
    "email": p.emails,
    "payment": p.payments,
    "url": p.urls,
    "phone": p.phones,
    "digits": p.digits,
}

# Detectors in parts, each part run when one of its gates fires: gate -> the kinds of the
# finder it makes run. The digits gate is a superset of digit runs, phone-like or not.
_PARTS: dict[str, dict[str, tuple[str, ...]]] = {
    "payment": {
        "payment": ("payment",),
        "payment:cashtag": ("cashtag",),
        "payment:gift_code": ("gift_code",),
    },
    "phone": {"phone": ("dialled", "runs"), "digits": ("runs",), "phone:spelled": ("spelled",)},
}
# Detector -> the gates whose firing makes it run.
_GATED: dict[str, frozenset[str]] = {
    name: frozenset(_PARTS.get(name, {name: ()})) for name in [*_FINDERS, "address"]
}


def _mostly_claimed(span: Span, claimed: list[Span]) -> bool:
    """Whether at least half of ``span`` is already another detector's."""
    covered = sum(max(0, min(span[1], c[1]) - max(span[0], c[0])) for c in claimed)
    return 2 * covered >= span[1] - span[0]


def _merge(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
