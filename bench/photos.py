"""Photos: what checking one costs on one core, and the hash bank's search at a million
hashes, each against a baseline measured in the same run.

    .venv/bin/python bench/photos.py              (a few minutes)
    .venv/bin/python bench/photos.py --quick      (a smoke run: 20,000 hashes, fewer passes)
    .venv/bin/python bench/photos.py --reuse      (keep the bank an earlier run filled)

It needs PostgreSQL: it creates the database of DATABASE_URL afresh (default
postgres://postgres@127.0.0.1:5432/homeward_bench_photos; it is dropped first, so its name
must contain "bench") and migrates it.

Photo stages. The process is pinned to one CPU, and onnxruntime, OpenCV and the BLAS run
one thread. Two JPEGs are made from the real photos in homeward/photos/tests/assets/innocent
(a mosaic, with a little sensor-like noise and a line of text, an sRGB colour profile
embedded as phones do): 12 megapixels (4032 × 3024, as most phones shoot) and 3 megapixels
(2016 × 1512, as a messaging app sends). For each it prints the median time per photo and
photos/s on one core of the baseline, a plain ``Image.open(...).load()`` decode, then of
``intake.clean`` with the signals switched off (PHOTO_READ_TEXT, PHOTO_NUDITY_SCORE; its
parts: structure walk, decode, upright + sRGB, pHash; the rest is the thumbnail and the two
JPEG encodings), ``signals.read_text`` and ``signals.nudity_score`` on the decoded picture,
and the whole (``intake.clean`` with both signals on), each as a multiple of the decode.
Models are loaded before the timing (the load time is printed).

Hash bank. --hashes (1,000,000) random 64-bit hashes COPYed into the bank with their chunks
computed by ``bank.chunks``: three quarters in the searched agency (half of those
agency-wide, a third at the searched facility, the rest at another), 1% in a small agency
of their own, the rest in a third agency; then VACUUM ANALYZE. ``bank.near`` is timed from
the searched facility for hashes in its scope at 0 bits (exact), up to 8 and up to 10 bits
away (a stored hash with that many bits flipped, which must be found), p50/p95 over
--queries (300) searches each, with the candidates the chunk indexes return; the baselines
are a look-up of one PhotoHash by primary key and the same searches in the small agency
(1% of the hashes: 10,000 of a million). Then the console's hash bank page as its query
reads it (pages of 50, oldest first; the hashes were added one a minute): for an admin of
the searched facility (half the bank in scope) the first page, one from the middle and the
last, and for an admin of a facility of its own agency with 20 hashes, its one page; against
the same primary-key look-up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# One thread for whatever reads these, before numpy, OpenCV or onnxruntime load.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")

from bench.review_queue import copy_rows, start  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/homeward_bench_photos"
INNOCENT = Path(__file__).resolve().parent.parent / "homeward/photos/tests/assets/innocent"
TINY_FACILITY_HASHES = 20
DISTANCES = (0, 8, 10)


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity here)"


# --- photo stages ---------------------------------------------------------------------


def phone_jpeg(width: int, height: int) -> bytes:
    """A photo-like JPEG of ``width`` × ``height``: the shipped innocent photos as a
    mosaic, some noise, a line of text, an sRGB profile; quality 92, as phones save."""
    from PIL import Image, ImageCms, ImageDraw, ImageFont

    photos = [Image.open(p).convert("RGB") for p in sorted(INNOCENT.glob("*.jpg"))]
    columns, rows = 4, 3
    tile_w, tile_h = width // columns, height // rows
    mosaic = Image.new("RGB", (width, height))
    for i in range(columns * rows):
        tile = photos[i % len(photos)].resize((tile_w, tile_h), Image.Resampling.BICUBIC)
        mosaic.paste(tile, ((i % columns) * tile_w, (i // columns) * tile_h))
    noise = Image.effect_noise((width, height), 24).convert("RGB")
    picture = Image.blend(mosaic, noise, 0.06)
    draw = ImageDraw.Draw(picture)
    size = height // 25
    draw.rectangle(
        [width // 20, height // 2, width // 20 + size * 12, height // 2 + size * 2], "white"
    )
    draw.text(
        (width // 20 + size // 2, height // 2 + size // 2),
        "SEE YOU SUNDAY",
        fill="black",
        font=ImageFont.load_default(size=size),
    )
    out = io.BytesIO()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    picture.save(out, "JPEG", quality=92, icc_profile=srgb)
    return out.getvalue()


def median_seconds(action: Callable[[], object], passes: int) -> float:
    times = []
    for _ in range(passes):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def photo_stages(passes: int) -> None:
    from PIL import Image

    from homeward.photos import signals

    started = time.perf_counter()
    warm = Image.new("RGB", (640, 480), "white")
    signals.read_text(warm)
    signals.nudity_score(warm)
    print(f"models loaded in {time.perf_counter() - started:.1f} s")
    print(f"  OCR: {signals.OCR_ENGINE}")
    print(f"  nudity: {signals.NUDITY_MODEL}")
    for width, height in [(4032, 3024), (2016, 1512)]:
        one_photo(phone_jpeg(width, height), passes)


def one_photo(data: bytes, passes: int) -> None:
    """The stages of checking the JPEG ``data``, each timed ``passes`` times."""
    from django.conf import settings
    from django.test import override_settings
    from PIL import Image

    from homeward.photos import hashing, intake, signals, structure

    picture = intake.as_srgb(intake.upright(intake.decode(data, "JPEG")))
    read = signals.read_text(picture).replace("\n", " / ")
    width, height = picture.size
    print(
        f"\n{width} x {height} JPEG ({width * height / 1e6:.1f} MP, {len(data) / 1e6:.1f} MB);"
        f" median of {passes}; OCR read {read!r}"
    )
    print(f"{'stage':<46} {'ms/photo':>9} {'photos/s':>9} {'x decode':>9}")

    def decode() -> None:
        with Image.open(io.BytesIO(data)) as image:
            image.load()

    base = median_seconds(decode, passes)
    parts = {
        "  structure.check": median_seconds(lambda: structure.check(data, "JPEG"), passes),
        "  decode (intake.decode)": median_seconds(lambda: intake.decode(data, "JPEG"), passes),
        "  upright + sRGB (after decode)": median_seconds(
            lambda: intake.as_srgb(intake.upright(intake.decode(data, "JPEG"))), passes
        )
        - base,
        "  pHash": median_seconds(lambda: hashing.phash(picture), passes),
    }
    # clean may read the signals itself, as the settings say: timed here without, then with.
    with override_settings(PHOTO_READ_TEXT=False, PHOTO_NUDITY_SCORE=False):
        clean = median_seconds(lambda: intake.clean(data, "JPEG"), passes)
    text = median_seconds(lambda: signals.read_text(picture), passes)
    nudity = median_seconds(lambda: signals.nudity_score(picture), passes)
    if hasattr(settings, "PHOTO_READ_TEXT") and hasattr(settings, "PHOTO_NUDITY_SCORE"):
        with override_settings(PHOTO_READ_TEXT=True, PHOTO_NUDITY_SCORE=True):
            whole = median_seconds(lambda: intake.clean(data, "JPEG"), passes)
    else:
        whole = clean + text + nudity
    rows: list[tuple[str, float]] = [("baseline: Image.open().load()", base)]
    rows.append(("intake.clean, without the signals", clean))
    rows += list(parts.items())
    rows.append(("  thumbnail + JPEG re-encodes (the rest)", clean - sum(parts.values())))
    rows += [("signals.read_text", text), ("signals.nudity_score", nudity)]
    rows.append(("whole: intake.clean with both signals", whole))
    for label, seconds in rows:
        print(f"{label:<46} {seconds * 1000:>9.0f} {1 / seconds:>9.2f} {seconds / base:>8.1f}x")


# --- the hash bank ----------------------------------------------------------------------


class Bank:
    """The agencies and facilities of the bench's bank, and hashes known to be in the
    searched scope."""

    def __init__(self, searched: Any, facility: Any, small: Any, in_scope: list[int]) -> None:
        self.searched, self.facility, self.small = searched, facility, small
        self.in_scope = in_scope


def fill_bank(total: int, *, reuse: bool) -> Bank:
    from django.db import connection, transaction

    from homeward import builders
    from homeward.core import clock
    from homeward.facilities.models import Agency, Facility
    from homeward.photos import bank, hashing
    from homeward.photos.models import PhotoHash

    rng = random.Random(8)
    if reuse and PhotoHash.objects.count() == total:
        searched = Agency.objects.get(code="bench-searched")
        facility = Facility.objects.get(code="bench-searched-1")
        small = Agency.objects.get(code="bench-small")
        in_scope = list(
            PhotoHash.objects.filter(agency=searched, facility__isnull=True).values_list(
                "hash", flat=True
            )[:5000]
        )
        print(f"\nhash bank: reusing {total:,} hashes")
        return Bank(searched, facility, small, in_scope)
    with transaction.atomic():
        PhotoHash.objects.all().delete()
        searched = Agency.objects.filter(code="bench-searched").first() or builders.make_agency(
            "bench-searched"
        )
        facility = Facility.objects.filter(code="bench-searched-1").first() or (
            builders.make_facility("bench-searched-1", agency=searched)
        )
        other = Facility.objects.filter(code="bench-searched-2").first() or (
            builders.make_facility("bench-searched-2", agency=searched)
        )
        small = Agency.objects.filter(code="bench-small").first() or builders.make_agency(
            "bench-small"
        )
        third = Agency.objects.filter(code="bench-other").first() or builders.make_agency(
            "bench-other"
        )
        tiny_agency = Agency.objects.filter(code="bench-tiny").first() or (
            builders.make_agency("bench-tiny")
        )
        tiny = Facility.objects.filter(code="bench-tiny-1").first() or (
            builders.make_facility("bench-tiny-1", agency=tiny_agency)
        )
    searched_count, small_count = total * 3 // 4, total // 100
    third_count = total - searched_count - small_count
    now = clock.now()
    in_scope: list[int] = []

    def rows() -> Any:
        for i in range(total):
            value = hashing.signed(rng.getrandbits(64))
            if i < searched_count:
                agency, place = searched.pk, rng.random()
                at = None if place < 0.5 else facility.pk if place < 0.5 + 1 / 6 else other.pk

                if at != other.pk and len(in_scope) < 5000 and rng.random() < 0.01:
                    in_scope.append(value)
            elif i < searched_count + small_count:
                agency, at = small.pk, None
            else:
                agency, at = third.pk, None
            if i % (total // TINY_FACILITY_HASHES) == 7:
                agency, at = tiny_agency.pk, tiny.pk  # a handful, spread over the years
            # Added one a minute, the oldest first: pages have an order to follow.
            added = now - dt.timedelta(minutes=total - i)
            yield (value, *bank.chunks(value), agency, at, "bench", added)

    started = time.perf_counter()
    with transaction.atomic():
        copy_rows(
            PhotoHash,
            ["hash", "chunk_0", "chunk_1", "chunk_2", "chunk_3"]
            + ["agency", "facility", "reason", "added_at"],
            rows(),
        )
    copied = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"\nhash bank: {total:,} hashes COPYed in {copied:.1f} s, VACUUM ANALYZE in "
        f"{time.perf_counter() - started - copied:.1f} s ({searched_count:,} in the searched"
        f" agency, {small_count:,} in the small one, {third_count:,} in a third)"
    )
    return Bank(searched, facility, small, in_scope)


def flipped(value: int, bits: int, rng: random.Random) -> int:
    from homeward.photos import hashing

    for position in rng.sample(range(64), bits):
        value ^= 1 << position
    return hashing.signed(value)


def candidates(phash: int, *, agency: Any, facility: Any, distance: int) -> int:
    """How many rows the chunk indexes return for this search (what ``bank.near`` then
    counts bits on)."""
    from functools import reduce
    from operator import or_

    from django.db.models import Q

    from homeward.photos import bank
    from homeward.photos.models import CHUNKS, PhotoHash

    radius = distance // CHUNKS
    any_chunk = reduce(
        or_,
        (
            Q(**{f"chunk_{i}__in": bank.within(part, radius)})
            for i, part in enumerate(bank.chunks(phash))
        ),
    )
    where = Q(facility__isnull=True)
    if facility is not None:
        where |= Q(facility=facility)
    return PhotoHash.objects.filter(any_chunk, where, agency=agency).count()


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def timed(action: Callable[[], object], queries: int) -> list[float]:
    """Seconds each of ``queries`` runs of ``action`` took, after one to warm up."""
    action()
    times = []
    for _ in range(queries):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def bank_lookups(bench_bank: Bank, queries: int) -> None:
    from django.db.models import Max, Min

    from homeward.photos.models import PhotoHash

    rng = random.Random(10)
    low, high = PhotoHash.objects.aggregate(low=Min("pk"), high=Max("pk")).values()

    def by_pk() -> None:
        PhotoHash.objects.get(pk=rng.randint(low, high))

    base50, base95 = percentiles(timed(by_pk, queries))
    print(f"{'search':<44} {'p50 ms':>7} {'p95 ms':>7} {'candidates':>10} {'p50 x pk':>9}")
    print(
        f"{'baseline: one PhotoHash by primary key':<44} {base50 * 1e3:>7.2f} {base95 * 1e3:>7.2f}"
    )
    small_hashes = list(
        PhotoHash.objects.filter(agency=bench_bank.small).values_list("hash", flat=True)[:2000]
    )
    scopes = [
        ("searched facility", bench_bank.searched, bench_bank.facility, bench_bank.in_scope),
        ("small agency (1%)", bench_bank.small, None, small_hashes),
    ]
    for scope, agency, facility, stored in scopes:
        for distance in DISTANCES:
            label = f"near, {scope}, " + ("exact" if distance == 0 else f"d <= {distance}")
            targets = [flipped(rng.choice(stored), distance, rng) for _ in range(queries + 1)]
            times, missed = searches(targets, agency=agency, facility=facility, distance=distance)
            p50, p95 = percentiles(times)
            average = statistics.mean(
                candidates(t, agency=agency, facility=facility, distance=distance)
                for t in targets[:20]
            )
            print(
                f"{label:<44} {p50 * 1e3:>7.2f} {p95 * 1e3:>7.2f} {average:>10,.0f}"
                f" {p50 / base50:>8.1f}x"
            )
            if missed:
                print(f"  !! {missed} searches did not find the hash they were made from")


def bank_pages(bench_bank: Bank, queries: int) -> None:
    """The console's hash bank page as its query reads it (``bank.Scope``, a page of 50 by
    ``keyset.forward``): for an admin of the searched facility (half the bank in scope) the
    first page, one from the middle and the last; for an admin of a facility with a handful
    of hashes, its one page; against the same primary-key baseline."""
    from django.db.models import F, Max, Min

    from homeward import builders
    from homeward.console.views.photos import BANK_PAGE_SIZE
    from homeward.core import keyset
    from homeward.facilities.models import Facility
    from homeward.people.models import StaffMembership, User
    from homeward.photos import bank
    from homeward.photos.models import PhotoHash

    def admin_of(name: str, facility: Any) -> Any:
        return User.objects.filter(username=name).first() or builders.make_staff(
            name, role=StaffMembership.Role.FACILITY_ADMIN, facility=facility
        )

    big = admin_of("bench-bank-admin", bench_bank.facility)
    tiny = admin_of("bench-bank-admin-tiny", Facility.objects.get(code="bench-tiny-1"))
    low, high = PhotoHash.objects.aggregate(low=Min("pk"), high=Max("pk")).values()
    in_scope = bank.Scope(big).visible().order_by("added_at", "pk")
    middle = in_scope.filter(pk__gte=(low + high) // 2).first()
    last = in_scope.reverse()[BANK_PAGE_SIZE - 1 : BANK_PAGE_SIZE].get()
    assert middle is not None
    rng = random.Random(11)

    def page(admin: Any, after: str) -> int:
        rows = (
            bank.Scope(admin)
            .visible()
            .select_related("facility", "agency")
            .annotate(photo_removed_at=F("photo__removed_at"))
        )
        return len(keyset.forward(rows, size=BANK_PAGE_SIZE, after=after, field="added_at").rows)

    def by_pk() -> None:
        PhotoHash.objects.get(pk=rng.randint(low, high))

    figures = {}
    for label, action in (
        ("baseline: one PhotoHash by primary key", by_pk),
        ("bank page, big scope, the first", lambda: page(big, "")),
        (
            "bank page, big scope, the middle",
            lambda: page(big, keyset.token(middle.added_at, middle.pk)),
        ),
        ("bank page, big scope, the last", lambda: page(big, keyset.token(last.added_at, last.pk))),
        (f"bank page, {TINY_FACILITY_HASHES} hashes in scope", lambda: page(tiny, "")),
    ):
        figures[label] = percentiles(timed(action, queries))
    base = figures["baseline: one PhotoHash by primary key"][0]
    for label, (p50, p95) in figures.items():
        print(f"{label:<44} {p50 * 1e3:>7.2f} {p95 * 1e3:>7.2f} {'':>10} {p50 / base:>8.1f}x")


def searches(
    targets: list[int], *, agency: Any, facility: Any, distance: int
) -> tuple[list[float], int]:
    """``bank.near`` for each target (the first a warm-up): the times, and how many found
    nothing."""
    from homeward.photos import bank

    times, missed = [], 0
    for i, target in enumerate(targets):
        started = time.perf_counter()
        found = bank.near(target, agency=agency, facility=facility, max_distance=distance)
        if i:
            times.append(time.perf_counter() - started)
        missed += not found
    return times, missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: small and short")
    parser.add_argument("--hashes", type=int, default=None, help="hashes in the bank (1,000,000)")
    parser.add_argument("--passes", type=int, default=None, help="timed passes per stage (7)")
    parser.add_argument("--queries", type=int, default=None, help="searches per figure (300)")
    parser.add_argument("--reuse", action="store_true", help="keep the bank of an earlier run")
    parser.add_argument("--skip-photos", action="store_true")
    parser.add_argument("--skip-bank", action="store_true")
    args = parser.parse_args()
    hashes = args.hashes or (20_000 if args.quick else 1_000_000)
    passes = args.passes or (2 if args.quick else 7)
    queries = args.queries or (30 if args.quick else 300)
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    start(url, reuse=args.reuse)
    print(f"{pin_to_one_core()}; onnxruntime, OpenCV and BLAS on one thread")
    if not args.skip_photos:
        photo_stages(passes)
    if not args.skip_bank:
        bench_bank = fill_bank(hashes, reuse=args.reuse)
        bank_lookups(bench_bank, queries)
        bank_pages(bench_bank, queries)


if __name__ == "__main__":
    main()
