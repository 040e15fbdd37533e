"""Fixtures shared by every test: the world of personas, who is asking and what they can
reach; the settings every test runs with; which tests a run on PostgreSQL takes.

The world (``homeward.personas.make_world``): facility_1 reviews everything and takes
contact requests; facility_2 belongs to another agency. A persona's signed-in browser,
kiosk or API client comes from ``homeward.personas`` too (importable helpers live there,
fixtures here).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from homeward import builders as t
from homeward.connections.models import Connection
from homeward.core import catalogues, clock
from homeward.jobs import services as jobs
from homeward.notifications.tests.pushservice import PushService, serve
from homeward.personas import ApiClient, Inbox, World, api_for, make_world

# The translations, compiled as `make` compiles them (for a run of pytest without make).
catalogues.compile_stale()

# The test database starts with no screening rules: each test says which rules it screens
# with (a deployment gets the whole library when migrated; screening/tests/test_library.py
# tests that).
settings.SCREENING_LIBRARY_ON_MIGRATE = False


T = TypeVar("T")

# The fixtures through which a test reaches the database (besides the django_db mark).
DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "_django_db_helper"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With HOMEWARD_TESTS=database, only the tests that reach the database in this process
    (by the django_db mark or a fixture; a ``django.test.TestCase`` would not be seen: the
    suite has none) or whose other processes are set up for it (marked
    ``database_elsewhere``): CI's run on PostgreSQL, beside its run of every test on
    SQLite. The tests left out would run there exactly as they do on SQLite."""
    if os.environ.get("HOMEWARD_TESTS", "all") == "all":
        return
    if os.environ["HOMEWARD_TESTS"] != "database":
        raise pytest.UsageError("HOMEWARD_TESTS is 'all' (the default) or 'database'")
    kept, left = [], []
    for item in items:
        reaches = (
            item.get_closest_marker("django_db") is not None
            or item.get_closest_marker("database_elsewhere") is not None
            or bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))
        )
        (kept if reaches else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


# One export signing key for the whole run (made here, never written to var/).
EXPORT_KEY = t.new_export_key()


def suite_settings(photos: Path) -> dict[str, Any]:
    """The settings every test runs with unless it sets its own, photos kept in ``photos``.
    Applied to each test below; a fixture that makes data once for a whole module applies
    them itself (``module_transaction``)."""
    return {
        # Console decisions apply at once, as with REVIEW_UNDO_SECONDS=0; the tests of the
        # undo window set it themselves.
        "REVIEW_UNDO_SECONDS": 0,
        "STORAGES": {
            **settings.STORAGES,
            "photos": {
                "BACKEND": "homeward.photos.storage.PrivateFileSystemStorage",
                "OPTIONS": {"location": str(photos)},
            },
        },
        # The photo check reads no text and scores no nudity (a quarter of a second a
        # photo): the tests of those signals, and the journeys, turn them on.
        "PHOTO_READ_TEXT": False,
        "PHOTO_NUDITY_SCORE": False,
        # Bundles are signed with a key of the test run's own.
        "EXPORT_SIGNING_KEY": EXPORT_KEY,
        # The real hasher costs a quarter of a second per password; tests make many users.
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    }


@pytest.fixture
def photo_files(tmp_path: Path) -> Path:
    """The directory the ``photos`` storage writes to in this test (never var/)."""
    return tmp_path / "photos"


@pytest.fixture(autouse=True)
def the_suite_settings(settings, photo_files: Path) -> None:  # type: ignore[no-untyped-def]
    for name, value in suite_settings(photo_files).items():
        setattr(settings, name, value)


@dataclass
class Held:
    """What ``module_transaction`` holds for its module's tests: the directory photos made
    in it are kept in, and the moment its data was made (by ``make``)."""

    photos: Path
    blocker: Any  # pytest-django's django_db_blocker
    moment: dt.datetime | None = None

    def make(self, build: Callable[[], T]) -> T:
        """The module's data, made by ``build`` in the held transaction; its tests run at
        the moment it was made."""
        with self.blocker.unblock():
            made = build()
        self.moment = clock.now()
        return made


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Held]:  # type: ignore[no-untyped-def]
    """A transaction held open for a whole test module, for data made once (by a module
    fixture of the test module, through ``Held.make``) and used by all its tests through
    ``in_module_transaction``; rolled back after the module. The suite's settings are in
    force from the start. A test that leaves the connection broken breaks the tests after
    it in the module (``--maxfail`` ends such a cascade)."""
    held = Held(photos=tmp_path_factory.mktemp("module-photos"), blocker=django_db_blocker)
    with override_settings(**suite_settings(held.photos)):
        with django_db_blocker.unblock():
            kept = transaction.atomic()
            kept.__enter__()
        try:
            yield held
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                kept.__exit__(None, None, None)


@pytest.fixture
def in_module_transaction(
    request: pytest.FixtureRequest, module_transaction: Held, db: None, settings
) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """A test of the data held in ``module_transaction``: run in a savepoint of it and rolled
    back after it (a test that commits cannot be one), seeing the photos made in it, at the
    moment its data was made by Homeward's clock (a lock or a kiosk session made with it
    has not timed out; Django's own timestamps keep real time)."""
    if _commits(request):
        pytest.fail("a test that commits cannot use data held in module_transaction")
    if module_transaction.moment is None:
        pytest.fail("no data was made in module_transaction (Held.make) before this test")
    settings.STORAGES = suite_settings(module_transaction.photos)["STORAGES"]
    with clock.frozen_at(module_transaction.moment):
        yield


def _commits(request: pytest.FixtureRequest) -> bool:
    """Whether a test commits (``transaction=True``, a live server) rather than being
    rolled back."""
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"live_server", "transactional_db"} & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def search_index_flushed_with_the_tables(request: pytest.FixtureRequest, django_db_blocker):  # type: ignore[no-untyped-def]
    """A test that commits ends with every table emptied, but SQLite's full-text index is a
    virtual table Django does not flush: its rows would outlive their messages and refuse a
    later message of the same id. Emptied here too."""
    yield
    if not _commits(request):
        return
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM monitoring_fts")


@pytest.fixture(autouse=True)
def ledger_is_sound_afterwards(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Every test that touches the database ends with the ledger check passing: each
    transaction sums to zero and each balance is the sum of its postings. (Tests marked
    ``tampers_with_ledger`` break it on purpose.)"""
    if "_django_db_helper" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("_django_db_helper")  # so this check runs before the rollback
    yield
    if not request.node.get_closest_marker("tampers_with_ledger"):
        from homeward.ledger import services as ledger

        assert ledger.problems() == [], "the ledger check failed after this test"


@pytest.fixture
def world(db: None) -> World:
    return make_world()


@pytest.fixture
def stamps(world: World) -> World:
    """Greenhaven sells stamps, 40 cents for up to 2,000 characters, paid by whoever writes;
    ``world.connection`` is Ana's with Maria."""
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40, chars_per_stamp=2000)
    world.connection = world.contact_a.connections.get()  # type: ignore[attr-defined]
    return world


@pytest.fixture
def run_jobs():
    """Run every due background job now, as the worker would."""

    def run() -> int:
        return jobs.run_pending("test")

    return run


# --- the API's personas: an anonymous client and the contacts' signed-in clients -----------


@pytest.fixture
def anon() -> ApiClient:
    return ApiClient()


@pytest.fixture
def api_a(world: World) -> ApiClient:
    return api_for(world.contact_a)


@pytest.fixture
def api_b(world: World) -> ApiClient:
    return api_for(world.contact_b)


@pytest.fixture
def connection_a(world: World) -> Connection:
    return world.contact_a.connections.get()


@pytest.fixture
def smtp(settings):  # type: ignore[no-untyped-def]
    """A real SMTP server on a free local port, and Django sending to it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


@pytest.fixture
def push_service(settings) -> Iterator[PushService]:  # type: ignore[no-untyped-def]
    """A Web Push service on a free local port, the only one Homeward may push to."""
    service, server = serve()
    settings.WEB_PUSH_SERVICES = [service.origin]
    yield service
    server.shutdown()
    server.server_close()
