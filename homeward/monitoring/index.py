"""Keeping the search index: a message is indexed when it is accepted (submitted), in the
same transaction, so a message is never accepted without being searchable.

The indexed text is the message as written, then the words of screening's folded view that
are not among its own ("k.n.1.f.e" adds "knife", "sh@nk" adds "shank"), in order, so a
search for the plain word finds the disguised one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.db import connections, transaction

from homeward.messaging.models import Message
from homeward.monitoring import entities
from homeward.monitoring.models import SearchDocument
from homeward.screening.normalize import normalize

_WORD = re.compile(r"[^\W_]+")
BATCH = 500
# PostgreSQL's parser reads <script>…</script> as markup and indexes none of it, so a
# sender could hide words from search inside one: the index never sees angle brackets.
_NO_MARKUP = str.maketrans("<>", "  ")
# PostgreSQL's parser reads "512.555.0143" as one token and "555-0143" as 555 and -0143;
# the index sees the digit groups apart, as a search for "512 555 0143" asks for them.
_DIGIT_JOINS = re.compile(r"(?<=\d)[.\-/:,](?=\d)|\+(?=\d)")


def text_of(body: str) -> str:
    """The searchable text of a message body."""
    normalized = normalize(body)
    own = set(_WORD.findall(normalized.plain.text))
    added = [w for w in dict.fromkeys(_WORD.findall(normalized.folded.text)) if w not in own]
    text = _DIGIT_JOINS.sub(" ", body.translate(_NO_MARKUP))
    return f"{text}\n{' '.join(added)}" if added else text


def message_moved(message: Message, from_status: str, to_status: str) -> None:
    """The ``messaging.status.message_moved`` receiver: index a message as it is accepted."""
    if to_status == Message.Status.SUBMITTED and not message.connection.privileged:
        index([(message.pk, message.facility_id, message.created_at, message.body)])
        entities.record([message])


def index(rows: Iterable[tuple[int, int, dt.datetime, str]], *, using: str = "default") -> int:
    """Index messages given as (id, facility id, created at, body)."""
    documents = [
        SearchDocument(message_id=pk, facility_id=facility_id, created_at=at, text=text_of(body))
        for pk, facility_id, at, body in rows
    ]
    if not documents:
        return 0
    SearchDocument.objects.using(using).bulk_create(documents)
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO monitoring_fts (rowid, text) VALUES (%s, %s)",
                [(d.message_id, d.text) for d in documents],
            )
    return len(documents)


def index_missing(*, using: str = "default") -> int:
    """Index every accepted message that has no search document (messages from before
    search existed); returns how many. Drafts are not messages anyone sent."""
    done = 0
    last = 0
    while True:
        rows = list(
            Message.objects.using(using)
            .filter(pk__gt=last, search_document__isnull=True, connection__privileged=False)
            .exclude(status=Message.Status.DRAFT)
            .order_by("pk")
            .values_list("pk", "facility_id", "created_at", "body")[:BATCH]
        )
        if not rows:
            return done
        with transaction.atomic(using=using):
            done += index(rows, using=using)
        last = rows[-1][0]


def reindex(*, using: str = "default") -> int:
    """Index every indexed message again from its body (after the way text is indexed
    changed, by a migration); returns how many."""
    done = 0
    last = 0
    while True:
        rows = list(
            Message.objects.using(using)
            .filter(pk__gt=last, search_document__isnull=False)
            .order_by("pk")
            .values_list("pk", "facility_id", "created_at", "body")[:BATCH]
        )
        if not rows:
            return done
        with transaction.atomic(using=using):
            unindex([pk for pk, *_ in rows], using=using)
            done += index(rows, using=using)
        last = rows[-1][0]


def unindex(message_ids: list[int], *, using: str = "default") -> None:
    """Forget the search documents of these messages (retention removed their text)."""
    SearchDocument.objects.using(using).filter(message_id__in=message_ids).delete()
    connection = connections[using]
    if connection.vendor == "sqlite" and message_ids:
        with connection.cursor() as cursor:
            cursor.executemany(
                "DELETE FROM monitoring_fts WHERE rowid = %s", [(pk,) for pk in message_ids]
            )
