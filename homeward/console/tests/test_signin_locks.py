"""Admins release sign-in locks sooner: staff accounts in their scope, kiosk numbers and
kiosks at their facilities. Anything else is not found, and stays locked."""

from __future__ import annotations

from django.test import Client

from homeward import builders as t
from homeward.core.models import AuditEvent
from homeward.people.models import SignInThrottle, StaffMembership
from homeward.personas import client_for, device_client, sign_in

Kind = SignInThrottle.Kind


def lock_staff(username: str) -> SignInThrottle:
    for _ in range(5):
        Client().post("/console/signin/", {"username": username, "password": "wrong-password"})
    return SignInThrottle.objects.get(kind=Kind.STAFF, subject=username)


def console_signin(username: str) -> int:
    response = Client().post("/console/signin/", {"username": username, "password": t.PASSWORD})
    return response.status_code


def test_an_admin_sees_and_releases_a_locked_reviewer_of_their_facility(world):
    lock = lock_staff("rev1")
    other = lock_staff("rev2")  # a reviewer at another agency's facility
    assert console_signin("rev1") == 429
    admin = client_for(world.facility_admin)
    page = admin.get("/console/signin-locks/").content.decode()
    assert f'id="lock-{lock.pk}"' in page and "rev1" in page
    assert f'id="lock-{other.pk}"' not in page and "rev2" not in page

    response = admin.post(f"/console/signin-locks/{lock.pk}/release/")
    assert response.status_code == 302 and response["Location"] == "/console/signin-locks/"
    assert console_signin("rev1") == 302
    event = AuditEvent.objects.get(action="signin.released")
    assert event.actor_user == world.facility_admin and event.data["subject"] == "rev1"
    after = admin.get("/console/signin-locks/").content.decode()
    assert "Released: Staff account rev1." in after and f'id="lock-{lock.pk}"' not in after


def test_releasing_a_lock_out_of_scope_is_not_found_and_changes_nothing(world):
    other = lock_staff("rev2")
    admin = client_for(world.facility_admin)
    assert admin.post(f"/console/signin-locks/{other.pk}/release/").status_code == 404
    assert console_signin("rev2") == 429
    assert not AuditEvent.objects.filter(action="signin.released").exists()
    assert admin.get(f"/console/signin-locks/{other.pk}/release/").status_code == 405


def test_a_facility_admin_cannot_release_an_agency_admin_who_also_works_there(world):
    # The agency admin also reviews at the facility, but looks after the whole agency: a
    # facility admin does not decide when their account opens again.
    boss = t.make_staff(
        "boss", role=StaffMembership.Role.AGENCY_ADMIN, agency=world.facility_1.agency
    )
    StaffMembership.objects.create(
        user=boss,
        agency=world.facility_1.agency,
        facility=world.facility_1,
        role=StaffMembership.Role.REVIEWER,
    )
    lock = lock_staff("boss")
    admin = client_for(world.facility_admin)
    assert f'id="lock-{lock.pk}"' not in admin.get("/console/signin-locks/").content.decode()
    assert admin.post(f"/console/signin-locks/{lock.pk}/release/").status_code == 404
    assert console_signin("boss") == 429


def test_release_needs_the_forms_csrf_token(world):
    lock = lock_staff("rev1")
    admin = client_for(world.facility_admin)
    admin.handler.enforce_csrf_checks = True
    assert admin.post(f"/console/signin-locks/{lock.pk}/release/").status_code == 403
    assert console_signin("rev1") == 429


def test_an_agency_admin_sees_locks_across_the_agency(world):
    agency_admin = t.make_staff(
        "agency1", role=StaffMembership.Role.AGENCY_ADMIN, agency=world.facility_1.agency
    )
    colleague = t.make_staff(
        "agency2", role=StaffMembership.Role.AGENCY_ADMIN, agency=world.facility_1.agency
    )
    lock = lock_staff(colleague.username)
    page = client_for(agency_admin).get("/console/signin-locks/").content.decode()
    assert f'id="lock-{lock.pk}"' in page
    # A facility admin does not release an agency-wide account.
    facility_admin = client_for(world.facility_admin)
    assert facility_admin.post(f"/console/signin-locks/{lock.pk}/release/").status_code == 404


def test_staff_open_a_resident_number_locked_at_the_kiosk(world):
    kiosk = device_client(world.facility_1)
    for _ in range(5):
        sign_in(kiosk, "NY1001", "0000")
    assert sign_in(kiosk, "NY1001").status_code == 429
    lock = SignInThrottle.objects.get(kind=Kind.KIOSK_NUMBER, subject="NY1001")
    admin = client_for(world.facility_admin)
    page = admin.get("/console/signin-locks/").content.decode()
    assert "NY1001" in page and "Greenhaven" in page
    # A reviewer is not an admin: the page and the button are not theirs.
    reviewer = client_for(world.reviewer_1)
    assert reviewer.get("/console/signin-locks/").status_code in (403, 404)
    assert reviewer.post(f"/console/signin-locks/{lock.pk}/release/").status_code in (403, 404)
    assert sign_in(kiosk, "NY1001").status_code == 429

    admin.post(f"/console/signin-locks/{lock.pk}/release/")
    assert sign_in(kiosk, "NY1001").status_code == 302


def test_staff_unpause_a_kiosk(world):
    kiosk = device_client(world.facility_1)
    for i in range(20):
        sign_in(kiosk, f"NY9{i:03d}", "1234")
    assert sign_in(kiosk, "NY1001").status_code == 429
    lock = SignInThrottle.objects.get(kind=Kind.KIOSK_DEVICE)
    admin = client_for(world.facility_admin)
    page = admin.get("/console/signin-locks/").content.decode()
    assert f'id="lock-{lock.pk}"' in page and "Hall tablet" in page
    admin.post(f"/console/signin-locks/{lock.pk}/release/")
    assert sign_in(kiosk, "NY1001").status_code == 302
