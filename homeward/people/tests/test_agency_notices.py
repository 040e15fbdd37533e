"""Each agency's monitoring notice names its retention period and is versioned: when the
period (or the attorney channel) changes, families accept the new version before they can
write again, on the web and through the API; residents' replies still reach them."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward import builders as t
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.ledger.models import Transaction
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people import notices
from homeward.people.models import AgencyNotice, NoticeAcceptance, StaffMembership
from homeward.personas import api_for, client_for, error_of

Role = StaffMembership.Role
START = dt.datetime(2026, 12, 3, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def changed(world, stamps):
    """Ana accepted the notice of Maria's agency (version 1: messages kept with no end date)
    when she connected; a day later the agency's admin sets a 30-day
    period through the console. Stamps cost 40 cents; her wallet holds $10."""
    w = world
    w.agency = w.facility_1.agency
    w.admin = t.make_staff("agadmin", role=Role.AGENCY_ADMIN, agency=w.agency)
    t.pay_in(w.contact_a, w.facility_1, 1000)
    with clock.frozen_at(START + dt.timedelta(days=1)):
        response = client_for(w.admin).post(
            f"/console/retention/{w.agency.pk}/period/", {f"a{w.agency.pk}-days": "30"}
        )
    assert response.status_code == 302
    return w


def sent_count(world) -> int:
    return Message.objects.filter(connection=world.connection).count()


def test_setting_a_period_publishes_a_new_version_that_names_it(changed):
    w = changed
    first, second = AgencyNotice.objects.filter(agency=w.agency).order_by("version")
    assert (first.version, first.retention_days) == (1, None)
    assert (second.version, second.retention_days) == (2, 30)
    assert "with no end date set" in " ".join(notices.sentences(first))
    assert "for 30 days, then removes it" in " ".join(notices.sentences(second))
    published = AuditEvent.objects.get(action="notice.published")
    assert published.data["version"] == 2
    with clock.frozen_at(START + dt.timedelta(days=1)):
        page = client_for(w.admin).get("/console/retention/").content.decode()
    assert "notice: version 2, published December 4, 2026" in page
    # Setting the same period again is no new notice; offering the attorney channel is.
    client = client_for(w.admin)
    client.post(f"/console/retention/{w.agency.pk}/period/", {f"a{w.agency.pk}-days": "30"})
    assert notices.current(w.agency).version == 2
    client.post(f"/console/attorneys/{w.agency.pk}/offer/", {"offered": "on"})
    third = notices.current(w.agency)
    assert (third.version, third.privileged_channel) == (3, True)
    assert "can have a privileged channel" in " ".join(notices.sentences(third))


def test_the_web_asks_for_the_new_notice_and_keeps_what_was_written(changed):
    w = changed
    client = client_for(w.contact_a.user)
    page = client.get(f"/conversations/{w.connection.pk}/").content.decode()
    assert "Monitoring notice of New York Department of Corrections (version 2)" in page
    assert "keeps the text of messages for 30 days" in page
    assert 'name="accept_agency_notice"' in page
    before = Transaction.objects.count()

    # Sent without ticking the box: refused, nothing sent or charged, the text kept.
    refused = client.post(
        f"/conversations/{w.connection.pk}/send/", {"body": "See you Sunday", "client_token": ""}
    )
    assert refused.status_code == 403
    assert "accept it before you write" in refused.content.decode()
    assert "See you Sunday</textarea>" in refused.content.decode()
    assert sent_count(w) == 0
    assert Transaction.objects.count() == before

    # Ticked, with the version shown: accepted and sent in one step.
    response = client.post(
        f"/conversations/{w.connection.pk}/send/",
        {"body": "See you Sunday", "accept_agency_notice": "1", "agency_notice_version": "2"},
    )
    assert response.status_code == 302
    assert sent_count(w) == 1
    accepted = NoticeAcceptance.objects.get(contact=w.contact_a, notice__version=2)
    assert accepted.notice.agency == w.agency
    assert AuditEvent.objects.filter(action="notice.accepted", data__version=2).count() == 1
    # Accepted once: the next page has no box, and the next message needs none.
    page = client.get(f"/conversations/{w.connection.pk}/").content.decode()
    assert 'name="accept_agency_notice"' not in page
    client.post(f"/conversations/{w.connection.pk}/send/", {"body": "And Monday"})
    assert sent_count(w) == 2


def test_accepting_a_version_no_longer_in_force_is_refused(changed):
    """The page showed version 2; the period changed again before they pressed Send."""
    w = changed
    with clock.frozen_at(START + dt.timedelta(days=2)):
        client_for(w.admin).post(
            f"/console/retention/{w.agency.pk}/period/", {f"a{w.agency.pk}-days": "60"}
        )
    client = client_for(w.contact_a.user)
    response = client.post(
        f"/conversations/{w.connection.pk}/send/",
        {"body": "Hello", "accept_agency_notice": "1", "agency_notice_version": "2"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "has changed (it is now version 3)" in page
    assert "for 60 days" in page and "Hello</textarea>" in page
    assert sent_count(w) == 0
    assert not NoticeAcceptance.objects.filter(contact=w.contact_a, notice__version__gt=1).exists()


def test_the_api_refuses_until_the_notice_is_accepted(changed):
    w = changed
    api = api_for(w.contact_a)
    send = f"/conversations/{w.connection.pk}/messages"
    refused = api.post(send, {"body": "Hi", "client_token": "one"})
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "notice_not_accepted"

    notice = api.get(f"/connections/{w.connection.pk}/notice").json()
    assert notice["version"] == 2 and notice["retention_days"] == 30
    assert notice["accepted"] is False
    assert notice["agency"] == {"code": "nydocs", "name": "New York Department of Corrections"}
    assert any("30 days" in sentence for sentence in notice["text"])

    outdated = api.post(f"/connections/{w.connection.pk}/notice", {"version": 1})
    assert outdated.status_code == 409
    assert error_of(outdated)["code"] == "notice_outdated"
    accepted = api.post(f"/connections/{w.connection.pk}/notice", {"version": 2})
    assert accepted.status_code == 200 and accepted.json()["accepted"] is True
    again = api.post(f"/connections/{w.connection.pk}/notice", {"version": 2})
    assert again.status_code == 200
    assert NoticeAcceptance.objects.filter(contact=w.contact_a, notice__version=2).count() == 1

    assert api.post(send, {"body": "Hi", "client_token": "one"}).status_code == 201


def test_replies_still_reach_a_contact_who_has_not_accepted(changed):
    w = changed
    t.fund_trust(w.resident, 1000)
    reply = messaging.send_message(sender=w.resident, connection_id=w.connection.pk, body="Hi Mom")
    assert reply.created
    assert not notices.has_accepted(w.contact_a, w.agency.pk)


def test_each_agency_has_its_own_notice(changed):
    """Ana's acceptance at one agency is not an acceptance at another: Ben, connected at
    the Texas jail, writes there without being asked again about New York's change."""
    w = changed
    t.connect(w.contact_b, w.resident_2)
    texas = w.facility_2.agency
    assert notices.current(texas).version == 1
    assert notices.has_accepted(w.contact_b, texas.pk)
    assert not notices.has_accepted(w.contact_b, w.agency.pk)
    connection = w.contact_b.connections.get()
    assert messaging.send_message(
        sender=w.contact_b, connection_id=connection.pk, body="Hello James"
    ).created


@pytest.mark.parametrize("version", ["", "abc", "²", "-2", "99999999999999999999"])
def test_a_version_that_is_not_one_accepts_nothing_and_sends_nothing(changed, version):
    w = changed
    response = client_for(w.contact_a.user).post(
        f"/conversations/{w.connection.pk}/send/",
        {"body": "Hello", "accept_agency_notice": "1", "agency_notice_version": version},
    )
    assert response.status_code == 409
    assert "Read it again and accept it" in response.content.decode()
    assert sent_count(w) == 0
    assert not NoticeAcceptance.objects.filter(contact=w.contact_a, notice__version=2).exists()
