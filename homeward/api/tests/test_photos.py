"""Photos through the API: uploaded as a multipart form, checked in the background (an app
polls the photo's status), sent with a message and charged one by one. A bad file is
refused at once with its code and nothing is kept; a photo that is not yours is no photo."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from homeward import builders as t
from homeward.api.api import api as the_api
from homeward.connections.models import Connection
from homeward.facilities.models import Facility, FacilityPolicy
from homeward.ledger import charges
from homeward.ledger.models import Transaction
from homeward.messaging.models import Message
from homeward.people.models import Contact
from homeward.personas import BASE, ApiClient, api_for, error_of
from homeward.photos import intake, review
from homeward.photos.models import Photo
from homeward.photos.tests import images

pytestmark = pytest.mark.django_db

S = Photo.Status


@pytest.fixture
def facility() -> Facility:
    # 25 cents a message and 50 a photo, paid by the sender; at most two photos a message.
    return t.make_facility(
        "lakeview",
        policy={"photos_allowed": True, "photos_per_message": 2},
        prices={"model": "per_message", "per_message_cents": 25, "photo_cents": 50},
    )


def connected(email: str, facility: Facility) -> Contact:
    contact = t.make_contact(email, name="Ana Lopez")
    t.connect(contact, t.make_resident(facility, first_name="Marcus"))
    t.pay_in(contact, facility, 1000)
    return contact


@pytest.fixture
def ana(facility: Facility) -> Contact:
    return connected("ana@example.org", facility)


@pytest.fixture
def ben(facility: Facility) -> Contact:
    """Another family member at the same facility, with a conversation of his own."""
    return connected("ben@example.org", facility)


@pytest.fixture
def api_ana(ana: Contact) -> ApiClient:
    return api_for(ana)


@pytest.fixture
def api_ben(ben: Contact) -> ApiClient:
    return api_for(ben)


def conversation(contact: Contact) -> Connection:
    return contact.connections.get()


def jpeg(seed: int = 1, size: tuple[int, int] = (640, 480)) -> bytes:
    return images.encode(images.scene(size, seed=seed), "JPEG")


def upload(
    client: ApiClient,
    connection_id: int,
    data: bytes,
    *,
    name: str = "photo.jpg",
    language: str = "",
) -> Any:
    form = {
        "file": SimpleUploadedFile(name, data, "image/jpeg"),
        "connection_id": connection_id,
    }
    headers = client._headers() | ({"Accept-Language": language} if language else {})
    return client.client.post(BASE + "/photos", form, headers=headers)


def ready_photo(client: ApiClient, contact: Contact, run_jobs, seed: int = 1) -> dict:
    response = upload(client, conversation(contact).pk, jpeg(seed))
    assert response.status_code == 202, response.content
    run_jobs()
    photo = client.get(f"/photos/{response.json()['id']}").json()
    assert photo["status"] == "ready", photo
    return photo


def send(client: ApiClient, contact: Contact, body: str = "Pictures of the kids", **extra):
    return client.post(
        f"/conversations/{conversation(contact).pk}/messages", {"body": body, **extra}
    )


def quote(client: ApiClient, contact: Contact, body: str = "Hi", **extra):
    return client.post(f"/conversations/{conversation(contact).pk}/quote", {"body": body, **extra})


def read_file(response: Any) -> bytes:
    """A picture's bytes."""
    return bytes(response.content)


def wallet(contact: Contact, facility: Facility) -> int:
    return charges.wallet(contact, facility).balance


def kept_files(location) -> list[str]:
    if not location.exists():
        return []
    return sorted(str(p.relative_to(location)) for p in location.rglob("*") if p.is_file())


# --- the way of a photo -------------------------------------------------------------------


def test_upload_check_send_and_the_message_shows_its_photos(
    ana, facility, api_ana, run_jobs, photo_files
):
    response = upload(api_ana, conversation(ana).pk, jpeg())
    assert response.status_code == 202
    photo = response.json()
    assert photo["status"] == "checking" and photo["refusal_code"] is None
    assert photo["status_words"] == "Being checked (usually a few seconds)"
    assert (photo["width"], photo["height"]) == (640, 480)
    assert photo["facility"] == {"code": "lakeview", "name": facility.name}
    assert photo["checked_at"] is None and photo["byte_size"] is None
    assert photo["message_id"] is None and photo["position"] is None
    # Polled while checked: no picture yet.
    assert api_ana.get(f"/photos/{photo['id']}").json()["status"] == "checking"
    not_yet = api_ana.get(f"/photos/{photo['id']}/thumbnail")
    assert not_yet.status_code == 404 and error_of(not_yet)["code"] == "not_found"

    run_jobs()
    checked = api_ana.get(f"/photos/{photo['id']}").json()
    assert checked["status"] == "ready" and checked["status_words"] == "Ready to send"
    assert checked["checked_at"] and checked["byte_size"] > 0

    priced = quote(api_ana, ana, photos=1).json()
    assert priced["total_cents"] == priced["to_pay_cents"] == 25 + 50
    response = send(api_ana, ana, photo_ids=[photo["id"]], idempotency_key="m1")
    assert response.status_code == 201
    sent = response.json()
    assert wallet(ana, facility) == 1000 - 75
    waiting = {"status": "attached", "status_words": "Waiting for review", "position": 0}
    assert sent["photos"] == [{"id": photo["id"], **waiting}]
    after = api_ana.get(f"/photos/{photo['id']}").json()
    assert after["status"] == "attached" and after["message_id"] == sent["id"]
    assert after["position"] == 0 and after["attached_at"]
    listed = api_ana.get(f"/conversations/{conversation(ana).pk}/messages").json()["messages"]
    assert [m["photos"] for m in listed] == [sent["photos"]]

    # The same request again is the same message, charged once.
    again = send(api_ana, ana, photo_ids=[photo["id"]], idempotency_key="m1")
    assert again.status_code == 200 and again.json()["id"] == sent["id"]
    assert wallet(ana, facility) == 1000 - 75


def test_a_message_without_photos_has_none(ana, api_ana):
    response = send(api_ana, ana, body="Just words")
    assert response.status_code == 201 and response.json()["photos"] == []


def test_photos_keep_their_order_and_a_message_of_photos_needs_no_text(
    ana, facility, api_ana, run_jobs
):
    first = ready_photo(api_ana, ana, run_jobs, seed=1)
    second = ready_photo(api_ana, ana, run_jobs, seed=2)
    assert quote(api_ana, ana, body="", photos=2).json()["total_cents"] == 25 + 2 * 50
    response = send(api_ana, ana, body="  ", photo_ids=[second["id"], first["id"]])
    assert response.status_code == 201
    sent = response.json()
    assert sent["body"] == ""
    assert [(p["id"], p["position"]) for p in sent["photos"]] == [
        (second["id"], 0),
        (first["id"], 1),
    ]
    assert wallet(ana, facility) == 1000 - 25 - 2 * 50
    charged = Transaction.objects.filter(
        message_id=sent["id"], kind=Transaction.Kind.MESSAGE_CHARGE
    )
    assert charged.count() == 3  # the message and each photo on its own


def test_the_pictures_are_the_checked_jpegs(ana, api_ana, run_jobs, settings):
    photo = ready_photo(api_ana, ana, run_jobs)
    picture = api_ana.get(f"/photos/{photo['id']}/picture")
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/jpeg"
    assert picture["Content-Disposition"] == "inline"
    assert picture["Cache-Control"] == "private, no-store"
    assert picture["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(read_file(picture)))
    assert image.format == "JPEG" and image.size == (photo["width"], photo["height"])
    assert not image.getexif()
    thumbnail = api_ana.get(f"/photos/{photo['id']}/thumbnail")
    small = Image.open(io.BytesIO(read_file(thumbnail)))
    assert small.format == "JPEG" and max(small.size) <= settings.PHOTO_THUMBNAIL


def test_a_blocked_photo_says_why_where_the_facility_shows_reasons(
    ana, facility, api_ana, run_jobs
):
    photo = ready_photo(api_ana, ana, run_jobs)
    sent = send(api_ana, ana, photo_ids=[photo["id"]]).json()
    reviewer = t.make_staff("rita", facility=facility, role="reviewer")
    review.block(staff=reviewer, photo_ids=[photo["id"]], reason="gang")
    run_jobs()
    blocked = api_ana.get(f"/photos/{photo['id']}").json()
    assert (blocked["status"], blocked["block_reason"]) == ("blocked", "gang")
    assert blocked["decided_at"]
    assert blocked["status_words"] == (
        "Not delivered: gang signs or symbols. You are not charged for it."
    )
    listed = api_ana.get(f"/conversations/{conversation(ana).pk}/messages").json()["messages"]
    shown = next(m for m in listed if m["id"] == sent["id"])["photos"]
    assert [(p["status"], p["status_words"]) for p in shown] == [
        ("blocked", blocked["status_words"])
    ]

    FacilityPolicy.objects.filter(facility=facility).update(show_block_reasons=False)
    hidden = api_ana.get(f"/photos/{photo['id']}").json()
    assert hidden["block_reason"] is None
    assert hidden["status_words"] == "Not delivered. You are not charged for it."


# --- refused at once, nothing kept ----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"Dear Marcus,\nthis is not a photo.\n" * 20, "photo_not_an_image"),
        (b"", "photo_not_an_image"),
        (images.png_bomb(20_000, 20_000), "photo_too_many_pixels"),
        (images.encode(Image.new("RGB", (40, 30), (200, 0, 0)), "GIF"), "photo_gif_not_allowed"),
        (jpeg()[:40], "photo_damaged"),
    ],
    ids=["text-named-jpg", "empty", "bomb", "gif", "cut-in-its-header"],
)
def test_a_bad_file_is_refused_at_once_with_its_code(
    ana, facility, api_ana, photo_files, data, code
):
    response = upload(api_ana, conversation(ana).pk, data)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == code
    assert error["message"] == intake.refusal_message(code)
    assert not Photo.objects.exists()
    assert kept_files(photo_files) == []
    assert wallet(ana, facility) == 1000


def test_a_file_over_the_byte_limit_is_refused(ana, api_ana, photo_files, settings):
    settings.PHOTO_MAX_BYTES = 50_000
    big = images.encode(images.scene((1200, 900), seed=3), "PNG")
    assert len(big) > 50_000
    response = upload(api_ana, conversation(ana).pk, big, name="big.png")
    assert response.status_code == 400 and error_of(response)["code"] == "photo_too_large"
    assert not Photo.objects.exists() and kept_files(photo_files) == []


def test_a_refusal_is_said_in_the_language_asked_for(ana, api_ana):
    response = upload(api_ana, conversation(ana).pk, b"not a photo", language="es")
    assert response.status_code == 400 and response["Content-Language"] == "es"
    error = error_of(response)
    assert error["code"] == "photo_not_an_image"
    assert error["message"] != str(intake.REFUSALS["photo_not_an_image"])  # not the English


def test_uploads_past_the_hourly_limit_are_429(ana, api_ana, photo_files, settings):
    settings.PHOTO_UPLOADS_PER_HOUR = 1
    assert upload(api_ana, conversation(ana).pk, jpeg(1)).status_code == 202
    kept = kept_files(photo_files)
    response = upload(api_ana, conversation(ana).pk, jpeg(2))
    assert response.status_code == 429
    assert error_of(response)["code"] == "too_many_uploads"
    assert int(response["Retry-After"]) >= 1
    assert Photo.objects.count() == 1 and kept_files(photo_files) == kept


def test_a_facility_that_takes_no_photos_refuses_them(ana, facility, api_ana):
    FacilityPolicy.objects.filter(facility=facility).update(photos_allowed=False)
    response = upload(api_ana, conversation(ana).pk, jpeg())
    assert response.status_code == 403 and error_of(response)["code"] == "photos_not_offered"
    refused = quote(api_ana, ana, photos=1)
    assert refused.status_code == 403 and error_of(refused)["code"] == "photos_not_offered"
    assert quote(api_ana, ana, photos=0).status_code == 200
    assert not Photo.objects.exists()


# --- refused when sent, nothing charged -----------------------------------------------------


def nothing_sent(contact: Contact, facility: Facility) -> None:
    assert not Message.objects.filter(contact=contact).exists()
    assert wallet(contact, facility) == 1000


def test_a_truncated_jpeg_is_taken_then_refused_by_the_check(ana, facility, api_ana, run_jobs):
    whole = images.encode(images.scene(seed=5), "JPEG", quality=90)
    response = upload(api_ana, conversation(ana).pk, whole[: len(whole) * 2 // 3])
    assert response.status_code == 202 and response.json()["status"] == "checking"
    run_jobs()
    photo = api_ana.get(f"/photos/{response.json()['id']}").json()
    assert photo["status"] == "refused" and photo["refusal_code"] == "photo_damaged"
    assert photo["status_words"] == intake.refusal_message("photo_damaged")
    assert api_ana.get(f"/photos/{photo['id']}/picture").status_code == 404

    response = send(api_ana, ana, photo_ids=[photo["id"]])
    assert response.status_code == 409 and error_of(response)["code"] == "photo_refused"
    nothing_sent(ana, facility)


def test_a_photo_still_being_checked_cannot_be_sent(ana, facility, api_ana):
    checking = upload(api_ana, conversation(ana).pk, jpeg()).json()
    response = send(api_ana, ana, photo_ids=[checking["id"]])
    assert response.status_code == 409 and error_of(response)["code"] == "photo_not_ready"
    nothing_sent(ana, facility)
    assert api_ana.get(f"/photos/{checking['id']}").json()["status"] == "checking"


def test_more_photos_than_the_facility_allows_are_refused(ana, facility, api_ana, run_jobs):
    ids = [ready_photo(api_ana, ana, run_jobs, seed)["id"] for seed in (1, 2, 3)]
    response = send(api_ana, ana, photo_ids=ids)
    assert response.status_code == 400 and error_of(response)["code"] == "too_many_photos"
    nothing_sent(ana, facility)
    assert {p.status for p in Photo.objects.all()} == {S.READY}
    priced = quote(api_ana, ana, photos=3)
    assert priced.status_code == 400 and error_of(priced)["code"] == "too_many_photos"
    # Past what any facility allows, the request itself is wrong.
    too_many = quote(api_ana, ana, photos=11)
    assert too_many.status_code == 422 and error_of(too_many)["code"] == "invalid_input"
    listed = send(api_ana, ana, photo_ids=list(range(1, 12)))
    assert listed.status_code == 422
    nothing_sent(ana, facility)


@pytest.mark.parametrize("photo_ids", [[0], [2**63], [1.5], ["1"], [True]])
def test_a_photo_id_that_is_no_id_is_invalid_input(ana, api_ana, photo_ids):
    response = send(api_ana, ana, photo_ids=photo_ids)
    assert response.status_code == 422 and error_of(response)["code"] == "invalid_input"


def test_a_repeated_key_must_name_the_same_photos(ana, facility, api_ana, run_jobs):
    first = ready_photo(api_ana, ana, run_jobs, seed=1)
    second = ready_photo(api_ana, ana, run_jobs, seed=2)
    assert send(api_ana, ana, photo_ids=[first["id"]], idempotency_key="k").status_code == 201
    charged = wallet(ana, facility)
    for other in ([second["id"]], [first["id"], second["id"]], []):
        response = send(api_ana, ana, photo_ids=other, idempotency_key="k")
        assert response.status_code == 409, other
        assert error_of(response)["code"] == "idempotency_key_reused"
    assert wallet(ana, facility) == charged
    assert api_ana.get(f"/photos/{second['id']}").json()["status"] == "ready"


def test_photos_cannot_go_on_a_privileged_channel(ana, facility, api_ana, run_jobs):
    photo = ready_photo(api_ana, ana, run_jobs)
    Connection.objects.filter(pk=conversation(ana).pk).update(privileged=True)
    response = send(api_ana, ana, photo_ids=[photo["id"]])
    assert response.status_code == 403
    assert error_of(response)["code"] == "photos_not_on_privileged"
    refused = quote(api_ana, ana, photos=1)
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "photos_not_on_privileged"
    nothing_sent(ana, facility)


# --- whose photo ------------------------------------------------------------------------------


def test_someone_elses_photo_is_no_photo(ana, ben, facility, api_ana, api_ben, run_jobs):
    photo = ready_photo(api_ana, ana, run_jobs)
    missing = api_ben.get("/photos/999999")
    assert missing.status_code == 404
    for path in ("", "/thumbnail", "/picture"):
        response = api_ben.get(f"/photos/{photo['id']}{path}")
        assert response.status_code == 404, path
        assert response.json() == missing.json()  # the same answer as no photo at all
        assert error_of(response)["code"] == "photo_not_found"
    # Ben cannot send it on his own conversation, nor upload to Ana's.
    response = send(api_ben, ben, photo_ids=[photo["id"]])
    assert response.status_code == 404 and error_of(response)["code"] == "photo_not_found"
    nothing_sent(ben, facility)
    response = upload(api_ben, conversation(ana).pk, jpeg(2))
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert Photo.objects.get().status == S.READY and Photo.objects.count() == 1
    # Ana still can.
    assert send(api_ana, ana, photo_ids=[photo["id"]]).status_code == 201


def test_anonymous_is_401(ana, anon, api_ana, run_jobs):
    photo = ready_photo(api_ana, ana, run_jobs)
    for path in (f"/photos/{photo['id']}", f"/photos/{photo['id']}/thumbnail"):
        response = anon.get(path)
        assert response.status_code == 401 and error_of(response)["code"] == "unauthenticated"
    response = upload(anon, conversation(ana).pk, jpeg(2))
    assert response.status_code == 401 and error_of(response)["code"] == "unauthenticated"
    assert Photo.objects.count() == 1


# --- the spec -----------------------------------------------------------------------------


SPEC = the_api.get_openapi_schema(path_prefix="/api/v1/")


def _codes(operation: dict, status: int) -> list[str]:
    return operation["responses"][status]["x-error-codes"]


def test_the_spec_says_how_to_upload_and_what_comes_back():
    upload_op = SPEC["paths"]["/api/v1/photos"]["post"]
    assert upload_op["operationId"] == "photos_upload" and upload_op["security"]
    form = upload_op["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["properties"]["file"] == {"format": "binary", "title": "File", "type": "string"}
    assert set(form["required"]) == {"file", "connection_id"}
    assert upload_op["responses"][202]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PhotoOut"
    }
    assert set(intake.REFUSALS) - {"photo_extra_data"} <= set(_codes(upload_op, 400))
    assert "malformed_json" not in _codes(upload_op, 400)  # a form, not JSON
    assert _codes(upload_op, 403) == ["account_closed", "not_connected", "photos_not_offered"]
    assert _codes(upload_op, 429) == ["too_many_uploads"]
    for size in ("thumbnail", "picture"):
        operation = SPEC["paths"][f"/api/v1/photos/{{photo_id}}/{size}"]["get"]
        assert operation["operationId"] == f"photos_{size}"
        assert set(operation["responses"][200]["content"]) == {"image/jpeg"}
        assert _codes(operation, 404) == ["not_found", "photo_not_found"]
    sending = SPEC["paths"]["/api/v1/conversations/{connection_id}/messages"]["post"]
    assert {"photo_not_ready", "photo_refused", "idempotency_key_reused"} <= set(
        _codes(sending, 409)
    )
    assert "photo_not_found" in _codes(sending, 404)
    assert {"too_many_photos"} <= set(_codes(sending, 400))
