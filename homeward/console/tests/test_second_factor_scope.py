"""Whose second factor an admin may reset: only staff who work entirely inside the admin's
scope. One membership elsewhere (another facility, the whole agency, an agency admin role)
or a superuser's operator app puts the account out of reach: 404, nothing removed, not
listed. A reset of someone else's account is a takeover of everything that account can
open, so it must not reach further than the admin does."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward import builders as t
from homeward.core.models import AuditEvent
from homeward.people import second_factor
from homeward.people.models import StaffMembership
from homeward.personas import client_for

Role = StaffMembership.Role


def add_membership(user, *, role: str, facility=None, agency=None) -> None:
    agency = agency or facility.agency
    StaffMembership.objects.create(user=user, agency=agency, facility=facility, role=role)


def apps_of(users) -> list[int]:
    return sorted(TOTPDevice.objects.filter(user__in=users).values_list("pk", flat=True))


def assert_out_of_reach(admin, targets) -> None:
    """Each target is missing from the admin's list, a reset is 404, and nothing changes."""
    for user in targets:
        t.enrol_staff(user)
    before = apps_of(targets)
    client = client_for(admin)
    page = client.get("/console/staff/").content.decode()
    for user in targets:
        assert f'id="staff-{user.pk}"' not in page, user.username
        assert client.post(f"/console/staff/{user.pk}/reset/").status_code == 404, user.username
    assert apps_of(targets) == before
    assert not AuditEvent.objects.filter(action="staff.second_factor_reset").exists()


def test_a_facility_admin_cannot_reset_anyone_who_also_works_beyond_their_facility(world):
    agency = world.facility_1.agency
    second_prison = t.make_facility("elmira", agency=agency)
    # An agency admin who also reviews at the admin's facility.
    agency_admin = t.make_staff("agency1", role=Role.AGENCY_ADMIN, agency=agency)
    add_membership(agency_admin, role=Role.REVIEWER, facility=world.facility_1)
    # An agency admin role pinned to the admin's own facility is still an agency admin's.
    pinned = t.make_staff("pinned1", role=Role.AGENCY_ADMIN, facility=world.facility_1)
    # A reviewer here who also reviews at another prison of the agency.
    two_prisons = t.make_staff("rev-two", role=Role.REVIEWER, facility=world.facility_1)
    add_membership(two_prisons, role=Role.REVIEWER, facility=second_prison)
    # An investigator here who also reads the whole agency (a membership with no facility).
    agency_wide = t.make_staff("inv-wide", role=Role.INVESTIGATOR, facility=world.facility_1)
    add_membership(agency_wide, role=Role.INVESTIGATOR, agency=agency)
    # A reviewer here who also works for another agency.
    two_agencies = t.make_staff("rev-tx", role=Role.REVIEWER, facility=world.facility_1)
    add_membership(two_agencies, role=Role.REVIEWER, facility=world.facility_2)

    assert_out_of_reach(
        world.facility_admin, [agency_admin, pinned, two_prisons, agency_wide, two_agencies]
    )
    # Staff who work only at the admin's facility are still theirs, another admin included.
    colleague = t.make_staff("admin1b", role=Role.FACILITY_ADMIN, facility=world.facility_1)
    page = client_for(world.facility_admin).get("/console/staff/").content.decode()
    for user in (world.reviewer_1, world.investigator, colleague):
        assert f'id="staff-{user.pk}"' in page, user.username
    assert f'id="staff-{world.facility_admin.pk}"' not in page  # never themselves


def test_an_agency_admin_resets_only_staff_whose_every_membership_is_in_their_agency(world):
    agency = world.facility_1.agency
    agency_admin = t.make_staff("agency1", role=Role.AGENCY_ADMIN, agency=agency)
    two_agencies = t.make_staff("rev-tx", role=Role.REVIEWER, facility=world.facility_1)
    add_membership(two_agencies, role=Role.REVIEWER, facility=world.facility_2)
    other_agency_admin = t.make_staff(
        "agency2", role=Role.AGENCY_ADMIN, agency=world.facility_2.agency
    )
    assert_out_of_reach(agency_admin, [two_agencies, world.reviewer_2, other_agency_admin])

    agency_wide = t.make_staff("inv-wide", role=Role.INVESTIGATOR, agency=agency)
    t.enrol_staff(agency_wide)
    client = client_for(agency_admin)
    page = client.get("/console/staff/").content.decode()
    assert f'id="staff-{agency_wide.pk}"' in page and f'id="staff-{world.reviewer_1.pk}"' in page
    assert client.post(f"/console/staff/{agency_wide.pk}/reset/").status_code == 302
    assert not TOTPDevice.objects.filter(user=agency_wide).exists()


def test_no_admin_resets_a_superuser_and_the_operator_app_of_the_django_admin_survives(world):
    operator = t.make_staff("operator", role=Role.REVIEWER, facility=world.facility_1)
    operator.is_superuser = operator.is_staff = True
    operator.save(update_fields=["is_superuser", "is_staff"])
    call_command("operator_second_factor", "operator", stdout=StringIO())
    app = TOTPDevice.objects.get(user=operator)
    assert app.name == second_factor.OPERATOR_APP_NAME

    agency_admin = t.make_staff("agency1", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency)
    for admin in (world.facility_admin, agency_admin):
        client = client_for(admin)
        assert f'id="staff-{operator.pk}"' not in client.get("/console/staff/").content.decode()
        assert client.post(f"/console/staff/{operator.pk}/reset/").status_code == 404
    assert TOTPDevice.objects.get(user=operator) == app
    assert not AuditEvent.objects.filter(action="staff.second_factor_reset").exists()


def test_the_staff_list_takes_the_same_few_queries_for_many_staff(
    world, django_assert_max_num_queries
):
    for n in range(12):
        user = t.make_staff(f"rev-{n:02d}", role=Role.REVIEWER, facility=world.facility_1)
        t.enrol_staff(user)
    with django_assert_max_num_queries(4):
        rows = second_factor.staff_rows(world.facility_admin).rows
        shown = [
            (row.user.username, row.enrolled, [m.facility.name for m in row.user.memberships.all()])
            for row in rows
        ]
    assert len(shown) == 14  # the 12, rev1 and inv1
    assert shown[0] == ("inv1", False, ["Greenhaven Correctional"])
    assert all(enrolled for name, enrolled, _ in shown if name.startswith("rev-"))


def test_the_staff_list_comes_in_pages_that_walk_through_everyone_once(world, monkeypatch):
    for n in range(12):
        t.make_staff(f"rev-{n:02d}", role=Role.REVIEWER, facility=world.facility_1)
    names, after = [], ""
    while True:
        page = second_factor.staff_rows(world.facility_admin, after=after, size=5)
        names += [row.user.username for row in page.rows]
        if page.next is None:
            break
        after = page.next
    assert names == sorted(names) and len(names) == len(set(names)) == 14
    client = client_for(world.facility_admin)
    assert "Next page" not in client.get("/console/staff/").content.decode()  # 14 of 100
    monkeypatch.setattr(second_factor, "STAFF_PAGE", 10)
    first = client.get("/console/staff/").content.decode()
    [link] = re.findall(r'href="\?after=([^"]+)">Next page', first)
    second = client.get("/console/staff/", {"after": link}).content.decode()
    assert "Back to the first page" in second and "Next page" not in second
    shown = re.findall(r'id="staff-(\d+)"', first) + re.findall(r'id="staff-(\d+)"', second)
    assert len(shown) == len(set(shown)) == 14
    # A cursor from elsewhere reads on from that name: nothing outside the admin's scope.
    page = client.get("/console/staff/", {"after": "rev-05"}).content.decode()
    assert f'id="staff-{world.reviewer_2.pk}"' not in page and "rev-06" in page
