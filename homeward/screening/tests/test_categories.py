"""The screening categories have one source (screening/categories.py): the rule model, the
review decision, the engine, the detectors, the console's forms and every label a person
sees come from it, and no other module lists the codes itself."""

from __future__ import annotations

import ast
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from homeward.console.forms import DecisionForm
from homeward.console.highlight import category_label
from homeward.console.rule_forms import RuleForm
from homeward.review.models import ReviewTask
from homeward.screening import categories, engine
from homeward.screening.detectors import DETECTORS
from homeward.screening.library.loader import CATEGORIES as LIBRARY_CATEGORIES
from homeward.screening.models import Rule

HOMEWARD = Path(categories.__file__).resolve().parents[1]
# The codes a definition would list. "other" is left out: it is also an ordinary word
# (the second phrase of a rule is its "other" field).
CODES = frozenset(categories.LIBRARY_CODES)
TOO_MANY = 3


def test_the_categories_are_the_ten_of_the_brief_and_other():
    assert categories.CODES == (
        "escape",
        "violence",
        "weapons",
        "drugs",
        "gang",
        "fraud",
        "sexual",
        "harassment",
        "relay",
        "coded",
        "other",
    )
    assert categories.CODES[:-1] == categories.LIBRARY_CODES
    assert all(category.label for category in categories.ALL)
    assert len({category.label for category in categories.ALL}) == len(categories.ALL)


def test_harm_to_a_person_or_to_security_is_serious_and_the_rest_standard():
    serious = {c.code for c in categories.ALL if c.severity == categories.SERIOUS}
    assert serious == {"escape", "violence", "weapons", "harassment"}
    assert {c.severity for c in categories.ALL} == set(categories.SEVERITIES)
    assert categories.severity("drugs") == categories.STANDARD
    assert categories.severity("no_such_code") == categories.STANDARD


def test_an_unknown_stored_code_is_shown_readably():
    assert categories.label("relay") == "Passing messages to a third party"
    assert categories.label("old_reason") == "Old reason"


def test_models_engine_library_and_detectors_use_the_one_source():
    assert Rule._meta.get_field("category").choices == categories.CHOICES
    assert ReviewTask._meta.get_field("reason_code").choices == categories.CHOICES
    assert engine.CATEGORIES == categories.LIBRARY_CODES
    assert LIBRARY_CATEGORIES == categories.LIBRARY_CODES
    assert set(DETECTORS.values()) <= set(categories.LIBRARY_CODES)


def test_the_console_and_the_surfaces_show_the_same_labels():
    assert RuleForm().fields["category"].choices == categories.CHOICES
    assert DecisionForm().fields["reason_code"].choices[1:] == categories.CHOICES
    for category in categories.ALL:
        assert category_label(category.code) == category.label


@pytest.mark.django_db
def test_the_migrations_store_the_labels_categories_py_gives():
    out = StringIO()
    call_command("makemigrations", "screening", "review", check=True, dry_run=True, stdout=out)
    assert "No changes detected" in out.getvalue()


# --- nothing else defines the categories -------------------------------------------------


def _literal_codes(nodes: list[ast.expr | None]) -> set[str]:
    return {
        node.value
        for node in nodes
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in CODES
    }


def _class_member_codes(cls: ast.ClassDef) -> set[str]:
    """Codes a class body assigns, as in ``ESCAPE = "escape", "Escape"`` (Choices)."""
    found: set[str] = set()
    for statement in cls.body:
        value = statement.value if isinstance(statement, ast.Assign | ast.AnnAssign) else None
        if isinstance(value, ast.Tuple) and value.elts:
            value = value.elts[0]
        found |= _literal_codes([value])
    return found


def category_definitions(source: str) -> list[tuple[int, list[str]]]:
    """Each collection literal or class in ``source`` that names three or more category
    codes as string literals: (line, codes)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            codes = _literal_codes(list(node.elts))
        elif isinstance(node, ast.Dict):
            codes = _literal_codes([*node.keys, *node.values])
        elif isinstance(node, ast.ClassDef):
            codes = _class_member_codes(node)
        else:
            continue
        if len(codes) >= TOO_MANY:
            found.append((node.lineno, sorted(codes)))
    return found


def _scanned_modules() -> list[Path]:
    skipped = {"tests", "migrations"}
    data = {HOMEWARD / "screening" / "evaluation", HOMEWARD / "screening" / "library"}
    return [
        path
        for path in sorted(HOMEWARD.rglob("*.py"))
        if not skipped & set(path.relative_to(HOMEWARD).parts)
        and not any(path.is_relative_to(folder) for folder in data)
        and path.resolve() != Path(categories.__file__).resolve()
    ]


@pytest.mark.parametrize(
    "source",
    [
        'CATEGORIES = ("escape", "violence", "weapons")',
        'LABELS = {"drugs": "Drugs", "gang": "Gangs", "fraud": "Fraud"}',
        'BY_DETECTOR = {"phone": "relay", "payment": "fraud", "cipher": "coded"}',
        "SERIOUS = frozenset({'escape', 'violence', 'harassment'})",
        'if code in ["sexual", "relay", "coded"]:\n    pass',
        "class Reason(models.TextChoices):\n"
        '    ESCAPE = "escape", "Escape"\n'
        '    WEAPONS = "weapons", "Weapons"\n'
        '    DRUGS = "drugs", "Drugs"\n',
    ],
)
def test_the_scan_finds_a_list_of_codes(source):
    assert category_definitions(source)


def test_the_scan_leaves_single_uses_of_a_code_alone():
    source = (
        'RULES = (("break out", "escape", "block"), ("gun", "weapons", "flag"),\n'
        '         ("k2", "drugs", "flag"))\n'
        'FIELDS = ("kind", "pattern", "category", "other")\n'
    )
    assert category_definitions(source) == []


def test_no_module_but_categories_py_lists_the_category_codes():
    modules = _scanned_modules()
    assert HOMEWARD / "screening" / "engine.py" in modules
    assert HOMEWARD / "review" / "models.py" in modules
    assert HOMEWARD / "messaging" / "words.py" in modules
    offenders = {
        str(path.relative_to(HOMEWARD)): hits
        for path in modules
        if (hits := category_definitions(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, (
        "These modules list screening category codes; derive them from "
        "homeward/screening/categories.py instead."
    )
