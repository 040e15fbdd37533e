"""The layers the README draws are the layers the code has.

`.importlinter` declares them (surfaces above domain apps, domain apps in layers, core at
the bottom) and `make lint` checks it; this runs the same contract in the suite, and adds
what the contract cannot see: an import placed inside a function to get round it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "homeward"
DOMAIN_APPS = (
    "core",
    "jobs",
    "facilities",
    "people",
    "connections",
    "ledger",
    "screening",
    "messaging",
    "photos",
    "review",
    "roster",
)


def test_the_import_contract_holds() -> None:
    # In its own process: the linter configures logging, which must not leak into the
    # tests that run after this one.
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "lint-imports"),
            "--no-cache",
            "--config",
            ".importlinter",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _hidden_imports(path: Path, app: str, *, root: Path = ROOT) -> list[str]:
    """Imports of another Homeward app written inside a function or class of ``path``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    at_top = {id(node) for node in tree.body}
    for node in tree.body:  # ``if TYPE_CHECKING:`` imports are for types, and seen by the contract
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            at_top |= {id(inner) for inner in node.body}
    found = []
    for node in ast.walk(tree):
        if id(node) in at_top:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "homeward" and len(parts) > 1 and parts[1] != app:
                found.append(f"{path.relative_to(root)}:{node.lineno} imports {name}")
    return found


def test_no_domain_app_hides_an_import_of_another_inside_a_function() -> None:
    """Registering hooks and job handlers at start-up (``AppConfig.ready``) is the one
    place an app reaches another after import time."""
    hidden = []
    for app in DOMAIN_APPS:
        for path in sorted((PACKAGE / app).rglob("*.py")):
            relative = path.relative_to(PACKAGE / app).parts
            if relative[0] in ("tests", "migrations") or path.name == "apps.py":
                continue
            hidden += _hidden_imports(path, app)
    assert hidden == []


def test_the_hidden_import_check_sees_one(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n\n"
        "from homeward.core import clock\n\n"
        "if TYPE_CHECKING:\n"
        "    from homeward.people.models import Contact\n\n"
        "def later():\n"
        "    from homeward.review.services import decide\n"
        "    from homeward.messaging.services import deliver as d\n"
        "    return decide, d\n"
    )
    found = _hidden_imports(module, "messaging", root=tmp_path)
    assert found == ["sample.py:9 imports homeward.review.services"]
