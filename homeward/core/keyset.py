"""Pages of a long list by position, not by page number.

A page starts just before (or just after) a row the reader has seen, named by a cursor that
holds that row's sort key: the database reads an index range of one page, with no OFFSET
and no COUNT, so the 400th page of a conversation costs what the first costs. Lists are
ordered by ``(created_at, id)``; the page with no cursor is the newest one. A list read
from its start instead (a queue, most urgent first) takes its pages with ``forward``, by
any timestamp field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypedDict, TypeVar

from django.db.models import Model, Q, QuerySet

Row = TypeVar("Row", bound=Model)

# "<microseconds since the epoch>.<id>": readable, and safe in a URL as it is.
CURSOR = r"(-?[0-9]{1,20})\.([0-9]{1,19})"
_CURSOR = re.compile(CURSOR)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class Cursors(TypedDict):
    before: str
    after: str


def asked(query: Mapping[str, str]) -> Cursors:
    """The cursors a page's address carries (``?before=`` or ``?after=``), for ``window``."""
    return {"before": query.get("before", ""), "after": query.get("after", "")}


def cursor_of(row: Any) -> str:
    return token(row.created_at, row.pk)


def token(at: dt.datetime, pk: int) -> str:
    """The cursor of a sort key, exact to the microsecond (no float in between)."""
    micros = (at - _EPOCH) // dt.timedelta(microseconds=1)
    return f"{micros}.{pk}"


def parse(cursor: str) -> tuple[dt.datetime, int] | None:
    """The sort key a cursor names; None for anything that is not one."""
    found = _CURSOR.fullmatch(cursor or "")
    if found is None:
        return None
    try:
        at = _EPOCH + dt.timedelta(microseconds=int(found[1]))
    except OverflowError:
        return None
    return at, int(found[2])


@dataclass(frozen=True)
class Window(Generic[Row]):
    rows: list[Row]  # oldest first, as a conversation is read (``newest_first`` turns them)
    older: str | None  # the cursor of the page before these, if there are older rows
    newer: str | None  # the cursor of the page after these, if there are newer rows
    last: str | None  # the cursor just after the newest of these, newer rows or not (to
    # ask later what came since)


# Each condition starts with a plain bound on the timestamp, which the database can read an
# index range by (it never bounds a scan by an OR), then the exact condition on (time, id).


def _before(key: tuple[dt.datetime, int]) -> Q:
    at, pk = key
    return Q(created_at__lte=at) & (Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))


def _after(key: tuple[dt.datetime, int]) -> Q:
    at, pk = key
    return Q(created_at__gte=at) & (Q(created_at__gt=at) | Q(created_at=at, pk__gt=pk))


def window(
    rows: QuerySet[Row],
    *,
    size: int,
    before: str = "",
    after: str = "",
    newest_first: bool = False,
) -> Window[Row]:
    """One page of ``rows``: the ``size`` rows just before the cursor ``before``, or just
    after ``after``, or the newest ``size``; oldest first unless ``newest_first`` (as a
    history is read). A cursor that does not parse is ignored (the surface decides whether
    to say so)."""
    page = _window(rows, size=size, before=before, after=after)
    if newest_first:
        return Window(rows=page.rows[::-1], older=page.older, newer=page.newer, last=page.last)
    return page


def _window(rows: QuerySet[Row], *, size: int, before: str, after: str) -> Window[Row]:
    if key := parse(after):
        found = list(rows.filter(_after(key)).order_by("created_at", "pk")[: size + 1])
        page, more = found[:size], len(found) > size
        return Window(
            rows=page,
            older=cursor_of(page[0]) if page else after,
            newer=cursor_of(page[-1]) if more else None,
            last=cursor_of(page[-1]) if page else None,
        )
    key = parse(before)
    earlier = rows.filter(_before(key)) if key else rows
    found = list(earlier.order_by("-created_at", "-pk")[: size + 1])
    page, more = found[:size][::-1], len(found) > size
    return Window(
        rows=page,
        older=cursor_of(page[0]) if more else None,
        newer=(cursor_of(page[-1]) if page else before) if key else None,
        last=cursor_of(page[-1]) if page else None,
    )


@dataclass(frozen=True)
class Forward(Generic[Row]):
    rows: list[Row]
    next: str | None  # the cursor of the page after these, if there are more rows


def forward(rows: QuerySet[Row], *, size: int, after: str = "", field: str) -> Forward[Row]:
    """A list read from its start: the ``size`` rows just after the cursor ``after`` in
    ``(field, id)`` order, or the first ``size``. A cursor that does not parse reads from
    the start."""
    if key := parse(after):
        at, pk = key
        exact = Q(**{f"{field}__gt": at}) | Q(**{field: at, "pk__gt": pk})
        rows = rows.filter(Q(**{f"{field}__gte": at}) & exact)
    found = list(rows.order_by(field, "pk")[: size + 1])
    page = found[:size]
    more = len(found) > size
    return Forward(rows=page, next=token(getattr(page[-1], field), page[-1].pk) if more else None)
