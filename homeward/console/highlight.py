"""Show a message body with its screening hits marked, without trusting the text.

The body is split on the hit spans and every piece is escaped on its own; only the <mark>
elements we build are markup. Overlapping hits are merged into one mark that names every
category, and a mark is a block mark if any hit inside it blocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

from homeward.screening import categories, layers
from homeward.screening.models import Action


@dataclass
class Span:
    start: int
    end: int
    categories: list[str] = field(default_factory=list)
    block: bool = False

    @property
    def css(self) -> str:
        return "hit hit-block" if self.block else "hit"

    @property
    def title(self) -> str:
        return ", ".join(categories.label(c) for c in self.categories)


def category_label(category: str) -> str:
    return categories.label(category)


def spans(text: str, hits: Iterable[Mapping[str, Any]]) -> list[Span]:
    """Hit spans in order, merged where they overlap; spans outside the text are dropped."""
    valid = [
        h
        for h in hits
        if layers.layer_of(h) not in layers.WHOLE_MESSAGE  # a score, not a span to mark
        and isinstance(h.get("start"), int)
        and isinstance(h.get("end"), int)
        and 0 <= h["start"] < h["end"] <= len(text)
    ]
    merged: list[Span] = []
    for hit in sorted(valid, key=lambda h: (h["start"], h["end"])):
        category = str(hit.get("category", ""))
        if merged and hit["start"] < merged[-1].end:
            span = merged[-1]
            span.end = max(span.end, hit["end"])
        else:
            span = Span(hit["start"], hit["end"])
            merged.append(span)
        if category and category not in span.categories:
            span.categories.append(category)
        span.block = span.block or hit.get("action") == Action.BLOCK
    return merged


def highlight(text: str, hits: Iterable[Mapping[str, Any]]) -> SafeString:
    pieces: list[SafeString] = []
    cursor = 0
    for span in spans(text, hits):
        pieces.append(escape(text[cursor : span.start]))
        pieces.append(
            format_html(
                '<mark class="{}" title="{}">{}</mark>',
                span.css,
                span.title,
                text[span.start : span.end],
            )
        )
        cursor = span.end
    pieces.append(escape(text[cursor:]))
    # Every piece is already safe (escaped or built by format_html); joining keeps it so.
    return format_html_join("", "{}", ((piece,) for piece in pieces))
