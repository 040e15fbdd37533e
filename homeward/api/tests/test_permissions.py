"""Who may call what: no token is 401 everywhere, another contact's things are 404.

The tables below must name every operation in the OpenAPI document; a new endpoint fails
``test_every_endpoint_is_in_the_tables`` until someone decides who may use it.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from homeward import builders as t
from homeward.api import services as api_services
from homeward.api.api import api
from homeward.api.models import ApiToken
from homeward.connections.models import Connection, ConnectionEvent
from homeward.core import clock
from homeward.enforcement import restrictions
from homeward.enforcement.models import Appeal
from homeward.facilities.models import FacilityPolicy
from homeward.jobs import services as jobs
from homeward.ledger import payments
from homeward.ledger.models import Account, Payment, Payout, Transaction
from homeward.ledger.providers import sandbox
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.notifications import push
from homeward.notifications.models import PushDevice
from homeward.notifications.tests.pushservice import Subscription
from homeward.people.models import NoticeAcceptance
from homeward.personas import BASE, ApiClient, World, blocked_by_reviewer, error_of, make_world
from homeward.photos import intake
from homeward.photos.models import Photo
from homeward.photos.tests import images
from homeward.review import services as review

if TYPE_CHECKING:
    from homeward.conftest import Held

CARD = sandbox.SUCCEEDS
TRUST_DEPOSIT = {"amount_cents": 1000, "card": CARD, "idempotency_key": "k"}
# A photo uploaded as a multipart form to the scene's connection (every other body is JSON).
UPLOAD = "a photo, as a multipart form"
JPEG = images.encode(images.scene(), "JPEG")
# A browser's Web Push subscription at a push service Homeward sends to.
PHONE = Subscription.new("https://fcm.googleapis.com/fcm/send/ana-phone")
PUSH_DEVICE = PHONE.as_registered()

# Anyone may call these.
PUBLIC = {
    ("POST", "/api/v1/auth/token"),
    ("GET", "/api/v1/facilities"),
    ("GET", "/api/v1/directory"),
    ("GET", "/api/v1/facilities/{code}"),
    ("POST", "/api/v1/auth/password-reset"),
    ("GET", "/api/v1/auth/signup"),
    ("POST", "/api/v1/auth/signup"),
}

# Everything else needs a contact's token. The ids in {braces} are contact_a's.
SIGNED_IN = [
    ("DELETE", "/auth/token", None),
    ("POST", "/auth/token/refresh", None),
    ("GET", "/auth/tokens", None),
    ("DELETE", "/auth/tokens/{token_id}", None),
    ("DELETE", "/auth/tokens", None),
    # Your own account: no ids, so no one else's to name.
    ("GET", "/me", None),
    ("PUT", "/me/notifications", {"events": {"reply_waiting": False}}),
    ("POST", "/me/password", {"current_password": "x", "new_password": "y"}),
    ("POST", "/me/email", {"email": "n@example.org", "password": "x"}),
    ("POST", "/me/verification", None),
    ("POST", "/me/close", {"password": "x"}),
    ("GET", "/me/archive/{format}", None),
    ("GET", "/facilities/{code}/residents/{number}", None),
    ("GET", "/connections", None),
    ("POST", "/connections", {"facility": "greenhaven", "number": "NY1001"}),
    ("POST", "/connections/{connection_id}/accept", None),
    ("POST", "/connections/{connection_id}/decline", None),
    ("POST", "/connections/{connection_id}/withdraw", None),
    ("POST", "/connections/{connection_id}/block", None),
    ("GET", "/connections/{connection_id}/notice", None),
    ("POST", "/connections/{connection_id}/notice", {"version": 1}),
    ("GET", "/conversations", None),
    ("GET", "/me/conversations", None),
    ("GET", "/conversations/{connection_id}/messages", None),
    ("POST", "/conversations/{connection_id}/messages", {"body": "Hello"}),
    ("GET", "/messages/{message_id}", None),
    ("POST", "/messages/{message_id}/read", None),
    ("POST", "/conversations/{connection_id}/read", {}),
    ("POST", "/messages/{message_id}/appeal", {"statement": "Look again"}),
    ("POST", "/restrictions/{restriction_id}/appeal", {"statement": "Look again"}),
    ("POST", "/conversations/{connection_id}/quote", {"body": "Hello"}),
    ("POST", "/connections/{connection_id}/quote", {"body": "Hello"}),
    ("GET", "/wallets", None),
    ("POST", "/wallets/{facility_code}/deposit-quote", {"amount_cents": 1000}),
    (
        "POST",
        "/wallets/{facility_code}/deposits",
        {"amount_cents": 1000, "card": CARD, "idempotency_key": "k"},
    ),
    ("GET", "/payments/{payment_id}", None),
    ("GET", "/me/statement", None),
    ("GET", "/statement", None),
    ("POST", "/connections/{connection_id}/trust-deposit-quote", {"amount_cents": 1000}),
    ("POST", "/connections/{connection_id}/trust-deposits", TRUST_DEPOSIT),
    ("POST", "/wallets/{facility_code}/refund", {"idempotency_key": "k"}),
    ("POST", "/wallets/{facility_code}/stamp-packs", {"pack": 0, "idempotency_key": "k"}),
    ("POST", "/photos", UPLOAD),
    ("GET", "/photos/{photo_id}", None),
    ("GET", "/photos/{photo_id}/thumbnail", None),
    ("GET", "/photos/{photo_id}/picture", None),
    ("GET", "/push", None),
    ("POST", "/push/devices", PUSH_DEVICE),
    ("GET", "/push/devices", None),
    ("DELETE", "/push/devices/{device_id}", None),
]

# What contact_b may try on contact_a's things: each must be 404 and change nothing.
ANOTHER_CONTACTS = [
    # contact_a's token (the scene's): contact_b cannot revoke it, nor learn it exists.
    ("DELETE", "/auth/tokens/{token_id}", None),
    ("GET", "/conversations/{connection_id}/messages", None),
    ("POST", "/conversations/{connection_id}/messages", {"body": "Hello", "client_token": "t"}),
    ("POST", "/connections/{connection_id}/accept", None),
    ("POST", "/connections/{connection_id}/decline", None),
    ("POST", "/connections/{connection_id}/withdraw", None),
    ("POST", "/connections/{connection_id}/block", None),
    # contact_b accepts nothing of the agency of contact_a's resident, nor learns of it.
    ("GET", "/connections/{connection_id}/notice", None),
    ("POST", "/connections/{connection_id}/notice", {"version": 1}),
    ("GET", "/messages/{message_id}", None),
    ("POST", "/messages/{message_id}/read", None),
    # contact_a's delivered reply stays unread, whichever reply contact_b names.
    ("POST", "/conversations/{connection_id}/read", {}),
    ("POST", "/conversations/{connection_id}/quote", {"body": "Hello"}),
    ("POST", "/connections/{connection_id}/quote", {"body": "Hello"}),
    # contact_a may appeal both; contact_b files nothing.
    ("POST", "/messages/{message_id}/appeal", {"statement": "Look again"}),
    ("POST", "/restrictions/{restriction_id}/appeal", {"statement": "Look again"}),
    ("GET", "/payments/{payment_id}", None),
    # contact_b has no connection at greenhaven, so no wallet there to quote or pay into.
    ("POST", "/wallets/{facility_code}/deposit-quote", {"amount_cents": 1000}),
    (
        "POST",
        "/wallets/{facility_code}/deposits",
        {"amount_cents": 1000, "card": CARD, "idempotency_key": "k"},
    ),
    # Money to the trust account of contact_a's resident, over contact_a's connection.
    ("POST", "/connections/{connection_id}/trust-deposit-quote", {"amount_cents": 1000}),
    ("POST", "/connections/{connection_id}/trust-deposits", TRUST_DEPOSIT),
    # contact_b has no wallet at greenhaven to refund, and no connection to buy stamps at.
    ("POST", "/wallets/{facility_code}/refund", {"idempotency_key": "k"}),
    ("POST", "/wallets/{facility_code}/stamp-packs", {"pack": 0, "idempotency_key": "k"}),
    # A photo for contact_a's conversation; contact_a's photo, its files, and sending it.
    ("POST", "/photos", UPLOAD),
    ("GET", "/photos/{photo_id}", None),
    ("GET", "/photos/{photo_id}/thumbnail", None),
    ("GET", "/photos/{photo_id}/picture", None),
    ("POST", "/conversations/{connection_id}/messages", {"body": "", "photo_ids": ["photo_id"]}),
    # contact_a's phone stays registered.
    ("DELETE", "/push/devices/{device_id}", None),
]
# A photo that is not yours is "no such photo", as a photo id that does not exist is.
NOT_FOUND_CODE = {path: "photo_not_found" for path in ("/photos/{photo_id}",)} | {
    f"/photos/{{photo_id}}/{size}": "photo_not_found" for size in ("thumbnail", "picture")
}


# Paths whose {id} names another of the scene's things than elsewhere: the message
# appealed is contact_a's blocked one, not the reply the others name.
NAMED_OTHERWISE = {"/messages/{message_id}/appeal": {"message_id": "blocked_message_id"}}


def fill(path: str, scene: dict) -> str:
    names = {name: scene[key] for name, key in NAMED_OTHERWISE.get(path, {}).items()}
    return path.format(**(scene | names))


def call(client: ApiClient, method: str, path: str, data: Any, scene: dict) -> Any:
    """``client`` asks for ``path`` (filled from the scene) with ``data``: JSON, or the
    photo upload's multipart form; a photo id named as "photo_id" is the scene's."""
    path = fill(path, scene)
    if data == UPLOAD:
        form = {
            "file": SimpleUploadedFile("photo.jpg", JPEG, "image/jpeg"),
            "connection_id": scene["connection_id"],
        }
        return client.client.post(BASE + path, form, headers=client._headers())
    if isinstance(data, dict) and data.get("photo_ids") == ["photo_id"]:
        data = data | {"photo_ids": [scene["photo_id"]]}
    return client.call(method, path, data)


@pytest.fixture(scope="module")
def made(module_transaction: Held) -> tuple[World, dict]:
    """The world and its scene, made once for all the module's tests (each of them is
    rolled back after it, as always)."""

    def build() -> tuple[World, dict]:
        world = make_world()
        return world, make_scene(world)

    return module_transaction.make(build)


@pytest.fixture
def world(made: tuple[World, dict], in_module_transaction: None) -> World:
    """The scene's world, to a test run at the moment the scene was made."""
    return copy.deepcopy(made[0])


@pytest.fixture
def scene(made: tuple[World, dict], in_module_transaction: None) -> dict:
    return made[1]


def make_scene(world: World) -> dict:
    """contact_a has a connection, a delivered reply on it, a message of theirs blocked and
    a suspension of the connection (both appealable), a paid deposit into their wallet, a
    stamp pack on sale at greenhaven and a checked photo (greenhaven takes photos);
    contact_b has nothing."""
    connection_a = world.contact_a.connections.get()
    FacilityPolicy.objects.filter(facility=world.facility_1).update(photos_allowed=True)
    photo = intake.receive(
        contact=world.contact_a,
        facility=world.facility_1,
        upload=SimpleUploadedFile("photo.jpg", JPEG, "image/jpeg"),
    )
    reply = messaging.send_message(
        sender=world.resident, connection_id=connection_a.pk, body="Hi"
    ).message
    jobs.run_pending("test")
    task = review.claim_next(staff=world.reviewer_1)
    review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
    jobs.run_pending("test")
    blocked = blocked_by_reviewer(
        world.reviewer_1,
        sender=world.contact_a,
        connection_id=connection_a.pk,
        body="A recipe",
        reason="drugs",
    )
    payment = payments.start(
        contact=world.contact_a, facility=world.facility_1, amount=2000, key="scene", card=CARD
    ).payment
    t.set_prices(world.facility_1, stamp_cents=40, stamp_packs=[{"stamps": 10, "cents": 350}])
    suspension = restrictions.impose(  # by the facility's policy: an admin decides its appeal
        staff=None,
        facility=world.facility_1,
        subject=connection_a,
        kind="suspension",
        reason="Threats",
        ends_at=clock.now() + dt.timedelta(days=7),
    )
    token, _ = api_services.issue_token(contact=world.contact_a, name="Ana's tablet", ip=None)
    device, _ = push.register(
        contact=world.contact_a,
        kind="webpush",
        endpoint="https://fcm.googleapis.com/fcm/send/ana-tablet",
        p256dh=PHONE.keys()["p256dh"],
        auth=PHONE.keys()["auth"],
    )
    return {
        "token_id": token.pk,
        "code": "greenhaven",
        "facility_code": "greenhaven",
        "number": "NY1001",
        "connection_id": connection_a.pk,
        "message_id": reply.pk,
        "payment_id": payment.pk,
        "blocked_message_id": blocked.pk,
        "restriction_id": suspension.pk,
        "format": "json",
        "photo_id": photo.pk,
        "device_id": device.pk,
    }


def snapshot() -> tuple:
    """Everything a refused request must leave alone."""
    return (
        list(Connection.objects.values_list("id", "status").order_by("id")),
        ConnectionEvent.objects.count(),
        list(Message.objects.values_list("id", "status", "updated_at").order_by("id")),
        list(ApiToken.objects.values_list("id", "revoked_at").order_by("id")),
        list(Payment.objects.values_list("id", "status", "refunded_cents").order_by("id")),
        list(Payout.objects.values_list("id", "status").order_by("id")),
        list(Account.objects.values_list("id", "balance").order_by("id")),
        Transaction.objects.count(),
        list(Appeal.objects.values_list("id", "status").order_by("id")),
        list(NoticeAcceptance.objects.values_list("id", "contact_id").order_by("id")),
        list(Photo.objects.values_list("id", "status", "message_id").order_by("id")),
        list(PushDevice.objects.values_list("id", "contact_id", "endpoint").order_by("id")),
    )


def test_every_endpoint_is_in_the_tables():
    documented = {
        (method.upper(), path)
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method in operations
    }
    tabled = PUBLIC | {(method, "/api/v1" + path) for method, path, _ in SIGNED_IN}
    assert documented == tabled


@pytest.mark.parametrize(("method", "path", "data"), SIGNED_IN)
def test_no_token_is_401_and_changes_nothing(scene, anon, method, path, data):
    before = snapshot()
    response = call(anon, method, path, data, scene)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path", "data"), SIGNED_IN)
def test_revoked_token_is_401_everywhere(scene, world, method, path, data):
    from homeward.personas import api_for

    client = api_for(world.contact_a)
    client.delete("/auth/token")
    before = snapshot()
    response = call(client, method, path, data, scene)
    assert response.status_code == 401
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path", "data"), SIGNED_IN)
def test_expired_token_is_401_token_expired_everywhere(scene, world, method, path, data):
    from homeward.personas import api_for

    client = api_for(world.contact_a)
    before = snapshot()
    with clock.frozen_at(clock.now() + dt.timedelta(days=settings.API_TOKEN_DAYS, seconds=1)):
        response = call(client, method, path, data, scene)
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_expired"
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path", "data"), ANOTHER_CONTACTS)
def test_another_contacts_things_are_404_and_unchanged(scene, api_b, method, path, data):
    before = snapshot()
    response = call(api_b, method, path, data, scene)
    assert response.status_code == 404
    assert error_of(response)["code"] == NOT_FOUND_CODE.get(path, "not_found")
    assert snapshot() == before


def test_what_contact_b_may_not_appeal_contact_a_may(scene, api_a):
    """So the 404s above are for whose it is, not for something nobody could appeal."""
    for method, path, data in ANOTHER_CONTACTS:
        if path.endswith("/appeal"):
            assert api_a.call(method, fill(path, scene), data).status_code == 201, path


def test_contact_a_reaches_the_photo_contact_b_cannot(scene, api_a):
    """So the photos' 404s above are for whose it is, not for a photo nobody could see."""
    for method, path, data in ANOTHER_CONTACTS:
        if path.startswith("/photos/"):
            response = call(api_a, method, path, data, scene)
            assert response.status_code == 200, path
            if response.streaming:  # a picture: read to its end, its file is closed
                assert b"".join(response.streaming_content)


def test_another_contact_lists_none_of_their_things(scene, api_b):
    assert api_b.get("/connections").json() == []
    assert api_b.get("/conversations").json() == []
    assert api_b.get("/me/conversations").json() == {"conversations": [], "next_page": None}
    assert api_b.get("/facilities/greenhaven/residents/NY1001").json()["connection"] is None
    assert api_b.get("/wallets").json() == []
    assert api_b.get("/me/statement").json() == {"lines": [], "older": None}
    assert api_b.get("/statement").json() == []


def test_contact_a_revokes_the_token_contact_b_cannot(scene, api_a):
    """So the 404 above is for whose token it is, not for an id nobody could revoke."""
    assert api_a.delete(f"/auth/tokens/{scene['token_id']}").status_code == 204
    assert ApiToken.objects.get(pk=scene["token_id"]).revoked_at is not None


def test_another_contact_lists_none_of_the_tokens(scene, api_b):
    listed = api_b.get("/auth/tokens").json()
    assert scene["token_id"] not in [token["id"] for token in listed]
    assert [token["current"] for token in listed] == [True]


def test_signing_out_revokes_only_ones_own_token(scene, world, api_a, api_b):
    assert api_b.delete("/auth/token").status_code == 204
    assert api_a.get("/connections").status_code == 200
    assert ApiToken.objects.filter(user=world.contact_a.user, revoked_at__isnull=True).exists()


def test_public_directory_needs_no_token(scene, anon):
    assert anon.get("/directory").status_code == 200
    assert anon.get("/facilities").status_code == 200
    assert anon.get("/facilities/greenhaven").status_code == 200


def test_staff_cannot_reach_the_api_with_their_session(scene, world):
    from homeward.personas import client_for

    staff = client_for(world.reviewer_1)
    before = snapshot()
    for method, path, data in SIGNED_IN:
        client = ApiClient()
        client.client = staff
        assert call(client, method, path, data, scene).status_code == 401
    assert snapshot() == before
