"""One code, many browsers at once (PostgreSQL): a recovery code or an app's code lets in
exactly one of them. django-otp checks a code with the device row locked."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken

from homeward import builders as t
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.people.second_factor import current_code
from homeward.personas import client_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]
BROWSERS = 30


def recovery_codes(user) -> list[str]:
    client = Client()
    client.post("/console/signin/", {"username": user.username, "password": t.PASSWORD})
    page = client.get("/console/enrol/")
    assert page.status_code == 200
    device = user.totpdevice_set.get(confirmed=False)
    response = client.post("/console/enrol/", {"code": current_code(device)})
    return [str(code) for code in response.context["codes"]]


@pytest.mark.parametrize("kind", ["recovery code", "app code"])
def test_one_code_typed_in_thirty_browsers_at_once_lets_in_one(world, kind):
    user = world.reviewer_1
    code = recovery_codes(user)[0] if kind == "recovery code" else t.totp_code(user)
    browsers = []
    for _ in range(BROWSERS):
        client = Client()
        client.force_login(user)
        browsers.append(client)

    def type_code(index: int) -> int:
        return browsers[index].post("/console/verify/", {"code": code}).status_code

    statuses = in_threads(BROWSERS, type_code)
    assert statuses.count(302) == 1, statuses
    assert set(statuses) <= {302, 400, 429}, statuses
    if kind == "recovery code":
        assert StaticToken.objects.filter(device__user=user).count() == 9
    assert client_for(user).get("/console/").status_code == 200
