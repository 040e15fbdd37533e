"""Screening's inner loops in C, each with the Python it replaces beside its caller.

Every ``*.c`` file here is one extension module, built by ``make env`` (``python -m
homeward.screening.native``) with the compiler and flags this Python was built with. Each
does exactly what a Python function does (named in its first comment), which is used when
the module is not built: a machine without a compiler screens the same, only slower. The
tests run both on the development set and the regression corpus and compare them, and
``make bench-screening`` says which one it measured.

``HOMEWARD_NATIVE=0`` in the environment makes the process use the Python ones.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _wanted() -> bool:
    """Whether to use the compiled loops: ``HOMEWARD_NATIVE`` is 1 (the default) or 0."""
    value = os.environ.get("HOMEWARD_NATIVE", "1").strip()
    if value not in ("0", "1"):
        raise ValueError(f"HOMEWARD_NATIVE must be 0 or 1, not {value!r}")
    return value == "1"


def sources() -> list[Path]:
    return sorted(HERE.glob("_*.c"))


def built_path(source: Path) -> Path:
    return source.with_suffix(str(sysconfig.get_config_var("EXT_SUFFIX")))


def _current(module: str) -> bool:
    """Whether ``module`` is built from its source as it is now: a module older than its
    source (changed since ``make env``) is not used, so a stale build never screens."""
    source = HERE / f"{module}.c"
    target = built_path(source)
    try:
        return target.stat().st_mtime >= source.stat().st_mtime
    except OSError:
        return False


def function(module: str, name: str) -> Callable[..., Any] | None:
    """The compiled ``name`` of ``module`` (such as ``_walk``), or None when it is not
    built, is older than its source, or ``HOMEWARD_NATIVE=0``."""
    if not _wanted() or not _current(module):
        return None
    try:
        found: Callable[..., Any] = getattr(import_module(f"{__name__}.{module}"), name)
    except ImportError:
        return None
    return found


def in_use() -> list[str]:
    """The compiled modules this process screens with (for the benchmark and the tests)."""
    if not _wanted():
        return []
    used = []
    for source in sources():
        if not _current(source.stem):
            continue
        try:
            import_module(f"{__name__}.{source.stem}")
        except ImportError:
            continue
        used.append(source.stem)
    return used


def build(*, quiet: bool = False) -> int:
    """Compile every source newer than its module. Without a C compiler, say so and build
    nothing (the Python code is used); a compiler's error is a failure."""
    compiler = shlex.split(str(sysconfig.get_config_var("CC") or "cc"))
    if shutil.which(compiler[0]) is None:
        print(
            f"screening: no C compiler ({compiler[0]}); the Python inner loops will be used",
            file=sys.stderr,
        )
        return 0
    include = sysconfig.get_paths()["include"]
    if not (Path(include) / "Python.h").exists():
        print(
            f"screening: no Python headers in {include}; the Python inner loops will be used",
            file=sys.stderr,
        )
        return 0
    flags = shlex.split(str(sysconfig.get_config_var("CCSHARED") or "-fPIC"))
    for source in sources():
        if _current(source.stem):
            continue
        target = built_path(source)
        partial = target.with_name(target.name + ".partial")
        command = [
            *compiler,
            *flags,
            "-shared",
            "-O2",
            "-Wall",
            "-Werror",
            f"-I{include}",
            str(source),
            "-o",
            str(partial),
        ]
        if not quiet:
            print("screening:", " ".join(command[len(compiler) :]), file=sys.stderr)
        done = subprocess.run(command, check=False)  # noqa: S603 (our own compiler, our files)
        if done.returncode:
            partial.unlink(missing_ok=True)
            return done.returncode
        partial.replace(target)
    return 0
