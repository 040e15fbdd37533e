from __future__ import annotations

import os
import signal
import socket
import time
from typing import Any

from django.core.management.base import BaseCommand

from homeward.core import audit
from homeward.jobs import services


class Command(BaseCommand):
    help = "Run background jobs (screening, delivery) from the jobs table until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due, then exit.")
        parser.add_argument("--idle", type=float, default=0.5, help="Seconds to wait when idle.")

    def handle(self, *args: Any, once: bool, idle: float, **options: Any) -> None:
        name = f"{socket.gethostname()}:{os.getpid()}"
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"worker {name} started")
        while not stopping:
            ran = services.run_pending(name, limit=50)
            audit.seal()  # chain the audit events written since the last turn
            if once and not ran:
                break
            if not ran:
                time.sleep(idle)
        self.stdout.write(f"worker {name} stopped")
