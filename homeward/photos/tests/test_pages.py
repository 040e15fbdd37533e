"""Photos on the pages: the contact adds photos in the compose form (what was written is
kept), sees their price, sends them, and follows each one's status; the resident sees
approved ones on the kiosk; reviewers decide in the photo queue. Nobody reaches another's
photo: every picture is behind a view that checks who asks."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from homeward import builders as t
from homeward.facilities.models import Facility, FacilityPolicy
from homeward.ledger import charges
from homeward.messaging.models import Message
from homeward.people.models import Contact, Resident, User
from homeward.personas import client_for, kiosk_client_for
from homeward.photos.models import Photo, PhotoHash
from homeward.photos.tests import images
from homeward.review.models import ReviewTask

pytestmark = pytest.mark.django_db

S = Photo.Status


@pytest.fixture
def facility() -> Facility:
    return t.make_facility(
        "greenhaven",
        policy={"photos_allowed": True, "review_mode": "flagged", "photos_per_message": 2},
        prices={"model": "stamps", "stamp_cents": 40, "photo_stamps": 1},
    )


@pytest.fixture
def marcus(facility: Facility) -> Resident:
    return t.make_resident(facility, "NY5001", first_name="Marcus")


@pytest.fixture
def rosa(facility: Facility, marcus: Resident) -> Contact:
    rosa = t.make_contact("rosa@example.org", name="Rosa Diaz")
    t.connect(rosa, marcus)
    t.pay_in(rosa, facility, 500)
    return rosa


@pytest.fixture
def browser(rosa: Contact) -> Client:
    return client_for(rosa.user)


@pytest.fixture
def reviewer(facility: Facility) -> User:
    return t.make_staff("rita", facility=facility, role="reviewer")


def jpeg(seed: int = 1, name: str = "kids.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, images.encode(images.scene(seed=seed), "JPEG"), "image/jpeg")


def conversation(rosa: Contact) -> str:
    return f"/conversations/{rosa.connections.get().pk}/"


def test_photos_added_in_the_form_keep_what_was_written(browser, rosa, run_jobs):
    page = browser.post(
        f"{conversation(rosa)}photos/",
        {"body": "Look how big they are", "photo_file": [jpeg(1), jpeg(2)]},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Look how big they are</textarea>" in html
    assert "2 photos added" in html
    assert html.count("Being checked") == 2
    assert Photo.objects.filter(contact=rosa, status=S.CHECKING).count() == 2
    run_jobs()
    fragment = browser.get(f"{conversation(rosa)}photos/unsent/").content.decode()
    assert fragment.count('name="photo"') == 2 and fragment.count("checked") == 2
    assert "data-refresh-url" not in fragment  # nothing left to wait for


def test_the_price_counts_the_ticked_photos(browser, rosa, run_jobs):
    browser.post(f"{conversation(rosa)}photos/", {"photo_file": [jpeg(1), jpeg(2)]})
    run_jobs()
    page = browser.get(conversation(rosa)).content.decode()
    assert "2 stamps for photos" in page
    box = browser.get(f"{conversation(rosa)}price/?characters=10&photos=1").content.decode()
    assert "1 stamp for photos" in box
    # More than a message may carry is priced as the most it may carry.
    box = browser.get(f"{conversation(rosa)}price/?characters=10&photos=9").content.decode()
    assert "2 stamps for photos" in box


def test_sending_with_photos_shows_each_photos_status(browser, rosa, facility, run_jobs):
    browser.post(f"{conversation(rosa)}photos/", {"photo_file": [jpeg(1), jpeg(2)]})
    run_jobs()
    ids = list(Photo.objects.filter(contact=rosa).values_list("pk", flat=True))
    answer = browser.post(
        f"{conversation(rosa)}send/",
        {"body": "Two of the kids", "photo": [str(pk) for pk in ids], "client_token": ""},
    )
    assert answer.status_code == 302
    message = Message.objects.get()
    assert sorted(message.photos.values_list("pk", flat=True)) == sorted(ids)
    assert charges.wallet(rosa, facility).balance == 500 - 3 * 40
    page = browser.get(conversation(rosa)).content.decode()
    assert page.count("Waiting for review") == 2
    assert f"/photos/{ids[0]}/thumbnail/" in page


@pytest.mark.parametrize(
    ("upload", "said"),
    [
        (SimpleUploadedFile("kids.jpg", b"hello, this is text"), "not a photo we can take"),
        (
            SimpleUploadedFile("cut.jpg", images.encode(images.scene(), "JPEG")[:2000]),
            "damaged or incomplete",
        ),
        (SimpleUploadedFile("bomb.png", images.png_bomb(20_000, 20_000)), "too big"),
    ],
    ids=["text named .jpg", "truncated JPEG", "decompression bomb"],
)
def test_a_bad_file_is_refused_by_name_and_nothing_is_charged(
    browser, rosa, facility, run_jobs, upload, said
):
    page = browser.post(f"{conversation(rosa)}photos/", {"body": "hi", "photo_file": [upload]})
    run_jobs()
    html = browser.get(conversation(rosa)).content.decode() + page.content.decode()
    assert said in html
    assert not Photo.objects.filter(status=S.READY).exists()
    assert charges.wallet(rosa, facility).balance == 500


def test_more_files_than_a_message_may_carry_at_once_are_refused(browser, rosa):
    page = browser.post(
        f"{conversation(rosa)}photos/", {"photo_file": [jpeg(seed) for seed in range(11)]}
    )
    assert page.status_code == 400
    assert "at most 10 photos at once; nothing was added" in page.content.decode()
    assert not Photo.objects.exists()


def test_ticking_more_photos_than_allowed_sends_nothing(browser, rosa, facility, run_jobs):
    browser.post(f"{conversation(rosa)}photos/", {"photo_file": [jpeg(1), jpeg(2), jpeg(3)]})
    run_jobs()
    ids = [str(pk) for pk in Photo.objects.values_list("pk", flat=True)]
    page = browser.post(f"{conversation(rosa)}send/", {"body": "hi", "photo": ids})
    assert "at most 2 photos" in page.content.decode()
    assert "hi</textarea>" in page.content.decode()
    assert not Message.objects.exists()
    assert charges.wallet(rosa, facility).balance == 500


def test_nobody_else_reaches_a_photo(browser, rosa, facility, marcus, reviewer, run_jobs):
    browser.post(f"{conversation(rosa)}photos/", {"photo_file": [jpeg(1)]})
    run_jobs()
    photo = Photo.objects.get()
    mine = browser.get(f"/photos/{photo.pk}/picture/")
    assert mine.status_code == 200 and mine["Content-Type"] == "image/jpeg"
    assert mine["Cache-Control"] == "private, no-store"
    assert mine.content[:2] == b"\xff\xd8"
    ben = t.make_contact("ben@example.org")
    t.connect(ben, t.make_resident(facility))
    assert client_for(ben.user).get(f"/photos/{photo.pk}/picture/").status_code == 404
    assert Client().get(f"/photos/{photo.pk}/picture/").status_code == 302  # to sign in
    # Not sent yet: no member of staff and no resident sees it.
    assert client_for(reviewer).get(f"/console/photos/{photo.pk}/picture/").status_code == 404
    assert kiosk_client_for(marcus).get(f"/kiosk/photos/{photo.pk}/").status_code == 404
    # Ben cannot send it either: it is not his.
    page = client_for(ben.user).post(
        f"/conversations/{ben.connections.get().pk}/send/", {"body": "x", "photo": [photo.pk]}
    )
    assert page.status_code == 404
    photo.refresh_from_db()
    assert photo.status == S.READY and not Message.objects.exists()


def test_the_photo_queue_decides_and_the_kiosk_shows_what_was_approved(
    browser, rosa, facility, marcus, reviewer, run_jobs
):
    browser.post(f"{conversation(rosa)}photos/", {"photo_file": [jpeg(1), jpeg(2)]})
    run_jobs()
    first, second = Photo.objects.order_by("pk")
    browser.post(f"{conversation(rosa)}send/", {"body": "Kids", "photo": [first.pk, second.pk]})
    run_jobs()
    desk = client_for(reviewer)
    queue = desk.get("/console/photos/").content.decode()
    assert f"/console/photos/{first.pk}/thumbnail/" in queue
    assert "The check found nothing." in queue
    assert desk.get(f"/console/photos/{first.pk}/thumbnail/").status_code == 200
    desk.post("/console/photos/decide/", {"photo": [first.pk], "decision": "approve"})
    answer = desk.post(
        "/console/photos/decide/", {"photo": [second.pk], "decision": "block", "reason": "gang"}
    )
    assert answer.status_code == 302
    run_jobs()
    assert "No photo is waiting" in desk.get("/console/photos/").content.decode()
    # The resident's history in the console shows the message's photos and their fate.
    history = desk.get(f"/console/residents/{marcus.pk}/").content.decode()
    assert f"/console/photos/{first.pk}/thumbnail/" in history
    assert "Not delivered: gang signs or symbols" in history
    assert PhotoHash.objects.filter(photo=second).exists()

    kiosk = kiosk_client_for(marcus)
    page = kiosk.get(f"/kiosk/conversations/{rosa.connections.get().pk}/").content.decode()
    assert f"/kiosk/photos/{first.pk}/thumbnail/" in page
    assert f"/kiosk/photos/{second.pk}/" not in page
    assert kiosk.get(f"/kiosk/photos/{first.pk}/").status_code == 200
    assert kiosk.get(f"/kiosk/photos/{second.pk}/").status_code == 404  # blocked
    picture = kiosk.get(f"/kiosk/photos/{first.pk}/picture/")
    assert picture["Content-Disposition"] == "inline"

    timeline = browser.get(conversation(rosa)).content.decode()
    assert "Delivered" in timeline
    assert "Not delivered: gang signs or symbols. You are not charged for it." in timeline
    assert charges.wallet(rosa, facility).balance == 500 - 2 * 40


def test_a_block_without_a_reason_is_refused_and_changes_nothing(browser, rosa, reviewer, run_jobs):
    browser.post(f"{conversation(rosa)}photos/", {"photo_file": [jpeg(1)]})
    run_jobs()
    photo = Photo.objects.get()
    browser.post(f"{conversation(rosa)}send/", {"body": "Kids", "photo": [photo.pk]})
    answer = client_for(reviewer).post(
        "/console/photos/decide/", {"photo": [photo.pk], "decision": "block"}, follow=True
    )
    assert "Choose why the photos are blocked." in answer.content.decode()
    photo.refresh_from_db()
    assert photo.status == S.ATTACHED


def test_the_review_page_of_a_message_shows_its_photos(browser, rosa, facility, reviewer, run_jobs):
    FacilityPolicy.objects.filter(facility=facility).update(review_mode="everything")
    browser.post(f"{conversation(rosa)}photos/", {"photo_file": [jpeg(1)]})
    run_jobs()
    photo = Photo.objects.get()
    browser.post(f"{conversation(rosa)}send/", {"body": "Kids", "photo": [photo.pk]})
    run_jobs()
    task = ReviewTask.objects.get(message__photos=photo)
    page = client_for(reviewer).get(f"/console/review/{task.pk}/").content.decode()
    assert f"/console/photos/{photo.pk}/thumbnail/" in page
    assert "This message carries 1 photo, decided in the" in page
