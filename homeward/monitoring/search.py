"""Message search for investigators and admins, over the messages of their facilities.

``search_messages`` runs a query (``query.parse``) with filters, newest first, a page at a
time: a page is the 25 messages after a cursor (the last one shown), so page 400 costs what
page 1 does. It counts the matches up to ``COUNT_LIMIT`` and writes one audit event per
search with the query, the filters and that count. The text index is the database's
(``models``); the filters are ordinary columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from homeward.core import audit, keyset
from homeward.messaging.models import Message
from homeward.monitoring.access import search_facilities
from homeward.monitoring.models import SearchDocument
from homeward.monitoring.query import Query
from homeward.people.models import User

PAGE_SIZE = 25
COUNT_LIMIT = 1000


@dataclass(frozen=True)
class Filters:
    """What narrows a search besides its words (empty: no narrowing)."""

    facility_id: int | None = None
    resident_number: str = ""
    contact: str = ""  # part of the contact's name or email address
    since: dt.datetime | None = None  # inclusive
    before: dt.datetime | None = None  # exclusive
    direction: str = ""
    status: str = ""
    category: str = ""
    screening: str = ""  # "flag" or "block": what screening said

    def for_audit(self) -> dict[str, Any]:
        return {
            name: value.isoformat() if isinstance(value, dt.datetime) else value
            for name, value in asdict(self).items()
            if value not in (None, "")
        }


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after this message, in newest-first order."""

    created_at: dt.datetime
    message_id: int

    def token(self) -> str:
        return keyset.token(self.created_at, self.message_id)

    @classmethod
    def read(cls, token: str) -> Cursor | None:
        """A cursor from a page link; None for anything malformed (the first page)."""
        key = keyset.parse(token)
        return cls(*key) if key else None


@dataclass
class Results:
    messages: list[Message]
    count: int  # matches, up to COUNT_LIMIT
    more_than: bool  # there are more than COUNT_LIMIT
    next: Cursor | None  # where the next page starts, if there is one
    query: Query


def search_messages(
    *, staff: User, query: Query, filters: Filters, after: Cursor | None = None
) -> Results:
    """One page of the messages of ``staff``'s facilities that match, newest first."""
    documents = _matching(staff, query, filters)
    counted = documents.values("message_id")[: COUNT_LIMIT + 1].count()
    page = documents
    if after is not None:
        # The plain bound first: the database reads an index range by it, never by an OR.
        page = page.filter(
            Q(created_at__lte=after.created_at)
            & (
                Q(created_at__lt=after.created_at)
                | Q(created_at=after.created_at, message_id__lt=after.message_id)
            )
        )
    rows = list(
        page.order_by("-created_at", "-message_id").values_list("message_id", "created_at")[
            : PAGE_SIZE + 1
        ]
    )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    by_id = Message.objects.select_related(
        "facility", "connection__contact", "connection__resident", "screening"
    ).in_bulk([pk for pk, _ in rows])
    messages = [by_id[pk] for pk, _ in rows if pk in by_id]
    audit.record(
        actor=staff,
        action="message.searched",
        data={
            "query": query.describe(),
            "filters": filters.for_audit(),
            "count": min(counted, COUNT_LIMIT),
            "more_than_count": counted > COUNT_LIMIT,
            "page_after": after.token() if after else "",
            "shown": [m.pk for m in messages],
        },
    )
    return Results(
        messages=messages,
        count=min(counted, COUNT_LIMIT),
        more_than=counted > COUNT_LIMIT,
        next=Cursor(rows[-1][1], rows[-1][0]) if more and rows else None,
        query=query,
    )


def _matching(staff: User, query: Query, filters: Filters) -> QuerySet[SearchDocument]:
    facilities = list(search_facilities(staff).values_list("id", flat=True))
    if filters.facility_id is not None:
        facilities = [f for f in facilities if f == filters.facility_id]
    documents = SearchDocument.objects.filter(facility_id__in=facilities)
    documents = documents.filter(_text_matches(query))
    if filters.since is not None:
        documents = documents.filter(created_at__gte=filters.since)
    if filters.before is not None:
        documents = documents.filter(created_at__lt=filters.before)
    message = Q()
    if filters.resident_number:
        message &= Q(message__connection__resident__number__iexact=filters.resident_number)
    if filters.contact:
        message &= Q(message__connection__contact__display_name__icontains=filters.contact) | Q(
            message__connection__contact__user__email__icontains=filters.contact
        )
    if filters.direction:
        message &= Q(message__direction=filters.direction)
    if filters.status:
        message &= Q(message__status=filters.status)
    if filters.screening:
        message &= Q(message__screening__verdict=filters.screening)
    if filters.category:
        message &= _has_category(filters.category)
    return documents.filter(message) if message else documents


def _text_matches(query: Query) -> Q | RawSQL:
    # The SQL is fixed text from ``Query``; every word typed is a parameter.
    if connection.vendor == "postgresql":
        expression, params = query.tsquery()
        return RawSQL(  # noqa: S611
            f'"monitoring_searchdocument"."document" @@ ({expression})',
            params,
            output_field=BooleanField(),
        )
    return Q(
        message_id__in=RawSQL(  # noqa: S611
            "SELECT rowid FROM monitoring_fts WHERE monitoring_fts MATCH %s", (query.fts5(),)
        )
    )


def _has_category(code: str) -> Q:
    """Screening named this category among the message's (a JSON list of codes)."""
    if connection.vendor == "postgresql":
        return Q(message__screening__categories__contains=[code])
    # SQLite keeps the list as JSON text: match the quoted code.
    return Q(message__screening__categories__icontains=f'"{code}"')
