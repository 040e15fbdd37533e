"""The enforcement policy pages: a facility's admins read the policy in force in plain words
(the defaults on a facility that never changed it) with every earlier version, and put a
new version in force. Wrong values are explained and nothing is saved. Staff of the
facility without an admin role are refused, staff of other facilities are told it does not
exist, and in either case nothing changes."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from homeward import builders as t
from homeward.core.models import AuditEvent
from homeward.enforcement import policies
from homeward.enforcement.models import EnforcementPolicy
from homeward.people.models import StaffMembership
from homeward.personas import client_for

Role = StaffMembership.Role
PAGE = "/console/enforcement/greenhaven/"
EDIT = "/console/enforcement/greenhaven/edit/"

# The defaults, as the form sends them back unchanged.
FORM = {
    "violations_to_suspend": "3",
    "violation_window_days": "30",
    "suspension_days": "30",
    "suspensions_to_revoke": "2",
    "suspension_window_days": "180",
    "suspend_at_once": ["escape", "harassment"],
    "automatic_blocks_count": "no",
    "on_the_way": "return",
}


@pytest.fixture
def admin(world) -> Client:
    return client_for(world.facility_admin)


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def section(html: str, marker: str, end: str) -> str:
    start = html.index(marker)
    return html[start : html.index(end, start)]


def saved_state() -> tuple:
    return (
        sorted(EnforcementPolicy.objects.values_list("pk", flat=True)),
        AuditEvent.objects.filter(action="enforcement_policy.added").count(),
    )


# --- reading ------------------------------------------------------------------------------


def test_a_fresh_facility_shows_the_defaults_in_plain_words(world, admin):
    html = page(admin.get(PAGE))
    in_force = section(html, 'id="in-force"', "</section>")
    assert "Never changed" in in_force
    assert "3 violations within 30 days suspend messaging for 30 days." in in_force
    # The service: a second suspension within the window is a revocation.
    assert "A second suspension within 180 days is a revocation instead" in in_force
    assert (
        "suspends messaging at once: Escape or security risk; Harassment of a victim or witness."
        in in_force
    )
    assert "No category revokes messaging at once." in in_force
    assert "Only blocks a reviewer confirmed count" in in_force
    assert "returned undelivered, and refunded" in in_force
    assert "No versions yet" in html
    assert 'href="/console/enforcement/greenhaven/edit/"' in html


def test_the_form_holds_the_policy_in_force(world, admin):
    policies.add(
        staff=world.facility_admin,
        facility=world.facility_1,
        violations_to_suspend=5,
        revoke_at_once=["weapons"],
        on_the_way="hold",
    )
    html = page(admin.get(EDIT))
    assert 'name="violations_to_suspend" value="5"' in html
    checked = [
        (re.search(r'name="(\w+)"', tag)[1], re.search(r'value="(\w+)"', tag)[1])
        for tag in re.findall(r"<input [^>]*>", html)
        if " checked" in tag
    ]
    assert sorted(checked) == [
        ("automatic_blocks_count", "no"),
        ("on_the_way", "hold"),
        ("revoke_at_once", "weapons"),
        ("suspend_at_once", "escape"),
        ("suspend_at_once", "harassment"),
    ]


# --- changing -----------------------------------------------------------------------------


def test_an_admin_changes_the_policy_and_the_new_version_is_in_force_and_listed(world, admin):
    first = policies.add(staff=world.facility_admin, facility=world.facility_1)
    response = admin.post(
        EDIT,
        {
            **FORM,
            "violations_to_suspend": "2",
            "violation_window_days": "14",
            "suspension_days": "60",
            "suspensions_to_revoke": "3",
            "suspension_window_days": "365",
            "suspend_at_once": ["violence"],
            "revoke_at_once": ["escape", "weapons"],
            "automatic_blocks_count": "yes",
            "on_the_way": "hold",
        },
    )
    assert response.status_code == 302 and response["Location"] == PAGE
    now = policies.in_force(world.facility_1)
    assert now.pk != first.pk and now.created_by == world.facility_admin
    assert (now.violations_to_suspend, now.violation_window_days, now.suspension_days) == (
        2,
        14,
        60,
    )
    assert (now.suspensions_to_revoke, now.suspension_window_days) == (3, 365)
    assert (now.suspend_at_once, now.revoke_at_once) == (["violence"], ["escape", "weapons"])
    assert now.automatic_blocks_count is True and now.on_the_way == "hold"
    event = AuditEvent.objects.filter(action="enforcement_policy.added").latest("id")
    assert event.actor_user == world.facility_admin and event.object_id == str(now.pk)
    assert event.facility_id == world.facility_1.pk and event.data["suspension_days"] == 60

    html = page(admin.get(PAGE))
    assert "The new policy is in force from now on." in html
    in_force = section(html, 'id="in-force"', "</section>")
    assert "Never changed" not in in_force and "set by admin1" in in_force
    assert "2 violations within 14 days suspend messaging for 60 days." in in_force
    assert "A third suspension within 365 days is a revocation instead" in in_force
    assert "revokes messaging at once: Escape or security risk; Weapons." in in_force
    assert "Blocks by screening alone count as violations" in in_force
    assert "held, and delivered when it ends" in in_force
    new_row = section(html, f'id="version-{now.pk}"', "</tr>")
    old_row = section(html, f'id="version-{first.pk}"', "</tr>")
    assert "In force now" in new_row and "admin1" in new_row and "Held" in new_row
    assert "Replaced" in old_row and "3 violations within 30 days" in old_row
    assert html.index(f'id="version-{now.pk}"') < html.index(f'id="version-{first.pk}"')


def test_zero_means_never_and_one_means_every_time(world, admin):
    response = admin.post(
        EDIT,
        {**FORM, "violations_to_suspend": "0", "suspensions_to_revoke": "1", "suspend_at_once": []},
    )
    assert response.status_code == 302
    now = policies.in_force(world.facility_1)
    assert (now.violations_to_suspend, now.suspensions_to_revoke, now.suspend_at_once) == (
        0,
        1,
        [],
    )
    in_force = section(page(admin.get(PAGE)), 'id="in-force"', "</section>")
    assert "Violations never add up to a suspension." in in_force
    assert "Every suspension is a revocation instead" in in_force
    assert "No category suspends messaging at once." in in_force


def test_an_agency_admin_changes_the_policy_of_a_facility_of_the_agency(world):
    agency_admin = t.make_staff(
        "agencyadmin", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency
    )
    client = client_for(agency_admin)
    assert client.post(EDIT, {**FORM, "suspension_days": "7"}).status_code == 302
    assert policies.in_force(world.facility_1).suspension_days == 7
    assert "set by agencyadmin" in page(client.get(PAGE))
    assert client.get("/console/enforcement/travis-jail/").status_code == 404  # another agency


def test_the_nav_takes_an_admin_to_the_policy_and_not_a_reviewer(world, admin):
    assert 'href="/console/enforcement/greenhaven/"' in page(admin.get("/console/"))
    assert "/console/enforcement/" not in page(client_for(world.reviewer_1).get("/console/"))


BAD_INPUT = [
    ({"suspension_days": "0"}, "suspension_days", "Enter a whole number from 1 to 3,650."),
    ({"violation_window_days": "4000"}, "violation_window_days", "from 1 to 3,650"),
    ({"violations_to_suspend": "51"}, "violations_to_suspend", "from 0 to 50"),
    ({"suspensions_to_revoke": "-1"}, "suspensions_to_revoke", "from 0 to 50"),
    ({"suspension_window_days": "many"}, "suspension_window_days", "Enter a whole number."),
    ({"suspension_days": ""}, "suspension_days", "This field is required."),
    (
        {"suspend_at_once": ["escape"], "revoke_at_once": ["escape", "weapons"]},
        "revoke_at_once",
        "either suspends or revokes at once, not both: Escape or security risk.",
    ),
    ({"revoke_at_once": ["treason"]}, "revoke_at_once", "Select a valid choice."),
    ({"on_the_way": "burn"}, "on_the_way", "Select a valid choice."),
    ({"automatic_blocks_count": "maybe"}, "automatic_blocks_count", "Select a valid choice."),
]


@pytest.mark.parametrize(("change", "field", "says"), BAD_INPUT)
def test_a_wrong_value_is_explained_next_to_its_field_and_nothing_is_saved(
    world, admin, change, field, says
):
    before = saved_state()
    response = admin.post(EDIT, {**FORM, **change})
    assert response.status_code == 400
    html = response.content.decode().replace("&#x27;", "'")
    assert "Nothing was saved." in html
    # The message sits with its field, before the input.
    start = html.index(f'id="field-{field}"')
    ends = [html.find(mark, start + 1) for mark in ('class="field"', 'class="actions"')]
    own = html[start : min(end for end in ends if end > 0)]
    assert says in own and own.index(says) < own.index(f'name="{field}"')
    assert saved_state() == before
    assert policies.in_force(world.facility_1).pk is None  # still the defaults


# --- who may --------------------------------------------------------------------------------


def requests() -> list[tuple[str, str]]:
    return [("GET", PAGE), ("GET", EDIT), ("POST", EDIT)]


def attempt(client: Client, method: str, url: str):
    return (
        client.get(url) if method == "GET" else client.post(url, {**FORM, "suspension_days": "1"})
    )


@pytest.mark.parametrize("persona", ["reviewer_1", "investigator", "contact_a"])
def test_staff_of_the_facility_without_an_admin_role_and_contacts_are_refused(world, persona):
    person = getattr(world, persona)
    client = client_for(getattr(person, "user", person))
    before = saved_state()
    for method, url in requests():
        response = attempt(client, method, url)
        assert response.status_code == 403, (persona, method, url, response.status_code)
        if persona != "contact_a":
            assert "for facility admins and agency admins" in response.content.decode()
    assert saved_state() == before


@pytest.mark.parametrize("persona", ["reviewer_2", "admin_of_facility_2"])
def test_staff_of_another_facility_get_not_found(world, persona):
    if persona == "admin_of_facility_2":
        user = t.make_staff("admin2", role=Role.FACILITY_ADMIN, facility=world.facility_2)
        assert client_for(user).get("/console/enforcement/travis-jail/").status_code == 200
    else:
        user = world.reviewer_2
    client = client_for(user)
    before = saved_state()
    for method, url in requests():
        response = attempt(client, method, url)
        assert response.status_code == 404, (persona, method, url, response.status_code)
    assert saved_state() == before


def test_signed_out_visitors_are_sent_to_sign_in(world):
    before = saved_state()
    for method, url in requests():
        response = attempt(Client(), method, url)
        assert response.status_code == 302 and "/console/signin/" in response["Location"]
    assert saved_state() == before


def test_an_unknown_facility_is_not_found(world, admin):
    assert admin.get("/console/enforcement/nowhere/").status_code == 404
    assert admin.post("/console/enforcement/nowhere/edit/", FORM).status_code == 404


# --- escaping -------------------------------------------------------------------------------


def test_the_facility_name_is_escaped(world):
    facility = t.make_facility(
        "bold", agency=world.facility_1.agency, name="<b>Bold</b> & <script>x()</script>"
    )
    client = client_for(t.make_staff("boldadmin", role=Role.FACILITY_ADMIN, facility=facility))
    for url in ("/console/enforcement/bold/", "/console/enforcement/bold/edit/"):
        html = page(client.get(url))
        assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;script&gt;x()&lt;/script&gt;" in html
        assert "<b>Bold" not in html and "<script>x()" not in html
