"""A worker loads screening's data when it starts, so the first message after a start or a
deploy is not the one that waits seconds for the lexicons, dictionaries and gates."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from homeward.jobs.services import worker_starting
from homeward.screening import services as screening


def test_screening_is_warmed_when_a_worker_starts():
    assert screening.warm in worker_starting.receivers


@pytest.mark.django_db
def test_a_worker_calls_the_start_hook_once_before_its_jobs():
    calls: list[str] = []

    def seen() -> None:
        calls.append("started")

    worker_starting.register(seen)
    try:
        call_command("worker", "--once")
    finally:
        worker_starting.unregister(seen)
    assert calls == ["started"]
    assert seen not in worker_starting.receivers
