"""The hash bank in the console: admins see the hashes of blocked photos that flag their
copies, and take out one added by mistake, with a reason, audited. Nobody else sees it,
a facility admin never touches another facility's or the agency-wide hashes, and a hash
taken out flags no copy any more."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward import builders as t
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.people.models import StaffMembership
from homeward.personas import client_for
from homeward.photos import bank
from homeward.photos.models import PhotoHash

pytestmark = pytest.mark.django_db
Role = StaffMembership.Role
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
BANK = "/console/photos/bank/"


@pytest.fixture
def hashes(world):
    """One hash at each facility and one for all of facility 1's agency."""
    with clock.frozen_at(T0):
        here = bank.add(
            phash=0x0123456789ABCDEF,
            agency=world.facility_1.agency,
            facility=world.facility_1,
            reason="Blocked: gang signs",
        )
    with clock.frozen_at(T0 + dt.timedelta(hours=1)):
        agency_wide = bank.add(
            phash=0x0F0F0F0F0F0F0F0F, agency=world.facility_1.agency, reason="Agency: contraband"
        )
        there = bank.add(
            phash=0x7EDCBA9876543210,
            agency=world.facility_2.agency,
            facility=world.facility_2,
            reason="Blocked at Travis",
        )
    return here, agency_wide, there


def remove(client, entry, reason="Blocked by mistake"):
    return client.post(f"{BANK}{entry.pk}/remove/", {"reason": reason})


def test_a_facility_admin_sees_their_facilitys_hashes_and_their_agencys(world, hashes):
    here, agency_wide, there = hashes
    page = client_for(world.facility_admin).get(BANK)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Blocked: gang signs" in text and "Agency: contraband" in text
    assert "Blocked at Travis" not in text
    assert f"hash-{there.pk}" not in text
    # Their own can be taken out; the agency-wide one is for agency admins.
    assert f"{BANK}{here.pk}/remove/" in text
    assert f"{BANK}{agency_wide.pk}/remove/" not in text
    assert "only an agency admin takes it out" in text


def test_taking_a_hash_out_stops_flagging_its_copies_and_is_audited(world, hashes):
    here, _, _ = hashes
    copy = 0x0123456789ABCDEF ^ 0b101  # two bits off: a re-encoded copy
    assert [e.pk for e, _ in bank.near(copy, agency=here.agency, facility=world.facility_1)] == [
        here.pk
    ]
    admin = client_for(world.facility_admin)
    response = remove(admin, here)
    assert response.status_code == 302
    assert not PhotoHash.objects.filter(pk=here.pk).exists()
    assert bank.near(copy, agency=here.agency, facility=world.facility_1) == []
    event = AuditEvent.objects.get(action="photo_hash.removed")
    assert event.data["reason"] == "Blocked by mistake"
    assert event.data["added_for"] == "Blocked: gang signs"
    assert event.data["hash"] == "0123456789abcdef"
    assert event.facility_id == world.facility_1.pk
    shown = admin.get(response["Location"]).content.decode()
    assert "Taken out of the bank" in shown and "Blocked: gang signs" not in shown


def test_without_a_reason_nothing_is_taken_out(world, hashes):
    here, _, _ = hashes
    admin = client_for(world.facility_admin)
    response = remove(admin, here, reason="   ")
    assert response.status_code == 302
    assert PhotoHash.objects.filter(pk=here.pk).exists()
    assert "Say why the hash comes out" in admin.get(response["Location"]).content.decode()
    remove(admin, here, reason="x" * 301)
    assert PhotoHash.objects.filter(pk=here.pk).exists()
    assert not AuditEvent.objects.filter(action="photo_hash.removed").exists()


def test_a_facility_admin_cannot_take_out_an_agency_wide_hash_or_another_facilitys(world, hashes):
    _, agency_wide, there = hashes
    admin = client_for(world.facility_admin)
    assert remove(admin, agency_wide).status_code == 403
    assert remove(admin, there).status_code == 404
    assert remove(admin, PhotoHash(pk=999_999)).status_code == 404
    assert PhotoHash.objects.count() == 3
    assert not AuditEvent.objects.filter(action="photo_hash.removed").exists()


def test_an_agency_admin_takes_out_an_agency_wide_hash(world, hashes):
    _, agency_wide, _ = hashes
    chief = t.make_staff("chief", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency)
    client = client_for(chief)
    assert f"{BANK}{agency_wide.pk}/remove/" in client.get(BANK).content.decode()
    assert remove(client, agency_wide).status_code == 302
    assert not PhotoHash.objects.filter(pk=agency_wide.pk).exists()


@pytest.mark.parametrize("persona", ["reviewer_1", "investigator", "reviewer_2"])
def test_staff_who_are_not_admins_neither_see_nor_change_the_bank(world, hashes, persona):
    client = client_for(getattr(world, persona))
    assert client.get(BANK).status_code == 403
    assert remove(client, hashes[0]).status_code == 403
    assert PhotoHash.objects.count() == 3


def test_an_agency_admin_elsewhere_and_an_admin_at_two_agencies_see_only_their_own(world, hashes):
    here, agency_wide, there = hashes
    other_chief = t.make_staff("chief2", role=Role.AGENCY_ADMIN, agency=world.facility_2.agency)
    page = client_for(other_chief).get(BANK).content.decode()
    assert "Blocked at Travis" in page and "Blocked: gang signs" not in page
    assert remove(client_for(other_chief), agency_wide).status_code == 404
    assert remove(client_for(other_chief), here).status_code == 404
    # An admin of facility 1 who is also an admin at facility 2 (another agency) sees both,
    # and still cannot take out facility 1's agency's agency-wide hash.
    StaffMembership.objects.create(
        user=world.facility_admin,
        agency=world.facility_2.agency,
        facility=world.facility_2,
        role=Role.FACILITY_ADMIN,
    )
    both = client_for(world.facility_admin)
    page = both.get(BANK).content.decode()
    assert "Blocked at Travis" in page and "Blocked: gang signs" in page
    assert remove(both, agency_wide).status_code == 403
    assert remove(both, there).status_code == 302
    assert sorted(PhotoHash.objects.values_list("pk", flat=True)) == [here.pk, agency_wide.pk]


def test_a_cursor_that_is_not_one_is_not_carried_into_the_redirect(world, hashes):
    admin = client_for(world.facility_admin)
    response = admin.post(
        f"{BANK}{hashes[0].pk}/remove/", {"reason": "Mistake", "after": "x&y=1 z"}
    )
    assert response["Location"] == BANK
    assert admin.get(BANK, {"after": "not-a-cursor"}).status_code == 200


def test_hashes_added_at_one_moment_are_paged_without_a_gap_or_a_repeat(world):
    total = 2 * bank_page_size() + 7
    with clock.frozen_at(T0):  # every one at the same instant: only the ids order them
        made = [
            bank.add(
                phash=i + 1,
                agency=world.facility_1.agency,
                facility=world.facility_1,
                reason=f"Tied {i:03d}",
            ).pk
            for i in range(total)
        ]
    admin = client_for(world.facility_admin)
    seen, after = [], ""
    while True:
        html = admin.get(BANK, {"after": after} if after else {}).content.decode()
        seen += [int(part.split('"')[0]) for part in html.split('id="hash-')[1:]]
        if "?after=" not in html:
            break
        after = html.split("?after=")[1].split('"')[0]
    assert seen == made


def test_the_bank_is_read_a_page_at_a_time_oldest_first(world):
    for i in range(bank_page_size() + 3):
        with clock.frozen_at(T0 + dt.timedelta(minutes=i)):
            bank.add(
                phash=i + 1,
                agency=world.facility_1.agency,
                facility=world.facility_1,
                reason=f"Hash number {i:03d}",
            )
    admin = client_for(world.facility_admin)
    first = admin.get(BANK).content.decode()
    assert "Hash number 000" in first and f"Hash number {bank_page_size() - 1:03d}" in first
    assert f"Hash number {bank_page_size():03d}" not in first
    cursor = first.split("?after=")[1].split('"')[0]
    second = admin.get(BANK, {"after": cursor}).content.decode()
    assert f"Hash number {bank_page_size():03d}" in second and "Hash number 000" not in second


def bank_page_size() -> int:
    from homeward.console.views.photos import BANK_PAGE_SIZE

    return BANK_PAGE_SIZE
