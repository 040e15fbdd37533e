"""Photos under real parallelism (PostgreSQL): ten reviewers deciding the same photos at
once decide each once (one refund, one bank entry), two sends of one photo at once
attach it once and charge once, and thirty admins taking one hash out of the bank at once
take it out once."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection as db

from homeward import builders as t
from homeward.core.errors import DomainError, NotFound
from homeward.core.models import AuditEvent
from homeward.jobs import services as jobs
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.ledger import charges
from homeward.ledger.models import Transaction
from homeward.messaging.models import Message
from homeward.people.models import StaffMembership
from homeward.photos import bank, intake, review, sending
from homeward.photos.models import Photo, PhotoHash
from homeward.photos.tests import images

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(db.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]


@pytest.fixture
def facility():
    return t.make_facility(
        "greenhaven",
        policy={"photos_allowed": True},
        prices={"model": "per_message", "per_message_cents": 25, "photo_cents": 50},
    )


@pytest.fixture
def ana(facility):
    ana = t.make_contact("ana@example.org")
    t.connect(ana, t.make_resident(facility))
    t.pay_in(ana, facility, 1000)
    return ana


def ready(ana, facility, count: int) -> list[Photo]:
    made = [
        intake.receive(
            contact=ana,
            facility=facility,
            upload=SimpleUploadedFile("p.jpg", images.encode(images.scene(seed=n), "JPEG")),
        )
        for n in range(count)
    ]
    jobs.run_pending("test")
    return made


def test_ten_reviewers_deciding_the_same_photos_decide_each_once(ana, facility):
    photos = ready(ana, facility, 3)
    sending.send(
        contact=ana,
        connection_id=ana.connections.get().pk,
        body="Three",
        photo_ids=[p.pk for p in photos],
    )
    reviewers = [
        t.make_staff(f"rev{n}", role=StaffMembership.Role.REVIEWER, facility=facility)
        for n in range(10)
    ]
    ids = [p.pk for p in photos]

    def decide(index: int) -> int:
        if index % 2:
            return len(review.approve(staff=reviewers[index], photo_ids=ids).decided)
        return len(review.block(staff=reviewers[index], photo_ids=ids, reason="gang").decided)

    decided = in_threads(10, decide)
    assert sorted(decided) == [0] * 9 + [3]  # one decision took all three, the rest none
    statuses = set(Photo.objects.values_list("status", flat=True))
    assert len(statuses) == 1
    refunds = Transaction.objects.filter(kind=Transaction.Kind.MESSAGE_REFUND).count()
    assert (refunds, PhotoHash.objects.count()) in ((0, 0), (3, 3))


def test_two_sends_of_one_photo_at_once_attach_it_once(ana, facility):
    [photo] = ready(ana, facility, 1)
    connection = ana.connections.get()

    def send(index: int) -> str:
        try:
            sending.send(
                contact=ana, connection_id=connection.pk, body=f"Try {index}", photo_ids=[photo.pk]
            )
        except DomainError as error:
            return error.code
        return "sent"

    outcomes = in_threads(10, send)
    assert outcomes.count("sent") == 1 and outcomes.count("photo_not_found") == 9
    assert Message.objects.count() == 1
    assert charges.wallet(ana, facility).balance == 1000 - 75


def test_thirty_removals_of_one_hash_at_once_take_it_out_once(world):
    entry = bank.add(
        phash=0x0123456789ABCDEF,
        agency=world.facility_1.agency,
        facility=world.facility_1,
        reason="Blocked: gang signs",
    )

    def take_out(index: int) -> str:
        try:
            bank.remove(admin=world.facility_admin, hash_id=entry.pk, reason=f"Mistake {index}")
            return "ok"
        except NotFound:
            return "not_found"

    results = in_threads(30, take_out)
    assert results.count("ok") == 1
    assert set(results) == {"ok", "not_found"}
    assert not PhotoHash.objects.filter(pk=entry.pk).exists()
    assert AuditEvent.objects.filter(action="photo_hash.removed").count() == 1


def test_photos_sent_while_the_channel_becomes_privileged_are_refused(ana, facility, monkeypatch):
    """A send with a photo that starts while an admin is making the channel privileged
    (the change not committed yet) waits for it and is refused: nothing is sent, charged
    or attached, and the photo is still the contact's to send elsewhere."""
    import threading
    import time

    from homeward.monitoring import index, privileged

    [photo] = ready(ana, facility, 1)
    connection = ana.connections.get()
    admin = t.make_staff("agency-admin", role="agency_admin", agency=facility.agency)
    facility.agency.privileged_channel = True
    facility.agency.save()
    privileged.verify_attorney(
        staff=admin, agency=facility.agency, contact=ana, bar_number="123", bar_state="NY"
    )
    changing = threading.Event()
    unindex = index.unindex

    def unindexing(ids):  # inside the change, the connection held: a pause before commit
        changing.set()
        time.sleep(0.5)
        return unindex(ids)

    monkeypatch.setattr(index, "unindex", unindexing)

    def run(i: int) -> str:
        if i == 0:
            privileged.make_privileged(staff=admin, connection=connection)
            return "privileged"
        assert changing.wait(10)
        try:
            sending.send(
                contact=ana, connection_id=connection.pk, body="A picture", photo_ids=[photo.pk]
            )
        except DomainError as error:
            return error.code
        return "sent"

    assert in_threads(2, run) == ["privileged", "photos_not_on_privileged"]
    assert not Message.objects.exists()
    assert charges.wallet(ana, facility).balance == 1000
    photo.refresh_from_db()
    assert photo.status == Photo.Status.READY
