"""The API as an outside developer meets it: a Python client generated from the published
OpenAPI document (openapi-python-client, as an app team would generate one) runs a
contact's journey against a live server — signing up after the monitoring notice, a
connection, the agency's notice, a deposit, a quote, a message, a photo, push registered
and the resident's reply pushed to the device and read, a blocked message appealed. Every
answer must parse into the generated types: a field, a status or an enum the document
misstates fails here.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from homeward import builders as t
from homeward.facilities.models import Facility, FacilityPolicy
from homeward.jobs import services as jobs
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.notifications.tests.pushservice import (
    PushService,
    Subscription,
    vapid_claims,
)
from homeward.people.models import Resident, StaffMembership, User
from homeward.photos.tests import images

pytestmark = pytest.mark.django_db(transaction=True)

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "homeward_generated_client"


def generate(spec: bytes, where: Path):  # type: ignore[no-untyped-def]
    """Generate the client package from ``spec`` into ``where`` and import it."""
    (where / "openapi.json").write_bytes(spec)
    done = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(where / "openapi.json"),
            "--meta",
            "none",
            "--output-path",
            str(where / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Client was generated" in done.stdout or (where / PACKAGE / "client.py").exists()
    sys.path.insert(0, str(where))
    try:
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))


@pytest.fixture
def generated(live_server, tmp_path):  # type: ignore[no-untyped-def]
    spec = httpx.get(f"{live_server.url}/api/v1/openapi.json", timeout=30).content
    package = generate(spec, tmp_path)
    yield package
    for name in [name for name in sys.modules if name.startswith(PACKAGE)]:
        del sys.modules[name]
    shutil.rmtree(tmp_path / PACKAGE, ignore_errors=True)


def call(module: str, *args, **kwargs):  # type: ignore[no-untyped-def]
    """``<package>.api.<module>.sync_detailed(*args, **kwargs)``, its status and parsed body."""
    operation = importlib.import_module(f"{PACKAGE}.api.{module}")
    answer = operation.sync_detailed(*args, **kwargs)
    return answer.status_code, answer.parsed


@dataclass
class Scene:
    generated: Any  # the client package
    models: Any
    types: Any
    facility: Facility
    jorge: Resident
    staff: User
    push_service: PushService


def test_a_contact_journey_through_a_generated_client(generated, live_server, push_service):
    facility = t.make_facility(
        "travis-jail",
        name="Travis County Jail",
        policy={"connection_policy": "open", "review_mode": "flagged", "photos_allowed": True},
        prices={"model": "per_message", "per_message_cents": 25, "photo_cents": 50},
    )
    scene = Scene(
        generated=generated,
        models=importlib.import_module(f"{PACKAGE}.models"),
        types=importlib.import_module(f"{PACKAGE}.types"),
        facility=facility,
        jorge=t.make_resident(facility, "TC30001", first_name="Jorge"),
        staff=t.make_staff("rev", role=StaffMembership.Role.REVIEWER, facility=facility),
        push_service=push_service,
    )
    # Someone other than the reviewer who blocks decides an appeal.
    t.make_staff("admin", role=StaffMembership.Role.FACILITY_ADMIN, facility=facility)
    models = scene.models
    with generated.Client(base_url=live_server.url, raise_on_unexpected_status=True) as anon:
        # Sign up: show the notice, then open the account with its version.
        status, notice = call("auth.signup_notice", client=anon)
        assert status == 200 and notice.text[0].startswith("Nothing you send")
        status, token = call(
            "auth.account_create",
            client=anon,
            body=models.SignUpIn(
                email="ana@example.org",
                password="a-long-family-secret-7",
                display_name="Ana Lopez",
                notice_version=notice.version,
                token_name="Ana's phone",
            ),
        )
    assert status == 201 and isinstance(token, models.TokenOut)
    with generated.AuthenticatedClient(
        base_url=live_server.url, token=token.token, raise_on_unexpected_status=True
    ) as me:
        status, account = call("account.account_get", client=me)
        assert account.email_verified is False
        journey(me, scene)


def journey(me, scene: Scene) -> None:  # type: ignore[no-untyped-def]
    models, types, jorge = scene.models, scene.types, scene.jorge

    # Push: the deployment's key, and this phone's subscription registered.
    status, kinds = call("push.push_kinds", client=me)
    web_push = next(kind for kind in kinds if kind.kind == models.PushKind.WEBPUSH)
    assert web_push.offered is True
    phone = Subscription.new(f"{scene.push_service.origin}/push/ana-phone")
    status, device = call(
        "push.push_register",
        client=me,
        body=models.PushDeviceIn.from_dict(phone.as_registered()),
    )
    assert status == 201 and isinstance(device, models.PushDeviceOut)
    status, again = call(
        "push.push_register",
        client=me,
        body=models.PushDeviceIn.from_dict(phone.as_registered()),
    )
    assert status == 200 and isinstance(again, models.PushDeviceOutRepeat)

    # A connection (case does not matter in the number), the agency's notice, money.
    status, connection = call(
        "connections.connections_request",
        client=me,
        body=models.ConnectionIn(facility="travis-jail", number="tc30001"),
    )
    assert status == 201 and connection.status == models.ConnectionStatus.ACTIVE
    status, notice = call("connections.connections_notice", connection.id, client=me)
    assert status == 200
    status, _ = call(
        "connections.connections_notice_accept",
        connection.id,
        client=me,
        body=models.NoticeAcceptIn(version=notice.version),
    )
    assert status == 200
    status, deposit = call(
        "money.wallet_deposit",
        "travis-jail",
        client=me,
        body=models.DepositIn(
            idempotency_key="dep-1", amount_cents=500, card="4242 4242 4242 4242"
        ),
    )
    assert status == 201 and deposit.status == models.PaymentStatus.SUCCEEDED

    # A quote, then the message, priced as quoted.
    status, quote = call(
        "money.messages_quote",
        connection.id,
        client=me,
        body=models.QuoteIn(body="Hi Jorge, see you Sunday", photos=1),
    )
    assert status == 200 and quote.total_cents == 75

    # A photo: uploaded, checked, sent with the message.
    picture = images.encode(images.scene(seed=5), "JPEG")
    status, photo = call(
        "photos.photos_upload",
        client=me,
        body=models.PhotosUploadMultiPartBodyParams(
            file=types.File(payload=picture, file_name="kids.jpg", mime_type="image/jpeg"),
            connection_id=connection.id,
        ),
    )
    assert status == 202 and photo.status == models.PhotoStatus.CHECKING
    jobs.run_pending("client")
    status, photo = call("photos.photos_get", photo.id, client=me)
    assert photo.status == models.PhotoStatus.READY
    status, sent = call(
        "conversations.messages_send",
        connection.id,
        client=me,
        body=models.MessageIn(
            body="Hi Jorge, see you Sunday", idempotency_key="m-1", photo_ids=[photo.id]
        ),
    )
    assert status == 201 and [p.id for p in sent.photos] == [photo.id]

    # Jorge replies: Ana's phone is told by push, and she reads it and marks it read.
    jobs.run_pending("client")
    t.fund_trust(jorge, 500)
    messaging.send_message(sender=jorge, connection_id=connection.id, body="Thank you!")
    jobs.run_pending("client")
    told = {phone.read(push)["event"]: push for push in scene.push_service.at("/push/ana-phone")}
    assert {"deposit_receipt", "reply_waiting"} <= set(told)
    claims = vapid_claims(told["reply_waiting"], web_push.application_server_key)
    assert claims["aud"] == scene.push_service.origin
    status, page = call("conversations.messages_list", connection.id, client=me)
    assert status == 200
    assert "Thank you!" in [m.body for m in page.messages]
    status, read = call(
        "conversations.conversations_read", connection.id, client=me, body=models.ReadIn()
    )
    assert status == 200 and len(read.marked_read) == 1

    # A message blocked by a reviewer (the facility now reviews everything), appealed.
    FacilityPolicy.objects.filter(facility=scene.facility).update(review_mode="everything")
    status, blocked = call(
        "conversations.messages_send",
        connection.id,
        client=me,
        body=models.MessageIn(body="Another note", idempotency_key="m-2"),
    )
    jobs.run_pending("client")
    messaging.block(message_id=blocked.id, actor=scene.staff, category="relay")
    status, appeal = call(
        "appeals.messages_appeal",
        blocked.id,
        client=me,
        body=models.AppealIn(statement="It was about his lawyer's visit."),
    )
    assert status == 201 and appeal.status == models.AppealStatus.OPEN
    assert Message.objects.filter(connection_id=connection.id).count() == 3
