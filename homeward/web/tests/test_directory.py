"""The facility directory, a facility's page, finding a resident and asking to connect."""

from __future__ import annotations

import pytest
from django.test import Client

from homeward import builders as t
from homeward.connections.models import Connection
from homeward.personas import client_for

C = Connection.Status


def test_directory_searches_by_state(world):
    page = Client().get("/facilities/", {"state": "TX"}).content.decode()
    assert "Travis County Jail" in page
    assert "Greenhaven" not in page
    assert "Austin, TX" in page and "County jail" in page and "messaging" in page


def test_directory_searches_by_name_or_city(world):
    page = Client().get("/facilities/", {"q": "greenhaven"}).content.decode()
    assert "Greenhaven Correctional" in page and "Travis" not in page
    page = Client().get("/facilities/", {"q": "austin"}).content.decode()
    assert "Travis County Jail" in page and "Greenhaven" not in page


def test_directory_offers_only_states_with_facilities(world):
    page = Client().get("/facilities/").content.decode()
    assert '<option value="NY"' in page and '<option value="TX"' in page
    assert '<option value="CA"' not in page


def test_directory_with_no_match_says_so(world):
    page = Client().get("/facilities/", {"q": "atlantis"}).content.decode()
    assert "No facility matches" in page


def test_facility_page_explains_the_policy_in_plain_words(world):
    page = Client().get("/facilities/greenhaven/").content.decode()
    assert (
        "Staff read every message before it is delivered, usually within 8 business hours" in page
    )
    assert "The resident accepts or declines" in page
    assert "Staff do not need to approve new connections." in page
    assert "up to 30 active contacts" in page
    assert "Mon–Fri 08:00–17:00" in page
    assert "Up to 6,000 characters per message." in page
    assert "you are told which kind of rule it broke" in page
    assert "any charge for it is refunded" in page
    assert (
        "You can appeal a blocked message, or a suspension of your messaging, within 14 days"
        in (page)
    )
    assert "3 violations within 30 days suspend messaging for 30 days." in page
    assert "One violation suspends at once for: Escape or security risk;" in page
    assert "Messaging is free at this facility (paid by the agency)" in page
    assert 'name="number"' in page


def test_facility_page_shows_other_policies_and_content_rules(db):
    facility = t.make_facility(
        "bigsky",
        policy={
            "connection_policy": "resident_invites",
            "staff_approval": True,
            "review_mode": "flagged",
            "review_target_hours": 1,
            "show_block_reasons": False,
            "content_rules": "No <b>maps</b> of the facility.",
        },
    )
    page = Client().get(f"/facilities/{facility.code}/").content.decode()
    assert "Only residents can add contacts" in page
    assert "Staff approve each new connection" in page
    assert "usually within 1 business hour)" in page
    assert "does not say why" in page
    assert "No &lt;b&gt;maps&lt;/b&gt; of the facility." in page  # escaped, never raw HTML


def test_unknown_facility_is_404(db):
    assert Client().get("/facilities/nowhere/").status_code == 404


def test_find_resident_shows_first_name_initial_and_number(world):
    page = Client().get("/facilities/greenhaven/find/", {"number": "ny1001"}).content.decode()
    assert "Maria L. · NY1001" in page
    assert "Lopez" not in page
    assert "sign in or create an account" in page
    assert "/signin/?next=/facilities/greenhaven/find/%3Fnumber%3Dny1001" in page


def test_find_unknown_number_says_so_clearly(world):
    page = Client().get("/facilities/greenhaven/find/", {"number": "NY9999"}).content.decode()
    assert "No resident with number &#x27;NY9999&#x27; is at Greenhaven Correctional" in page


def test_find_does_not_reveal_a_resident_of_another_facility(world):
    page = Client().get("/facilities/greenhaven/find/", {"number": "TX2002"}).content.decode()
    assert "No resident with number" in page
    assert "James" not in page


def test_find_shows_an_existing_connection(world):
    client = client_for(world.contact_a.user)
    page = client.get("/facilities/greenhaven/find/", {"number": "NY1001"}).content.decode()
    assert "Connected. You can write to each other." in page
    assert "Ask to connect" not in page


def test_find_offers_to_connect_to_a_contact_without_a_connection(world):
    client = client_for(world.contact_b.user)
    page = client.get("/facilities/greenhaven/find/", {"number": "NY1001"}).content.decode()
    assert "Ask to connect" in page
    assert "Maria will be asked to accept" in page


def _connect(client: Client, code: str, number: str):
    return client.post(f"/facilities/{code}/connect/", {"number": number}, follow=True)


def test_contact_requests_policy_waits_for_the_resident(world):
    response = _connect(client_for(world.contact_b.user), "greenhaven", "NY1001")
    assert "waiting for Maria to accept it" in response.content.decode()
    connection = Connection.objects.get(contact=world.contact_b)
    assert connection.status == C.REQUESTED


def test_open_policy_connects_at_once(db):
    facility = t.make_facility("opencamp", policy={"connection_policy": "open"})
    t.make_resident(facility, "OP1", first_name="Lee")
    contact = t.make_contact()
    response = _connect(client_for(contact.user), "opencamp", "OP1")
    assert "You can write now" in response.content.decode()
    assert Connection.objects.get(contact=contact).status == C.ACTIVE


def test_staff_approval_waits_for_staff(db):
    facility = t.make_facility(
        "checked", policy={"connection_policy": "open", "staff_approval": True}
    )
    t.make_resident(facility, "SA1")
    contact = t.make_contact()
    response = _connect(client_for(contact.user), "checked", "SA1")
    assert "waiting for staff" in response.content.decode()
    assert Connection.objects.get(contact=contact).status == C.PENDING_STAFF


def test_resident_invites_policy_refuses_a_request_and_explains(db):
    facility = t.make_facility("invites", policy={"connection_policy": "resident_invites"})
    t.make_resident(facility, "RI1", first_name="Kim")
    contact = t.make_contact()
    client = client_for(contact.user)
    page = client.get("/facilities/invites/find/", {"number": "RI1"}).content.decode()
    assert "Ask to connect" not in page
    assert "only residents can add contacts" in page
    response = _connect(client, "invites", "RI1")
    assert "Ask Kim to invite you by email: Homeward emails you the invitation" in (
        response.content.decode()
    )
    assert not Connection.objects.exists()


def test_released_resident_cannot_be_connected(world):
    t.make_resident(world.facility_1, "NY2", first_name="Old", status="released")
    client = client_for(world.contact_b.user)
    page = client.get("/facilities/greenhaven/find/", {"number": "NY2"}).content.decode()
    assert "has been released" in page and "Ask to connect" not in page
    response = _connect(client, "greenhaven", "NY2")
    assert "has been released" in response.content.decode()
    assert not Connection.objects.filter(contact=world.contact_b).exists()


def test_asking_twice_changes_nothing(world):
    client = client_for(world.contact_b.user)
    _connect(client, "greenhaven", "NY1001")
    _connect(client, "greenhaven", "NY1001")
    assert Connection.objects.filter(contact=world.contact_b).count() == 1


def test_connect_with_an_unknown_number_says_so(world):
    response = _connect(client_for(world.contact_b.user), "greenhaven", "NOPE")
    assert "No resident with number" in response.content.decode()
    assert not Connection.objects.filter(contact=world.contact_b).exists()


def test_anonymous_connect_is_sent_to_sign_in_and_nothing_changes(world):
    response = Client().post("/facilities/greenhaven/connect/", {"number": "NY1001"})
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/?next=")
    assert Connection.objects.count() == 1  # only the world's own


@pytest.mark.parametrize("who", ["reviewer_1", "facility_admin"])
def test_staff_cannot_ask_to_connect(world, who):
    response = client_for(getattr(world, who)).post(
        "/facilities/greenhaven/connect/", {"number": "NY1001"}
    )
    assert response.status_code == 404
    assert Connection.objects.count() == 1


def test_connect_is_post_only(world):
    response = client_for(world.contact_b.user).get("/facilities/greenhaven/connect/")
    assert response.status_code == 405
