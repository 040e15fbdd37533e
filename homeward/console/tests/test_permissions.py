"""Every console URL refuses the wrong persona, and nothing changes when it does.

reviewer_2 works at facility 2 only: facility 1's tasks, residents, contacts and connections
do not exist for them (404). A contact signed in on the family site is refused (403), and
an anonymous visitor is sent to the staff sign-in page.
"""

from __future__ import annotations

import pytest
from django.test import Client

from homeward.connections.models import Connection
from homeward.core.models import AuditEvent
from homeward.messaging.models import Message
from homeward.personas import client_for
from homeward.review.models import ReviewTask


@pytest.fixture
def scene(world, make_task, pending_connection):
    task = make_task()
    active = world.contact_a.connections.get()
    return {
        "task": task,
        "active": active,
        "pending": pending_connection,
        "gets": [
            f"/console/review/{task.pk}/",
            f"/console/residents/{world.resident.pk}/",
            f"/console/contacts/{world.contact_a.pk}/",
        ],
        "posts": [
            (f"/console/review/{task.pk}/claim/", {}),
            (f"/console/review/{task.pk}/decide/", {"decision": "approve"}),
            (f"/console/review/{task.pk}/release/", {}),
            (f"/console/connections/{pending_connection.pk}/decide/", {"decision": "approve"}),
            (f"/console/connections/{active.pk}/end/", {"reason": "because"}),
        ],
    }


def snapshot(scene) -> tuple:
    task = ReviewTask.objects.get(pk=scene["task"].pk)
    return (
        task.status,
        task.claimed_by_id,
        Message.objects.get(pk=task.message_id).status,
        Connection.objects.get(pk=scene["pending"].pk).status,
        Connection.objects.get(pk=scene["active"].pk).status,
        AuditEvent.objects.exclude(action__in=["resident.searched"]).count(),
    )


def test_reviewer_at_another_facility_gets_404_and_nothing_changes(world, scene):
    before = snapshot(scene)
    client = client_for(world.reviewer_2)
    for url in scene["gets"]:
        assert client.get(url).status_code == 404, url
    for url, data in scene["posts"]:
        assert client.post(url, data).status_code == 404, url
    page = client.get("/console/connections/").content.decode()
    assert "Ben Ortiz" not in page
    page = client.get("/console/residents/?q=NY1001").content.decode()
    assert "Maria Lopez" not in page
    assert snapshot(scene) == before


def test_signed_in_contact_is_refused_everywhere(world, scene):
    before = snapshot(scene)
    client = client_for(world.contact_a.user)
    for url in ["/console/", "/console/queue/", "/console/jobs/", *scene["gets"]]:
        assert client.get(url).status_code == 403, url
    for url, data in [*scene["posts"], ("/console/queue/next/", {})]:
        assert client.post(url, data).status_code == 403, url
    assert snapshot(scene) == before


def test_anonymous_is_sent_to_sign_in_everywhere(world, scene):
    before = snapshot(scene)
    client = Client()
    for url in ["/console/", "/console/queue/", "/console/jobs/", *scene["gets"]]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/console/signin/?next="), url
    for url, data in scene["posts"]:
        response = client.post(url, data)
        assert response.status_code == 302 and "/console/signin/" in response["Location"], url
    assert snapshot(scene) == before
