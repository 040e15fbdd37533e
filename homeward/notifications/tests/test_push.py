"""Push, end to end: a device registered through the API is told of an event by a push
service running here, encrypted for it and signed by the deployment."""

from __future__ import annotations

from urllib.parse import urlsplit

from homeward import builders as t
from homeward.connections import services as connections
from homeward.jobs.models import Job
from homeward.notifications.models import Notification, PushDevice
from homeward.notifications.tests.pushservice import PushService, Subscription, vapid_claims
from homeward.personas import ApiClient, api_for, error_of


def ask_and_approve(world) -> None:
    """Ben asks to write to Maria, and she accepts: Ben is told "a connection was approved"."""
    api_for(world.contact_b).post("/connections", {"facility": "greenhaven", "number": "NY1001"})
    request = world.contact_b.connections.get()
    connections.respond_to_request(resident=world.resident, connection_id=request.pk, accept=True)


def pushes(service: PushService, subscription: Subscription) -> list[dict]:
    path = urlsplit(subscription.endpoint).path
    return [subscription.read(push) for push in service.at(path)]


def test_an_event_reaches_the_device_encrypted_and_signed(world, push_service, api_b, run_jobs):
    kinds = {k["kind"]: k for k in api_b.get("/push").json()}
    assert kinds["webpush"]["offered"] is True
    assert kinds["fcm"]["offered"] is False and kinds["apns"]["offered"] is False
    server_key = kinds["webpush"]["application_server_key"]
    phone = Subscription.new(f"{push_service.origin}/push/ben-phone")
    answer = api_b.post("/push/devices", phone.as_registered("Ben's phone"))
    assert answer.status_code == 201 and answer.json()["name"] == "Ben's phone"

    ask_and_approve(world)
    run_jobs()

    (push,) = push_service.at("/push/ben-phone")
    said = phone.read(push)
    assert said["event"] == "connection_approved"
    assert said["title"] and said["key"]
    claims = vapid_claims(push, server_key)
    assert claims["aud"] == push_service.origin and claims["sub"].startswith("mailto:")
    assert int(push.headers["ttl"]) > 0
    assert api_b.get("/push/devices").json()[0]["last_sent_at"] is not None
    # Told once: running the jobs again sends nothing more.
    run_jobs()
    assert len(push_service.at("/push/ben-phone")) == 1


def test_registering_again_renews_and_every_device_is_told(world, push_service, api_b, run_jobs):
    phone = Subscription.new(f"{push_service.origin}/push/phone")
    tablet = Subscription.new(f"{push_service.origin}/push/tablet")
    assert api_b.post("/push/devices", phone.as_registered()).status_code == 201
    renewed = Subscription.new(phone.endpoint)  # the browser's keys changed
    again = api_b.post("/push/devices", renewed.as_registered())
    assert again.status_code == 200
    assert api_b.post("/push/devices", tablet.as_registered("Tablet")).status_code == 201
    assert len(api_b.get("/push/devices").json()) == 2
    ask_and_approve(world)
    run_jobs()
    assert [p["event"] for p in pushes(push_service, renewed)] == ["connection_approved"]
    assert [p["event"] for p in pushes(push_service, tablet)] == ["connection_approved"]


def test_an_event_turned_off_is_not_pushed(world, push_service, api_b, run_jobs):
    phone = Subscription.new(f"{push_service.origin}/push/phone")
    api_b.post("/push/devices", phone.as_registered())
    api_b.put("/me/notifications", {"events": {"connection_approved": False}})
    ask_and_approve(world)
    run_jobs()
    assert push_service.received == []
    push_row = Notification.objects.get(channel="push", event="connection_approved")
    assert push_row.status == Notification.Status.SKIPPED


def test_a_device_its_service_forgot_is_forgotten(world, push_service, api_b, run_jobs):
    phone = Subscription.new(f"{push_service.origin}/push/gone")
    api_b.post("/push/devices", phone.as_registered())
    push_service.answers["/push/gone"] = 410
    ask_and_approve(world)
    run_jobs()
    assert len(push_service.at("/push/gone")) == 1
    assert not PushDevice.objects.exists()
    assert api_b.get("/push/devices").json() == []


def test_a_push_service_that_fails_is_tried_again(world, push_service, api_b, run_jobs):
    phone = Subscription.new(f"{push_service.origin}/push/busy")
    api_b.post("/push/devices", phone.as_registered())
    push_service.answers["/push/busy"] = 503
    ask_and_approve(world)
    run_jobs()
    row = Notification.objects.get(channel="push")
    assert row.status == Notification.Status.QUEUED
    job = Job.objects.get(kind="send_notification", status=Job.Status.QUEUED)
    assert job.attempts == 1 and "503" in job.last_error
    assert PushDevice.objects.count() == 1


def test_a_redirect_is_not_followed_and_the_device_is_forgotten(
    world, push_service, api_b, run_jobs
):
    phone = Subscription.new(f"{push_service.origin}/push/moved")
    api_b.post("/push/devices", phone.as_registered())
    push_service.redirects["/push/moved"] = f"{push_service.origin}/elsewhere"
    ask_and_approve(world)
    run_jobs()
    assert len(push_service.at("/push/moved")) == 1
    assert push_service.at("/elsewhere") == []  # a 302 followed would GET it
    assert not PushDevice.objects.exists()


def test_a_device_subscribed_with_another_key_is_forgotten_and_the_rest_told(
    world, push_service, api_b, run_jobs
):
    """A push service refuses (403) a push signed with another key than the one the
    browser subscribed with: asking again would not help. The other devices are told."""
    stale = Subscription.new(f"{push_service.origin}/push/stale")
    phone = Subscription.new(f"{push_service.origin}/push/phone")
    api_b.post("/push/devices", stale.as_registered())
    api_b.post("/push/devices", phone.as_registered())
    push_service.answers["/push/stale"] = 403
    ask_and_approve(world)
    run_jobs()
    assert [p["event"] for p in pushes(push_service, phone)] == ["connection_approved"]
    assert [d["name"] for d in api_b.get("/push/devices").json()] == ["Ana's phone"]
    assert Notification.objects.get(channel="push").status == Notification.Status.SENT


def test_only_push_services_kinds_offered_and_valid_keys_are_registered(world, push_service, api_b):
    inside = Subscription.new("http://169.254.169.254/latest/meta-data")
    refused = api_b.post("/push/devices", inside.as_registered())
    assert refused.status_code == 400 and error_of(refused)["code"] == "push_endpoint_refused"
    phone = Subscription.new(f"{push_service.origin}/push/phone")
    fcm = api_b.post("/push/devices", phone.as_registered() | {"kind": "fcm"})
    assert fcm.status_code == 403 and error_of(fcm)["code"] == "push_not_offered"
    broken = api_b.post("/push/devices", phone.as_registered() | {"endpoint": "https://[::1"})
    assert broken.status_code == 400 and error_of(broken)["code"] == "push_endpoint_refused"
    bad = phone.as_registered() | {"keys": {"p256dh": "not-a-key", "auth": "AAAA"}}
    wrong = api_b.post("/push/devices", bad)
    assert wrong.status_code == 400 and error_of(wrong)["code"] == "push_keys_invalid"
    assert not PushDevice.objects.exists()


def test_a_contact_has_at_most_ten_devices(world, push_service, api_b):
    for n in range(10):
        device = Subscription.new(f"{push_service.origin}/push/{n}")
        assert api_b.post("/push/devices", device.as_registered()).status_code == 201
    eleventh = Subscription.new(f"{push_service.origin}/push/eleven")
    refused = api_b.post("/push/devices", eleventh.as_registered())
    assert refused.status_code == 409 and error_of(refused)["code"] == "too_many_devices"
    assert PushDevice.objects.count() == 10


def test_anothers_device_is_404_and_stays(world, push_service, api_a, api_b):
    phone = Subscription.new(f"{push_service.origin}/push/phone")
    device_id = api_b.post("/push/devices", phone.as_registered()).json()["id"]
    assert api_a.delete(f"/push/devices/{device_id}").status_code == 404
    assert api_a.get("/push/devices").json() == []
    assert PushDevice.objects.filter(pk=device_id).exists()
    assert api_b.delete(f"/push/devices/{device_id}").status_code == 204
    assert not PushDevice.objects.exists()


def test_a_revoked_token_stops_its_devices_and_a_refresh_keeps_them(world, push_service):
    app = api_for(world.contact_b)
    phone = Subscription.new(f"{push_service.origin}/push/phone")
    app.post("/push/devices", phone.as_registered())
    refreshed = ApiClient(app.post("/auth/token/refresh").json()["token"])
    assert len(refreshed.get("/push/devices").json()) == 1
    assert refreshed.delete("/auth/token").status_code == 204
    assert not PushDevice.objects.exists()


def test_a_new_password_stops_every_device(world, push_service):
    app = api_for(world.contact_b)
    app.post("/push/devices", Subscription.new(f"{push_service.origin}/push/p").as_registered())
    changed = app.post(
        "/me/password", {"current_password": t.PASSWORD, "new_password": "another-long-one-9"}
    )
    assert changed.status_code == 200
    assert not PushDevice.objects.exists()
