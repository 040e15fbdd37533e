"""The hash bank: perceptual hashes of photos an agency refuses to see again, and the search
for hashes near a new photo's.

Near means within a Hamming distance (``hashing.distance``), at most ``MAX_DISTANCE``. The
search stays fast at millions of hashes by multi-index hashing (Norouzi, Punjani and Fleet,
"Fast search in Hamming space with multi-index hashing", 2012):

- each hash is also kept as four 16-bit chunks, each in its own index (with the agency);
- if two hashes differ in at most ``d`` bits, one of the four chunks differs in at most
  ``d // 4`` of its bits: spread ``d`` differing bits over four chunks and the fewest any
  chunk gets is at most ``d // 4`` (pigeonhole);
- so the candidates are the rows where chunk i is one of the values within ``d // 4`` bits
  of the searched hash's chunk i, for some i: an OR of four ``IN`` lookups, each answered
  by its index. For d ≤ 3 that is plain equality (one value per chunk); for 4 ≤ d ≤ 7,
  17 values per chunk; for 8 ≤ d ≤ 11, 137;
- the exact distance is then counted in Python on the few candidates.

No near hash is missed (``tests/test_bank.py`` checks the boundary: every hash at distance
d is found, at d + 1 none). Measured on a two-core machine with a million random hashes
in the bank (three quarters of them in the searched agency): d = 8 takes about 18 ms on
PostgreSQL and 11 ms on SQLite (median), d ≤ 7 about 2 to 6 ms. Three chunks of 21 bits
would cut the candidates a further thirtyfold, should the bank grow far beyond that.

The search covers what holds at the photo's facility: the facility's own hashes and the
agency's (those with no facility).

Admins see the bank in the console (``Scope``): a facility admin their facilities'
hashes and their agencies' agency-wide ones, an agency admin all of their agency's. A hash
put there by mistake comes out with ``remove`` (a facility admin removes their facilities'
own; an agency-wide hash only an agency admin of that agency), audited with a reason;
photos flagged before keep what they were told, and that entry flags no later one (another
entry of the same photo, blocked again elsewhere or later, still does).
"""

from __future__ import annotations

import itertools
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q, QuerySet

from homeward.core import audit, clock
from homeward.core.errors import DomainError, NotFound, PermissionDenied
from homeward.facilities.models import Agency, Facility
from homeward.people import access
from homeward.people.models import User
from homeward.photos import hashing
from homeward.photos.models import CHUNK_BITS, CHUNKS, Photo, PhotoHash

# Beyond 11 the chunks would need radius 3 (697 values each) and the candidates grow: a
# search that wide calls for another scheme (and pHash distances that large say little).
MAX_DISTANCE = 11
DEFAULT_DISTANCE = 8
CHUNK_MASK = (1 << CHUNK_BITS) - 1


def chunks(value: int) -> list[int]:
    """The four 16-bit chunks of a 64-bit hash, the highest bits first."""
    bits = hashing.unsigned(value)
    return [(bits >> (CHUNK_BITS * (CHUNKS - 1 - i))) & CHUNK_MASK for i in range(CHUNKS)]


def within(value: int, radius: int) -> list[int]:
    """Every 16-bit value within ``radius`` bits of ``value``, ``value`` first."""
    found = [value]
    for flipped in range(1, radius + 1):
        for positions in itertools.combinations(range(CHUNK_BITS), flipped):
            found.append(reduce(lambda v, p: v ^ (1 << p), positions, value))
    return found


def add(
    *,
    phash: int,
    agency: Agency,
    facility: Facility | None = None,
    photo: Photo | None = None,
    reason: str,
) -> PhotoHash:
    """Put ``phash`` in ``agency``'s bank: at ``facility`` only, or (None) at all of the
    agency's. ``photo`` is the photo it came from, if any; ``reason`` says why, for staff.
    The same hash may be added more than once (two photos blocked for two reasons)."""
    if facility is not None and facility.agency_id != agency.pk:
        raise ValueError("the facility belongs to another agency")
    parts = chunks(phash)
    return PhotoHash.objects.create(
        hash=hashing.signed(phash),
        **{f"chunk_{i}": part for i, part in enumerate(parts)},
        agency=agency,
        facility=facility,
        photo=photo,
        reason=reason,
        added_at=clock.now(),
    )


def near(
    phash: int,
    *,
    agency: Agency,
    facility: Facility | None,
    max_distance: int = DEFAULT_DISTANCE,
) -> list[tuple[PhotoHash, int]]:
    """The bank's hashes within ``max_distance`` bits of ``phash`` that hold at
    ``facility`` (its own and the agency-wide ones; None: the agency-wide ones only), each
    with its distance, the nearest first."""
    if not 0 <= max_distance <= MAX_DISTANCE:
        raise ValueError(f"max_distance must be between 0 and {MAX_DISTANCE}")
    if facility is not None and facility.agency_id != agency.pk:
        raise ValueError("the facility belongs to another agency")
    radius = max_distance // CHUNKS
    any_chunk = reduce(
        or_,
        (Q(**{f"chunk_{i}__in": within(part, radius)}) for i, part in enumerate(chunks(phash))),
    )
    where = (
        Q(facility__isnull=True)
        if facility is None
        else Q(facility=facility) | Q(facility__isnull=True)
    )
    candidates = PhotoHash.objects.filter(any_chunk, where, agency=agency).values_list("pk", "hash")
    distances = {
        pk: d for pk, value in candidates if (d := hashing.distance(value, phash)) <= max_distance
    }
    rows = PhotoHash.objects.in_bulk(list(distances))
    return sorted(
        ((rows[pk], d) for pk, d in distances.items()), key=lambda pair: (pair[1], pair[0].pk)
    )


class Scope:
    """What of the bank an admin looks after, worked out once: the facilities they
    administer, their agencies, and the agencies they administer whole."""

    def __init__(self, admin: User) -> None:
        administered = access.staff_facilities(admin, access.ADMIN_ROLES)
        pairs = list(administered.values_list("pk", "agency_id"))
        self.facilities = {pk for pk, _ in pairs}
        self.agencies = {agency for _, agency in pairs}
        self.whole_agencies = access.agencies_administered(admin)

    def visible(self) -> QuerySet[PhotoHash]:
        """The hashes of the facilities administered, and their agencies' agency-wide ones.
        Plain lists of ids, and the agency first: the database reads the admin's agency in
        order of time (an index on agency, added_at) and only filters the facilities."""
        return PhotoHash.objects.filter(
            Q(facility_id__in=self.facilities) | Q(facility__isnull=True),
            agency_id__in=self.agencies,
        )

    def may_remove(self, entry: PhotoHash) -> bool:
        """A facility's own hash: its admins (and its agency's); an agency-wide one: the
        agency's admins only (it holds at facilities a facility admin does not look after)."""
        if entry.facility_id is not None:
            return entry.facility_id in self.facilities
        return entry.agency_id in self.whole_agencies


def remove(*, admin: User, hash_id: int, reason: str) -> PhotoHash:
    """Take a hash out of the bank: that entry flags no copy of its photo any more (another
    entry of the same photo still would). NotFound for a hash the admin does not see (or
    that another admin took out first), PermissionDenied for an agency-wide one to anyone
    but an agency admin of its agency, DomainError without a reason; nothing changes then."""
    reason = " ".join(reason.split())
    scope = Scope(admin)
    with transaction.atomic():
        entry = scope.visible().select_for_update().filter(pk=hash_id).first()
        if entry is None:
            raise NotFound("No such hash in the bank.")
        if not scope.may_remove(entry):
            raise PermissionDenied(
                "Only an agency admin takes an agency-wide hash out of the bank.",
                "agency_admin_only",
            )
        if not reason:
            raise DomainError("reason_required", "Say why the hash comes out of the bank.")
        if len(reason) > 300:
            raise DomainError("reason_too_long", "Say why in 300 characters or fewer.")
        audit.record(
            actor=admin,
            action="photo_hash.removed",
            obj=entry,
            facility_id=entry.facility_id,
            data={
                "hash": f"{hashing.unsigned(entry.hash):016x}",
                "agency_id": entry.agency_id,
                "photo_id": entry.photo_id,
                "added_at": entry.added_at.isoformat(),
                "added_for": entry.reason,
                "reason": reason,
            },
        )
        entry.delete()
    return entry
