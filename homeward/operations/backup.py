"""Back up and restore the whole database, and take stock of what it holds.

SQLite is copied with its online backup API: a consistent copy while the web server and
workers keep writing. PostgreSQL is dumped with ``pg_dump`` (custom format: one file,
compressed, a consistent snapshot) and restored with ``pg_restore`` into an empty
database; both need PostgreSQL's client programs, of the server's major version or newer.

A restore refuses a database that already holds tables, then checks what it restored: the
ledger balances, the audit chain is unbroken, and :func:`inventory` says what is there, to
compare with the figures the backup printed.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Count, Sum

from homeward.connections.models import Connection
from homeward.core import audit
from homeward.core.models import AuditChainHead, AuditEvent
from homeward.ledger.models import Account, Posting, Transaction
from homeward.ledger.services import problems as ledger_problems
from homeward.messaging.models import Message


class BackupError(Exception):
    pass


def backup(destination: Path) -> None:
    """Write a backup of the database in use to ``destination`` (replaced if it exists)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        partial = destination.with_name(destination.name + ".partial")
        partial.unlink(missing_ok=True)
        with _sqlite(_sqlite_path()) as source, _sqlite(partial) as copy:
            source.backup(copy)
        partial.replace(destination)  # never a half-written backup under the real name
    else:
        _run_pg(
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            str(destination),
        )


def restore(source: Path) -> None:
    """Load the backup at ``source`` into the database in use, which must hold no tables."""
    if not source.is_file():
        raise BackupError(f"There is no backup at {source}.")
    if connection.introspection.table_names():
        raise BackupError(
            "The database already holds tables; restore only into a new, empty database."
        )
    connection.close()
    if connection.vendor == "sqlite":
        with _sqlite(source) as backup_copy, _sqlite(_sqlite_path()) as target:
            backup_copy.backup(target)
    else:
        # Without --dbname pg_restore would print SQL instead of restoring it.
        name = str(connection.settings_dict["NAME"])
        _run_pg(
            "pg_restore",
            "--dbname",
            name,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            str(source),
        )


def problems() -> list[str]:
    """What is wrong with the restored data: the ledger's own check and the audit chain."""
    found = ledger_problems()
    broken = audit.verify_chain()
    if broken is not None:
        found.append(f"the audit chain is broken at event {broken}")
    return found


def inventory() -> dict[str, Any]:
    """What the database holds, in figures that a good restore reproduces exactly."""
    statuses = dict(
        Message.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    balances = dict(
        Account.objects.values_list("kind")
        .annotate(total=Sum("balance"))
        .values_list("kind", "total")
    )
    head = AuditChainHead.objects.filter(pk=1).first()
    return {
        "messages": sum(statuses.values()),
        "messages_by_status": dict(sorted(statuses.items())),
        "connections": Connection.objects.count(),
        "ledger_transactions": Transaction.objects.count(),
        "ledger_postings": Posting.objects.count(),
        "balance_cents_by_account_kind": dict(sorted(balances.items())),
        "audit_events": AuditEvent.objects.count(),
        "audit_chain_head": head.last_hash if head else None,
    }


def _sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError("An in-memory database cannot be backed up or restored.")
    return Path(name)


def _sqlite(path: Path) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(path))


def client_environment(database: str | None = None) -> dict[str, str]:
    """The environment for PostgreSQL's client programs to reach the database in use (or
    another ``database`` on its server), through PG* variables, so a password never
    appears in the process list."""
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": database or str(db["NAME"])}
    for variable, key in [
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ]:
        if db.get(key):
            env[variable] = str(db[key])
    # TLS settings given in DATABASE_URL (?sslmode=verify-full&sslrootcert=…) hold too.
    for option, value in db.get("OPTIONS", {}).items():
        if option.startswith("ssl") and isinstance(value, str):
            env["PG" + option.upper()] = value
    return env


def _run_pg(program: str, *args: str) -> None:
    """Run a PostgreSQL client program against the database in use."""
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not installed (PostgreSQL's client programs).")
    # The program is one of ours and the arguments are a path and fixed options.
    finished = subprocess.run(  # noqa: S603
        [program, *args], env=client_environment(), capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        raise BackupError(f"{program} failed: {finished.stderr.strip()[-2000:]}")
