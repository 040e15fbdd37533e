"""Checks a rule must pass before it is saved, each refusal with its own error code.

The engine compiles every rule set with hyperscan, which never backtracks; the reference
engine used in tests (and any future fallback) is Python's ``re``, which does. A regular
expression is therefore refused when hyperscan cannot compile it, and also when its shape
could make a backtracking matcher take exponential or high-polynomial time on a long
message: quantifiers nested inside unbounded quantifiers, alternatives inside a loop that
can match the same text, and unbounded runs that can trade characters with one another.
The test is deliberately conservative: an administrator can always write the same rule in
a safer form, and the error says how.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The regex parser's own modules: the standard library's stubs leave these private modules
# out, so their names are unknown to the checker (and their values are read as Any).
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from homeward.core.errors import DomainError
from homeward.screening import categories
from homeward.screening.models import MAX_DISTANCE, PAIR_KINDS, Action, Kind

MAX_PATTERN = 200
# A bounded repeat larger than this is refused: hyperscan unrolls it into a large automaton.
MAX_BOUND = 100
# Characters used to compare what two parts of a regex can match (case-insensitively).
PROBE = "abcxyzABC019 \t\n_-.@$!/éжΩ٣"
UNBOUNDED = sre.MAXREPEAT
REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
UNSUPPORTED = {
    sre.GROUPREF: "back-references (\\1)",
    sre.GROUPREF_EXISTS: "conditional groups",
    sre.ASSERT: "look-ahead or look-behind",
    sre.ASSERT_NOT: "look-ahead or look-behind",
    sre.ATOMIC_GROUP: "atomic groups",
    sre.POSSESSIVE_REPEAT: "possessive quantifiers",
}


@dataclass(frozen=True)
class RuleFields:
    """A rule's matching fields, tidied: what is compared, stored and compiled."""

    kind: str
    pattern: str
    category: str
    action: str
    severity: int
    other: str
    distance: int


def _tidy(text: Any) -> str:
    return " ".join(str(text or "").split())


def check_fields(
    *,
    kind: str,
    pattern: str,
    category: str,
    action: str,
    severity: int,
    other: str = "",
    distance: int = 0,
) -> RuleFields:
    """Tidy the fields and refuse anything that is not a rule screening can run."""
    if kind not in Kind.values:
        raise DomainError("unknown_kind", f"“{kind}” is not a kind of rule.")
    if category not in categories.CODES:
        raise DomainError("unknown_category", f"“{category}” is not a screening category.")
    if action not in Action.values:
        raise DomainError("unknown_action", "The action is flag, block or exception.")
    if isinstance(severity, bool) or not isinstance(severity, int) or not 1 <= severity <= 3:
        raise DomainError("severity_out_of_range", "Severity is 1 (low), 2 or 3 (high).")
    # A regex keeps its spaces exactly; a phrase's white space is tidied.
    pattern = str(pattern or "").strip() if kind == Kind.REGEX else _tidy(pattern)
    _check_length(pattern, "pattern", "The pattern")
    if kind != Kind.REGEX:
        _check_words(pattern, "pattern")
    other = _tidy(other)
    try:
        distance = int(distance or 0)
    except (TypeError, ValueError):
        raise DomainError("distance_out_of_range", "The distance is a number of words.") from None
    if kind in PAIR_KINDS:
        if not other:
            raise DomainError(
                "other_required", f"A “{kind}” rule needs the other phrase to look for."
            )
        _check_length(other, "other", "The other phrase")
        _check_words(other, "other")
    elif other:
        raise DomainError(
            "other_not_used", "Only near and unless rules use a second phrase; leave it empty."
        )
    if kind == Kind.NEAR:
        if not 1 <= distance <= MAX_DISTANCE:
            raise DomainError(
                "distance_out_of_range",
                f"A near rule needs a distance from 1 to {MAX_DISTANCE} words.",
            )
    elif distance:
        raise DomainError("distance_not_used", "Only near rules use a distance; leave it at 0.")
    if kind == Kind.REGEX:
        check_regex(pattern)
    return RuleFields(kind, pattern, category, action, severity, other, distance)


def _check_length(text: str, code_prefix: str, label: str) -> None:
    if len(text) < 2:
        raise DomainError(
            f"{code_prefix}_too_short",
            f"{label} must be at least two characters: one letter would match almost "
            "every message.",
        )
    if len(text) > MAX_PATTERN:
        raise DomainError(
            f"{code_prefix}_too_long", f"{label} may be at most {MAX_PATTERN} characters."
        )


def _check_words(phrase: str, code_prefix: str) -> None:
    """Phrases match words: punctuation alone ("!!") is not something they can find."""
    if sum(char.isalnum() for char in phrase) < 2:
        raise DomainError(
            f"{code_prefix}_too_short",
            "A phrase needs at least two letters or digits. To look for symbols, use a "
            "regular expression.",
        )


# --- regular expressions -----------------------------------------------------------------


def check_regex(pattern: str) -> None:
    """Refuse a regex Python cannot parse, one with features hyperscan lacks, one that
    matches empty text, and one that could backtrack catastrophically."""
    try:
        parsed = sre_parse.parse(pattern)
        compiled = re.compile(pattern, re.IGNORECASE)
    except (re.error, OverflowError, RecursionError) as exc:
        raise DomainError(
            "regex_invalid", f"The regular expression has a mistake: {exc}."
        ) from None
    _walk(list(parsed), inside_loop=False)
    if compiled.search("") is not None or any(
        m.end() == m.start() for m in compiled.finditer(" x ")
    ):
        raise DomainError(
            "regex_matches_empty",
            "The regular expression can match empty text, so it would match every "
            "message. Make at least one character required.",
        )


def _dangerous(why: str) -> DomainError:
    return DomainError(
        "regex_dangerous",
        f"The regular expression could make screening very slow: {why}. "
        "Rewrite it without that, or use a phrase or tolerant phrase rule instead.",
    )


def _walk(items: list[tuple[Any, Any]], *, inside_loop: bool) -> None:
    for op, arg in items:
        if op in UNSUPPORTED:
            raise DomainError(
                "regex_unsupported",
                f"Screening cannot use {UNSUPPORTED[op]} in a regular expression.",
            )
        if op in REPEATS:
            _check_repeat(arg, inside_loop=inside_loop)
        elif op == sre.SUBPATTERN:
            _walk(list(arg[-1]), inside_loop=inside_loop)
        elif op == sre.BRANCH:
            alternatives = [list(alt) for alt in arg[1]]
            if inside_loop:
                _check_alternatives(alternatives)
            for alternative in alternatives:
                _walk(alternative, inside_loop=inside_loop)
    _check_sequence(items)


def _check_repeat(arg: tuple[int, int, Any], *, inside_loop: bool) -> None:
    low, high, body = arg
    if high != UNBOUNDED and high > MAX_BOUND:
        raise _dangerous(f"a repeat of more than {MAX_BOUND}")
    unbounded = high == UNBOUNDED
    width_low, width_high = body.getwidth()
    if (unbounded or inside_loop) and high > 1 and width_low != width_high:
        raise _dangerous("a repeated part that itself varies in length, like (a+)+ or (.*)*")
    _walk(list(body), inside_loop=inside_loop or (unbounded and high > 1))


def _check_alternatives(alternatives: list[list[tuple[Any, Any]]]) -> None:
    """Inside a loop, two alternatives that can start with the same character make the
    matcher try both ways at every step, like (a|a)+."""
    firsts = [_first_chars(alt) for alt in alternatives]
    for i, first in enumerate(firsts):
        for second in firsts[i + 1 :]:
            if first & second:
                raise _dangerous("a repeated choice whose options can match the same text")


def _check_sequence(items: list[tuple[Any, Any]]) -> None:
    """Two unbounded runs that can hand characters to each other, like \\d+\\d+ or
    .*a.*b, cost at least n³ steps on a long message that does not match."""
    run: frozenset[str] | None = None  # characters the last unbounded run can take
    for op, arg in items:
        chars = _run_chars(op, arg)
        if chars is not None:
            if run is not None and run & chars:
                raise _dangerous("two unbounded repeats that can match the same characters")
            run = chars
            continue
        if op == sre.AT:
            continue  # \b, ^, $: they take no characters
        single = _single_chars(op, arg)
        if run is not None and single is not None and single <= run:
            continue  # the earlier run can swallow this character too: still ambiguous
        run = None


def _run_chars(op: Any, arg: Any) -> frozenset[str] | None:
    if op in REPEATS and arg[1] == UNBOUNDED:
        body = list(arg[2])
        if len(body) == 1:
            return _single_chars(*body[0])
    return None


def _first_chars(items: list[tuple[Any, Any]]) -> frozenset[str]:
    if not items:
        return frozenset(PROBE)  # an empty alternative overlaps with anything
    op, arg = items[0]
    single = _single_chars(op, arg)
    if single is not None:
        return single
    return frozenset(PROBE)  # not a single character: assume the worst


def _single_chars(op: Any, arg: Any) -> frozenset[str] | None:
    """The probe characters one single-character item matches, case-insensitively; None
    when the item is not a single character."""
    if op not in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN, sre.CATEGORY):
        return None
    return frozenset(c for c in PROBE if _matches(op, arg, c) or _matches(op, arg, c.swapcase()))


def _matches(op: Any, arg: Any, char: str) -> bool:
    if op == sre.LITERAL:
        return chr(arg).casefold() == char.casefold()
    if op == sre.NOT_LITERAL:
        return chr(arg).casefold() != char.casefold()
    if op == sre.ANY:
        return char != "\n"
    if op == sre.CATEGORY:
        return _in_category(arg, char)
    if op == sre.IN:
        negate = any(item_op == sre.NEGATE for item_op, _ in arg)
        hit = any(_in_set_item(item_op, item_arg, char) for item_op, item_arg in arg)
        return hit != negate
    return False


def _in_set_item(op: Any, arg: Any, char: str) -> bool:
    if op == sre.RANGE:
        low: int = arg[0]
        high: int = arg[1]
        return low <= ord(char) <= high or low <= ord(char.casefold()) <= high
    if op == sre.NEGATE:
        return False
    return _matches(op, arg, char)


def _in_category(category: Any, char: str) -> bool:
    name = str(category)
    tests = {
        "CATEGORY_DIGIT": char.isdigit(),
        "CATEGORY_SPACE": char.isspace(),
        "CATEGORY_WORD": char.isalnum() or char == "_",
    }
    for key, result in tests.items():
        if name == key:
            return result
        if name == key.replace("CATEGORY_", "CATEGORY_NOT_"):
            return not result
    return True  # an unknown category: assume it matches
