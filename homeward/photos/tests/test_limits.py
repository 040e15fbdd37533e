"""At most PHOTO_UPLOADS_PER_HOUR photos a contact an hour, counted before anything is kept:
in a row, and (on PostgreSQL) thirty at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from homeward import builders as t
from homeward.core import clock
from homeward.core.errors import DomainError
from homeward.facilities.models import Facility
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.people import throttle
from homeward.people.models import Contact
from homeward.photos import intake
from homeward.photos.models import Photo
from homeward.photos.tests import images
from homeward.photos.tests.conftest import kept_files

JPEG = images.encode(images.scene(), "JPEG")
BURST = 30


def make_world() -> tuple[Contact, Facility]:
    facility = t.make_facility(policy={"photos_allowed": True})
    contact = t.make_contact()
    t.connect(contact, t.make_resident(facility))
    return contact, facility


def send(contact: Contact, facility: Facility, data: bytes = JPEG) -> Photo:
    upload = SimpleUploadedFile("photo.jpg", data)
    return intake.receive(contact=contact, facility=facility, upload=upload)


@pytest.mark.django_db
def test_past_the_hourly_limit_uploads_are_refused_until_the_hour_is_over(
    settings, photo_files
) -> None:
    settings.PHOTO_UPLOADS_PER_HOUR = 2
    contact, facility = make_world()
    other, other_facility = make_world()
    start = clock.now()
    with clock.frozen_at(start):
        send(contact, facility)
        send(contact, facility)
        with pytest.raises(throttle.Refused) as refused:
            send(contact, facility)
        assert refused.value.code == "too_many_uploads" and refused.value.status == 429
        assert 0 < (refused.value.retry_after or 0) <= 3601
        assert Photo.objects.filter(contact=contact).count() == 2
        assert len(kept_files(photo_files)) == 2
        # Another contact has an hour of their own.
        send(other, other_facility)
    with clock.frozen_at(start + dt.timedelta(minutes=61)):
        send(contact, facility)
    assert Photo.objects.filter(contact=contact).count() == 3


@pytest.mark.django_db
def test_a_file_refused_for_what_it_is_is_not_counted(settings) -> None:
    settings.PHOTO_UPLOADS_PER_HOUR = 1
    contact, facility = make_world()
    for _ in range(3):
        with pytest.raises(DomainError):
            send(contact, facility, b"not a picture")
    send(contact, facility)
    with pytest.raises(throttle.Refused):
        send(contact, facility)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks")
def test_thirty_parallel_uploads_with_a_limit_of_five_keep_exactly_five(
    settings, photo_files
) -> None:
    settings.PHOTO_UPLOADS_PER_HOUR = 5
    contact, facility = make_world()

    def upload(_: int) -> str:
        try:
            send(contact, facility)
        except throttle.Refused as refused:
            return refused.code
        return "kept"

    results = in_threads(BURST, upload)
    assert sorted(map(str, results)) == sorted(["kept"] * 5 + ["too_many_uploads"] * 25)
    assert Photo.objects.filter(contact=contact).count() == 5
    assert len(kept_files(photo_files)) == 5
