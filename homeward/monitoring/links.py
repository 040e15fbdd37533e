"""What investigators read of entities and links, within the facilities they may search:
an entity's conversations and mentions, the entities a search names, the entities and
contacts that link several residents, and the people one person connects to. Reading an
entity is audited."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Count, Max, Min, QuerySet

from homeward.connections.models import Connection
from homeward.core import audit
from homeward.core.errors import NotFound
from homeward.monitoring import entities
from homeward.monitoring.access import search_facilities
from homeward.monitoring.models import Entity, Mention
from homeward.people.models import Contact, Resident, User

PAGE_SIZE = 50
LIST_LIMIT = 100


def _facility_ids(staff: User) -> list[int]:
    return list(search_facilities(staff).values_list("id", flat=True))


def _mentions(staff: User) -> QuerySet[Mention]:
    return Mention.objects.filter(facility_id__in=_facility_ids(staff))


def entity_for(*, staff: User, entity_id: int) -> Entity:
    """An entity mentioned in a message ``staff`` may search; anything else is not found."""
    if not _mentions(staff).filter(entity_id=entity_id).exists():
        raise NotFound()
    return Entity.objects.get(pk=entity_id)


@dataclass(frozen=True)
class Conversation:
    connection: Connection
    mentions: int
    first: object
    last: object


def conversations(*, staff: User, entity: Entity) -> list[Conversation]:
    """The conversations that mention ``entity`` (in scope), most recent mention first;
    the reading is audited."""
    rows = list(
        _mentions(staff)
        .filter(entity=entity)
        .values("connection_id")
        .annotate(mentions=Count("id"), first=Min("created_at"), last=Max("created_at"))
        .order_by("-last")[:LIST_LIMIT]
    )
    by_id = Connection.objects.select_related("contact", "resident", "facility").in_bulk(
        [row["connection_id"] for row in rows]
    )
    found = [
        Conversation(by_id[row["connection_id"]], row["mentions"], row["first"], row["last"])
        for row in rows
    ]
    audit.record(
        actor=staff,
        action="entity.read",
        obj=entity,
        data={"conversations": [c.connection.pk for c in found]},
    )
    return found


def mentions(*, staff: User, entity: Entity, before_id: int | None = None) -> list[Mention]:
    """A page of the messages that mention ``entity``, newest first (PAGE_SIZE + 1 rows:
    the last says there is another page)."""
    found = _mentions(staff).filter(entity=entity)
    if before_id is not None:
        found = found.filter(id__lt=before_id)
    return list(
        found.select_related(
            "message__connection__contact", "message__connection__resident", "facility"
        ).order_by("-id")[: PAGE_SIZE + 1]
    )


def named_in(*, staff: User, text: str) -> list[tuple[Entity, int]]:
    """The entities a search's words name ("(512) 555-0143" names a phone number), each
    with how many conversations in scope mention it; only those mentioned in scope."""
    wanted = {(f.kind, f.value) for f in entities.find(text)}
    found = []
    for kind, value in sorted(wanted):
        entity = Entity.objects.filter(kind=kind, value=value).first()
        if entity is None:
            continue
        talks = _mentions(staff).filter(entity=entity).values("connection_id").distinct().count()
        if talks:
            found.append((entity, talks))
    return found


@dataclass(frozen=True)
class Shared:
    entity: Entity
    residents: int
    conversations: int


def shared_entities(*, staff: User) -> list[Shared]:
    """Entities mentioned in the conversations of more than one resident, the most
    residents first (the first LIST_LIMIT)."""
    rows = list(
        _mentions(staff)
        .values("entity_id")
        .annotate(
            residents=Count("connection__resident", distinct=True),
            talks=Count("connection", distinct=True),
        )
        .filter(residents__gt=1)
        .order_by("-residents", "-talks", "entity_id")[:LIST_LIMIT]
    )
    by_id = Entity.objects.in_bulk([row["entity_id"] for row in rows])
    return [Shared(by_id[row["entity_id"]], row["residents"], row["talks"]) for row in rows]


def contacts_of_several(*, staff: User) -> list[tuple[Contact, int]]:
    """Contacts connected to more than one resident at the staff member's facilities, the
    most residents first (the first LIST_LIMIT)."""
    rows = list(
        Connection.objects.filter(facility_id__in=_facility_ids(staff), contact__isnull=False)
        .values("contact_id")
        .annotate(residents=Count("resident", distinct=True))
        .filter(residents__gt=1)
        .order_by("-residents", "contact_id")[:LIST_LIMIT]
    )
    by_id = Contact.objects.in_bulk([row["contact_id"] for row in rows])
    return [(by_id[row["contact_id"]], row["residents"]) for row in rows]


@dataclass(frozen=True)
class Node:
    label: str
    url_name: str  # "console:resident" or "console:contact"
    pk: int
    x: float
    y: float


@dataclass(frozen=True)
class Graph:
    centre: Node
    others: list[Node]
    size: int = 360


def graph_of(person: Contact | Resident, connections: QuerySet[Connection]) -> Graph | None:
    """The people ``person`` connects to (through ``connections``, already scoped to the
    staff member), placed on a circle around them; None when there is nobody."""
    others: dict[int, tuple[str, str]] = {}
    for connection in connections.select_related("contact", "resident")[:24]:
        if isinstance(person, Contact):
            other = connection.resident
            others[other.pk] = (other.full_name, "console:resident")
        elif connection.contact is not None:
            contact = connection.contact
            others[contact.pk] = (contact.display_name, "console:contact")
    if not others:
        return None
    size, radius = 360, 130
    centre_label = person.display_name if isinstance(person, Contact) else person.full_name
    centre_url = "console:contact" if isinstance(person, Contact) else "console:resident"
    nodes = []
    for i, (pk, (label, url_name)) in enumerate(others.items()):
        angle = 2 * math.pi * i / len(others) - math.pi / 2
        x = size / 2 + radius * math.cos(angle)
        y = size / 2 + radius * math.sin(angle)
        nodes.append(Node(label, url_name, pk, round(x, 1), round(y, 1)))
    return Graph(Node(centre_label, centre_url, person.pk, size / 2, size / 2), nodes, size)
