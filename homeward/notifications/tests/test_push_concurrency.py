"""Thirty push registrations at once, over HTTP (PostgreSQL): the ten-device limit holds,
and one endpoint registered by thirty requests is one device."""

from __future__ import annotations

import pytest
from django.db import connection

from homeward import builders as t
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.notifications.models import PushDevice
from homeward.notifications.tests.pushservice import Subscription
from homeward.personas import api_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]
N = 30
SERVICE = "https://fcm.googleapis.com/fcm/send"


def test_thirty_devices_at_once_stop_at_ten():
    contact = t.make_contact("many@example.org")
    clients = [api_for(contact) for _ in range(N)]
    devices = [Subscription.new(f"{SERVICE}/device-{i}").as_registered() for i in range(N)]

    responses = in_threads(N, lambda i: clients[i].post("/push/devices", devices[i]))

    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 10 + [409] * (N - 10), [r.content for r in responses]
    assert PushDevice.objects.filter(contact=contact).count() == 10


def test_one_endpoint_registered_at_once_is_one_device():
    contact = t.make_contact("one@example.org")
    clients = [api_for(contact) for _ in range(N)]
    phone = Subscription.new(f"{SERVICE}/the-phone").as_registered()

    responses = in_threads(N, lambda i: clients[i].post("/push/devices", phone))

    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * (N - 1) + [201], [r.content for r in responses]
    assert PushDevice.objects.count() == 1
