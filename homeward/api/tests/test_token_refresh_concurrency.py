"""Thirty refreshes of one token at once, over HTTP (PostgreSQL), as an app retrying a
refresh whose answers it keeps losing: they are taken one at a time, and however many
answers come back, exactly one new token works afterwards."""

from __future__ import annotations

import pytest
from django.db import connection

from homeward import builders as t
from homeward.api.models import ApiToken
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.personas import ApiClient, api_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]
N = 30


def test_refreshes_at_once_leave_one_working_token():
    contact = t.make_contact("tap@example.org")
    app = api_for(contact)
    clients = [ApiClient(app.key) for _ in range(N)]

    responses = in_threads(N, lambda i: clients[i].post("/auth/token/refresh"))

    assert {r.status_code for r in responses} <= {201, 401}
    new_keys = [r.json()["token"] for r in responses if r.status_code == 201]
    assert new_keys
    working = [key for key in new_keys if ApiClient(key).get("/me").status_code == 200]
    assert len(working) == 1
    assert app.get("/me").status_code == 401
    live = ApiToken.objects.filter(user=contact.user, revoked_at__isnull=True)
    assert live.count() == 1


def test_a_refresh_under_way_when_the_password_changes_leaves_no_token_working(monkeypatch):
    """An app refreshes its token while its owner changes the password elsewhere: the
    change waits for the refresh, then revokes every token, the new one included (a stolen
    token refreshed in a loop does not outlive a new password)."""
    import threading
    import time

    from homeward.core import audit
    from homeward.people import account

    contact = t.make_contact("loop@example.org")
    app = api_for(contact)
    refreshing = threading.Event()
    record = audit.record

    def recording(**kw):  # inside the refresh, its new token made: a pause before commit
        if kw.get("action") == "api.token_refreshed":
            refreshing.set()
            time.sleep(0.5)
        return record(**kw)

    monkeypatch.setattr(audit, "record", recording)

    def run(i: int):
        if i == 0:
            return app.post("/auth/token/refresh")
        assert refreshing.wait(10)
        account.change_password(user=contact.user, current=t.PASSWORD, new="a-new-long-secret-9")
        return "changed"

    refreshed, changed = in_threads(2, run)
    assert refreshed.status_code == 201 and changed == "changed"
    assert ApiClient(refreshed.json()["token"]).get("/me").status_code == 401
    assert not ApiToken.objects.filter(user=contact.user, revoked_at__isnull=True).exists()
