"""Backups that restore, and upgrades that keep the data, as an operator would run them:
``manage.py`` in fresh processes against databases of their own (a SQLite file, or a
PostgreSQL database made for the test), holding the demo deployment after its worker ran.

A restore must reproduce every message, cent and audit event, with the ledger check and
the audit chain passing; it must refuse a database that already holds anything. An
upgrade (the newest migrations of every app, run forward over demo data) must keep them
too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import sql

pytestmark = pytest.mark.database_elsewhere
ROOT = Path(settings.BASE_DIR)


def manage(database_url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    run = subprocess.run(  # noqa: S603 (our own manage.py, with this interpreter)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check:
        assert run.returncode == 0, (args, run.stdout[-2000:], run.stderr[-3000:])
    return run


def printed_inventory(output: str) -> dict:
    """The JSON object `backup` and `restore` print after their first line."""
    start = output.index("{")
    return json.loads(output[start : output.rindex("}") + 1])


def demo_deployment(database_url: str) -> None:
    """Migrate, load the demo, and let the worker run what is due (it also seals the audit
    chain), as `make run` would leave it."""
    manage(database_url, "migrate", "--noinput")
    manage(database_url, "seed_demo", "--if-empty")
    manage(database_url, "worker", "--once")


def held(database_url: str, scratch: Path) -> dict:
    """What the database holds, as `manage.py backup` reports it."""
    return printed_inventory(manage(database_url, "backup", str(scratch)).stdout)


@contextmanager
def scratch_databases(count: int) -> Iterator[list[str]]:
    """``count`` database URLs of the same kind as the suite's, each new and empty."""
    if connection.vendor == "sqlite":
        folder = ROOT / "var" / f"test-ops-{uuid.uuid4().hex[:8]}"
        folder.mkdir(parents=True)
        try:
            yield [f"sqlite:///{folder / f'db{i}.sqlite3'}" for i in range(count)]
        finally:
            for path in sorted(folder.iterdir()):
                path.unlink()
            folder.rmdir()
        return
    db = settings.DATABASES["default"]
    names = [f"homeward_ops_{uuid.uuid4().hex[:8]}_{i}" for i in range(count)]
    admin = psycopg.connect(
        dbname="postgres",
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=True,
    )
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    where = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    with admin:
        for name in names:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield [f"postgres://{auth}@{where}/{name}" for name in names]
        finally:
            for name in names:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


@pytest.fixture(scope="module")
def demo_backup(tmp_path_factory) -> Iterator[tuple[Path, dict]]:
    """A backup of the demo deployment, and what it held."""
    backup = tmp_path_factory.mktemp("backups") / "homeward.backup"
    with scratch_databases(1) as (source,):
        demo_deployment(source)
        yield backup, held(source, backup)


def test_a_backup_restores_every_message_cent_and_audit_event_into_a_new_database(
    demo_backup, tmp_path
):
    backup, before = demo_backup
    assert before["messages"] > 0 and before["ledger_postings"] > 0
    assert before["audit_events"] > 0 and before["audit_chain_head"]
    with scratch_databases(1) as (target,):
        restored = manage(target, "restore", str(backup))
        assert printed_inventory(restored.stdout) == before
        assert "The ledger balances and the audit chain is unbroken." in restored.stdout
        manage(target, "ledger_check")
        # The restored deployment is complete: nothing left to migrate, the worker runs.
        assert "No migrations to apply" in manage(target, "migrate", "--noinput").stdout
        manage(target, "worker", "--once")

        # A second restore over it is refused, and leaves it as it was.
        again = manage(target, "restore", str(backup), check=False)
        assert again.returncode != 0
        assert "already holds tables; restore only into a new, empty database" in again.stderr
        assert held(target, tmp_path / "after.backup") == before


def test_a_restore_without_a_backup_file_says_so(tmp_path):
    with scratch_databases(1) as (target,):
        run = manage(target, "restore", str(tmp_path / "missing.backup"), check=False)
        assert run.returncode != 0 and "There is no backup at" in run.stderr


# Run in a fresh process against the database of DATABASE_URL: take every app of Homeward
# back to the migration before its newest (where that migration can be undone), then run
# `migrate` once, as an upgrade from the previous version would. Prints what was upgraded.
UPGRADE = """
import json
import django

django.setup()
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.exceptions import IrreversibleError
from django.db.migrations.loader import MigrationLoader

ours = {config.label for config in apps.get_app_configs() if config.name.startswith("homeward.")}
graph = MigrationLoader(connection).graph
upgraded = []
for app, newest in sorted(graph.leaf_nodes()):
    earlier = [p.key[1] for p in graph.node_map[(app, newest)].parents if p.key[0] == app]
    if app not in ours or not earlier:
        continue
    try:
        call_command("migrate", app, earlier[0], verbosity=0)
    except IrreversibleError:
        continue
    upgraded.append(f"{app}.{newest}")
call_command("migrate", verbosity=0)
print(json.dumps(upgraded))
"""


def test_the_newest_migrations_run_forward_over_a_deployment_with_data(demo_backup, tmp_path):
    backup, before = demo_backup
    with scratch_databases(1) as (url,):
        manage(url, "restore", str(backup))
        run = subprocess.run(  # noqa: S603 (the test's own script, with this interpreter)
            [sys.executable, "-c", UPGRADE],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "homeward.settings"},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        upgraded = json.loads(run.stdout.strip().splitlines()[-1])
        # Most apps' newest migration can be undone; those that cannot (a data migration
        # with no way back) are run forward by every fresh database in the suite anyway.
        assert len(upgraded) >= 8, upgraded
        assert held(url, tmp_path / "after.backup") == before
        manage(url, "ledger_check")
        manage(url, "migrate", "--check")  # nothing left unapplied
