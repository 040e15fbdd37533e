"""Views get their objects through the access layer, never by querying a model themselves.

Each domain app's ``access.py`` (and, for reads inside a scope already given, its
``selectors.py``) holds the scoped look-ups: what a contact, a resident or a staff member may
see, and "not found" for anything else. A view that wrote ``Model.objects…`` itself could
forget the scope; this test fails when one does.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIEW_MODULES = ("web/views", "kiosk/views", "console/views", "api/routes")


def _model_names(tree: ast.Module) -> set[str]:
    """Names the module imports from a Homeward ``models`` module."""
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        module = node.module or ""
        if module.startswith("homeward.") and module.endswith(".models"):
            names |= {alias.asname or alias.name for alias in node.names}
    return names


def direct_queries(source: str, filename: str = "<view>") -> list[str]:
    """``Model.objects`` and ``get_object_or_404`` in a view module's source."""
    tree = ast.parse(source, filename=filename)
    models = _model_names(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("objects", "_default_manager")
            and isinstance(node.value, ast.Name)
            and node.value.id in models
        ):
            found.append((node.lineno, f"{node.value.id}.{node.attr}"))
        if isinstance(node, ast.Name) and node.id in ("get_object_or_404", "get_list_or_404"):
            found.append((node.lineno, node.id))
    return [f"{filename}:{line} {what}" for line, what in sorted(found)]


def test_no_view_queries_a_model_directly() -> None:
    found = []
    for folder in VIEW_MODULES:
        for path in sorted((ROOT / "homeward" / folder).rglob("*.py")):
            found += direct_queries(path.read_text(), str(path.relative_to(ROOT)))
    assert found == []


def test_the_check_sees_a_direct_query() -> None:
    source = (
        "from django.shortcuts import get_object_or_404\n"
        "from homeward.messaging.models import Message as M\n"
        "from homeward.people.access import staff_facilities\n"
        "def view(request, pk):\n"
        "    M.objects.filter(pk=pk)\n"
        "    staff_facilities(request.user).filter(pk=1)\n"
        "    return get_object_or_404(M, pk=pk)\n"
    )
    assert direct_queries(source) == [
        "<view>:5 M.objects",
        "<view>:7 get_object_or_404",
    ]
