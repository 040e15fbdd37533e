"""Managing screening rules: who may change what, validation, history, versions, and the
rules in force at each facility (baseline → agency → facility, minus what is switched off)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from homeward import builders as t
from homeward.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from homeward.core.models import AuditEvent
from homeward.facilities.models import FacilityPolicy
from homeward.messaging import services as messaging
from homeward.people.models import StaffMembership
from homeward.review.models import ScreeningResult
from homeward.screening import engine, rules
from homeward.screening.engine import RuleSpec
from homeward.screening.models import Rule, RuleChange, RuleSetVersion
from homeward.screening.selectors import rules_in_force

Role = StaffMembership.Role


@pytest.fixture
def agency_admin(world):
    return t.make_staff("agencyadmin", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency)


@pytest.fixture
def sister(world):
    """A second facility of facility 1's agency."""
    return t.make_facility("sing-sing", agency=world.facility_1.agency)


def add(actor, *, facility=None, agency=None, **fields) -> Rule:
    fields = {"kind": "phrase", "pattern": "tunnel", "category": "escape", "action": "flag"} | (
        fields
    )
    return rules.create_rule(actor=actor, facility=facility, agency=agency, **fields)


def baseline(pattern: str = "gun", **fields) -> Rule:
    return add(None, pattern=pattern, **({"category": "weapons"} | fields))


def patterns(facility) -> list[str]:
    return [spec.pattern for spec in rules_in_force(facility)]


def saved() -> tuple[int, int, int, int]:
    """Everything a refused change must leave as it was."""
    return (
        Rule.objects.count(),
        RuleChange.objects.count(),
        RuleSetVersion.objects.count(),
        AuditEvent.objects.filter(action__startswith="rule").count(),
    )


# --- creating rules and what is in force ------------------------------------------------


def test_a_facility_admins_rule_is_in_force_only_at_their_facility(world):
    rule = add(world.facility_admin, facility=world.facility_1, action="block", severity=3)

    assert rule.scope == "facility" and rule.created_by == world.facility_admin
    assert patterns(world.facility_1) == ["tunnel"]
    assert patterns(world.facility_2) == [] and patterns(None) == []
    event = AuditEvent.objects.get(action="rule.created")
    assert event.actor_user == world.facility_admin and event.facility_id == world.facility_1.pk


def test_rules_in_force_carry_every_field_the_engine_needs(world):
    rule = add(
        world.facility_admin,
        facility=world.facility_1,
        kind="near",
        pattern="meet",
        other="yard",
        distance=3,
        category="escape",
        action="block",
        severity=2,
    )
    assert rules_in_force(world.facility_1) == [
        RuleSpec(
            id=rule.pk,
            kind="near",
            pattern="meet",
            category="escape",
            action="block",
            severity=2,
            other="yard",
            distance=3,
        )
    ]


def test_baseline_then_agency_then_facility_rules_reach_a_facility(world, agency_admin, sister):
    baseline("gun")
    add(agency_admin, agency=world.facility_1.agency, pattern="cash app", category="fraud")
    add(world.facility_admin, facility=world.facility_1, pattern="tunnel")

    assert patterns(world.facility_1) == ["gun", "cash app", "tunnel"]
    assert patterns(sister) == ["gun", "cash app"]
    assert patterns(world.facility_2) == ["gun"]
    assert patterns(None) == ["gun"]


def test_the_scope_always_follows_the_owner(world):
    rule = Rule.objects.create(facility=world.facility_1, pattern="yard", category="other")
    assert rule.scope == "facility"
    with pytest.raises(IntegrityError), transaction.atomic():
        Rule.objects.filter(pk=rule.pk).update(scope="baseline")


# --- history and versions ----------------------------------------------------------------


def test_every_change_is_recorded_with_the_rule_before_and_after(world):
    rule = add(world.facility_admin, facility=world.facility_1)
    rules.update_rule(actor=world.facility_admin, rule_id=rule.pk, pattern="the tunnel")
    rules.set_rule_active(actor=world.facility_admin, rule_id=rule.pk, active=False)
    rules.set_rule_active(actor=world.facility_admin, rule_id=rule.pk, active=True)

    history = list(rule.changes.order_by("id"))
    assert [change.what for change in history] == ["created", "edited", "disabled", "enabled"]
    assert history[0].before is None and history[0].after["pattern"] == "tunnel"
    assert history[1].before["pattern"] == "tunnel" and history[1].after["pattern"] == "the tunnel"
    assert history[2].after["is_active"] is False
    assert all(change.actor == world.facility_admin for change in history)
    assert AuditEvent.objects.filter(action__startswith="rule.").count() == 4


def test_each_change_makes_a_new_version_with_the_fingerprint_screening_records(world, run_jobs):
    first = add(world.facility_admin, facility=world.facility_1)
    rules.update_rule(actor=world.facility_admin, rule_id=first.pk, action="block")

    versions = list(RuleSetVersion.objects.filter(facility=world.facility_1).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].summary.startswith(f"Edited rule #{first.pk}")
    assert versions[1].created_by == world.facility_admin and versions[1].rule_count == 1
    assert versions[1].fingerprint == engine.ruleset_version(rules_in_force(world.facility_1))
    # Facility 2's rules did not change, so it has no new version.
    assert not RuleSetVersion.objects.filter(facility=world.facility_2).exists()

    connection = world.contact_a.connections.get()
    message = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="dig a tunnel"
    ).message
    run_jobs()
    result = ScreeningResult.objects.get(message=message)
    assert result.verdict == "block"
    assert result.rules_version == versions[1].fingerprint


def test_a_baseline_change_makes_a_version_at_every_facility(world):
    baseline("gun")
    assert set(RuleSetVersion.objects.values_list("facility", flat=True)) == {
        None,
        world.facility_1.pk,
        world.facility_2.pk,
    }


def test_an_edit_that_changes_nothing_records_nothing(world):
    rule = add(world.facility_admin, facility=world.facility_1)
    before = saved()
    rules.update_rule(actor=world.facility_admin, rule_id=rule.pk, pattern="  tunnel ")
    rules.set_rule_active(actor=world.facility_admin, rule_id=rule.pk, active=True)
    assert saved() == before


def test_record_version_only_adds_a_row_when_the_rules_changed(world):
    Rule.objects.create(facility=world.facility_1, pattern="yard", category="other")
    first = rules.record_version(world.facility_1, summary="Library loaded")
    again = rules.record_version(world.facility_1)
    assert first == again and first.number == 1 and first.rule_count == 1


# --- validation: nothing half-saved -------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"pattern": ""}, "pattern_too_short"),
        ({"pattern": "a"}, "pattern_too_short"),
        ({"pattern": "  b  "}, "pattern_too_short"),
        ({"pattern": "aaa"}, "pattern_too_short"),  # folds to one letter, like "a"
        ({"pattern": "!!"}, "pattern_too_short"),
        ({"pattern": "x" * 201}, "pattern_too_long"),
        ({"kind": "soundex"}, "unknown_kind"),
        ({"category": "gossip"}, "unknown_category"),
        ({"action": "shout"}, "unknown_action"),
        ({"severity": 4}, "severity_out_of_range"),
        ({"severity": 0}, "severity_out_of_range"),
        ({"kind": "near", "distance": 3}, "other_required"),
        ({"kind": "unless", "other": "q"}, "other_too_short"),
        ({"kind": "near", "other": "yard", "distance": 0}, "distance_out_of_range"),
        ({"kind": "near", "other": "yard", "distance": 21}, "distance_out_of_range"),
        ({"kind": "near", "other": "yard", "distance": "far"}, "distance_out_of_range"),
        ({"kind": "unless", "other": "room", "distance": 2}, "distance_not_used"),
        ({"other": "yard"}, "other_not_used"),
    ],
)
def test_bad_rules_are_refused_with_a_clear_code_and_nothing_saved(world, fields, code):
    before = saved()
    with pytest.raises(DomainError) as caught:
        add(world.facility_admin, facility=world.facility_1, **fields)
    assert caught.value.code == code and caught.value.message
    assert saved() == before


@pytest.mark.parametrize(
    ("pattern", "code"),
    [
        (r"(a+)+", "regex_dangerous"),
        (r"(.*)*x", "regex_dangerous"),
        (r"(ab|a)+c", "regex_dangerous"),
        (r"(\w+\s?)+x", "regex_dangerous"),
        (r".*gun.*now", "regex_dangerous"),
        (r"\d+\d+x", "regex_dangerous"),
        (r"x{500}", "regex_dangerous"),
        (r"(ab)\1", "regex_unsupported"),
        (r"(?=gun)gu", "regex_unsupported"),
        (r"(?<!shot)gun", "regex_unsupported"),
        (r"(?>gun)s", "regex_unsupported"),
        (r"caf\u00e9s", "regex_unsupported"),  # Python reads it, hyperscan cannot
        (r"(gun", "regex_invalid"),
        (r"x*", "regex_matches_empty"),
    ],
)
def test_regexes_that_are_slow_unsupported_or_broken_are_refused(world, pattern, code):
    before = saved()
    with pytest.raises(DomainError) as caught:
        add(world.facility_admin, facility=world.facility_1, kind="regex", pattern=pattern)
    assert caught.value.code == code, caught.value.message
    assert saved() == before


@pytest.mark.parametrize(
    "pattern",
    [
        r"cash\s*app",
        r"\d{3}-\d{4}",
        r"(cat|dog)s?",
        r"[a-z]+@[a-z]+\.com",
        r"(\d{1,3}\.){3}\d{1,3}",
    ],
)
def test_safe_regexes_are_saved_and_compile(world, pattern):
    rule = add(world.facility_admin, facility=world.facility_1, kind="regex", pattern=pattern)
    assert rule.pattern == pattern
    engine.compile_ruleset(rules_in_force(world.facility_1))


def test_a_rule_cannot_be_edited_into_a_bad_one(world):
    rule = add(world.facility_admin, facility=world.facility_1, kind="regex", pattern=r"tun+el")
    before = saved()
    with pytest.raises(DomainError) as caught:
        rules.update_rule(actor=world.facility_admin, rule_id=rule.pk, pattern=r"(tun+)+el")
    assert caught.value.code == "regex_dangerous"
    rule.refresh_from_db()
    assert rule.pattern == r"tun+el" and saved() == before


# --- duplicates ---------------------------------------------------------------------------


def test_a_duplicate_in_the_same_scope_is_refused_whatever_its_case(world):
    add(world.facility_admin, facility=world.facility_1, pattern="Break  Out")
    before = saved()
    with pytest.raises(DomainError) as caught:
        add(world.facility_admin, facility=world.facility_1, pattern="break out", action="block")
    assert caught.value.code == "duplicate_rule"
    assert saved() == before


def test_a_switched_off_duplicate_says_to_switch_it_on(world):
    rule = add(world.facility_admin, facility=world.facility_1)
    rules.set_rule_active(actor=world.facility_admin, rule_id=rule.pk, active=False)
    with pytest.raises(DomainError) as caught:
        add(world.facility_admin, facility=world.facility_1)
    assert "switch it on" in caught.value.message


def test_the_same_words_may_exist_in_other_scopes_and_kinds(world, agency_admin):
    add(world.facility_admin, facility=world.facility_1)
    add(agency_admin, agency=world.facility_1.agency)
    add(None)
    add(
        t.make_staff("admin2", role=Role.FACILITY_ADMIN, facility=world.facility_2),
        facility=world.facility_2,
    )
    add(world.facility_admin, facility=world.facility_1, kind="tolerant")
    assert Rule.objects.filter(pattern="tunnel").count() == 5


def test_editing_into_a_duplicate_is_refused(world):
    add(world.facility_admin, facility=world.facility_1, pattern="tunnel")
    other = add(world.facility_admin, facility=world.facility_1, pattern="shovel")
    with pytest.raises(DomainError) as caught:
        rules.update_rule(actor=world.facility_admin, rule_id=other.pk, pattern="TUNNEL")
    assert caught.value.code == "duplicate_rule"
    other.refresh_from_db()
    assert other.pattern == "shovel"


# --- who may change what ------------------------------------------------------------------


def test_staff_without_an_admin_role_cannot_add_rules(world):
    before = saved()
    with pytest.raises(PermissionDenied):
        add(world.reviewer_1, facility=world.facility_1)
    with pytest.raises(PermissionDenied):
        add(world.investigator, facility=world.facility_1)
    with pytest.raises(NotFound):  # another facility's reviewer may not even learn it exists
        add(world.reviewer_2, facility=world.facility_1)
    assert saved() == before


def test_a_facility_admin_may_not_add_agency_or_baseline_rules(world):
    before = saved()
    with pytest.raises(PermissionDenied):
        add(world.facility_admin, agency=world.facility_1.agency)
    with pytest.raises(PermissionDenied):
        add(world.facility_admin)
    with pytest.raises(NotFound):
        add(world.facility_admin, facility=world.facility_2)
    assert saved() == before


def test_a_facility_admin_cannot_change_rules_of_other_scopes(world):
    gun = baseline("gun")
    elsewhere = Rule.objects.create(facility=world.facility_2, pattern="money", category="fraud")
    before = saved()
    with pytest.raises(PermissionDenied):
        rules.update_rule(actor=world.facility_admin, rule_id=gun.pk, action="block")
    with pytest.raises(PermissionDenied):
        rules.set_rule_active(actor=world.facility_admin, rule_id=gun.pk, active=False)
    with pytest.raises(NotFound):
        rules.update_rule(actor=world.facility_admin, rule_id=elsewhere.pk, action="block")
    with pytest.raises(NotFound):
        rules.set_rule_active(actor=world.facility_admin, rule_id=elsewhere.pk, active=False)
    with pytest.raises(DomainError) as caught:
        rules.update_rule(actor=world.facility_admin, rule_id=gun.pk, scope="facility")
    assert caught.value.code == "bad_field"
    assert saved() == before


def test_an_agency_admins_rule_reaches_every_facility_of_the_agency(world, agency_admin, sister):
    add(agency_admin, agency=world.facility_1.agency, pattern="cash app", category="fraud")
    touched = set(RuleSetVersion.objects.values_list("facility", flat=True))
    assert touched == {world.facility_1.pk, sister.pk}


# --- switching off inherited rules --------------------------------------------------------


def test_a_facility_admin_switches_a_baseline_rule_off_for_their_facility_only(world):
    gun = baseline("gun")
    switch = rules.disable_inherited(
        actor=world.facility_admin, rule_id=gun.pk, facility=world.facility_1
    )
    assert switch.disables == gun and switch.scope == "facility"
    assert patterns(world.facility_1) == []
    assert patterns(world.facility_2) == ["gun"]
    gun.refresh_from_db()
    assert gun.is_active  # the baseline rule itself is untouched
    assert switch.changes.get().what == "disabled"

    with pytest.raises(Conflict):
        rules.disable_inherited(
            actor=world.facility_admin, rule_id=gun.pk, facility=world.facility_1
        )
    rules.enable_inherited(actor=world.facility_admin, rule_id=gun.pk, facility=world.facility_1)
    assert patterns(world.facility_1) == ["gun"]
    assert [c.what for c in switch.changes.order_by("id")] == ["disabled", "enabled"]
    assert RuleSetVersion.objects.filter(facility=world.facility_1).count() == 3


def test_an_agency_admin_switches_a_baseline_rule_off_for_the_agency(world, agency_admin, sister):
    gun = baseline("gun")
    rules.disable_inherited(actor=agency_admin, rule_id=gun.pk, agency=world.facility_1.agency)
    assert patterns(world.facility_1) == [] and patterns(sister) == []
    assert patterns(world.facility_2) == ["gun"]


def test_a_facility_admin_switches_an_agency_rule_off_here(world, agency_admin, sister):
    rule = add(agency_admin, agency=world.facility_1.agency, pattern="cash app", category="fraud")
    rules.disable_inherited(actor=world.facility_admin, rule_id=rule.pk, facility=world.facility_1)
    assert patterns(world.facility_1) == [] and patterns(sister) == ["cash app"]


def test_only_inherited_rules_can_be_switched_off_from_below(world, agency_admin):
    own = add(world.facility_admin, facility=world.facility_1)
    agency_rule = add(agency_admin, agency=world.facility_1.agency, pattern="cash app")
    gun = baseline("gun")
    before = saved()
    with pytest.raises(DomainError) as caught:
        rules.disable_inherited(
            actor=world.facility_admin, rule_id=own.pk, facility=world.facility_1
        )
    assert caught.value.code == "not_inherited"
    with pytest.raises(DomainError) as caught:
        rules.disable_inherited(
            actor=agency_admin, rule_id=agency_rule.pk, agency=world.facility_1.agency
        )
    assert caught.value.code == "not_inherited"
    with pytest.raises(PermissionDenied):  # a facility admin cannot speak for the agency
        rules.disable_inherited(
            actor=world.facility_admin, rule_id=gun.pk, agency=world.facility_1.agency
        )
    with pytest.raises(NotFound):
        rules.disable_inherited(actor=world.reviewer_2, rule_id=gun.pk, facility=world.facility_1)
    assert saved() == before


# --- detector actions ---------------------------------------------------------------------


def test_a_facility_admin_sets_detector_actions(world):
    policy = rules.set_detector_actions(
        actor=world.facility_admin,
        facility=world.facility_1,
        actions={"phone": "block", "url": "off"},
        known=["phone", "url", "payment"],
    )
    assert policy.detector_actions == {"phone": "block", "url": "off"}
    assert AuditEvent.objects.filter(action="detectors.changed").count() == 1

    for actions, code in [
        ({"fax": "flag"}, "unknown_detector"),
        ({"phone": "maybe"}, "unknown_action"),
    ]:
        with pytest.raises(DomainError) as caught:
            rules.set_detector_actions(
                actor=world.facility_admin,
                facility=world.facility_1,
                actions=actions,
                known=["phone", "url"],
            )
        assert caught.value.code == code
    with pytest.raises(PermissionDenied):
        rules.set_detector_actions(
            actor=world.reviewer_1,
            facility=world.facility_1,
            actions={"url": "flag"},
            known=["url"],
        )
    assert FacilityPolicy.objects.get(facility=world.facility_1).detector_actions == {
        "phone": "block",
        "url": "off",
    }


# --- the database backs the services ------------------------------------------------------


def test_the_database_refuses_a_duplicate_even_without_the_service(world):
    Rule.objects.create(facility=world.facility_1, pattern="Tunnel", category="escape")
    with pytest.raises(IntegrityError), transaction.atomic():
        Rule.objects.create(facility=world.facility_1, pattern="tunnel", category="weapons")
    Rule.objects.create(facility=world.facility_2, pattern="tunnel", category="escape")
    Rule.objects.create(pattern="tunnel", category="escape")
    with pytest.raises(IntegrityError), transaction.atomic():
        Rule.objects.create(pattern="TUNNEL", category="escape")
