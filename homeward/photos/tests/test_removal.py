"""Photos go when they should and not before: at the end of retention a message's photos
lose their pictures and thumbnails (the storage is checked), a legal hold keeps them, and a
photo uploaded but never sent is deleted two days on. Archives and case exports carry them
with their hashes."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from homeward import builders as t
from homeward.core import clock
from homeward.jobs import services as jobs
from homeward.messaging import archive
from homeward.messaging import services as messaging
from homeward.monitoring import cases, retention
from homeward.people.models import StaffMembership
from homeward.photos import intake, removal, review, sending, sweep
from homeward.photos.models import Photo
from homeward.photos.tests import images
from homeward.photos.tests.conftest import kept_files

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def upload(contact, facility, seed: int = 1) -> Photo:
    picture = SimpleUploadedFile("p.jpg", images.encode(images.scene(seed=seed), "JPEG"))
    return intake.receive(contact=contact, facility=facility, upload=picture)


@pytest.fixture
def delivered(ana, facility):
    """A photo of Ana's, sent forty days before NOW and delivered; the agency keeps
    messages thirty days."""
    reviewer = t.make_staff("rita", role=StaffMembership.Role.REVIEWER, facility=facility)
    with clock.frozen_at(NOW - dt.timedelta(days=40)):
        photo = upload(ana, facility)
        jobs.run_pending("test")
        message = sending.send(
            contact=ana,
            connection_id=ana.connections.get().pk,
            body="The lake",
            photo_ids=[photo.pk],
        ).message
        jobs.run_pending("test")
        messaging.approve(message_id=message.pk, actor=reviewer)
        review.approve(staff=reviewer, photo_ids=[photo.pk])
        jobs.run_pending("test")
    facility.agency.message_retention_days = 30
    facility.agency.save()
    photo.refresh_from_db()
    assert photo.message.status == "delivered"
    return photo


def test_retention_deletes_the_pictures_and_keeps_the_record(delivered, facility, photo_files):
    photo = delivered
    names = {photo.image.name, photo.thumbnail.name}
    assert names <= set(kept_files(photo_files))
    assert retention.run(agency_id=facility.agency_id, now=NOW) == 1
    assert not names & set(kept_files(photo_files))
    photo.refresh_from_db()
    assert (photo.image.name, photo.thumbnail.name) == ("", "")
    assert photo.removed_at == NOW
    assert photo.sha256 and photo.phash is not None  # the record keeps its hashes
    assert photo.status == Photo.Status.APPROVED


def test_a_legal_hold_keeps_the_pictures(delivered, facility, ana, photo_files):
    admin = t.make_staff(
        "agency-admin", role=StaffMembership.Role.AGENCY_ADMIN, agency=facility.agency
    )
    hold = retention.place_hold(staff=admin, agency=facility.agency, subject=ana, reason="Suit")
    assert retention.run(agency_id=facility.agency_id, now=NOW) == 0
    delivered.refresh_from_db()
    names = {delivered.image.name, delivered.thumbnail.name}
    assert names <= set(kept_files(photo_files)) and delivered.removed_at is None
    retention.release_hold(staff=admin, hold=hold, reason="Settled")
    assert retention.run(agency_id=facility.agency_id, now=NOW) == 1
    assert not names & set(kept_files(photo_files))


def test_a_photo_never_sent_is_deleted_two_days_on(
    ana, facility, photo_files, django_capture_on_commit_callbacks
):
    with clock.frozen_at(NOW), django_capture_on_commit_callbacks(execute=True):
        unsent = upload(ana, facility)
        jobs.run_pending("test")  # the check deletes the raw upload once it commits
    unsent.refresh_from_db()
    assert unsent.status == Photo.Status.READY and kept_files(photo_files)
    assert removal.discard_unsent(NOW + dt.timedelta(days=1)) == 0
    assert sweep.next_visit(NOW + dt.timedelta(days=1)) == NOW + removal.UNSENT_KEPT
    assert sweep.run(NOW + dt.timedelta(days=2, minutes=1)).discarded == 1
    assert not Photo.objects.filter(pk=unsent.pk).exists()
    assert kept_files(photo_files) == []


def test_a_sent_photo_is_not_discarded_as_unsent(delivered, photo_files):
    assert removal.discard_unsent(NOW + dt.timedelta(days=400)) == 0
    assert Path(photo_files, delivered.image.name).exists()


# --- the records that leave: a person's archive, a case export ------------------------------


def test_the_archives_carry_the_photos_each_may_see(delivered, ana, facility, photo_files):
    blocked = Photo.objects.create(
        contact=ana,
        facility=facility,
        message=delivered.message,
        position=1,
        status=Photo.Status.BLOCKED,
        block_reason="gang",
        source_format="JPEG",
        original_bytes=1,
        original_sha256="0" * 64,
        width=1,
        height=1,
        created_at=NOW,
    )
    kept = Path(photo_files, delivered.image.name)
    theirs = json.loads(b"".join(archive.write(archive.of_contact(ana), "json")))
    [sent] = theirs["messages"]
    assert [a["photo"] for a in sent["attachments"]] == [delivered.pk, blocked.pk]
    first = sent["attachments"][0]
    assert first["sha256"] == delivered.sha256 and first["status"] == "approved"
    assert base64.b64decode(first["base64"]) == kept.read_bytes()
    assert sent["attachments"][1]["blocked_because"] == "gang"
    # The resident sees only the approved photo; the mbox attaches it.
    resident = delivered.message.resident
    his = json.loads(b"".join(archive.write(archive.of_resident(resident), "json")))
    assert [a["photo"] for a in his["messages"][0]["attachments"]] == [delivered.pk]
    mbox = b"".join(archive.write(archive.of_resident(resident), "mbox"))
    assert f'filename="photo-{delivered.pk}.jpg"'.encode() in mbox
    assert f"photo-{blocked.pk}.jpg".encode() not in mbox


def test_a_case_export_carries_the_pictures_with_their_hashes(delivered, facility):
    investigator = t.make_staff("ivan", role=StaffMembership.Role.INVESTIGATOR, facility=facility)
    case = cases.open_case(staff=investigator, agency=facility.agency, name="Tip", reason="A call")
    cases.add_messages(staff=investigator, case=case, message_ids=[delivered.message_id])
    bundle = zipfile.ZipFile(io.BytesIO(cases.export(staff=investigator, case=case).data))
    [record] = json.loads(bundle.read("case.json"))["messages"]
    [photo] = record["photos"]
    picture = bundle.read(photo["file"])
    assert hashlib.sha256(picture).hexdigest() == photo["sha256"] == delivered.sha256
    manifest = json.loads(bundle.read("manifest.json"))
    assert photo["file"] in {entry["name"] for entry in manifest["files"]}


def test_a_case_export_past_its_picture_limit_says_which_it_left_out(
    delivered, facility, monkeypatch
):
    monkeypatch.setattr(cases, "MAX_PICTURE_BYTES", 10)
    investigator = t.make_staff("ivan", role=StaffMembership.Role.INVESTIGATOR, facility=facility)
    case = cases.open_case(staff=investigator, agency=facility.agency, name="Tip", reason="A call")
    cases.add_messages(staff=investigator, case=case, message_ids=[delivered.message_id])
    bundle = zipfile.ZipFile(io.BytesIO(cases.export(staff=investigator, case=case).data))
    [photo] = json.loads(bundle.read("case.json"))["messages"][0]["photos"]
    assert photo["file"] is None and "size limit" in photo["left_out"]
    assert photo["sha256"] == delivered.sha256
    assert not [name for name in bundle.namelist() if name.startswith("photos/")]
