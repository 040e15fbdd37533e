"""Every word a family member or a resident reads is offered in Spanish.

Three fences, each failing with the strings it found:

- every string marked for translation in the code, the templates and the emails has a
  Spanish entry (gathered afresh from the source, as ``make messages`` would);
- the contact site's, the kiosk's and the emails' templates say nothing outside a
  translation tag;
- the Python that words an error, a form or a flash message for those people marks it.

The staff console stays English and is not fenced.
"""

from __future__ import annotations

import ast
import builtins
import os
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.core.management import call_command
from django.template.base import Lexer, TokenType
from django.test import override_settings

from homeward.core import catalogues

PACKAGE = Path(__file__).resolve().parent.parent
LANGUAGE = "es"

# The apps whose words reach contacts and residents (pages, API answers, emails).
PEOPLES_APPS = [
    "api",
    "connections",
    "core",
    "enforcement",
    "kiosk",
    "ledger",
    "messaging",
    "notifications",
    "people",
    "web",
]
# Modules of the staff's apps whose words reach contacts and residents too.
PEOPLES_MODULES = [
    "facilities/connection_policies.py",
    "facilities/selectors.py",
    "facilities/words.py",
    "monitoring/words.py",
    "screening/categories.py",
]
IGNORED_DIRS = {"tests", "migrations", "static", "demo", "management", "__pycache__", "locale"}


def _gettext_present() -> bool:
    return all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msguniq"))


@pytest.mark.skipif(
    not _gettext_present() and not os.environ.get("HOMEWARD_REQUIRE_GETTEXT"),
    reason="GNU gettext gathers the strings (CI installs it; make messages needs it too)",
)
def test_every_marked_string_has_a_spanish_entry(tmp_path, monkeypatch) -> None:
    copy = tmp_path / "homeward"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns(*IGNORED_DIRS - {"locale"}))
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command(
            "makemessages",
            locale=[LANGUAGE],
            no_obsolete=True,
            add_location="file",
            ignore_patterns=sorted(IGNORED_DIRS - {"locale"}),
            verbosity=0,
        )
    missing = []
    for po in sorted(copy.glob(f"**/locale/{LANGUAGE}/LC_MESSAGES/django.po")):
        with po.open("rb") as source:
            catalogue = read_po(source)
        where = po.relative_to(copy).parts[0]
        for message in catalogue:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(strings):
                first = message.id[0] if isinstance(message.id, tuple) else message.id
                missing.append(f"{where}: {first!r}")
    assert not missing, f"{len(missing)} strings have no Spanish yet:\n" + "\n".join(missing)


def test_every_catalogue_compiles_and_says_its_plural_rule() -> None:
    found = catalogues.catalogues()
    assert found, "no catalogue: make messages has not been run"
    for po in found:
        with po.open("rb") as source:
            catalogue = read_po(source, abort_invalid=True)
        assert catalogue.plural_forms == "nplurals=2; plural=(n != 1);", po
        assert catalogues.compile_one(po).stat().st_size > 0


# --- templates ----------------------------------------------------------------------------

# Words that are the same in every language: names of things, not sentences.
SAME_IN_EVERY_LANGUAGE = {"Homeward", "JSON", "PDF", "mbox", "English", "Español", "API", "PIN"}
SHOWN_ATTRIBUTES = re.compile(
    r"""\b(title|alt|aria-label|placeholder|label|aria-description)\s*=\s*("[^"]*"|'[^']*')""",
    re.I,
)
BUTTON_VALUE = re.compile(
    r"""\btype=["']?(submit|button|reset)\b.*?\bvalue\s*=\s*("[^"]*")""", re.I
)
HIDDEN_PARTS = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->", re.I | re.S)
TAG = re.compile(r"<[^>]*>", re.S)
ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.I)
WORD = re.compile(r"[^\W\d_]{2,}")
OPEN_TRANSLATED = {"blocktranslate", "blocktrans", "comment"}
CLOSE_TRANSLATED = {"endblocktranslate", "endblocktrans", "endcomment"}


def untranslated_text(source: str) -> list[str]:
    """The words of a template a reader sees that no translation tag covers."""
    parts: list[str] = []
    depth = 0
    for token in Lexer(source).tokenize():
        name = token.contents.split()[0] if token.contents.split() else ""
        if token.token_type == TokenType.BLOCK and name in OPEN_TRANSLATED:
            depth += 1
            parts.append("\0")
        elif token.token_type == TokenType.BLOCK and name in CLOSE_TRANSLATED:
            depth -= 1
        elif depth:
            continue
        elif token.token_type == TokenType.TEXT:
            parts.append(token.contents)
        else:
            parts.append("\0")
    text = HIDDEN_PARTS.sub(" ", "".join(parts))
    shown = []
    for tag in TAG.findall(text):
        shown += [value for _name, value in SHOWN_ATTRIBUTES.findall(tag)]
        shown += [value for _type, value in BUTTON_VALUE.findall(tag)]
    shown.append(TAG.sub(" ", text))
    words = []
    for piece in shown:
        for word in WORD.findall(ENTITY.sub(" ", piece)):
            if word not in SAME_IN_EVERY_LANGUAGE:
                words.append(word)
    return words


def peoples_templates() -> list[Path]:
    found = []
    for folder in ("web/templates", "kiosk/templates", "templates"):
        found += sorted((PACKAGE / folder).rglob("*.html"))
    found += sorted(PACKAGE.glob("*/templates/email/*.txt"))
    return found


def test_the_fence_sees_plain_text_attributes_and_buttons() -> None:
    assert untranslated_text("<p>Hello {{ name }}</p>") == ["Hello"]
    assert untranslated_text('<img alt="A photo" src="{{ url }}">') == ["photo"]
    assert untranslated_text('<input type="submit" value="Send">') == ["Send"]
    assert untranslated_text("{% load i18n %}<p>{% translate 'Hello' %}</p>") == []
    assert untranslated_text("{% blocktranslate %}Hi {{ n }}{% endblocktranslate %} ok") == ["ok"]
    assert untranslated_text("<p>Homeward &middot; {{ amount }}</p><script>var x;</script>") == []


def test_templates_people_read_say_nothing_outside_a_translation() -> None:
    found = {
        str(path.relative_to(PACKAGE)): words
        for path in peoples_templates()
        if (words := untranslated_text(path.read_text()))
    }
    assert not found, "\n".join(f"{name}: {' '.join(words)}" for name, words in found.items())


# --- Python -------------------------------------------------------------------------------

# The errors whose message a person reads: the domain's (homeward.core.errors and their
# kin) and Django's validation errors.
ERROR_CALLS = re.compile(
    r"(Error|NotFound|PermissionDenied|Conflict|Refused|Declined|Credentials|WrongCode|"
    r"TooManyCodes|Invalid\w*)$"
)
# Python's own errors are for developers (a bug, a misconfiguration), never shown to people.
FOR_DEVELOPERS = {name for name in dir(builtins) if name.endswith("Error")} | {
    "ImproperlyConfigured"
}
FLASH_CALLS = {"success", "error", "info", "warning", "add_message"}
SHOWN_KEYWORDS = {"label", "help_text", "empty_label", "message", "label_suffix"}
TRANSLATING = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
# A machine code ("not_found", "card_declined"), a format or a field name: not a sentence.
NOT_A_SENTENCE = re.compile(r"[\w.:/{}%()-]*")


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _sentences(node: ast.expr) -> list[str]:
    """The unmarked words in an argument: a literal, an f-string, or a dict of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [] if NOT_A_SENTENCE.fullmatch(node.value) else [node.value]
    if isinstance(node, ast.JoinedStr):
        text = "".join(part.value for part in node.values if isinstance(part, ast.Constant)).strip()
        return [] if NOT_A_SENTENCE.fullmatch(text) else [ast.unparse(node)]
    if isinstance(node, ast.Dict):
        return [text for value in node.values for text in _sentences(value)]
    if isinstance(node, ast.BinOp):
        return _sentences(node.left) + _sentences(node.right)
    if isinstance(node, ast.IfExp):
        return _sentences(node.body) + _sentences(node.orelse)
    return []


def unmarked_strings(source: str) -> list[str]:
    """Sentences a person reads, written in ``source`` without a translation mark."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _name(node.func) not in TRANSLATING:
            called = _name(node.func)
            arguments: list[ast.expr] = []
            if (ERROR_CALLS.search(called) and called not in FOR_DEVELOPERS) or (
                called in FLASH_CALLS
                and _name(getattr(node.func, "value", node.func)) == "messages"
            ):
                arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
            arguments += [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
            for argument in arguments:
                found += [(node.lineno, text) for text in _sentences(argument)]
        if isinstance(node, ast.ClassDef) and any(
            _name(base) in {"TextChoices", "IntegerChoices"} for base in node.bases
        ):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple):
                    for element in statement.value.elts[1:]:
                        found += [(statement.lineno, text) for text in _sentences(element)]
    return [f"line {line}: {text}" for line, text in sorted(found)]


def peoples_modules() -> list[Path]:
    found = [PACKAGE / module for module in PEOPLES_MODULES]
    for app in PEOPLES_APPS:
        for path in sorted((PACKAGE / app).rglob("*.py")):
            if not IGNORED_DIRS.intersection(path.relative_to(PACKAGE).parts):
                found.append(path)
    return found


def test_the_python_fence_sees_errors_flashes_labels_and_choices() -> None:
    source = """
raise Conflict("already_done", "This was already done.")
raise Conflict("already_done", _("This was already done."))
messages.success(request, f"Sent {count} messages.")
forms.CharField(label="Your name", help_text=_("As on your ID."))
class Status(models.TextChoices):
    SENT = "sent", "Sent to the facility"
    HELD = "held", _("Held for review")
"""
    assert [line.split(": ", 1)[1] for line in unmarked_strings(source)] == [
        "This was already done.",
        "f'Sent {count} messages.'",
        "Your name",
        "Sent to the facility",
    ]


def test_python_people_read_marks_its_sentences_for_translation() -> None:
    found = {
        str(path.relative_to(PACKAGE)): strings
        for path in peoples_modules()
        if (strings := unmarked_strings(path.read_text()))
    }
    assert not found, "\n".join(
        f"{name}:\n  " + "\n  ".join(strings) for name, strings in found.items()
    )


def test_one_english_string_has_one_spanish_everywhere() -> None:
    """Django merges the catalogues, and where two say the same English differently one
    wins silently: the same words must read the same on every page."""
    said: dict[object, dict[object, list[str]]] = {}
    for po in catalogues.catalogues():
        with po.open("rb") as source:
            catalogue = read_po(source)
        where = str(po.relative_to(PACKAGE)).split("/locale/")[0]
        for message in catalogue:
            if message.id and message.string and not message.fuzzy:
                key = (message.context, message.id)
                said.setdefault(key, {}).setdefault(message.string, []).append(where)
    differ = {key: translations for key, translations in said.items() if len(translations) > 1}
    assert not differ, "\n".join(
        f"{key[1]!r}: " + "; ".join(f"{t!r} in {', '.join(w)}" for t, w in tr.items())
        for key, tr in differ.items()
    )
