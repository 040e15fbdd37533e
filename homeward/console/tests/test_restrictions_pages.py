"""Suspending, revoking, changing and lifting from a resident's or a contact's console page:
what an admin does, sees and cannot do."""

from __future__ import annotations

import datetime as dt

from homeward import builders as t
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.enforcement import restrictions
from homeward.enforcement.models import Restriction
from homeward.notifications.models import Notification
from homeward.people.models import StaffMembership
from homeward.personas import client_for

Role = StaffMembership.Role


def in_days(days: int) -> str:
    return (clock.now() + dt.timedelta(days=days)).date().isoformat()


def suspend_ana(world, client, **fields):  # type: ignore[no-untyped-def]
    data = {
        "kind": "suspension",
        "facility": world.facility_1.pk,
        "ends_on": in_days(10),
        "reason": "Threats in two letters",
        **fields,
    }
    return client.post(f"/console/contacts/{world.contact_a.pk}/restrict/", data, follow=True)


def test_an_admin_suspends_a_contact_from_their_page_and_sees_it_in_force(world):
    admin = client_for(world.facility_admin)
    page = suspend_ana(world, admin).content.decode()
    suspension = Restriction.objects.get()
    assert suspension.contact == world.contact_a and suspension.imposed_by == world.facility_admin
    assert "Ana Lopez&#x27;s messaging at Greenhaven Correctional is suspended until" in page
    assert "They are told." in page
    listed = page.split(f'id="restriction-{suspension.pk}"')[1].split("</ol>")[0]
    assert "In force" in listed and "Threats in two letters" in listed
    assert Notification.objects.filter(event="messaging_restricted").count() == 1
    # The resident's page shows it too (it stops her messages with Ana).
    maria = admin.get(f"/console/residents/{world.resident.pk}/").content.decode()
    assert f'id="restriction-{suspension.pk}"' not in maria  # Ana's own, not Maria's
    assert "Suspend or revoke Maria Lopez" in maria


def test_an_admin_shortens_then_lifts_and_the_history_says_so(world):
    admin = client_for(world.facility_admin)
    suspend_ana(world, admin)
    suspension = Restriction.objects.get()
    admin.post(
        f"/console/restrictions/{suspension.pk}/",
        {"action": "change_end", "ends_on": in_days(3), "reason": "First time"},
    )
    page = admin.post(
        f"/console/restrictions/{suspension.pk}/",
        {"action": "lift", "reason": "Talked it through"},
        follow=True,
    ).content.decode()
    listed = page.split(f'id="restriction-{suspension.pk}"')[1].split("</ol>")[0]
    assert "Lifted" in listed and "shortened" in listed and "Talked it through" in listed
    assert list(suspension.changes.values_list("action", flat=True)) == [
        "imposed",
        "shortened",
        "lifted",
    ]
    assert restrictions.on(world.contact_a.connections.get()) is None


def test_a_suspension_that_ends_before_it_starts_is_refused_and_nothing_changes(world):
    page = suspend_ana(world, client_for(world.facility_admin), ends_on=in_days(-2))
    assert "Nothing was changed: The end must come after the start." in page.content.decode()
    page = suspend_ana(world, client_for(world.facility_admin), ends_on="")
    assert "Nothing was changed: A suspension needs an end date." in page.content.decode()
    assert not Restriction.objects.exists()


def test_reviewers_and_investigators_are_refused_and_other_facilities_see_nothing(world):
    for staff in (world.reviewer_1, world.investigator):
        response = suspend_ana(world, client_for(staff))
        assert response.status_code == 403
        assert (
            "Suspend or revoke"
            not in client_for(staff)
            .get(f"/console/contacts/{world.contact_a.pk}/")
            .content.decode()
        )
    other_admin = t.make_staff("admin2", role=Role.FACILITY_ADMIN, facility=world.facility_2)
    assert suspend_ana(world, client_for(other_admin)).status_code == 404
    assert not Restriction.objects.exists()
    suspension = restrictions.impose(
        staff=world.facility_admin,
        facility=world.facility_1,
        subject=world.contact_a,
        kind="suspension",
        reason="Threats",
        ends_at=clock.now() + dt.timedelta(days=5),
    )
    for staff, code in ((world.reviewer_1, 403), (other_admin, 404)):
        response = client_for(staff).post(
            f"/console/restrictions/{suspension.pk}/", {"action": "lift", "reason": "No"}
        )
        assert response.status_code == code
    suspension.refresh_from_db()
    assert suspension.lifted_at is None
    assert AuditEvent.objects.filter(action="restriction.lifted").count() == 0


def test_an_admin_revokes_one_connection_from_the_residents_page(world):
    admin = client_for(world.facility_admin)
    connection = world.contact_a.connections.get()
    admin.post(
        f"/console/connections/{connection.pk}/restrict/",
        {"kind": "revocation", "facility": world.facility_1.pk, "reason": "Relaying messages"},
    )
    revocation = Restriction.objects.get()
    assert revocation.connection == connection and revocation.ends_at is None
    page = admin.get(f"/console/residents/{world.resident.pk}/").content.decode()
    assert f'id="restriction-{revocation.pk}"' in page and "no end" in page


def test_a_reason_is_shown_escaped(world):
    admin = client_for(world.facility_admin)
    page = suspend_ana(world, admin, reason="<script>alert(1)</script>").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
