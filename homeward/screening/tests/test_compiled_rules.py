"""A worker keeps each facility's compiled rules between messages and reads the rules table
again only after a rule changed: screening a message then costs one small read, and a
change (through the services, the Django admin or the library loader) is in force for the
very next message, on every worker."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from homeward import builders as t
from homeward.people.models import StaffMembership
from homeward.screening import rules
from homeward.screening.models import Rule
from homeward.screening.services import screen_text

pytestmark = pytest.mark.django_db

TEXT = "Say hello to the purple giraffe on Friday."


def flagged(facility) -> bool:
    return screen_text(facility, TEXT).verdict.verdict != "clear"


@pytest.fixture
def admin(world):
    return t.make_staff(
        "rules-admin", role=StaffMembership.Role.FACILITY_ADMIN, facility=world.facility_1
    )


def add_tunnel(admin, facility) -> Rule:
    return rules.create_rule(
        actor=admin,
        facility=facility,
        kind="phrase",
        pattern="purple giraffe",
        category="escape",
        action="flag",
    )


def test_a_second_message_reads_no_rule_and_hashes_nothing(world):
    facility = world.facility_1
    screen_text(facility, TEXT)  # the first reads and compiles the rules
    with CaptureQueriesContext(connection) as queries:
        screen_text(facility, "Another letter, about the garden.")
    statements = [q["sql"] for q in queries.captured_queries]
    assert not any('"screening_rule"' in sql for sql in statements), statements
    assert len(statements) <= 2, statements  # the generation, and the facility's policy


def test_a_rule_added_or_switched_off_is_in_force_for_the_next_message(world, admin):
    facility = world.facility_1
    assert not flagged(facility)
    rule = add_tunnel(admin, facility)
    assert flagged(facility)
    rules.set_rule_active(actor=admin, rule_id=rule.pk, active=False)
    assert not flagged(facility)
    rules.set_rule_active(actor=admin, rule_id=rule.pk, active=True)
    assert flagged(facility)
    # Another facility never had the rule, before or after.
    assert not flagged(world.facility_2)


def test_a_rule_changed_outside_the_services_is_seen_too(world):
    # As the Django admin or a data fix would: a plain save, then a delete.
    facility = world.facility_1
    assert not flagged(facility)
    rule = Rule.objects.create(
        facility=facility, pattern="purple giraffe", category="other", action="flag"
    )
    assert flagged(facility)
    rule.delete()
    assert not flagged(facility)


def test_a_change_rolled_back_leaves_nothing_behind(world, admin):
    facility = world.facility_1
    assert not flagged(facility)
    with pytest.raises(RuntimeError), transaction.atomic():
        add_tunnel(admin, facility)
        assert flagged(facility)  # seen inside its own transaction
        raise RuntimeError("the change fails")
    assert not flagged(facility)
