"""The privileged attorney channel: where the agency offers it, an attorney its admins
verify gets a privileged connection whose messages skip screening and review, never
appear in search, cases or exports, and are not shown to staff (each refusal logged)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from homeward import builders as t
from homeward.connections.models import Connection
from homeward.core import clock
from homeward.core.errors import DomainError
from homeward.core.models import AuditEvent
from homeward.enforcement import appeals
from homeward.jobs import services as jobs
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.monitoring import cases, privileged, retention
from homeward.monitoring.models import AttorneyVerification, CaseMessage, SearchDocument
from homeward.people.models import StaffMembership
from homeward.personas import blocked_by_reviewer, body_of, client_for, emails_to
from homeward.review.models import ReviewTask, ScreeningResult

Role = StaffMembership.Role


def send(contact, resident, body: str) -> Message:
    conversation = contact.connections.get(resident=resident)
    message = messaging.send_message(
        sender=contact, connection_id=conversation.pk, body=body
    ).message
    jobs.run_pending("test")
    message.refresh_from_db()
    return message


def make_privileged_now(world, contact) -> None:
    agency = world.facility_1.agency
    agency.privileged_channel = True
    agency.save()
    admin = t.make_staff("agadmin", role=Role.AGENCY_ADMIN, agency=agency)
    privileged.verify_attorney(
        staff=admin, agency=agency, contact=contact, bar_number="NY-1", bar_state="NY"
    )
    privileged.make_privileged(staff=admin, connection=contact.connections.get())


def blocked_of_ana(world, body: str) -> Message:
    """A message of Ana's to Maria, blocked by reviewer 1."""
    return blocked_by_reviewer(
        world.reviewer_1,
        sender=world.contact_a,
        connection_id=world.contact_a.connections.get().pk,
        body=body,
        reason="drugs",
    )


@pytest.fixture
def channel(world):
    """Ben Ortiz is an attorney with a connection to Maria; the agency offers the channel,
    and its admin verifies him through the console and makes the connection privileged.
    Before that he wrote once, and an investigator put that message in a case."""
    world.lawyer = world.contact_b
    t.connect(world.lawyer, world.resident)
    world.before = send(world.lawyer, world.resident, "Before privilege: the plea offer.")
    world.case = cases.open_case(
        staff=world.investigator, agency=world.facility_1.agency, name="Plea", reason="r"
    )
    cases.add_messages(staff=world.investigator, case=world.case, message_ids=[world.before.pk])
    world.admin = t.make_staff("agadmin", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency)
    client = client_for(world.admin)
    agency = world.facility_1.agency
    client.post(f"/console/attorneys/{agency.pk}/offer/", {"offered": "on"})
    response = client.post(
        f"/console/attorneys/{agency.pk}/verify/",
        {"email": "b@example.org", "bar_number": "NY-4471", "bar_state": "ny"},
        follow=True,
    )
    assert "is verified as an attorney" in response.content.decode()
    world.connection = world.lawyer.connections.get(resident=world.resident)
    response = client.post(
        f"/console/attorneys/{agency.pk}/privilege/",
        {"connection": world.connection.pk},
        follow=True,
    )
    assert "The connection is privileged now" in response.content.decode()
    world.connection.refresh_from_db()
    assert world.connection.privileged
    for contact in (world.lawyer, world.contact_a):  # its new version names the channel
        t.accept_agency_notice(contact, agency)
    return world


def test_privileged_messages_skip_screening_and_review_and_are_delivered(channel):
    w = channel
    message = send(w.lawyer, w.resident, "The zephyrine motion was filed today.")
    assert message.status == Message.Status.DELIVERED
    assert not ScreeningResult.objects.filter(message=message).exists()
    assert not ReviewTask.objects.filter(message=message).exists()
    # Ana's messages at the same facility are still reviewed.
    ordinary = send(w.contact_a, w.resident, "Just a normal note.")
    assert ordinary.status == Message.Status.IN_REVIEW


def test_privileged_messages_never_appear_in_search_cases_or_exports(channel):
    w = channel
    message = send(w.lawyer, w.resident, "The zephyrine motion was filed today.")
    for person in (w.investigator, w.facility_admin, w.admin):
        page = client_for(person).get("/console/search/", {"q": "zephyrine"}).content.decode()
        assert 'id="message-' not in page
        page = client_for(person).get("/console/search/", {"q": "plea"}).content.decode()
        assert 'id="message-' not in page  # the earlier one left the index too
    assert not SearchDocument.objects.filter(message__connection=w.connection).exists()
    # The earlier one stays in the case (a hold on the case still covers it), unseen.
    assert CaseMessage.objects.filter(message=w.before).exists()
    page = client_for(w.investigator).get(f"/console/cases/{w.case.pk}/").content.decode()
    assert "plea offer" not in page
    assert "1 of its messages are at facilities you do not search, or of a privileged" in page
    added = cases.add_messages(staff=w.investigator, case=w.case, message_ids=[message.pk])
    assert added == 0
    client = client_for(w.investigator)
    response = client.post(f"/console/cases/{w.case.pk}/export/")
    assert b"zephyrine" not in response.content and b"plea offer" not in response.content


def test_staff_histories_leave_them_out_and_each_refusal_is_logged(channel):
    w = channel
    message = send(w.lawyer, w.resident, "The zephyrine motion was filed today.")
    for person in (w.reviewer_1, w.investigator, w.admin):
        before = AuditEvent.objects.filter(action="privileged.read_refused").count()
        page = client_for(person).get(f"/console/residents/{w.resident.pk}/").content.decode()
        assert "zephyrine" not in page and "plea offer" not in page
        assert f'id="message-{message.pk}"' not in page
        assert "2 messages of a privileged attorney channel are not shown" in page
        refused = AuditEvent.objects.filter(action="privileged.read_refused")
        assert refused.count() == before + 1
        assert refused.order_by("-id").first().actor_user_id == person.pk
        page = client_for(person).get(f"/console/contacts/{w.lawyer.pk}/").content.decode()
        assert "zephyrine" not in page and "2 messages of a privileged" in page


def test_an_agency_that_does_not_offer_it_refuses(world):
    admin = t.make_staff("agadmin", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency)
    agency = world.facility_1.agency
    with pytest.raises(privileged.PrivilegeError, match="does not offer"):
        privileged.verify_attorney(
            staff=admin, agency=agency, contact=world.contact_a, bar_number="1", bar_state="NY"
        )
    connection = world.contact_a.connections.get()
    with pytest.raises(privileged.PrivilegeError, match="does not offer"):
        privileged.make_privileged(staff=admin, connection=connection)
    agency.privileged_channel = True
    agency.save()
    with pytest.raises(privileged.PrivilegeError, match="Verify the contact"):
        privileged.make_privileged(staff=admin, connection=connection)
    connection.refresh_from_db()
    assert not connection.privileged


def test_the_facility_page_says_whether_it_is_offered(world):
    page = Client().get("/facilities/greenhaven/").content.decode()
    assert "does not offer a privileged channel for attorneys" in page
    agency = world.facility_1.agency
    agency.privileged_channel = True
    agency.save()
    page = Client().get("/facilities/greenhaven/").content.decode()
    assert "Attorneys verified by the agency can have a privileged channel" in page


@pytest.mark.parametrize("persona", ["facility_admin", "reviewer_1", "investigator"])
def test_only_agency_admins_manage_the_channel(world, persona):
    agency = world.facility_1.agency
    client = client_for(getattr(world, persona))
    assert client.get("/console/attorneys/").status_code == 403
    assert (
        client.post(f"/console/attorneys/{agency.pk}/offer/", {"offered": "on"}).status_code == 403
    )
    agency.refresh_from_db()
    assert not agency.privileged_channel


def test_another_agencys_admin_gets_not_found(world):
    theirs = t.make_staff("txadmin", role=Role.AGENCY_ADMIN, agency=world.facility_2.agency)
    agency = world.facility_1.agency
    client = client_for(theirs)
    assert (
        client.post(f"/console/attorneys/{agency.pk}/offer/", {"offered": "on"}).status_code == 404
    )
    connection = world.contact_a.connections.get()
    response = client.post(
        f"/console/attorneys/{world.facility_2.agency.pk}/privilege/",
        {"connection": connection.pk},
        follow=True,
    )
    assert "No such connection" in response.content.decode()
    agency.refresh_from_db()
    connection.refresh_from_db()
    assert not agency.privileged_channel and not connection.privileged


def test_a_message_waiting_for_review_goes_on_when_the_channel_becomes_privileged(world):
    """Greenhaven reviews everything: an attorney's message waits for a reviewer until the
    connection is made privileged; then its task is cancelled, it is delivered, and the
    reviewer who had its address gets a 404."""
    lawyer = world.contact_b
    t.connect(lawyer, world.resident)
    waiting = send(lawyer, world.resident, "About the appeal brief.")
    assert waiting.status == Message.Status.IN_REVIEW
    task = ReviewTask.objects.get(message=waiting)
    reviewer = client_for(world.reviewer_1)
    assert reviewer.get(f"/console/review/{task.pk}/").status_code == 200
    make_privileged_now(world, lawyer)
    jobs.run_pending("test")
    waiting.refresh_from_db()
    task.refresh_from_db()
    assert waiting.status == Message.Status.DELIVERED
    assert task.status == ReviewTask.Status.CANCELLED
    response = reviewer.get(f"/console/review/{task.pk}/")
    assert response.status_code == 404 and b"appeal brief" not in response.content


@pytest.mark.parametrize(
    ("bar_number", "bar_state", "said"),
    [
        ("!!", "NY", "Give the bar number and the two-letter state of admission."),
        ("NY-1", "N1", "Give the bar number and the two-letter state of admission."),
        ("NY-1", "", "Give the attorney&#x27;s email, bar number and state."),
    ],
)
def test_a_bad_bar_number_or_state_says_so_and_verifies_nobody(world, bar_number, bar_state, said):
    agency = world.facility_1.agency
    agency.privileged_channel = True
    agency.save()
    admin = t.make_staff("agadmin", role=Role.AGENCY_ADMIN, agency=agency)
    response = client_for(admin).post(
        f"/console/attorneys/{agency.pk}/verify/",
        {"email": "a@example.org", "bar_number": bar_number, "bar_state": bar_state},
        follow=True,
    )
    assert said in response.content.decode()
    assert not AttorneyVerification.objects.exists()


def test_a_hold_on_a_case_still_covers_its_message_once_privileged(channel):
    """Making the connection privileged leaves the case's rows, so its hold still stops
    retention removing the earlier message's text."""
    w = channel
    agency = w.facility_1.agency
    retention.place_hold(staff=w.admin, agency=agency, subject=w.case, reason="Litigation")
    retention.set_period(staff=w.admin, agency=agency, days=1)
    with clock.frozen_at(clock.now() + dt.timedelta(days=40)):
        retention.run(agency_id=agency.pk)
    w.before.refresh_from_db()
    assert w.before.content_removed_at is None
    assert "plea offer" in w.before.body


def test_a_task_left_on_a_privileged_connection_is_not_in_the_queue(world):
    """If screening sent a message to review as its connection became privileged (the end
    state of that race, set here directly), the queue neither shows nor hands it out."""
    connection = world.contact_a.connections.get()
    sent = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="The zephyrine motion."
    ).message
    jobs.run_pending("test")
    assert ReviewTask.objects.filter(message=sent, status="open").exists()
    Connection.objects.filter(pk=connection.pk).update(privileged=True)
    client = client_for(world.reviewer_1)
    assert "zephyrine" not in client.get("/console/queue/").content.decode()
    response = client.post("/console/queue/next/", follow=True)
    assert response.status_code == 200
    assert "zephyrine" not in response.content.decode()


def test_an_appeal_of_a_privileged_message_is_not_shown_and_the_refusal_is_logged(world):
    connection = world.contact_a.connections.get()
    blocked = blocked_of_ana(world, "The zephyrine plea offer.")
    appeal = appeals.appeal_message(
        appellant=world.contact_a, message_id=blocked.pk, statement="It is about my case"
    )
    Connection.objects.filter(pk=connection.pk).update(privileged=True)
    for person in (world.facility_admin, world.reviewer_1):
        response = client_for(person).get(f"/console/appeals/{appeal.pk}/")
        assert response.status_code == 404
        assert b"zephyrine" not in response.content
    refused = AuditEvent.objects.filter(action="privileged.read_refused")
    assert [event.data["where"] for event in refused] == [f"appeal {appeal.pk}"] * 2


def test_the_channel_is_not_withdrawn_while_a_connection_is_privileged(channel):
    w = channel
    agency = w.facility_1.agency
    response = client_for(w.admin).post(f"/console/attorneys/{agency.pk}/offer/", {}, follow=True)
    assert "1 connection is privileged: the channel cannot be withdrawn" in (
        response.content.decode()
    )
    agency.refresh_from_db()
    assert agency.privileged_channel
    page = Client().get("/facilities/greenhaven/").content.decode()
    assert "can have a privileged channel" in page


def test_an_open_appeal_is_closed_when_the_channel_becomes_privileged(world, run_jobs, smtp):
    """Nobody could decide it any more (staff do not read the channel): it is closed, the
    block standing, and the sender is told to send the message again on the channel."""
    blocked = blocked_of_ana(world, "About the plea hearing.")
    appeal = appeals.appeal_message(
        appellant=world.contact_a, message_id=blocked.pk, statement="It is about my case"
    )
    make_privileged_now(world, world.contact_a)
    run_jobs()
    appeal.refresh_from_db()
    blocked.refresh_from_db()
    assert appeal.status == appeal.Status.UPHELD
    assert appeal.decision_reason == appeals.PRIVILEGED
    assert blocked.status == Message.Status.BLOCKED
    told = emails_to(smtp, "a@example.org")[-1]
    assert "Send the message again." in " ".join(body_of(told).split())


def test_a_block_on_a_channel_made_privileged_cannot_be_appealed_to_nobody(world):
    blocked = blocked_of_ana(world, "About the plea hearing.")
    make_privileged_now(world, world.contact_a)
    blocked.refresh_from_db()
    assert not appeals.appealable_message(world.contact_a, blocked)
    assert appeals.offers_for_messages(world.contact_a, [blocked]) == {}
    with pytest.raises(DomainError) as refused:
        appeals.appeal_message(
            appellant=world.contact_a, message_id=blocked.pk, statement="Please look again"
        )
    assert refused.value.code == "nobody_to_decide"
    assert "Send the message again" in refused.value.message
    assert not appeals.Appeal.objects.exists()
