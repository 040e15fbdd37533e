"""Every page a contact or a resident opens, read in Spanish, says nothing in English.

The fences in test_translations look at the source; this looks at what the pages say. It
opens every page of the contact site and the kiosk from the permission matrix (so a new
page is read as soon as it has its row), as the first persona allowed, in Spanish, takes
away what people and facilities wrote (names, addresses, messages, notices stored before
the reader chose Spanish), and finds no English word of the kind every sentence needs
("the", "your", "to"...), which Spanish never uses.
"""

from __future__ import annotations

import re

import pytest

from homeward.enforcement.models import Appeal
from homeward.facilities.models import Agency, Facility
from homeward.messaging.models import Message
from homeward.notifications.models import Notification
from homeward.people.models import Contact, Resident
from homeward.tests.test_permission_matrix import PERSONAS, ROWS, client_as, scene_ids

pytestmark = pytest.mark.django_db

ENGLISH = re.compile(
    r"\b(the|your|you|to|of|and|is|are|this|with|for|not|was|has|have|will|can|here|"
    r"there|what|when|who|it|yet|been|from|by)\b",
    re.I,
)
HIDDEN = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S)


def written_by_people() -> list[str]:
    """What people and facilities wrote, longest first: kept as written in any language."""
    texts = [
        *Agency.objects.values_list("name", flat=True),
        *Facility.objects.values_list("name", flat=True),
        *Facility.objects.values_list("address", flat=True),
        *Contact.objects.values_list("display_name", flat=True),
        *(f"{r.first_name} {r.last_name}" for r in Resident.objects.all()),
        *Message.objects.values_list("body", flat=True),
        *Appeal.objects.values_list("statement", flat=True),
        *Notification.objects.values_list("body", flat=True),
    ]
    return sorted({t for t in texts if t}, key=len, reverse=True)


def test_every_contact_and_kiosk_page_reads_in_spanish(world) -> None:
    ids = scene_ids(world)
    clients = {}
    english: dict[str, list[str]] = {}
    downloads = set()
    for row in ROWS:
        if row.method != "GET" or not row.name.startswith(("web:", "kiosk:")):
            continue
        persona = next((p for p in PERSONAS if p in row.allowed), None)
        if persona is None:
            continue  # opened with a code (test_released_archive)
        if persona not in clients:
            clients[persona] = client_as(world, persona)
            switch = "/kiosk/language/" if persona.startswith("resident") else "/language/"
            clients[persona].post(switch, {"language": "es"})
        answer = clients[persona].get(row.path.format(**ids), HTTP_ACCEPT_LANGUAGE="es")
        assert answer.status_code == 200, (row.name, answer.status_code)
        if not answer["Content-Type"].startswith("text/html"):
            downloads.add(row.name)
            continue
        text = HIDDEN.sub(" ", answer.content.decode())
        for theirs in written_by_people():
            text = text.replace(theirs, " ")
        text = " ".join(text.split())
        found = [text[max(0, m.start() - 40) : m.end() + 40] for m in ENGLISH.finditer(text)]
        if found:
            english[row.name] = found[:5]
    # All else was read (the pictures of photos are not words).
    assert downloads == {
        "web:archive_download",
        "web:statement_csv",
        "web:photo_file",
        "kiosk:photo_file",
    }
    assert not english, "\n".join(f"{name}: {found}" for name, found in english.items())
