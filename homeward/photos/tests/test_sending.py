"""Sending photos with a message: each priced and charged on its own, attached in the
same transaction as the message, held until a person decides on each; a blocked photo is
refunded alone and joins the hash bank; the message then goes on (or is returned, where
the facility says a blocked photo stops it)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from homeward import builders as t
from homeward.console.views.photos import _signals
from homeward.core.errors import DomainError
from homeward.facilities.models import Facility, FacilityPolicy
from homeward.jobs import services as jobs
from homeward.ledger import charges
from homeward.ledger.models import Account, Transaction
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.monitoring import privileged
from homeward.notifications.models import Notification
from homeward.people.models import Contact, User
from homeward.photos import bank, intake, review, sending
from homeward.photos import words as photo_words
from homeward.photos.models import Photo, PhotoHash
from homeward.photos.tests import images
from homeward.photos.tests.test_signals import card

pytestmark = pytest.mark.django_db

S = Photo.Status
M = Message.Status


@pytest.fixture
def facility() -> Facility:
    # 25 cents a message, 50 cents a photo, paid by the sender; every message reviewed.
    return t.make_facility(
        "greenhaven",
        policy={"photos_allowed": True, "review_mode": "everything"},
        prices={"model": "per_message", "per_message_cents": 25, "photo_cents": 50},
    )


@pytest.fixture
def ana(facility: Facility) -> Contact:
    ana = t.make_contact("ana@example.org", name="Ana Lopez")
    t.connect(ana, t.make_resident(facility, first_name="Marcus"))
    t.pay_in(ana, facility, 1000)
    return ana


@pytest.fixture
def reviewer(facility: Facility) -> User:
    return t.make_staff("rita", facility=facility, role="reviewer")


def ready_photo(contact: Contact, facility: Facility, run_jobs, seed: int = 1) -> Photo:
    upload = SimpleUploadedFile("p.jpg", images.encode(images.scene(seed=seed), "JPEG"))
    photo = intake.receive(contact=contact, facility=facility, upload=upload)
    run_jobs()
    photo.refresh_from_db()
    assert photo.status == S.READY, photo.refusal_message
    return photo


def wallet(contact: Contact, facility: Facility) -> int:
    return charges.wallet(contact, facility).balance


def send(contact: Contact, photos: list[Photo], body: str = "Two pictures of the kids", **kw):
    connection = contact.connections.get()
    return sending.send(
        contact=contact,
        connection_id=connection.pk,
        body=body,
        photo_ids=[p.pk for p in photos],
        **kw,
    )


def text_approved(message: Message, reviewer: User, run_jobs) -> None:
    """Screening has run and the reviewer approved the text."""
    run_jobs()
    message.refresh_from_db()
    if message.status == M.IN_REVIEW:
        messaging.approve(message_id=message.pk, actor=reviewer)
        run_jobs()
    message.refresh_from_db()


def test_each_photo_is_priced_and_charged_on_its_own(ana, facility, run_jobs):
    first, second = ready_photo(ana, facility, run_jobs), ready_photo(ana, facility, run_jobs, 2)
    message, created = send(ana, [first, second])
    assert created
    assert wallet(ana, facility) == 1000 - 25 - 2 * 50
    charged = Transaction.objects.filter(message=message, kind=Transaction.Kind.MESSAGE_CHARGE)
    assert sorted(charged.values_list("memo", flat=True)) == [
        "Message to Marcus",
        "Photo with a message to Marcus",
        "Photo with a message to Marcus",
    ]
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, first.message_id, first.position) == (S.ATTACHED, message.pk, 0)
    assert (second.status, second.position) == (S.ATTACHED, 1)


def test_a_message_of_photos_alone_needs_no_text(ana, facility, run_jobs):
    message, _ = send(ana, [ready_photo(ana, facility, run_jobs)], body="   ")
    assert message.body == ""
    with pytest.raises(DomainError) as refused:
        send(ana, [], body="   ")
    assert refused.value.code == "message_empty"


def test_the_reviewer_approves_one_and_blocks_one(ana, facility, reviewer, run_jobs):
    first, second = ready_photo(ana, facility, run_jobs), ready_photo(ana, facility, run_jobs, 2)
    message, _ = send(ana, [first, second])
    text_approved(message, reviewer, run_jobs)
    assert message.status == M.APPROVED  # waiting for its photos
    assert list(review.queue_for(reviewer)) == [first, second]

    review.approve(staff=reviewer, photo_ids=[first.pk])
    run_jobs()
    message.refresh_from_db()
    assert message.status == M.APPROVED  # one photo still waits
    review.block(staff=reviewer, photo_ids=[second.pk], reason="gang", note="hand sign")
    run_jobs()

    message.refresh_from_db(), second.refresh_from_db()
    assert message.status == M.DELIVERED
    assert (second.status, second.block_reason, second.block_note) == (
        S.BLOCKED,
        "gang",
        "hand sign",
    )
    assert wallet(ana, facility) == 1000 - 25 - 50  # the blocked photo came back
    refund = Transaction.objects.get(message=message, kind=Transaction.Kind.MESSAGE_REFUND)
    assert refund.memo == "Refund: the photo was not delivered"
    # Its hash is in the bank: the same picture sent again is flagged as a match.
    assert PhotoHash.objects.get(photo=second).facility == facility
    assert bank.near(second.phash, agency=facility.agency, facility=facility)[0][1] == 0
    again = ready_photo(ana, facility, run_jobs, 2)
    assert again.bank_distance == 0
    assert review.queue_for(reviewer).count() == 0


def test_a_blocked_photo_stops_the_message_where_the_facility_says_so(
    ana, facility, reviewer, run_jobs
):
    FacilityPolicy.objects.filter(facility=facility).update(photo_block_keeps_text=False)
    first, second = ready_photo(ana, facility, run_jobs), ready_photo(ana, facility, run_jobs, 2)
    message, _ = send(ana, [first, second])
    text_approved(message, reviewer, run_jobs)
    review.approve(staff=reviewer, photo_ids=[first.pk])
    review.block(staff=reviewer, photo_ids=[second.pk], reason="nudity")
    run_jobs()
    message.refresh_from_db()
    assert message.status == M.RETURNED
    assert message.return_reason == review.STOPPED_BY_PHOTO
    assert wallet(ana, facility) == 1000  # everything came back, each photo once


def test_photos_alone_all_blocked_return_the_message(ana, facility, reviewer, run_jobs):
    only = ready_photo(ana, facility, run_jobs)
    message, _ = send(ana, [only], body="")
    text_approved(message, reviewer, run_jobs)
    review.block(staff=reviewer, photo_ids=[only.pk], reason="weapons_drugs")
    run_jobs()
    message.refresh_from_db()
    assert message.status == M.RETURNED
    assert wallet(ana, facility) == 1000


def test_several_photos_are_decided_at_once_and_a_second_decision_leaves_them(
    ana, facility, reviewer, run_jobs
):
    photos = [ready_photo(ana, facility, run_jobs, seed) for seed in (1, 2, 3)]
    message, _ = send(ana, photos)
    decided = review.approve(staff=reviewer, photo_ids=[p.pk for p in photos])
    assert len(decided.decided) == 3 and decided.already == 0
    again = review.block(staff=reviewer, photo_ids=[photos[0].pk], reason="gang")
    assert again.decided == [] and again.already == 1
    photos[0].refresh_from_db()
    assert photos[0].status == S.APPROVED
    text_approved(message, reviewer, run_jobs)
    assert message.status == M.DELIVERED


def test_staff_of_another_facility_cannot_decide(ana, facility, run_jobs):
    photo = ready_photo(ana, facility, run_jobs)
    send(ana, [photo])
    elsewhere = t.make_facility("sing-sing", agency=facility.agency)
    stranger = t.make_staff("sam", facility=elsewhere, role="reviewer")
    assert review.queue_for(stranger).count() == 0
    with pytest.raises(DomainError) as refused:
        review.block(staff=stranger, photo_ids=[photo.pk], reason="gang")
    assert refused.value.code == "photo_not_found"
    photo.refresh_from_db()
    assert photo.status == S.ATTACHED and wallet(ana, facility) == 1000 - 75


def test_a_repeat_sends_once_and_other_photos_under_the_same_token_are_refused(
    ana, facility, run_jobs
):
    first, second = ready_photo(ana, facility, run_jobs), ready_photo(ana, facility, run_jobs, 2)
    message, created = send(ana, [first], client_token="tok-1")
    again, created_again = send(ana, [first], client_token="tok-1")
    assert created and not created_again and again.pk == message.pk
    with pytest.raises(DomainError) as refused:
        send(ana, [second], client_token="tok-1")
    assert refused.value.code == "idempotency_key_reused"
    assert wallet(ana, facility) == 1000 - 75
    second.refresh_from_db()
    assert second.status == S.READY


@pytest.mark.parametrize("problem", ["someone_elses", "too_many", "checking", "refused"])
def test_a_photo_that_cannot_go_sends_and_charges_nothing(ana, facility, run_jobs, problem):
    mine = ready_photo(ana, facility, run_jobs)
    if problem == "someone_elses":
        ben = t.make_contact("ben@example.org")
        t.connect(ben, t.make_resident(facility))
        photos = [ready_photo(ben, facility, run_jobs)]
    elif problem == "too_many":
        FacilityPolicy.objects.filter(facility=facility).update(photos_per_message=1)
        photos = [mine, ready_photo(ana, facility, run_jobs, 2)]
    else:
        Photo.objects.filter(pk=mine.pk).update(status=problem)
        photos = [mine]
    with pytest.raises(DomainError):
        send(ana, photos)
    assert not Message.objects.exists()
    assert wallet(ana, facility) == 1000


def test_a_wallet_short_for_the_photos_sends_nothing(ana, facility, run_jobs):
    photos = [ready_photo(ana, facility, run_jobs, seed) for seed in (1, 2, 3)]
    t.set_prices(facility, model="per_message", per_message_cents=25, photo_cents=400)
    with pytest.raises(DomainError) as refused:
        send(ana, photos)
    assert refused.value.code == "insufficient_funds"
    assert "$12.25" in refused.value.message
    assert not Message.objects.exists() and wallet(ana, facility) == 1000
    assert set(Photo.objects.values_list("status", flat=True)) == {S.READY}


def test_photos_cost_stamps_and_a_blocked_one_gives_its_stamps_back(
    ana, facility, reviewer, run_jobs
):
    t.set_prices(facility, model="stamps", stamp_cents=40, photo_stamps=2, stamp_packs=[])
    first, second = ready_photo(ana, facility, run_jobs), ready_photo(ana, facility, run_jobs, 2)
    message, _ = send(ana, [first, second])
    assert wallet(ana, facility) == 1000 - 40 - 2 * 2 * 40
    review.block(staff=reviewer, photo_ids=[second.pk], reason="text")
    assert wallet(ana, facility) == 1000 - 40 - 2 * 40


def test_a_legal_cap_holds_over_the_photos(ana, facility, run_jobs):
    t.set_prices(
        facility, model="per_message", per_message_cents=25, photo_cents=50, message_cap_cents=100
    )
    photos = [ready_photo(ana, facility, run_jobs, seed) for seed in (1, 2, 3)]
    send(ana, photos)
    assert wallet(ana, facility) == 900  # 25 + 3 × 50 = 175, capped at 100


def test_free_messaging_charges_the_agency_for_photos(ana, facility, run_jobs):
    t.set_prices(facility, model="free", per_message_cents=10, photo_cents=5)
    send(ana, [ready_photo(ana, facility, run_jobs)])
    assert wallet(ana, facility) == 1000
    funding = Account.objects.get(kind=Account.Kind.AGENCY_FUNDING, facility=facility)
    assert funding.balance == -15


def test_where_photos_are_not_reviewed_a_plain_photo_goes_at_once(ana, facility, run_jobs):
    FacilityPolicy.objects.filter(facility=facility).update(
        photos_reviewed=False, review_mode="flagged"
    )
    photo = ready_photo(ana, facility, run_jobs)
    message, _ = send(ana, [photo], body="Happy birthday")
    photo.refresh_from_db()
    assert photo.status == S.APPROVED
    run_jobs()
    message.refresh_from_db()
    assert message.status == M.DELIVERED


def test_photos_are_not_sent_on_a_privileged_channel(ana, facility, run_jobs):
    photo = ready_photo(ana, facility, run_jobs)
    ana.connections.update(privileged=True)
    with pytest.raises(DomainError) as refused:
        send(ana, [photo])
    assert refused.value.code == "photos_not_on_privileged"


def test_text_in_a_photo_is_screened_and_sends_it_to_a_person(ana, facility, reviewer, settings):
    """With the real signals: a phone number printed in the picture is read, screened with
    the text rules, and the photo waits for a person even where photos are not reviewed."""
    settings.PHOTO_READ_TEXT = settings.PHOTO_NUDITY_SCORE = True
    FacilityPolicy.objects.filter(facility=facility).update(photos_reviewed=False)
    upload = SimpleUploadedFile("note.png", images.encode(card(["CALL 512 555 0143"]), "PNG"))
    photo = intake.receive(contact=ana, facility=facility, upload=upload)
    jobs.run_pending("test")
    photo.refresh_from_db()
    assert "0143" in photo.text_found
    assert photo.text_hits and photo.text_hits[0]["category"] == "relay"
    assert photo.nudity is not None and photo.nudity < 0.3
    send(ana, [photo])
    photo.refresh_from_db()
    assert photo.status == S.ATTACHED
    assert review.queue_for(reviewer).get() == photo
    assert any("0143" in said for said in _signals(photo))


def test_photos_waiting_go_on_when_the_channel_becomes_privileged(
    ana, facility, reviewer, run_jobs
):
    """Nobody may review a privileged channel: its waiting photos are approved with it,
    and the message they held is delivered."""
    photo = ready_photo(ana, facility, run_jobs)
    message, _ = send(ana, [photo])
    text_approved(message, reviewer, run_jobs)
    assert message.status == M.APPROVED  # held for its photo
    admin = t.make_staff("agency-admin", role="agency_admin", agency=facility.agency)
    facility.agency.privileged_channel = True
    facility.agency.save()
    privileged.verify_attorney(
        staff=admin, agency=facility.agency, contact=ana, bar_number="123", bar_state="NY"
    )
    privileged.make_privileged(staff=admin, connection=ana.connections.get())
    run_jobs()
    photo.refresh_from_db(), message.refresh_from_db()
    assert photo.status == S.APPROVED and message.status == M.DELIVERED


def test_photos_of_a_blocked_message_are_refunded_where_its_text_is_not(
    ana, facility, reviewer, run_jobs
):
    FacilityPolicy.objects.filter(facility=facility).update(refund_on_block=False)
    photo = ready_photo(ana, facility, run_jobs)
    message, _ = send(ana, [photo])
    run_jobs()
    messaging.block(message_id=message.pk, actor=reviewer, category="gang")
    assert wallet(ana, facility) == 1000 - 25  # the text's price stays, the photo's comes back
    photo.refresh_from_db()
    assert photo_words.status_words(photo).startswith("Not delivered, as its message was not")
    assert review.queue_for(reviewer).count() == 0


def test_the_sender_is_told_when_a_photo_is_blocked(ana, facility, reviewer, run_jobs):
    photo = ready_photo(ana, facility, run_jobs)
    send(ana, [photo])
    review.block(staff=reviewer, photo_ids=[photo.pk], reason="nudity")
    [told] = Notification.objects.filter(contact=ana, event="photo_blocked")
    assert "Nudity or sexual content" in told.body
    assert "You are not charged for it." in told.body
