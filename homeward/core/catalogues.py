"""Compile the translation catalogues (``locale/<language>/LC_MESSAGES/django.po``) into the
``.mo`` files Django reads, in Python, so a fresh clone needs no gettext programs to run.

``make`` runs it for each catalogue newer than its compiled file; the test suite runs
``compile_stale()`` before it starts. Entries still marked fuzzy are left out, so a
half-finished translation shows the English rather than a guess.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def catalogues() -> list[Path]:
    return sorted(ROOT.glob("locale/*/LC_MESSAGES/django.po")) + sorted(
        ROOT.glob("*/locale/*/LC_MESSAGES/django.po")
    )


def compile_one(po: Path) -> Path:
    with po.open("rb") as source:
        catalogue = read_po(source, abort_invalid=True)
    mo = po.with_suffix(".mo")
    # Written whole, then put in place; named for this process, as two test runs of one
    # checkout (SQLite and PostgreSQL side by side) compile the same catalogue at once.
    partial = mo.with_name(f"{mo.name}.{os.getpid()}.partial")
    with partial.open("wb") as target:
        write_mo(target, catalogue, use_fuzzy=False)
    partial.replace(mo)
    return mo


def compile_stale() -> list[Path]:
    """Compile every catalogue whose ``.mo`` is missing or older; the ones compiled."""
    done = []
    for po in catalogues():
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            done.append(compile_one(po))
    return done


if __name__ == "__main__":
    for name in sys.argv[1:] or [str(path) for path in catalogues()]:
        compile_one(Path(name))
