"""The screening rule pages: facility and agency admins list, add, edit, switch off and test
rules, read the version history and the per-rule statistics. Everyone else is refused and
nothing changes."""

from __future__ import annotations

import re
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from homeward import builders as t
from homeward.console.views import rule_reports
from homeward.core.models import AuditEvent
from homeward.facilities.models import FacilityPolicy
from homeward.people.models import StaffMembership
from homeward.personas import client_for
from homeward.review import services as review
from homeward.screening import rules, selectors
from homeward.screening.library.loader import library_entries, library_version
from homeward.screening.models import Rule, RuleChange, RuleSetVersion
from homeward.screening.selectors import rules_in_force
from homeward.screening.tests.test_second_opinion import INNOCENT

A_FILM = INNOCENT[1]  # "... breaks out of a prison train": slang the second opinion clears

Role = StaffMembership.Role
BASE = "/console/rules/greenhaven"


@pytest.fixture
def admin(world) -> Client:
    return client_for(world.facility_admin)


@pytest.fixture
def tunnel(world) -> Rule:
    return rules.create_rule(
        actor=world.facility_admin,
        facility=world.facility_1,
        kind="phrase",
        pattern="tunnel",
        category="escape",
        action="block",
    )


@pytest.fixture
def gun(world) -> Rule:
    # A baseline rule marked sure (severity 3): it counts even as the only hit.
    return rules.create_rule(
        actor=None, kind="phrase", pattern="gun", category="weapons", action="flag", severity=3
    )


@pytest.fixture
def agency_admin(world):
    return t.make_staff("agencyadmin", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency)


def rule_state() -> tuple:
    return (
        sorted(Rule.objects.values_list("pk", "pattern", "action", "is_active")),
        RuleChange.objects.count(),
        RuleSetVersion.objects.count(),
        sorted(
            FacilityPolicy.objects.values_list("pk", "detector_actions", "second_opinion_clears")
        ),
    )


def table_rows(html: str, table_id: str) -> dict[str, list[str]]:
    """The cells of each body row of the table with this id, by the row's first cell."""
    table = html.split(f'id="{table_id}"')[1].split("</table>")[0]
    rows = ([c.split("</td>")[0] for c in row.split("<td>")[1:]] for row in table.split("<tr>")[2:])
    return {cells[0]: cells[1:] for cells in rows}


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


RULE_FORM = {
    "scope": "facility",
    "kind": "phrase",
    "pattern": "shovel",
    "other": "",
    "distance": "0",
    "category": "escape",
    "action": "flag",
    "severity": "2",
    "note": "Digging tools",
}


# --- listing ------------------------------------------------------------------------------


def test_the_index_lists_only_the_admins_facilities(world, admin):
    html = page(admin.get("/console/rules/"))
    assert "Greenhaven Correctional" in html and "Travis County Jail" not in html
    assert 'href="/console/rules/"' in html  # the console menu links here for admins


def test_the_list_marks_inherited_rules_and_offers_to_disable_them(world, admin, tunnel, gun):
    html = page(admin.get(f"{BASE}/"))
    assert "<strong>2</strong> rules in force" in html
    assert "<code>tunnel</code>" in html and "<code>gun</code>" in html
    assert html.count(">Inherited<") == 1  # gun, from the platform baseline
    assert f"{BASE}/{gun.pk}/switch/" in html and "Disable here" in html
    assert f"{BASE}/{tunnel.pk}/edit/" in html
    assert f"{BASE}/{gun.pk}/edit/" not in html  # baseline rules are not edited here


def test_the_list_says_which_version_of_the_rule_library_is_in_force(world, admin):
    page = admin.get(f"{BASE}/").content.decode()
    assert "The baseline rule library is not loaded" in page
    out = StringIO()
    call_command("load_rule_library", stdout=out)
    version = library_version(library_entries())
    assert f"Rule library version {version} ({len(library_entries())} rules) loaded" in (
        out.getvalue()
    )
    page = admin.get(f"{BASE}/").content.decode()
    assert f"Baseline rule library: version <code>{version}</code>" in page


def test_the_list_can_be_filtered(world, admin, tunnel, gun):
    html = page(admin.get(f"{BASE}/?category=weapons"))
    assert "<code>gun</code>" in html and "<code>tunnel</code>" not in html
    html = page(admin.get(f"{BASE}/?q=TUN"))
    assert "<code>tunnel</code>" in html and "<code>gun</code>" not in html


def walked(admin: Client, address: str) -> list[int]:
    """The rules the pages show, from ``address`` on, following each page's link to the
    next (which keeps the filter)."""
    shown = []
    while address:
        html = page(admin.get(address))
        shown += [int(pk) for pk in re.findall(r'<tr id="rule-(\d+)">', html)]
        found = re.search(r'<a href="(\?[^"]*after=\d+)">Next page</a>', html)
        address = f"{BASE}/{unescape(found[1])}" if found else ""
        assert "category=" not in address or "category=weapons" in address
    return shown


def test_the_whole_library_comes_a_page_at_a_time_in_order_each_rule_once(
    world, admin, tunnel, monkeypatch
):
    """The library's 500-odd rules are read a page at a time: the pages, followed by their
    links, are every rule that reaches the facility, once each, in the list's order, with
    the count in force said on each; a filter stays with the pages; a page that starts
    nowhere (a bad or foreign position) is the first."""
    call_command("load_rule_library", stdout=StringIO())
    every = [row.rule.pk for row in selectors.rule_rows(world.facility_1)]
    assert len(every) > 5 * selectors.RULES_PAGE
    assert walked(admin, f"{BASE}/") == every
    in_force = len(rules_in_force(world.facility_1))
    assert f"<strong>{in_force}</strong> rules in force" in page(
        admin.get(f"{BASE}/?after={every[150]}")
    )
    # Smaller pages, with a filter kept from page to page.
    monkeypatch.setattr(selectors, "RULES_PAGE", 7)
    rows = selectors.rule_rows(world.facility_1)
    weapons = [row.rule.pk for row in rows if row.rule.category == "weapons"]
    assert len(weapons) > 7 and walked(admin, f"{BASE}/?category=weapons") == weapons
    other = t.make_facility("auburn", agency=world.facility_1.agency)
    foreign = rules.create_rule(
        actor=t.make_staff("admin3", role=Role.FACILITY_ADMIN, facility=other),
        facility=other,
        kind="phrase",
        pattern="zebra crossing",
        category="escape",
        action="flag",
    )
    for bad in ("x", "-1", "99999999999999999999", str(foreign.pk)):
        html = page(admin.get(f"{BASE}/?category=weapons&after={bad}"))
        assert re.findall(r'<tr id="rule-(\d+)">', html)[0] == str(weapons[0]), bad
        assert "Back to the first page" in html


# --- adding and editing -------------------------------------------------------------------


def test_an_admin_adds_a_rule_that_is_in_force_at_once(world, admin):
    response = admin.post(f"{BASE}/add/", RULE_FORM)
    assert response.status_code == 302 and response["Location"] == f"{BASE}/"
    rule = Rule.objects.get(pattern="shovel")
    assert (rule.facility, rule.severity, rule.note) == (world.facility_1, 2, "Digging tools")
    assert [spec.pattern for spec in rules_in_force(world.facility_1)] == ["shovel"]
    assert f"Rule #{rule.pk} is added" in page(admin.get(response["Location"]))


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"pattern": "x"}, "at least two characters"),
        ({"kind": "regex", "pattern": "(a+)+"}, "could make screening very slow"),
        ({"kind": "regex", "pattern": "(ab)\\1"}, "back-references"),
        ({"kind": "near", "other": "", "distance": "3"}, "needs the other phrase"),
        ({"kind": "near", "other": "yard", "distance": "0"}, "distance from 1 to 20"),
        ({"category": "gossip"}, "Select a valid choice"),
        ({"scope": "agency"}, "Select a valid choice"),  # a facility admin has no agency scope
    ],
)
def test_a_bad_rule_is_explained_on_the_form_and_nothing_is_saved(world, admin, changes, says):
    before = rule_state()
    html = page(admin.post(f"{BASE}/add/", RULE_FORM | changes))
    assert says in html
    assert 'name="pattern"' in html  # the form is shown again, with what was typed
    assert rule_state() == before


def test_a_duplicate_is_explained(world, admin, tunnel):
    before = rule_state()
    html = page(admin.post(f"{BASE}/add/", RULE_FORM | {"pattern": "Tunnel"}))
    assert "already has that rule" in html
    assert rule_state() == before


def test_an_agency_admin_may_add_a_rule_for_the_whole_agency(world, agency_admin):
    client = client_for(agency_admin)
    assert "Every facility of" in page(client.get(f"{BASE}/add/"))
    response = client.post(f"{BASE}/add/", RULE_FORM | {"scope": "agency"})
    assert response.status_code == 302
    rule = Rule.objects.get(pattern="shovel")
    assert rule.scope == "agency" and rule.agency == world.facility_1.agency


def test_an_admin_edits_a_rule_and_sees_its_history(world, admin, tunnel):
    html = page(admin.get(f"{BASE}/{tunnel.pk}/edit/"))
    assert 'value="tunnel"' in html
    form = RULE_FORM | {"pattern": "tunnels", "action": "block", "category": "escape"}
    response = admin.post(f"{BASE}/{tunnel.pk}/edit/", form)
    assert response.status_code == 302
    tunnel.refresh_from_db()
    assert tunnel.pattern == "tunnels" and tunnel.scope == "facility"
    html = page(admin.get(f"{BASE}/{tunnel.pk}/"))
    assert "Edited" in html and "pattern: “tunnel” → “tunnels”" in html


def test_inherited_and_foreign_rules_cannot_be_edited(world, admin, gun):
    elsewhere = Rule.objects.create(facility=world.facility_2, pattern="money", category="fraud")
    before = rule_state()
    assert admin.get(f"{BASE}/{gun.pk}/edit/").status_code == 403
    assert admin.post(f"{BASE}/{gun.pk}/edit/", RULE_FORM).status_code == 403
    assert admin.get(f"{BASE}/{elsewhere.pk}/edit/").status_code == 404
    assert admin.post(f"{BASE}/{elsewhere.pk}/edit/", RULE_FORM).status_code == 404
    assert admin.get(f"/console/rules/travis-jail/{elsewhere.pk}/edit/").status_code == 404
    assert admin.get(f"{BASE}/999999/edit/").status_code == 404
    assert rule_state() == before


# --- switching off and on -----------------------------------------------------------------


def test_an_admin_switches_their_rule_off_and_on(world, admin, tunnel):
    admin.post(f"{BASE}/{tunnel.pk}/active/", {"active": "off"})
    assert rules_in_force(world.facility_1) == []
    html = page(admin.get(f"{BASE}/"))
    assert "Switched off" in html and "Switch on" in html
    admin.post(f"{BASE}/{tunnel.pk}/active/", {"active": "on"})
    assert len(rules_in_force(world.facility_1)) == 1


def test_disable_here_switches_a_baseline_rule_off_for_this_facility_only(world, admin, gun):
    response = admin.post(f"{BASE}/{gun.pk}/switch/", {"state": "off", "for": "facility"})
    assert response.status_code == 302
    assert rules_in_force(world.facility_1) == []
    assert len(rules_in_force(world.facility_2)) == 1
    html = page(admin.get(response["Location"]))
    assert "is switched off for Greenhaven Correctional" in html
    assert "Switched off here" in html and "Enable here again" in html

    admin.post(f"{BASE}/{gun.pk}/switch/", {"state": "on", "for": "facility"})
    assert len(rules_in_force(world.facility_1)) == 1


def test_a_facility_admin_cannot_switch_off_for_the_agency_or_touch_baseline_rules(
    world, admin, gun
):
    before = rule_state()
    response = admin.post(f"{BASE}/{gun.pk}/switch/", {"state": "off", "for": "agency"})
    assert response.status_code == 403
    assert admin.post(f"{BASE}/{gun.pk}/active/", {"active": "off"}).status_code == 403
    assert rule_state() == before


def test_switching_off_twice_says_so(world, admin, gun):
    admin.post(f"{BASE}/{gun.pk}/switch/", {"state": "off", "for": "facility"})
    response = admin.post(
        f"{BASE}/{gun.pk}/switch/", {"state": "off", "for": "facility"}, follow=True
    )
    assert "already switched off here" in response.content.decode()


# --- testing a text -----------------------------------------------------------------------


def test_the_test_box_highlights_hits_in_the_pasted_text(world, admin, tunnel, gun):
    html = page(admin.post(f"{BASE}/test/", {"text": "<b>dig</b> a tunnel & bring a gun"}))
    assert "Result: blocked" in html
    assert "&lt;b&gt;dig&lt;/b&gt;" in html  # the pasted text is never markup
    assert '<mark class="hit hit-block" title="Escape or security risk">tunnel</mark>' in html
    # The rule and the concept layer (bring + weapon) make one mark.
    assert '<mark class="hit" title="Weapons">bring a gun</mark>' in html
    assert f'href="{BASE}/{tunnel.pk}/"' in html
    assert not RuleSetVersion.objects.filter(summary__icontains="test").exists()


def test_the_test_box_works_with_a_link_and_sees_through_obfuscation(world, admin, tunnel):
    html = page(admin.get(f"{BASE}/test/", {"text": "meet at the T-U-N-N-E-L"}))
    assert "Result: blocked" in html and "<mark" in html
    html = page(admin.get(f"{BASE}/test/", {"text": "see you sunday"}))
    assert "Result: clear" in html and "Nothing in force here matches" in html
    assert "Result:" not in page(admin.get(f"{BASE}/test/"))


def test_the_test_box_answers_while_typing_with_just_the_result(world, admin, tunnel):
    """The page's script asks for ?partial=1 as the admin types and swaps in the answer."""
    page_html = page(admin.get(f"{BASE}/test/"))
    assert 'data-live-result="test-result"' in page_html and 'id="test-result"' in page_html
    html = page(admin.get(f"{BASE}/test/", {"text": "a <i>tunnel</i>", "partial": "1"}))
    assert "<html" not in html and "<form" not in html
    assert "Result: blocked" in html and "&lt;i&gt;" in html
    assert '<mark class="hit hit-block" title="Escape or security risk">tunnel</mark>' in html


def test_the_test_box_shows_detector_hits_with_the_facilitys_detector_settings(world, admin):
    text = {"text": "call my cousin at 212-555-0199 tonight"}
    html = page(admin.get(f"{BASE}/test/", text))
    assert "Detector: Phone numbers" in html and "Result: flagged for review" in html
    admin.post(f"{BASE}/detectors/", {"phone": "off"})
    html = page(admin.get(f"{BASE}/test/", text))
    assert "Detector: Phone numbers" not in html


# --- detectors ----------------------------------------------------------------------------


def test_an_admin_chooses_what_each_detector_does(world, admin):
    html = page(admin.get(f"{BASE}/"))
    assert '<label for="detector-phone">Phone numbers</label>' in html
    response = admin.post(f"{BASE}/detectors/", {"phone": "block", "url": "off"})
    assert response.status_code == 302
    world.facility_1.policy.refresh_from_db()
    assert world.facility_1.policy.detector_actions == {"phone": "block", "url": "off"}
    assert "detector settings are saved" in page(admin.get(response["Location"]))
    html = page(admin.get(f"{BASE}/"))
    assert '<option value="block" selected>Block</option>' in html


def test_a_bad_detector_setting_changes_nothing(world, admin):
    response = admin.post(f"{BASE}/detectors/", {"phone": "explode"}, follow=True)
    assert "flag, block or off" in response.content.decode()
    world.facility_1.policy.refresh_from_db()
    assert world.facility_1.policy.detector_actions == {}


# --- the second opinion ---------------------------------------------------------------------


def test_the_test_box_shows_what_the_second_opinion_cleared_and_an_admin_can_switch_it_off(
    world, admin
):
    text = {"text": A_FILM}
    html = page(admin.get(f"{BASE}/test/", text))
    assert "Result: clear" in html and "Cleared by the second opinion" in html
    assert "the words read as innocent: violating evidence" in html
    assert "<td>breaks out</td>" in html and "Nothing in force here matches" not in html
    response = admin.post(f"{BASE}/second-opinion/", {"clears": "off"})
    assert response.status_code == 302
    world.facility_1.policy.refresh_from_db()
    assert world.facility_1.policy.second_opinion_clears is False
    event = AuditEvent.objects.get(action="second_opinion.changed")
    assert event.data == {"clears": False} and event.facility_id == world.facility_1.pk
    assert "second opinion&#x27;s setting is saved" in page(admin.get(response["Location"]))
    html = page(admin.get(f"{BASE}/"))
    assert '<option value="off" selected>only raises messages to flag</option>' in html
    html = page(admin.get(f"{BASE}/test/", text))
    assert "Result: flagged for review" in html and "Cleared by the second opinion" not in html
    admin.post(f"{BASE}/second-opinion/", {"clears": "on"})
    assert "Result: clear" in page(admin.get(f"{BASE}/test/", text))
    assert AuditEvent.objects.filter(action="second_opinion.changed").count() == 2


def test_a_bad_second_opinion_setting_changes_nothing(world, admin):
    before = rule_state()
    response = admin.post(f"{BASE}/second-opinion/", {"clears": "maybe"}, follow=True)
    assert "on or off" in response.content.decode()
    assert rule_state() == before
    assert not AuditEvent.objects.filter(action="second_opinion.changed").exists()


# --- versions and statistics --------------------------------------------------------------


def test_the_version_history_lists_each_change_and_the_current_version(world, admin, tunnel):
    admin.post(f"{BASE}/{tunnel.pk}/active/", {"active": "off"})
    html = page(admin.get(f"{BASE}/versions/"))
    assert "v1" in html and "v2" in html
    assert "Added phrase “tunnel”" in html and f"Switched off rule #{tunnel.pk}" in html
    assert html.count(">Current<") == 1
    assert "admin1" in html


def _reviewed(world, make_task, body: str, decision: str) -> None:
    task = make_task(body)
    review.claim(staff=world.reviewer_1, task_id=task.pk)
    review.decide(
        staff=world.reviewer_1,
        task_id=task.pk,
        decision=decision,
        # Not escape: one escape violation suspends the sender at once, and the tests send on.
        reason_code="drugs" if decision == "block" else "",
    )


def test_statistics_show_hits_and_how_often_reviewers_overrode_a_rule(world, admin, make_task, gun):
    shovel = rules.create_rule(
        actor=world.facility_admin,
        facility=world.facility_1,
        kind="phrase",
        pattern="shovel",
        category="escape",
        action="flag",
    )
    _reviewed(world, make_task, "bring the shovel, shovel it all", "block")
    _reviewed(world, make_task, "I used a shovel in the garden", "approve")
    _reviewed(world, make_task, "a gun show on tv", "approve")
    make_task("the shovel is in the shed")  # not reviewed yet

    html = page(admin.get(f"{BASE}/stats/"))
    row = html.split(f'id="stats-{shovel.pk}"')[1].split("</tr>")[0]
    cells = [cell.split("</td>")[0] for cell in row.split("<td>")[4:]]
    assert cells == ["4", "3", "2", "1", "1", "50%"]  # hits, messages, reviewed, approved, blocked
    gun_row = html.split(f'id="stats-{gun.pk}"')[1].split("</tr>")[0]
    assert "100%" in gun_row
    # The rule reviewers override most comes first.
    assert html.index(f'id="stats-{gun.pk}"') < html.index(f'id="stats-{shovel.pk}"')
    assert AuditEvent.objects.filter(action="rules.stats_viewed").exists()

    html = page(admin.get(f"{BASE}/{shovel.pk}/"))
    assert "50%" in html and '<mark class="hit">shovel</mark> × 4' in html
    assert "Created" in html


def test_statistics_come_a_hundred_rules_to_a_page(world, admin, make_task, gun, monkeypatch):
    """A facility with the whole library has over five hundred rules (here 230): they
    come 100 to a page, those reviewers
    override most first; the period chosen stays in the links, and a page that is not one
    shows the first (past the end, the last). The other layers' entries come in pages too,
    each table's page kept while the other's changes."""
    Rule.objects.bulk_create(
        Rule(pattern=f"phrase {n}", category="escape", action="flag")  # baseline rules
        for n in range(230)
    )
    _reviewed(world, make_task, "a gun show on tv", "approve")
    count = len(selectors.rule_rows(world.facility_1))
    assert count > 230

    first = page(admin.get(f"{BASE}/stats/?days=7"))
    shown = re.findall(r'<tr id="stats-(\d+)">', first)
    assert len(shown) == 100 and shown[0] == str(gun.pk)
    assert f"Rules 1–100 of {count}" in first and "Previous rules" not in first
    assert "?days=7&amp;rules=2#by-rule" in first
    second = page(admin.get(f"{BASE}/stats/?days=7&rules=2"))
    again = re.findall(r'<tr id="stats-(\d+)">', second)
    assert len(again) == 100 and not set(again) & set(shown)
    assert f"Rules 101–200 of {count}" in second and "?days=7&amp;rules=1#by-rule" in second
    assert f"Rules 1–100 of {count}" in page(admin.get(f"{BASE}/stats/?rules=nope"))
    last = page(admin.get(f"{BASE}/stats/?rules=999"))
    assert f"of {count}</span>" in last and "More rules" not in last

    # Entries of the other layers (a slang word, a phone number), one to a page here.
    _reviewed(world, make_task, "yo the toolie still in the stash box, call 555-201-3344", "block")
    monkeypatch.setattr(rule_reports, "STATS_PAGE", 1)
    html = page(admin.get(f"{BASE}/stats/?rules=3"))
    entries = html.split('id="by-entry"')[1]
    assert "Entries 1–1 of" in entries and "?rules=3&amp;others=2#by-entry" in entries
    assert "Rules 3–3 of" in html


# --- the wrong persona --------------------------------------------------------------------


def _urls(rule: Rule, gun: Rule) -> list[tuple[str, str, dict]]:
    return [
        ("GET", "/console/rules/", {}),
        ("GET", f"{BASE}/", {}),
        ("GET", f"{BASE}/add/", {}),
        ("POST", f"{BASE}/add/", RULE_FORM),
        ("GET", f"{BASE}/test/?text=tunnel", {}),
        ("POST", f"{BASE}/test/", {"text": "tunnel"}),
        ("GET", f"{BASE}/versions/", {}),
        ("GET", f"{BASE}/stats/", {}),
        ("GET", f"{BASE}/{rule.pk}/", {}),
        ("GET", f"{BASE}/{rule.pk}/edit/", {}),
        ("POST", f"{BASE}/{rule.pk}/edit/", RULE_FORM),
        ("POST", f"{BASE}/{rule.pk}/active/", {"active": "off"}),
        ("POST", f"{BASE}/{gun.pk}/switch/", {"state": "off", "for": "facility"}),
        ("POST", f"{BASE}/detectors/", {"phone": "block"}),
        ("POST", f"{BASE}/second-opinion/", {"clears": "off"}),
    ]


@pytest.mark.parametrize("persona", ["reviewer_1", "reviewer_2", "investigator", "contact_a"])
def test_staff_without_an_admin_role_and_contacts_are_refused(world, tunnel, gun, persona):
    person = getattr(world, persona)
    client = client_for(getattr(person, "user", person))
    before = rule_state()
    for method, url, data in _urls(tunnel, gun):
        response = client.get(url) if method == "GET" else client.post(url, data)
        assert response.status_code == 403, (persona, method, url, response.status_code)
    assert rule_state() == before


def test_an_admin_of_another_facility_gets_not_found(world, tunnel, gun):
    client = client_for(t.make_staff("admin2", role=Role.FACILITY_ADMIN, facility=world.facility_2))
    before = rule_state()
    for method, url, data in _urls(tunnel, gun)[1:]:
        response = client.get(url) if method == "GET" else client.post(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
    assert "Greenhaven" not in page(client.get("/console/rules/"))
    assert rule_state() == before


def test_signed_out_visitors_are_sent_to_sign_in(world, tunnel, gun):
    before = rule_state()
    for method, url, data in _urls(tunnel, gun):
        client = Client()
        response = client.get(url) if method == "GET" else client.post(url, data)
        assert response.status_code == 302 and "/console/signin/" in response["Location"]
    assert rule_state() == before


TAGALOG = "Mahal kita anak ko, kumain ka na ba? Miss na miss ka na namin dito sa bahay."


def test_the_test_box_shows_every_layer_with_its_reasons(world, admin):
    html = page(
        admin.post(
            f"{BASE}/test/",
            {"text": "Make a knife from the tray and keep it hidden. Mahal kita anak ko."},
        )
    )
    assert "Result: flagged for review" in html
    assert "Concept rule: " in html and "weapon &#x27;knife&#x27;" in html
    html = page(
        admin.post(
            f"{BASE}/test/",
            {"text": TAGALOG},
        )
    )
    assert "Language not screened" in html and "the whole message" in html


def test_statistics_count_hits_and_overrides_per_layer(world, admin, make_task):
    _reviewed(world, make_task, "yo the toolie still in the stash box in the Impala?", "block")
    _reviewed(
        world,
        make_task,
        TAGALOG,
        "approve",
    )

    html = page(admin.get(f"{BASE}/stats/"))
    rows = table_rows(html, "layer-stats")
    # hits, messages, reviewed, approved, blocked, override rate
    assert rows["Slang"][1:] == ["1", "1", "0", "1", "0%"]
    assert rows["Language not screened"] == ["1", "1", "1", "1", "0", "100%"]
    assert rows["Decoder"] == ["0", "0", "0", "0", "0", "—"]


def test_statistics_count_what_the_second_opinion_cleared_and_what_reviewers_decided(
    world, admin, make_task
):
    assert "The second opinion cleared nothing here" in page(admin.get(f"{BASE}/stats/"))
    _reviewed(world, make_task, A_FILM, "approve")
    _reviewed(world, make_task, A_FILM, "block")
    make_task(A_FILM)  # not decided yet
    html = page(admin.get(f"{BASE}/stats/"))
    rows = table_rows(html, "cleared-stats")
    # hits cleared, messages, reviewed, approved, blocked
    assert rows == {"Slang": ["3", "3", "2", "1", "1"]}
    # Cleared hits are not counted as the layer's hits.
    assert table_rows(html, "layer-stats")["Slang"][0] == "0"
