"""The connections page: invitations, status in plain words, blocking."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward import builders as t
from homeward.connections import services as connections
from homeward.connections.models import Connection
from homeward.core import clock
from homeward.personas import client_for

C = Connection.Status


@pytest.fixture
def invitation(world):
    """Kim, at an invite-only facility, has invited contact_b by email."""
    facility = t.make_facility("invites", policy={"connection_policy": "resident_invites"})
    resident = t.make_resident(facility, "RI1", first_name="Kim", last_name="Park")
    return connections.invite_contact(resident=resident, email=world.contact_b.email)


def test_connections_page_says_where_each_connection_stands(world):
    connections.request_connection(
        contact=world.contact_a, facility=world.facility_2, number="TX2002"
    )
    page = client_for(world.contact_a.user).get("/connections/").content.decode()
    assert "Maria L. · NY1001" in page
    assert "Connected. You can write to each other." in page
    assert "Open the conversation" in page
    assert "Waiting for James to accept your request." in page
    assert 'data-confirm="Block Maria?' in page


def test_invitation_shows_accept_and_decline(world, invitation):
    page = client_for(world.contact_b.user).get("/connections/").content.decode()
    assert "Invitations waiting for you" in page
    assert "Kim P. · RI1" in page
    assert f'action="/connections/{invitation.pk}/accept/"' in page
    assert f'action="/connections/{invitation.pk}/decline/"' in page


def test_accepting_an_invitation_makes_the_connection_active(world, invitation):
    response = client_for(world.contact_b.user).post(
        f"/connections/{invitation.pk}/accept/", follow=True
    )
    assert "You are connected with Kim. You can write now." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == C.ACTIVE


def test_declining_an_invitation(world, invitation):
    response = client_for(world.contact_b.user).post(
        f"/connections/{invitation.pk}/decline/", follow=True
    )
    assert "You declined the invitation from Kim." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == C.DECLINED


def test_an_expired_invitation_cannot_be_accepted(world, invitation):
    later = clock.now() + dt.timedelta(days=30)
    with clock.frozen_at(later):
        response = client_for(world.contact_b.user).post(
            f"/connections/{invitation.pk}/accept/", follow=True
        )
    assert "This invitation has expired" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == C.EXPIRED


def test_answering_twice_says_it_was_already_answered(world, invitation):
    client = client_for(world.contact_b.user)
    client.post(f"/connections/{invitation.pk}/accept/")
    response = client.post(f"/connections/{invitation.pk}/decline/", follow=True)
    assert "already been answered" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == C.ACTIVE


def test_blocking_a_connection(world):
    connection = world.contact_a.connections.get()
    response = client_for(world.contact_a.user).post(
        f"/connections/{connection.pk}/block/", follow=True
    )
    page = response.content.decode()
    assert "You blocked Maria." in page
    assert "You blocked this connection." in page
    connection.refresh_from_db()
    assert connection.status == C.BLOCKED and connection.blocked_by == "contact"


@pytest.mark.parametrize("action", ["accept", "decline", "block"])
def test_another_contacts_connection_is_404_and_unchanged(world, invitation, action):
    response = client_for(world.contact_a.user).post(f"/connections/{invitation.pk}/{action}/")
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == C.INVITED


@pytest.mark.parametrize("action", ["accept", "decline", "block"])
def test_an_unknown_connection_is_404(world, action):
    response = client_for(world.contact_a.user).post(f"/connections/99999/{action}/")
    assert response.status_code == 404


@pytest.mark.parametrize("action", ["accept", "decline", "block"])
def test_connection_actions_are_post_only(world, invitation, action):
    response = client_for(world.contact_b.user).get(f"/connections/{invitation.pk}/{action}/")
    assert response.status_code == 405
    invitation.refresh_from_db()
    assert invitation.status == C.INVITED
