"""Who may use which contact page: a table of every URL and every wrong persona.

Anonymous people are sent to sign in and come back; staff get 404 (these pages do not
exist for them); another contact's connection or conversation is a 404. Nothing changes.
"""

from __future__ import annotations

import pytest
from django.test import Client

from homeward.connections.models import Connection, ConnectionEvent
from homeward.core.models import AuditEvent
from homeward.messaging.models import Message
from homeward.personas import client_for

OWN_PAGES = ["/connections/", "/conversations/"]
# Pages and actions on contact_a's connection with Maria; {id} is its id.
SCOPED_GETS = ["/conversations/{id}/"]
SCOPED_POSTS = [
    "/connections/{id}/accept/",
    "/connections/{id}/decline/",
    "/connections/{id}/block/",
    "/conversations/{id}/send/",
]
PUBLIC_PAGES = ["/", "/signup/", "/signin/", "/facilities/", "/facilities/greenhaven/"]


def _snapshot() -> tuple:
    return (
        list(Connection.objects.values_list("id", "status", "contact_id")),
        ConnectionEvent.objects.count(),
        Message.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def maria(world) -> Connection:
    return world.contact_a.connections.get()


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_open_to_everyone(world, url):
    assert Client().get(url).status_code == 200


@pytest.mark.parametrize("url", OWN_PAGES + SCOPED_GETS)
def test_anonymous_is_sent_to_sign_in_and_back(world, maria, url):
    url = url.format(id=maria.pk)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/signin/?next={url}"


@pytest.mark.parametrize("url", SCOPED_POSTS + ["/facilities/greenhaven/connect/"])
def test_anonymous_posts_change_nothing(world, maria, url):
    before = _snapshot()
    response = Client().post(url.format(id=maria.pk), {"body": "x", "number": "NY1001"})
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")
    assert _snapshot() == before


@pytest.mark.parametrize("who", ["reviewer_1", "investigator", "facility_admin"])
@pytest.mark.parametrize("url", OWN_PAGES + SCOPED_GETS)
def test_staff_get_404_on_contact_pages(world, maria, who, url):
    response = client_for(getattr(world, who)).get(url.format(id=maria.pk))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["reviewer_1", "facility_admin"])
@pytest.mark.parametrize("url", SCOPED_POSTS)
def test_staff_posts_are_404_and_change_nothing(world, maria, who, url):
    before = _snapshot()
    response = client_for(getattr(world, who)).post(url.format(id=maria.pk), {"body": "x"})
    assert response.status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize("url", SCOPED_GETS)
def test_another_contact_gets_404_on_a_conversation(world, maria, url):
    response = client_for(world.contact_b.user).get(url.format(id=maria.pk))
    assert response.status_code == 404


@pytest.mark.parametrize("url", SCOPED_POSTS)
def test_another_contact_posts_are_404_and_change_nothing(world, maria, url):
    before = _snapshot()
    response = client_for(world.contact_b.user).post(url.format(id=maria.pk), {"body": "x"})
    assert response.status_code == 404
    assert _snapshot() == before


def test_another_contacts_connection_is_not_listed(world, maria):
    page = client_for(world.contact_b.user).get("/connections/").content.decode()
    assert "Maria" not in page
    page = client_for(world.contact_b.user).get("/conversations/").content.decode()
    assert "Maria" not in page


@pytest.mark.parametrize("url", ["/conversations/99999/", "/conversations/abc/"])
def test_unknown_conversation_is_404(world, url):
    assert client_for(world.contact_a.user).get(url).status_code == 404


def test_posts_without_a_csrf_token_are_refused(world, maria):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.contact_a.user)
    before = _snapshot()
    response = client.post(f"/conversations/{maria.pk}/send/", {"body": "Hello"})
    assert response.status_code == 403
    assert _snapshot() == before
