"""The screening categories: the one place that says what they are.

Each category has a *code* (what rules, hits, review decisions and blocked messages store),
a *label* (the words people see: a family member or resident on a blocked message, a
reviewer choosing a reason, an administrator reading a rule) and a *severity*.

Severity says how grave a category is, for the enforcement that acts on repeated blocks:
``serious`` for escape, violence or threats, weapons and harassment of victims or
witnesses (harm to a person or to security); ``standard`` for everything else. It is not a
rule's severity (1 to 3, how sure a rule is), which stays on the rule.

Everything else derives from this module: the rule model's and the review decision's
choices, the engine's list, the rule library's check, the console's and the surfaces'
labels. A test (screening/tests/test_categories.py) fails if another module lists the
codes itself. Codes never change (they are stored); a label can, with a migration that only
alters choices.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SERIOUS = "serious"
STANDARD = "standard"
SEVERITIES = (SERIOUS, STANDARD)


@dataclass(frozen=True)
class Category:
    code: str
    label: str | Promise  # said in the reader's language when shown (gettext_lazy)
    severity: str


ESCAPE = "escape"
VIOLENCE = "violence"
WEAPONS = "weapons"
DRUGS = "drugs"
GANG = "gang"
FRAUD = "fraud"
SEXUAL = "sexual"
HARASSMENT = "harassment"
RELAY = "relay"
CODED = "coded"
# A facility's own rule that fits none of the others; the rule library never uses it.
OTHER = "other"

ALL: tuple[Category, ...] = (
    Category(ESCAPE, _("Escape or security risk"), SERIOUS),
    Category(VIOLENCE, _("Violence or threats"), SERIOUS),
    Category(WEAPONS, _("Weapons"), SERIOUS),
    Category(DRUGS, _("Drugs or contraband"), STANDARD),
    Category(GANG, _("Gang activity"), STANDARD),
    Category(FRAUD, _("Fraud or financial activity"), STANDARD),
    Category(SEXUAL, _("Sexually explicit content"), STANDARD),
    Category(HARASSMENT, _("Harassment of a victim or witness"), SERIOUS),
    Category(RELAY, _("Passing messages to a third party"), STANDARD),
    Category(CODED, _("Coded language"), STANDARD),
    Category(OTHER, _("Other facility rule"), STANDARD),
)

BY_CODE: dict[str, Category] = {category.code: category for category in ALL}
# Every code, in display order: what a rule's category or a block reason may be.
CODES: tuple[str, ...] = tuple(BY_CODE)
# The categories of the product brief: what the rule library and the evaluation corpus
# cover (everything but "other").
LIBRARY_CODES: tuple[str, ...] = tuple(code for code in CODES if code != OTHER)
# (code, label) pairs for model fields and forms.
CHOICES: list[tuple[str, str | Promise]] = [(category.code, category.label) for category in ALL]


def label(code: str) -> str:
    """The words for a category code, in the language active now (the reader's, in a
    request). A code this build does not know (an old stored value) is shown as itself,
    made readable, rather than hidden."""
    category = BY_CODE.get(code)
    if category is not None:
        return str(category.label)
    return code.replace("_", " ").capitalize()


def severity(code: str) -> str:
    """serious or standard; a code this build does not know is standard."""
    category = BY_CODE.get(code)
    return category.severity if category is not None else STANDARD
