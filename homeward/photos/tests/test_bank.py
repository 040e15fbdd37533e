"""The hash bank finds every hash within the distance asked, none beyond, and only what
holds at the facility: its own hashes and its agency's."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeward import builders as t
from homeward.facilities.models import Facility
from homeward.photos import bank, hashing, intake
from homeward.photos.models import PhotoHash
from homeward.photos.tests import images

pytestmark = pytest.mark.django_db


@pytest.fixture
def facility() -> Facility:
    return t.make_facility("greenhaven")


def flip(value: int, positions: list[int]) -> int:
    for position in positions:
        value ^= 1 << position
    return hashing.signed(value)


def spread(distance: int, *, rng: random.Random) -> list[int]:
    """``distance`` bit positions spread as evenly as can be over the four chunks: the
    hardest case for a chunked search (no chunk stays equal once distance ≥ 4)."""
    chunks = [rng.sample(range(i * 16, (i + 1) * 16), 16) for i in range(4)]
    return [chunks[i % 4][i // 4] for i in range(distance)]


def test_chunks_split_the_hash_highest_bits_first() -> None:
    assert bank.chunks(hashing.signed(0x0123_4567_89AB_CDEF)) == [0x0123, 0x4567, 0x89AB, 0xCDEF]
    assert bank.chunks(-1) == [0xFFFF] * 4
    assert len(bank.within(0, 1)) == 17 and len(bank.within(0, 2)) == 137
    assert all((value ^ 0xABCD).bit_count() <= 2 for value in bank.within(0xABCD, 2))


@pytest.mark.parametrize("max_distance", range(bank.MAX_DISTANCE + 1))
def test_every_hash_within_the_distance_is_found_and_none_beyond(facility, max_distance) -> None:
    rng = random.Random(max_distance)
    base = rng.getrandbits(64)
    at = {
        d: bank.add(phash=flip(base, spread(d, rng=rng)), agency=facility.agency, reason=f"at {d}")
        for d in range(max_distance + 3)
    }
    found = bank.near(
        hashing.signed(base), agency=facility.agency, facility=facility, max_distance=max_distance
    )
    assert [(row.pk, d) for row, d in found] == [(at[d].pk, d) for d in range(max_distance + 1)]


def test_the_default_distance_is_eight(facility) -> None:
    base = random.Random(8).getrandbits(64)
    rng = random.Random(1)
    eight = bank.add(phash=flip(base, spread(8, rng=rng)), agency=facility.agency, reason="8")
    bank.add(phash=flip(base, spread(9, rng=rng)), agency=facility.agency, reason="9")
    found = bank.near(base, agency=facility.agency, facility=facility)
    assert found == [(eight, 8)]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    base=st.integers(min_value=0, max_value=(1 << 64) - 1),
    flips=st.lists(
        st.lists(st.integers(min_value=0, max_value=63), max_size=14), min_size=1, max_size=6
    ),
    max_distance=st.integers(min_value=0, max_value=bank.MAX_DISTANCE),
)
def test_the_search_finds_what_counting_every_hash_finds(
    facility, base, flips, max_distance
) -> None:
    PhotoHash.objects.all().delete()
    for positions in flips:
        bank.add(phash=flip(base, positions), agency=facility.agency, reason="x")
    everything = [(row.pk, hashing.distance(row.hash, base)) for row in PhotoHash.objects.all()]
    expected = sorted((d, pk) for pk, d in everything if d <= max_distance)
    found = bank.near(base, agency=facility.agency, facility=facility, max_distance=max_distance)
    assert [(d, row.pk) for row, d in found] == expected


def test_a_facility_sees_its_own_hashes_and_its_agencys_only(facility) -> None:
    agency = facility.agency
    sister = t.make_facility("sister", agency=agency)
    elsewhere = t.make_facility("travis", agency=t.make_agency("txcounty"))
    value = hashing.signed(0x0F0F_F0F0_1234_8765)
    own = bank.add(phash=value, agency=agency, facility=facility, reason="blocked here")
    agency_wide = bank.add(phash=flip(value, [3]), agency=agency, reason="agency policy")
    at_sister = bank.add(phash=value, agency=agency, facility=sister, reason="blocked there")
    bank.add(phash=value, agency=elsewhere.agency, facility=elsewhere, reason="other agency")

    assert bank.near(value, agency=agency, facility=facility) == [(own, 0), (agency_wide, 1)]
    assert bank.near(value, agency=agency, facility=sister) == [(at_sister, 0), (agency_wide, 1)]
    assert bank.near(value, agency=agency, facility=None) == [(agency_wide, 1)]
    with pytest.raises(ValueError):
        bank.near(value, agency=agency, facility=elsewhere)
    with pytest.raises(ValueError):
        bank.add(phash=value, agency=agency, facility=elsewhere, reason="mixed up")
    with pytest.raises(ValueError):
        bank.near(value, agency=agency, facility=facility, max_distance=bank.MAX_DISTANCE + 1)


def test_a_blocked_photos_copy_is_found_in_the_bank(facility) -> None:
    """The way a later slice uses it: a blocked photo's hash joins the bank; a re-encoded,
    smaller copy sent later is near it; another picture is not."""
    original = images.scene((1024, 768), seed=21)
    blocked = intake.clean(images.encode(original, "JPEG", quality=92), "JPEG")
    entry = bank.add(phash=blocked.phash, agency=facility.agency, reason="contraband map")
    copy = intake.clean(images.encode(original.resize((512, 384)), "WEBP", quality=60), "WEBP")
    other = intake.clean(images.encode(images.scene((1024, 768), seed=22), "JPEG"), "JPEG")
    found = bank.near(copy.phash, agency=facility.agency, facility=facility)
    assert [row for row, _ in found] == [entry]
    assert bank.near(other.phash, agency=facility.agency, facility=facility) == []
    assert PhotoHash.objects.get().hash == blocked.phash
