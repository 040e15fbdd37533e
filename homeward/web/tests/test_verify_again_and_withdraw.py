"""On the web: the confirmation link sent again from the account page, and a request to
connect taken back from the connections page."""

from __future__ import annotations

import datetime as dt

from homeward import builders as t
from homeward.connections import services as connections
from homeward.connections.models import Connection
from homeward.core import clock
from homeward.people.models import Contact
from homeward.personas import client_for, emails_to


def unconfirmed() -> Contact:
    contact = t.make_contact("rosa@example.org", name="Rosa Diaz")
    Contact.objects.filter(pk=contact.pk).update(email_verified_at=None)
    contact.refresh_from_db()
    return contact


def test_the_account_page_sends_the_link_again(db, run_jobs, smtp):
    browser = client_for(unconfirmed().user)
    page = browser.get("/account/").content.decode()
    assert "Send the link again" in page
    answer = browser.post("/account/verify/", follow=True)
    assert "We have sent a new link to rosa@example.org" in answer.content.decode()
    run_jobs()
    assert len(emails_to(smtp, "rosa@example.org")) == 1


def test_the_link_is_sent_five_times_an_hour_at_most(db, run_jobs, smtp):
    browser = client_for(unconfirmed().user)
    for _ in range(5):
        assert browser.post("/account/verify/").status_code == 302
    refused = browser.post("/account/verify/")
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "Too many requests for this email address" in refused.content.decode()
    run_jobs()
    assert len(emails_to(smtp, "rosa@example.org")) == 5


def test_a_confirmed_address_has_no_button_and_is_sent_nothing(world, run_jobs, smtp):
    browser = client_for(world.contact_a.user)
    assert "Send the link again" not in browser.get("/account/").content.decode()
    answer = browser.post("/account/verify/", follow=True)
    assert "Your email is already confirmed." in answer.content.decode()
    run_jobs()
    assert emails_to(smtp, "a@example.org") == []


def test_a_waiting_request_is_withdrawn_from_the_connections_page(world):
    asked = connections.request_connection(
        contact=world.contact_b, facility=world.facility_1, number="NY1001"
    ).connection
    browser = client_for(world.contact_b.user)
    page = browser.get("/connections/").content.decode()
    assert f"/connections/{asked.pk}/withdraw/" in page
    answer = browser.post(f"/connections/{asked.pk}/withdraw/", follow=True)
    said = answer.content.decode()
    assert "You withdrew your request to Maria" in said
    assert "You withdrew this request." in said
    assert f"/connections/{asked.pk}/withdraw/" not in said
    assert Connection.objects.get(pk=asked.pk).status == Connection.Status.WITHDRAWN
    # The facility page says when they may ask again, and then offers it.
    find = browser.get("/facilities/greenhaven/find/?number=NY1001").content.decode()
    assert "/facilities/greenhaven/connect/" not in find
    assert "You can ask again from" in find
    with clock.frozen_at(clock.now() + dt.timedelta(days=1, seconds=1)):
        later = browser.get("/facilities/greenhaven/find/?number=NY1001").content.decode()
    assert "/facilities/greenhaven/connect/" in later


def test_anothers_connection_is_not_withdrawn(world, connection_a):
    browser = client_for(world.contact_b.user)
    assert browser.post(f"/connections/{connection_a.pk}/withdraw/").status_code == 404
    assert Connection.objects.get(pk=connection_a.pk).status == Connection.Status.ACTIVE
