"""Adding staff and new password links (``people.staff_accounts``): an admin adds someone
only where they look after and with a role that belongs there; the link is shown once,
works once, and lets its owner choose a password and sign in; a new link stops the old
password and every session at once. Out of scope: 404 and nothing changes."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from homeward import builders as t
from homeward.core.errors import NotFound
from homeward.core.models import AuditEvent
from homeward.people import staff_accounts
from homeward.people.models import StaffMembership, User
from homeward.personas import client_for

Role = StaffMembership.Role
GOOD = "quiet harbour lantern 42"


def add(client: Client, place: str, **fields: str):
    data = {
        "username": "nkim",
        "first_name": "Nora",
        "last_name": "Kim",
        "email": "nkim@example.org",
        "role": Role.REVIEWER,
        "place": place,
    }
    return client.post("/console/staff/add/", {**data, **fields})


def link_in(response) -> str:
    assert "no-store" in response["Cache-Control"]  # the link is not kept by the browser
    [link] = re.findall(r"http://testserver(/console/password/[^<\s]+/)", response.content.decode())
    return link


def staff_state() -> tuple:
    return (
        sorted(User.objects.values_list("pk", "username", "password")),
        sorted(StaffMembership.objects.values_list("user_id", "facility_id", "role")),
    )


def test_an_admin_adds_a_reviewer_who_chooses_a_password_once_and_signs_in(world):
    admin = client_for(world.facility_admin)
    page = admin.get("/console/staff/").content.decode()
    # A facility admin adds at their own facility only, and never an agency admin.
    assert f'value="facility:{world.facility_1.pk}"' in page
    assert f'value="facility:{world.facility_2.pk}"' not in page and "agency:" not in page
    assert 'value="agency_admin"' not in page
    added = add(admin, f"facility:{world.facility_1.pk}", first_name="<b>Nora</b>")
    assert added.status_code == 201
    assert "&lt;b&gt;Nora&lt;/b&gt;" in added.content.decode()
    link = link_in(added)
    person = User.objects.get(username="nkim")
    assert not person.has_usable_password()
    assert list(person.memberships.values_list("facility_id", "role")) == [
        (world.facility_1.pk, Role.REVIEWER)
    ]
    assert AuditEvent.objects.filter(action="staff.added", object_id=str(person.pk)).exists()
    assert f'id="staff-{person.pk}"' in admin.get("/console/staff/").content.decode()

    browser = Client()
    assert "Choose a password" in browser.get(link).content.decode()
    different = browser.post(link, {"password": GOOD, "again": GOOD + "!"})
    assert different.status_code == 400 and "not the same" in different.content.decode()
    weak = browser.post(link, {"password": "password", "again": "password"})
    assert weak.status_code == 400 and "too common" in weak.content.decode()
    assert not User.objects.get(pk=person.pk).has_usable_password()
    chosen = browser.post(link, {"password": GOOD, "again": GOOD})
    assert chosen.status_code == 302 and chosen["Location"] == "/console/signin/"
    assert User.objects.get(pk=person.pk).check_password(GOOD)
    # The link worked once.
    assert "not valid" in browser.get(link).content.decode()
    again = browser.post(link, {"password": GOOD + "x", "again": GOOD + "x"})
    assert again.status_code == 400 and User.objects.get(pk=person.pk).check_password(GOOD)
    # The password signs in; the first sign-in sets up an authenticator app.
    browser = Client()
    signed = browser.post("/console/signin/", {"username": "nkim", "password": GOOD})
    assert signed.status_code == 302
    assert browser.get(signed["Location"])["Location"].startswith("/console/enrol/")


def test_a_facility_admin_adds_nobody_beyond_their_facility_or_their_roles(world):
    admin = client_for(world.facility_admin)
    before = staff_state()
    agency = world.facility_1.agency
    # A place they do not look after is not among the form's choices (nor the service's).
    for place in (f"facility:{world.facility_2.pk}", f"agency:{agency.pk}", "facility:nope"):
        refused = add(admin, place)
        assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
        with pytest.raises(NotFound):
            staff_accounts.add_staff(
                admin=world.facility_admin,
                username="nkim",
                first_name="Nora",
                last_name="Kim",
                email="",
                role=Role.REVIEWER,
                place=place,
            )
    here = f"facility:{world.facility_1.pk}"
    refused = add(admin, here, role=Role.AGENCY_ADMIN)
    assert refused.status_code == 400 and "Nobody was added" in refused.content.decode()
    taken = add(admin, here, username=world.reviewer_1.username.upper())
    assert taken.status_code == 409 and "is taken" in taken.content.decode()
    for bad in ({"username": "two words"}, {"username": ""}, {"email": "not-an-address"}):
        assert add(admin, here, **bad).status_code == 400, bad
    assert add(admin, here, first_name="   ").status_code == 400
    assert staff_state() == before
    assert not AuditEvent.objects.filter(action="staff.added").exists()
    for persona in (world.reviewer_1, world.investigator):
        assert add(client_for(persona), here).status_code == 403
    assert add(Client(), here).status_code == 302  # to sign in
    assert staff_state() == before


def test_an_agency_admin_adds_staff_across_the_agency_in_the_roles_that_belong_there(world):
    agency = world.facility_1.agency
    admin = client_for(t.make_staff("agency1", role=Role.AGENCY_ADMIN, agency=agency))
    page = admin.get("/console/staff/").content.decode()
    assert f'value="agency:{agency.pk}"' in page and 'value="agency_admin"' in page
    wide = f"agency:{agency.pk}"
    assert add(admin, wide, role=Role.FACILITY_ADMIN).status_code == 400
    assert add(admin, f"facility:{world.facility_1.pk}", role=Role.AGENCY_ADMIN).status_code == 400
    assert add(admin, wide, role=Role.INVESTIGATOR).status_code == 201
    person = User.objects.get(username="nkim")
    assert list(person.memberships.values_list("agency_id", "facility_id", "role")) == [
        (agency.pk, None, Role.INVESTIGATOR)
    ]
    # The other agency's facility is not theirs.
    assert add(admin, f"facility:{world.facility_2.pk}", username="other").status_code == 400
    assert not User.objects.filter(username="other").exists()


def test_a_new_password_link_stops_the_old_password_and_every_session_at_once(world):
    reviewer = world.reviewer_1
    signed_in = client_for(reviewer)
    assert signed_in.get("/console/queue/").status_code == 200
    made = client_for(world.facility_admin).post(f"/console/staff/{reviewer.pk}/password/")
    assert made.status_code == 200
    link = link_in(made)
    assert not User.objects.get(pk=reviewer.pk).has_usable_password()
    assert signed_in.get("/console/queue/").status_code == 302  # signed out
    refused = Client().post(
        "/console/signin/", {"username": reviewer.username, "password": t.PASSWORD}
    )
    assert refused.status_code == 400
    assert AuditEvent.objects.filter(action="staff.password_link_made").count() == 1
    assert Client().post(link, {"password": GOOD, "again": GOOD}).status_code == 302
    assert User.objects.get(pk=reviewer.pk).check_password(GOOD)


def test_nobody_makes_a_link_for_staff_they_do_not_look_after(world):
    before = staff_state()
    admin = client_for(world.facility_admin)
    assert admin.post(f"/console/staff/{world.reviewer_2.pk}/password/").status_code == 404
    assert admin.post(f"/console/staff/{world.facility_admin.pk}/password/").status_code == 404
    for persona in (world.reviewer_1, world.investigator):
        client = client_for(persona)
        assert client.post(f"/console/staff/{world.investigator.pk}/password/").status_code == 403
    assert staff_state() == before
    assert not AuditEvent.objects.filter(action="staff.password_link_made").exists()


def test_a_link_for_a_contact_or_a_broken_link_sets_no_password(world):
    """The console's page is for staff: a contact's own reset token (the same kind of
    token the website emails) opens nothing here; nor does a garbled one."""
    user = world.contact_a.user
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    before = staff_state()
    broken = (f"/console/password/{uid}/{token}/", f"/console/password/{uid}/x-y/")
    for path in (*broken, "/console/password/%%%/x/"):
        assert "not valid" in Client().get(path).content.decode()
        posted = Client().post(path, {"password": GOOD, "again": GOOD})
        assert posted.status_code in (400, 404)
    assert staff_state() == before


def test_a_deactivated_reviewer_is_signed_out_cannot_sign_in_and_comes_back_with_a_new_link(
    world,
):
    reviewer = world.reviewer_1
    signed_in = client_for(reviewer)
    assert signed_in.get("/console/queue/").status_code == 200
    old_link = staff_accounts.password_path(reviewer)  # one they were given before
    admin = client_for(world.facility_admin)
    done = admin.post(f"/console/staff/{reviewer.pk}/deactivate/", follow=True)
    assert done.status_code == 200 and "is deactivated" in done.content.decode()
    person = User.objects.get(pk=reviewer.pk)
    assert not person.is_active and not person.has_usable_password()
    assert person.memberships.exists()  # their work stays theirs
    assert signed_in.get("/console/queue/").status_code == 302  # signed out at once
    refused = Client().post(
        "/console/signin/", {"username": reviewer.username, "password": t.PASSWORD}
    )
    assert refused.status_code == 400
    assert "not valid" in Client().get(old_link).content.decode()
    assert Client().post(old_link, {"password": GOOD, "again": GOOD}).status_code == 400
    row = admin.get("/console/staff/").content.decode()
    assert "Deactivated" in row and f"/console/staff/{reviewer.pk}/reactivate/" in row
    assert f"/console/staff/{reviewer.pk}/password/" not in row
    # Deactivating again changes nothing; a link for a deactivated account is refused.
    admin.post(f"/console/staff/{reviewer.pk}/deactivate/")
    linked = admin.post(f"/console/staff/{reviewer.pk}/password/", follow=True)
    assert "reactivate them" in linked.content.decode()
    assert AuditEvent.objects.filter(action="staff.deactivated").count() == 1
    assert not AuditEvent.objects.filter(action="staff.password_link_made").exists()

    back = admin.post(f"/console/staff/{reviewer.pk}/reactivate/")
    assert back.status_code == 200 and "is reactivated" in back.content.decode()
    link = link_in(back)
    person = User.objects.get(pk=reviewer.pk)
    assert person.is_active and not person.has_usable_password()  # the old one never returns
    assert Client().post(link, {"password": GOOD, "again": GOOD}).status_code == 302
    browser = Client()
    signed = browser.post("/console/signin/", {"username": reviewer.username, "password": GOOD})
    assert signed.status_code == 302
    assert AuditEvent.objects.filter(action="staff.reactivated").count() == 1
    again = admin.post(f"/console/staff/{reviewer.pk}/reactivate/", follow=True)
    assert "is active already" in again.content.decode()
    assert AuditEvent.objects.filter(action="staff.reactivated").count() == 1


def test_nobody_deactivates_or_reactivates_staff_they_do_not_look_after(world):
    admin = client_for(world.facility_admin)
    before = staff_state(), sorted(User.objects.values_list("pk", "is_active"))
    for action in ("deactivate", "reactivate"):
        # The other agency's reviewer, and the admin themselves: not theirs to act on.
        for target in (world.reviewer_2, world.facility_admin):
            assert admin.post(f"/console/staff/{target.pk}/{action}/").status_code == 404
        for persona in (world.reviewer_1, world.investigator):
            path = f"/console/staff/{world.investigator.pk}/{action}/"
            assert client_for(persona).post(path).status_code == 403
        signed_out = Client().post(f"/console/staff/{world.reviewer_1.pk}/{action}/")
        assert signed_out.status_code == 302
        assert admin.get(f"/console/staff/{world.reviewer_1.pk}/{action}/").status_code == 405
    assert (staff_state(), sorted(User.objects.values_list("pk", "is_active"))) == before
    assert not AuditEvent.objects.filter(
        action__in=["staff.deactivated", "staff.reactivated"]
    ).exists()
    assert (
        world.reviewer_2.is_active
        and client_for(world.reviewer_2).get("/console/queue/").status_code == 200
    )
