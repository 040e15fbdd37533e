"""The perceptual hash: the standard DCT hash, stable under what a copy goes through, far
apart for different pictures."""

from __future__ import annotations

import io
import itertools
import math

from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageEnhance

from homeward.photos import hashing
from homeward.photos.tests import images

SIGNED_64 = st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1)


def test_the_transform_is_the_textbook_dct_ii() -> None:
    picture = images.scene((120, 90), seed=3)
    fast = hashing.low_frequencies(picture)
    small = picture.convert("L").resize((32, 32), Image.Resampling.LANCZOS).tobytes()
    n = hashing.SIZE

    def direct(u: int, v: int) -> float:
        cu = math.sqrt((1 if u == 0 else 2) / n)
        cv = math.sqrt((1 if v == 0 else 2) / n)
        return (
            cu
            * cv
            * sum(
                small[y * n + x]
                * math.cos(math.pi * (2 * y + 1) * u / (2 * n))
                * math.cos(math.pi * (2 * x + 1) * v / (2 * n))
                for y in range(n)
                for x in range(n)
            )
        )

    for u, v in [(0, 0), (1, 0), (0, 1), (3, 5), (8, 8), (7, 2)]:
        assert math.isclose(fast[u][v], direct(u, v), rel_tol=1e-9, abs_tol=1e-6)
    assert math.isclose(fast[0][0], sum(small) / n)  # the DC term: the mean, scaled by 32


def test_half_the_bits_are_set() -> None:
    value = hashing.phash(images.scene(seed=4))
    assert hashing.unsigned(value).bit_count() == 32


def reencoded(picture: Image.Image, quality: int) -> Image.Image:
    return Image.open(io.BytesIO(images.encode(picture, "JPEG", quality=quality)))


def test_a_copy_is_near_the_original() -> None:
    for seed in range(1, 6):
        original = images.scene((800, 600), seed=seed)
        value = hashing.phash(original)
        copies = {
            "re-encoded at quality 40": reencoded(original, 40),
            "halved": original.resize((400, 300), Image.Resampling.BILINEAR),
            "a quarter, as a JPEG": reencoded(original.resize((200, 150)), 70),
            "brightened by 10%": ImageEnhance.Brightness(original).enhance(1.1),
            "more contrast": ImageEnhance.Contrast(original).enhance(1.15),
            "grayscale": original.convert("L"),
        }
        for what, copy in copies.items():
            assert hashing.distance(value, hashing.phash(copy)) <= 8, (seed, what)


def test_different_pictures_are_far_apart() -> None:
    values = [hashing.phash(images.scene((400, 300), seed=seed)) for seed in range(1, 21)]
    distances = [hashing.distance(a, b) for a, b in itertools.combinations(values, 2)]
    assert min(distances) > 12
    assert 24 <= sum(distances) / len(distances) <= 40  # about half the bits


def test_signed_and_unsigned_are_the_same_bits() -> None:
    assert hashing.signed((1 << 64) - 1) == -1
    assert hashing.unsigned(-1) == (1 << 64) - 1
    assert hashing.distance(-1, (1 << 64) - 1) == 0
    assert hashing.distance(0, -1) == 64
    assert hashing.as_hex(-1) == "f" * 16


@given(SIGNED_64, SIGNED_64)
def test_distance_counts_the_bits_that_differ(a: int, b: int) -> None:
    bits_a, bits_b = format(hashing.unsigned(a), "064b"), format(hashing.unsigned(b), "064b")
    assert hashing.distance(a, b) == sum(x != y for x, y in zip(bits_a, bits_b, strict=True))
    assert hashing.signed(hashing.unsigned(a)) == a
