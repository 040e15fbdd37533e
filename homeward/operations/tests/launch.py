"""Start `make serve` against the test database, as an operator would, for tests that need
the production server and real workers (the launcher's own test, a browser journey)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from homeward.core import clock
from homeward.core.tests.test_serving import free_port
from homeward.jobs.health import queue_state


@dataclass
class Launched:
    url: str
    log: Path
    process: subprocess.Popen[bytes]

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_jobs(self, timeout: float = 120) -> None:
        """Until the launched workers have run every due job (and what those queued)."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while quiet < 2:  # twice in a row: a job may queue another as it finishes
            state = queue_state(clock.now())
            quiet = quiet + 1 if state.due == 0 and state.running == 0 else 0
            assert time.monotonic() < deadline, self.output()[-3000:]
            time.sleep(0.2)


def suite_database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def get(url: str, **headers: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (our own server)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


@contextmanager
def make_serve(folder: Path, **env: str) -> Iterator[Launched]:
    """`make serve` on the (PostgreSQL) test database with ``env`` added; ready when its
    /healthz says so. Leaving the block stops the whole process group, as Ctrl-C would."""
    port = free_port()
    environ = {
        **os.environ,
        "DATABASE_URL": suite_database_url(),
        "PORT": str(port),
        "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
        **env,
    }
    environ.pop("BIND", None)
    log = folder / "serve.log"
    with log.open("wb") as out:
        # Its own process group, as in a terminal: the stop reaches every process.
        process = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],  # noqa: S607
            cwd=settings.BASE_DIR,
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    launched = Launched(url=f"http://127.0.0.1:{port}", log=log, process=process)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if get(f"{launched.url}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, launched.output()[-3000:]
            assert time.monotonic() < deadline, launched.output()[-3000:]
            time.sleep(0.3)
        yield launched
    finally:
        with suppress(ProcessLookupError):  # gone already, if it failed to start
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
