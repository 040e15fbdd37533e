"""Screening's inner loops in C, each with the Python it replaces beside its caller.

Every ``_*.c`` file here is one extension module, built by ``make env`` (``python -m
homeward.screening.native``) with the compiler and linker this Python was built with
(sysconfig's ``LDSHARED`` and ``CCSHARED``) and ``-O3 -Wall``. Each does exactly what a
Python function does (named in its first comment), which is used where the module is not
built: a machine without a C compiler, or without the headers to build against, screens
the same, only slower. A built module carries the SHA-256 of the source it was built from,
and one that does not match its source now is never used (nor is one that fails to load).
The tests compare each with its Python on the development set and the regression corpus,
and ``make bench-screening`` says which ones it measured.

``HOMEWARD_NATIVE=0`` in the environment makes the process use the Python ones.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from types import ModuleType
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


def _fingerprint(source: Path) -> str:
    """What a module built from ``source`` as it is now carries in its binary."""
    return f"homeward-source-sha256:{hashlib.sha256(source.read_bytes()).hexdigest()}"


def current(source: Path) -> bool:
    """Whether the module of ``source`` is built from it as it is now: one built from
    another version of it (changed since ``make env``, or copied from elsewhere) is not
    used."""
    try:
        return _fingerprint(source).encode() in built_path(source).read_bytes()
    except OSError:
        return False


def _module(name: str) -> ModuleType | None:
    """The compiled module ``name`` (such as ``_walk``), or None when it is not built, was
    built from another version of its source, fails to load, or ``HOMEWARD_NATIVE=0``."""
    if not _wanted() or not current(HERE / f"{name}.c"):
        return None
    try:
        return import_module(f"{__name__}.{name}")
    except ImportError:
        return None


def function(module: str, name: str) -> Callable[..., Any] | None:
    """The compiled ``name`` of ``module``, or None where ``_module`` is None."""
    found: Callable[..., Any] | None = getattr(_module(module), name, None)
    return found


def in_use() -> list[str]:
    """The compiled modules this process screens with (for the benchmark and the tests)."""
    return [source.stem for source in sources() if _module(source.stem) is not None]


def build(*, quiet: bool = False) -> int:
    """Compile every source whose module is missing or built from another version of it.
    Without a C compiler, or one that cannot build against Python's headers, say so and
    build nothing (the Python loops are used); an error in a source of ours is a failure."""
    stale = [source for source in sources() if not current(source)]
    if not stale:
        return 0
    reason = cannot_build()
    if reason:
        print(f"screening: {reason}; the Python inner loops will be used", file=sys.stderr)
        return 0
    for source in stale:
        if not quiet:
            print(f"screening: building {built_path(source).name}", file=sys.stderr)
        failed = compile_module(source, built_path(source))
        if failed:
            return failed
    return 0


def _command() -> list[str]:
    """This Python's compiler and linker for extension modules, with our flags."""
    linker = shlex.split(str(sysconfig.get_config_var("LDSHARED") or "cc -shared"))
    flags = shlex.split(str(sysconfig.get_config_var("CCSHARED") or "-fPIC"))
    return [*linker, *flags, "-O3", "-Wall", f"-I{sysconfig.get_paths()['include']}"]


def cannot_build() -> str | None:
    """Why no module can be built here (no compiler, no headers), or None."""
    command = _command()
    if shutil.which(command[0]) is None:
        return f"no C compiler ({command[0]})"
    with tempfile.TemporaryDirectory() as scratch:
        probe = Path(scratch) / "probe.c"
        probe.write_text("#include <Python.h>\nint probe(void) { return Py_IsInitialized(); }\n")
        done = subprocess.run(  # noqa: S603 (this Python's own compiler)
            [*command, str(probe), "-o", str(Path(scratch) / "probe.so")],
            capture_output=True,
            check=False,
        )
    return f"{command[0]} cannot build against Python's headers" if done.returncode else None


def compile_module(source: Path, target: Path, *extra: str) -> int:
    """Build ``source`` into ``target`` (written whole or not at all): the compiler's exit
    status, 0 when built."""
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    define = f'-DHOMEWARD_SOURCE="{_fingerprint(source)}"'
    command = [*_command(), *extra, define, str(source), "-o", str(partial)]
    done = subprocess.run(command, check=False)  # noqa: S603 (our own sources)
    if done.returncode:
        partial.unlink(missing_ok=True)
        return done.returncode
    partial.replace(target)
    return 0
