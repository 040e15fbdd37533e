"""Which photos a message may carry: the contact's own, ready, for that facility, no more
than the facility allows, in the order asked."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from homeward import builders as t
from homeward.core.errors import DomainError
from homeward.facilities.models import Facility, FacilityPolicy
from homeward.people.models import Contact
from homeward.photos import access, intake
from homeward.photos.models import Photo
from homeward.photos.tests import images

pytestmark = pytest.mark.django_db

JPEG = images.encode(images.scene(), "JPEG")


@pytest.fixture
def other_facility() -> Facility:
    return t.make_facility("sing-sing", policy={"photos_allowed": True})


def connected(email: str, *facilities: Facility) -> Contact:
    contact = t.make_contact(email)
    for facility in facilities:
        t.connect(contact, t.make_resident(facility))
    return contact


@pytest.fixture
def ana(facility: Facility, other_facility: Facility) -> Contact:
    return connected("ana@example.org", facility, other_facility)


@pytest.fixture
def ben(facility: Facility) -> Contact:
    return connected("ben@example.org", facility)


def photo(contact: Contact, facility: Facility, status: str = Photo.Status.READY) -> Photo:
    made = intake.receive(
        contact=contact, facility=facility, upload=SimpleUploadedFile("p.jpg", JPEG)
    )
    Photo.objects.filter(pk=made.pk).update(status=status)
    made.refresh_from_db()
    return made


def refused(contact: Contact, facility: Facility, ids: list[int], code: str) -> DomainError:
    with pytest.raises(DomainError) as raised:
        access.attachable(contact, facility, ids)
    assert raised.value.code == code
    return raised.value


def test_the_contacts_ready_photos_come_back_in_the_order_asked(ana, facility) -> None:
    first, second, third = (photo(ana, facility) for _ in range(3))
    ids = [third.pk, first.pk, second.pk]
    assert [p.pk for p in access.attachable(ana, facility, ids)] == ids
    assert access.attachable(ana, facility, []) == []
    assert [p.pk for p in access.attachable(ana, facility, [first.pk, first.pk])] == [first.pk]


def test_no_more_than_the_facility_allows(ana, facility) -> None:
    photos = [photo(ana, facility) for _ in range(4)]
    error = refused(ana, facility, [p.pk for p in photos], "too_many_photos")
    assert error.message == "A message may carry at most 3 photos here."
    FacilityPolicy.objects.filter(facility=facility).update(photos_per_message=4)
    assert len(access.attachable(ana, facility, [p.pk for p in photos])) == 4


def test_someone_elses_photo_and_a_photo_for_another_facility_get_one_answer(
    ana, ben, facility, other_facility
) -> None:
    mine = photo(ana, facility)
    bens = photo(ben, facility)
    elsewhere = photo(ana, other_facility)
    missing = max(mine.pk, bens.pk, elsewhere.pk) + 1
    answers = {
        (e.code, e.message, e.status)
        for e in (
            refused(ana, facility, [mine.pk, bens.pk], "photo_not_found"),
            refused(ana, facility, [elsewhere.pk], "photo_not_found"),
            refused(ana, facility, [missing], "photo_not_found"),
        )
    }
    assert answers == {("photo_not_found", "No such photo.", 404)}


def test_a_photo_still_checking_or_refused_cannot_go(ana, facility) -> None:
    ready = photo(ana, facility)
    checking = photo(ana, facility, Photo.Status.CHECKING)
    bad = photo(ana, facility, Photo.Status.REFUSED)
    refused(ana, facility, [ready.pk, checking.pk], "photo_not_ready")
    refused(ana, facility, [ready.pk, bad.pk], "photo_refused")


def test_where_photos_were_turned_off_none_can_go(ana, facility) -> None:
    ready = photo(ana, facility)
    FacilityPolicy.objects.filter(facility=facility).update(photos_allowed=False)
    refused(ana, facility, [ready.pk], "photos_not_offered")
