"""Message search: investigators and admins find messages of their facilities by their
words (phrases, OR, -word, accents and disguises too), narrowed by filters, a page at a
time; every search is audited; nobody finds another agency's messages; reviewers, contacts
and anonymous visitors cannot search."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from homeward import builders as t
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.monitoring import index
from homeward.monitoring.models import SearchDocument
from homeward.people.models import StaffMembership
from homeward.personas import client_for
from homeward.review import intake
from homeward.screening.models import Rule

Role = StaffMembership.Role
SEARCH = "/console/search/"


def send(contact, resident, body: str, *, screen: bool = False) -> Message:
    connection = contact.connections.get(resident=resident)
    message = messaging.send_message(sender=contact, connection_id=connection.pk, body=body).message
    if screen:
        intake.screen_and_route(message_id=message.pk)
        message.refresh_from_db()
    return message


@pytest.fixture
def investigator(world) -> Client:
    return client_for(world.investigator)


def found(client: Client, **params: str) -> list[int]:
    response = client.get(SEARCH, params)
    assert response.status_code == 200, response.status_code
    return [int(pk) for pk in re.findall(r'id="message-(\d+)"', response.content.decode())]


def test_words_phrases_or_and_leaving_out(world, investigator):
    knife = send(world.contact_a, world.resident, "Hide the knife under the bunk tonight.")
    church = send(world.contact_a, world.resident, "We sang at church, then cut the cake.")
    both = send(world.contact_a, world.resident, "The cake knife is in the church kitchen.")

    assert set(found(investigator, q="knife")) == {knife.pk, both.pk}
    assert found(investigator, q='"bunk tonight"') == [knife.pk]
    assert found(investigator, q='"tonight bunk"') == []  # a phrase is its words in order
    assert set(found(investigator, q="bunk OR sang")) == {knife.pk, church.pk}
    assert found(investigator, q="knife -church") == [knife.pk]
    assert found(investigator, q="knife church") == [both.pk]  # all the words
    assert found(investigator, q="KNIFE hide") == [knife.pk]  # case does not matter


def test_accents_and_disguised_spellings_are_found(world, investigator):
    spanish = send(world.contact_a, world.resident, "Él escondió el CUCHILLO en la cocina.")
    dotted = send(world.contact_a, world.resident, "Bring the k.n.1.f.e to the yard.")
    assert found(investigator, q="escondio") == [spanish.pk]
    assert found(investigator, q="cuchillo") == [spanish.pk]
    assert found(investigator, q="knife") == [dotted.pk]
    # The snippet marks what the person wrote, escaped like all text.
    page = investigator.get(SEARCH, {"q": "knife"}).content.decode()
    assert "<mark>k.n.1.f.e</mark>" in page


def test_text_is_escaped_and_the_match_marked(world, investigator):
    # Found, although PostgreSQL's parser would skip what is inside a <script> element.
    send(world.contact_a, world.resident, "<script>alert('knife')</script> <b>bold</b>")
    page = investigator.get(SEARCH, {"q": "knife"}).content.decode()
    assert "<script>alert" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#x27;<mark>knife</mark>&#x27;)&lt;/script&gt;" in page


def test_nobody_finds_another_agencys_messages(world, investigator):
    other = t.make_contact("c@example.org", name="Cal Reyes")
    t.connect(other, world.resident_2)
    send(other, world.resident_2, "The zephyrine parcel comes Friday.")
    mine = send(world.contact_a, world.resident, "Nothing about parcels here.")
    assert found(investigator, q="zephyrine") == []
    # An agency admin of the other agency finds it; the investigator's admin does not.
    theirs = t.make_staff("txadmin", role=Role.AGENCY_ADMIN, agency=world.facility_2.agency)
    assert len(found(client_for(theirs), q="zephyrine")) == 1
    assert found(client_for(world.facility_admin), q="zephyrine") == []
    # Asking for the other facility by id is refused as a choice, and finds nothing.
    response = investigator.get(SEARCH, {"q": "zephyrine", "facility": world.facility_2.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert 'id="message-' not in response.content.decode()
    assert found(investigator, q="parcels") == [mine.pk]


def test_every_search_is_audited_with_its_words_filters_and_count(world, investigator):
    send(world.contact_a, world.resident, "Meet me at the canteen.")
    send(world.contact_a, world.resident, "The canteen was closed.")
    before = AuditEvent.objects.count()
    found(investigator, q="canteen -closed", direction=Message.Direction.TO_RESIDENT)
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "message.searched"
    assert event.actor_user_id == world.investigator.pk
    assert event.data["query"] == "canteen -closed"
    assert event.data["filters"] == {"direction": "to_resident"}
    assert event.data["count"] == 1


@pytest.mark.parametrize("persona", ["reviewer_1", "contact_a"])
def test_reviewers_and_contacts_cannot_search_and_nothing_is_recorded(world, persona):
    send(world.contact_a, world.resident, "Meet me at the canteen.")
    before = AuditEvent.objects.filter(action="message.searched").count()
    person = getattr(world, persona)
    response = client_for(person.user if persona == "contact_a" else person).get(
        SEARCH, {"q": "canteen"}
    )
    assert response.status_code == 403
    assert "Meet me" not in response.content.decode()
    assert AuditEvent.objects.filter(action="message.searched").count() == before


def test_anonymous_visitors_are_sent_to_sign_in(world):
    response = Client().get(SEARCH, {"q": "canteen"})
    assert response.status_code == 302 and "/console/signin/" in response["Location"]


def test_filters_narrow_the_search(world, investigator):
    other = t.make_contact("d@example.org", name="Dora Diaz")
    t.connect(other, world.resident)
    from_ana = send(world.contact_a, world.resident, "Bring stamps on Sunday.")
    from_dora = send(other, world.resident, "Bring stamps and socks.", screen=True)
    assert set(found(investigator, q="stamps")) == {from_ana.pk, from_dora.pk}
    assert found(investigator, q="stamps", contact="dora") == [from_dora.pk]
    assert found(investigator, q="stamps", contact="a@example") == [from_ana.pk]
    assert set(found(investigator, q="stamps", resident="ny1001")) == {from_ana.pk, from_dora.pk}
    assert found(investigator, q="stamps", resident="NY9999") == []
    assert found(investigator, q="stamps", direction=Message.Direction.TO_CONTACT) == []
    messaging.block(message_id=from_dora.pk, actor=world.reviewer_1, category="threats")
    assert found(investigator, q="stamps", status=Message.Status.BLOCKED) == [from_dora.pk]


def test_screening_filters(world, investigator):
    Rule.objects.create(pattern="soak the stamps", category="drugs", action="flag")
    flagged = send(world.contact_a, world.resident, "Soak the stamps first.", screen=True)
    send(world.contact_a, world.resident, "Stamps for Sunday's letter, thanks.", screen=True)
    assert flagged.screening.verdict == "flag"
    assert found(investigator, q="stamps", screening="flag") == [flagged.pk]
    assert found(investigator, q="stamps", category="drugs") == [flagged.pk]
    assert found(investigator, q="stamps", category="weapons") == []


def test_dates_are_read_on_the_facility_clock(world, investigator):
    with clock.frozen_at(dt.datetime(2026, 3, 1, 3, 0, tzinfo=dt.UTC)):  # Feb 28 in New York
        old = send(world.contact_a, world.resident, "Visiting day moved.")
    newer = send(world.contact_a, world.resident, "Visiting day is Sunday.")
    assert found(investigator, q="visiting", until="2026-02-28") == [old.pk]
    assert found(investigator, q="visiting", since="2026-03-01") == [newer.pk]
    response = investigator.get(
        SEARCH, {"q": "visiting", "since": "2026-03-02", "until": "2026-03-01"}
    )
    assert "The last day comes on or after the first." in response.content.decode()


def test_pages_follow_one_another_without_repeats(world, investigator):
    sent = [
        send(world.contact_a, world.resident, f"Commissary list number {i}.") for i in range(30)
    ]
    response = investigator.get(SEARCH, {"q": "commissary"})
    page = response.content.decode()
    first = [int(pk) for pk in re.findall(r'id="message-(\d+)"', page)]
    assert first == [m.pk for m in reversed(sent)][:25]
    assert "30 messages match" in page
    link = re.search(r'href="\?([^"]+)">Older messages', page).group(1).replace("&amp;", "&")
    second_page = investigator.get(SEARCH + "?" + link).content.decode()
    second = [int(pk) for pk in re.findall(r'id="message-(\d+)"', second_page)]
    assert second == [m.pk for m in reversed(sent)][25:]
    assert "Older messages" not in second_page
    # A cursor that is not one is the first page, never an error.
    assert found(investigator, q="commissary", after="nonsense")[:1] == [sent[-1].pk]


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("", "This field is required."),
        ("-church", "a search of only words to leave out (-word) finds nothing"),
        ("!!! ???", "letters or digits"),
        ("x" * 201, "at most 200 characters"),
    ],
)
def test_a_search_that_cannot_run_says_why_and_is_not_recorded(world, investigator, typed, said):
    before = AuditEvent.objects.filter(action="message.searched").count()
    response = investigator.get(SEARCH, {"q": typed})
    assert response.status_code == 200
    assert said in response.content.decode()
    assert AuditEvent.objects.filter(action="message.searched").count() == before


def test_messages_from_before_search_existed_are_indexed(world, investigator):
    message = send(world.contact_a, world.resident, "An old letter about the orchard.")
    SearchDocument.objects.all().delete()
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM monitoring_fts")
    assert found(investigator, q="orchard") == []
    assert index.index_missing() == 1
    assert found(investigator, q="orchard") == [message.pk]
    assert index.index_missing() == 0


@pytest.mark.parametrize("cursor", ["1.²", "1." + "9" * 38, "9" * 30 + ".1", "-1.-1", ""])
def test_a_broken_page_link_is_the_first_page(world, investigator, cursor):
    message = send(world.contact_a, world.resident, "Commissary list.")
    assert found(investigator, q="commissary", after=cursor) == [message.pk]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_dates_far_away_are_refused_not_a_crash(world, investigator, day):
    response = investigator.get(SEARCH, {"q": "x", "until": day})
    assert response.status_code == 200
    assert "A day from 1900 to 9000." in response.content.decode()


def test_a_number_is_found_however_it_is_written(world, investigator):
    """PostgreSQL's parser keeps "512.555.0143" whole and reads "555-0143" as 555 and -0143:
    the index keeps digit groups apart, so one search finds every writing."""
    sent = [
        send(world.contact_a, world.resident, body)
        for body in ("Call (512) 555-0143", "cell 512.555.0143", "text +1 512 555 0143")
    ]
    expected = {m.pk for m in sent}
    assert set(found(investigator, q='"512 555 0143"')) == expected
    assert set(found(investigator, q="512.555.0143")) == expected
    assert set(found(investigator, q="555-0143")) == expected


def test_documents_indexed_the_old_way_are_found_after_the_reindex(world, investigator):
    """A document written before digit groups were kept apart (its text as the body was)
    is indexed again by the migration's ``index.reindex``, and then found."""
    sent = send(world.contact_a, world.resident, "cell 512.555.0143")
    SearchDocument.objects.filter(message=sent).update(text="cell 512.555.0143")
    assert index.reindex() == SearchDocument.objects.count()
    assert SearchDocument.objects.get(message=sent).text == index.text_of(sent.body)
    assert set(found(investigator, q='"512 555 0143"')) == {sent.pk}
