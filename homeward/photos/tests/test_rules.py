"""The facility's photo rules, and who may upload: nothing is kept from anyone the facility
or the connection does not allow."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from homeward import builders as t
from homeward.connections.models import Connection
from homeward.core.errors import DomainError
from homeward.facilities.models import Facility, FacilityPolicy
from homeward.jobs.models import Job
from homeward.people.models import Contact
from homeward.photos import intake
from homeward.photos.models import Photo
from homeward.photos.tests import images
from homeward.photos.tests.conftest import kept_files

pytestmark = pytest.mark.django_db

C = Connection.Status


def upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", images.encode(images.scene(), "JPEG"))


def refused(contact: Contact, facility: Facility, code: str, photo_files: Path) -> DomainError:
    with pytest.raises(DomainError) as raised:
        intake.receive(contact=contact, facility=facility, upload=upload())
    assert raised.value.code == code
    assert not Photo.objects.exists()
    assert kept_files(photo_files) == []
    assert not Job.objects.exists()
    return raised.value


def test_a_facility_takes_no_photos_until_it_turns_them_on() -> None:
    policy = t.make_facility().policy
    assert policy.photos_allowed is False
    assert policy.photos_per_message == 3
    assert policy.photo_gif_allowed is False
    assert policy.photos_reviewed is True  # a person reviews photos unless the facility says


@pytest.mark.parametrize("count", [0, 11])
def test_a_message_carries_from_one_to_ten_photos(facility: Facility, count: int) -> None:
    policy = facility.policy
    policy.photos_per_message = count
    with pytest.raises(ValidationError):
        policy.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        FacilityPolicy.objects.filter(pk=policy.pk).update(photos_per_message=count)


def test_ten_photos_a_message_is_allowed(facility: Facility) -> None:
    policy = facility.policy
    policy.photos_per_message = 10
    policy.full_clean()
    policy.save()


def test_where_photos_are_off_nothing_is_taken(ana, facility, photo_files) -> None:
    FacilityPolicy.objects.filter(facility=facility).update(photos_allowed=False)
    error = refused(ana, facility, "photos_not_offered", photo_files)
    assert error.status == 403
    with translation.override("es"):
        error = refused(ana, facility, "photos_not_offered", photo_files)
    assert error.message == "Este centro no recibe fotos."


def test_a_closed_account_sends_no_photos(ana, facility, photo_files) -> None:
    Contact.objects.filter(pk=ana.pk).update(closed_at=timezone.now())
    ana.refresh_from_db()
    refused(ana, facility, "account_closed", photo_files)


def test_a_contact_with_no_connection_there_sends_no_photos(facility, photo_files) -> None:
    stranger = t.make_contact("stranger@example.org")
    refused(stranger, facility, "not_connected", photo_files)
    # Connected elsewhere is not connected here.
    elsewhere = t.make_facility("elsewhere", policy={"photos_allowed": True})
    t.connect(stranger, t.make_resident(elsewhere))
    refused(stranger, facility, "not_connected", photo_files)


@pytest.mark.parametrize("status", [C.DECLINED, C.DENIED, C.EXPIRED, C.BLOCKED, C.ENDED])
def test_a_connection_that_ended_or_never_began_allows_no_photos(
    ana, facility, photo_files, status
) -> None:
    Connection.objects.filter(contact=ana).update(status=status)
    refused(ana, facility, "not_connected", photo_files)


@pytest.mark.parametrize("status", [C.REQUESTED, C.INVITED, C.PENDING_STAFF, C.ACTIVE])
def test_a_connection_active_or_waiting_allows_photos(ana, facility, status) -> None:
    Connection.objects.filter(contact=ana).update(status=status)
    photo = intake.receive(contact=ana, facility=facility, upload=upload())
    assert photo.status == Photo.Status.CHECKING and photo.contact == ana


def test_gifs_follow_the_facility_policy(ana, facility) -> None:
    gif = SimpleUploadedFile("a.gif", images.encode(images.scene(), "GIF"))
    with pytest.raises(DomainError) as raised:
        intake.receive(contact=ana, facility=facility, upload=gif)
    assert raised.value.code == "photo_gif_not_allowed"
    FacilityPolicy.objects.filter(facility=facility).update(photo_gif_allowed=True)
    photo = intake.receive(contact=ana, facility=facility, upload=gif)
    assert photo.source_format == "GIF"
