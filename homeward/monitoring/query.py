"""What an investigator types into message search, read into a query both databases run.

The syntax is a web search's: words (all must be there), "a phrase" in double quotes, OR
between two of them (either), and -word or -"a phrase" (must not be there). Case and
accents never matter; each word or phrase also matches as screening folds it ("kill" finds
"k.i.l.l" through the folded words the index keeps).

A query the reader cannot use raises ``QueryError`` with a sentence for the page: nothing
to look for, only words to leave out, too long, too many parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from homeward.screening.normalize import fold

MAX_LENGTH = 200
MAX_PARTS = 12
_PART = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_LETTERS = re.compile(r"[^\W_]+")


class QueryError(ValueError):
    """A search the page explains instead of running."""


@dataclass(frozen=True)
class Term:
    """One word or phrase, in the forms it is looked for: as typed (its words, lower case)
    and as screening folds it, when that differs."""

    words: tuple[str, ...]

    @property
    def forms(self) -> tuple[str, ...]:
        typed = " ".join(self.words)
        folded = " ".join(w for w in (fold(word).replace(" ", "") for word in self.words) if w)
        return (typed, folded) if folded and folded != typed else (typed,)


@dataclass(frozen=True)
class Query:
    """All of ``all`` (each a group of alternatives joined by OR), none of ``none``."""

    all: tuple[tuple[Term, ...], ...]
    none: tuple[Term, ...]

    @property
    def terms(self) -> list[Term]:
        """Every term to show matches of (not the excluded ones)."""
        return [term for group in self.all for term in group]

    def fts5(self) -> str:
        """The query in SQLite FTS5's syntax (every term a quoted string)."""
        groups = " AND ".join(f"({' OR '.join(_fts5_forms(t) for t in g)})" for g in self.all)
        return f"({groups})" + "".join(f" NOT {_fts5_forms(t)}" for t in self.none)

    def tsquery(self) -> tuple[str, list[str]]:
        """The query as a PostgreSQL tsquery expression with %s placeholders, and its
        parameters: each form through both configurations, phraseto_tsquery for all."""
        params: list[str] = []

        def term_sql(term: Term) -> str:
            parts = []
            for form in term.forms:
                parts.append(
                    "phraseto_tsquery('homeward_en'::regconfig, %s) || "
                    "phraseto_tsquery('homeward_es'::regconfig, %s)"
                )
                params.extend([form, form])
            return "(" + " || ".join(parts) + ")"

        groups = [f"({' || '.join(term_sql(t) for t in g)})" for g in self.all]
        expression = " && ".join(groups)
        for term in self.none:
            expression = f"({expression}) && !!{term_sql(term)}"
        return expression, params

    def describe(self) -> str:
        """The query as the search understood it, for the page and the audit log."""
        parts = [" OR ".join(_shown(t) for t in g) for g in self.all]
        parts += [f"-{_shown(t)}" for t in self.none]
        return " ".join(parts)


def _fts5_forms(term: Term) -> str:
    quoted = ['"' + form.replace('"', '""') + '"' for form in term.forms]
    return quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")"


def _shown(term: Term) -> str:
    return f'"{" ".join(term.words)}"' if len(term.words) > 1 else term.words[0]


def parse(text: str) -> Query:
    """Read what was typed; raises QueryError with a sentence for the page."""
    text = " ".join(text.split())
    if not text:
        raise QueryError("Type a word or a phrase to search for.")
    if len(text) > MAX_LENGTH:
        raise QueryError(f"A search is at most {MAX_LENGTH} characters.")
    groups: list[list[Term]] = []
    none: list[Term] = []
    join_next = False
    parts = 0
    for match in _PART.finditer(text):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None and word.upper() == "OR":
            join_next = bool(groups)
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            negated, word = "-", word[1:]
        words = tuple(w.casefold() for w in _LETTERS.findall(phrase if word is None else word))
        if not words:
            join_next = False
            continue
        parts += 1
        if parts > MAX_PARTS:
            raise QueryError(f"A search has at most {MAX_PARTS} words or phrases.")
        term = Term(words)
        if negated:
            none.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if not groups:
        raise QueryError(
            "Say what to look for: a search of only words to leave out (-word) finds nothing."
            if none
            else "Type a word or a phrase to search for (letters or digits)."
        )
    return Query(tuple(tuple(g) for g in groups), tuple(none))
