"""Connection policies are a registry: each choice has one rule, and only the rule (in
``facilities/connection_policies.py``) looks at which choice a facility made."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from homeward.connections import services as connections
from homeward.core.errors import PermissionDenied
from homeward.facilities.connection_policies import RULES, rule_of
from homeward.facilities.models import FacilityPolicy
from homeward.facilities.words import policy_facts

Policy = FacilityPolicy.ConnectionPolicy
ROOT = Path(__file__).resolve().parents[2]


def test_every_connection_policy_has_exactly_one_rule():
    assert set(RULES) == set(Policy.values)


def test_nothing_outside_the_registry_branches_on_the_policy():
    found = []
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in (".py", ".html") or not path.is_file():
            continue
        relative = path.relative_to(ROOT).as_posix()
        if relative == "facilities/connection_policies.py" or "/migrations/" in relative:
            continue
        if "/tests/" in relative or relative in ("facilities/models.py", "builders.py"):
            continue
        if relative.startswith("demo/"):
            continue  # the demo chooses policies for its facilities; it does not branch
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "connection_policy" in line and re.search(r"(==|!=|\bin\b)", line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == [], "ask facilities.connection_policies.rule_of(policy):\n" + "\n".join(found)


@pytest.mark.parametrize("choice", Policy.values)
def test_the_facility_page_explains_each_policy_by_its_rule(world, choice):
    policy = world.facility_1.policy
    policy.connection_policy = choice
    policy.save()
    facts = dict(policy_facts(world.facility_1))
    assert facts["How connections work"] == rule_of(policy).how_it_works(policy)


def test_where_only_residents_invite_a_contact_cannot_ask(world):
    policy = world.facility_1.policy
    policy.connection_policy = Policy.RESIDENT_INVITES
    policy.save()
    assert not rule_of(policy).contacts_ask and rule_of(policy).residents_invite
    stranger = world.contact_b  # connected to nobody
    with pytest.raises(PermissionDenied) as refused:
        connections.request_connection(
            contact=stranger, facility=world.facility_1, number=world.resident.number
        )
    assert refused.value.code == "invite_only"


def test_an_open_facility_connects_without_the_resident_accepting(world):
    policy = world.facility_1.policy
    policy.connection_policy = Policy.OPEN
    policy.staff_approval = False
    policy.save()
    assert not rule_of(policy).resident_accepts
    stranger = world.contact_b
    requested = connections.request_connection(
        contact=stranger, facility=world.facility_1, number=world.resident.number
    )
    assert requested.connection.status == requested.connection.Status.ACTIVE
