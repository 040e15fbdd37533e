"""Role groups (who may review, read, administer) are defined once, in people/access.py: a
second definition would drift from the first, and a page would let in someone the service
refuses, or the other way round."""

from __future__ import annotations

import ast
from pathlib import Path

import homeward
from homeward.people import access

SOURCE = Path(homeward.__file__).parent
HOME = Path(access.__file__)
ROLE_NAMES = {"REVIEWER", "INVESTIGATOR", "FACILITY_ADMIN", "AGENCY_ADMIN"}


def role_groups_defined(path: Path) -> list[str]:
    """Module-level names bound to a tuple, list or set of two or more staff roles."""
    found = []
    for node in ast.parse(path.read_text()).body:
        if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Tuple | ast.List):
            continue
        roles = [
            element
            for element in node.value.elts
            if isinstance(element, ast.Attribute) and element.attr in ROLE_NAMES
        ]
        if len(roles) >= 2:
            found += [target.id for target in node.targets if isinstance(target, ast.Name)]
    return found


def test_role_groups_are_defined_only_in_people_access():
    elsewhere = {}
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts or "tests" in path.parts or path == HOME:
            continue
        names = role_groups_defined(path)
        if names:
            elsewhere[str(path.relative_to(SOURCE))] = names
    assert elsewhere == {}, f"define role groups in people/access.py only: {elsewhere}"
    assert role_groups_defined(HOME) == [
        "REVIEW_ROLES",
        "READ_ROLES",
        "ADMIN_ROLES",
        "SEARCH_ROLES",
        "FACILITY_ROLES",
        "AGENCY_ROLES",
    ]
