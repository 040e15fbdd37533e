"""The perceptual hash (pHash) of a photo, and the distance between two.

The standard DCT hash, as the pHash library computes it (``ph_dct_imagehash``):

1. the picture in grayscale (Pillow's ITU-R 601-2 luma), shrunk to 32 × 32 pixels (Pillow's
   resize filters the whole picture down, so every pixel counts);
2. its two-dimensional DCT-II (orthonormal; the scale makes no difference to the bits);
3. the 8 × 8 coefficients of the lowest frequencies after the first row and column
   (``[1..8][1..8]``): row and column 0 hold the average brightness (the DC term) and the
   plain horizontal and vertical ramps, which say more about the lighting than about the
   picture, and the DC term, far larger than every other, would pull the median;
4. one bit per coefficient, row by row, the first the highest: 1 where the coefficient is
   above the median of the 64.

So the hash says where the picture is lighter or darker in broad strokes: re-encoding,
resizing and a little brightening change few bits; a different picture changes about half.
Two hashes are compared by their Hamming distance (``distance``).

In pure Python (only the 9 × 9 coefficients the hash needs are computed, about ten
thousand multiplications: a millisecond or two), so nothing beyond Pillow is needed.

A hash is kept as a signed 64-bit integer (``signed``), the database's ``bigint``;
``distance`` and the bank read the bits of either form alike.
"""

from __future__ import annotations

import math
from functools import cache

from PIL import Image

SIZE = 32  # the picture is shrunk to SIZE × SIZE before the transform
LOW = 8  # the hash reads LOW × LOW coefficients, after the first row and column
BITS = LOW * LOW
MASK = (1 << BITS) - 1


@cache
def _cosines() -> tuple[tuple[float, ...], ...]:
    """``C[u][x]``: the orthonormal DCT-II basis, for the frequencies 0..LOW."""
    rows = []
    for u in range(LOW + 1):
        scale = math.sqrt((1 if u == 0 else 2) / SIZE)
        rows.append(
            tuple(scale * math.cos(math.pi * (2 * x + 1) * u / (2 * SIZE)) for x in range(SIZE))
        )
    return tuple(rows)


def low_frequencies(image: Image.Image) -> list[list[float]]:
    """The DCT coefficients ``F[u][v]`` for u, v in 0..LOW of ``image`` shrunk to grayscale
    32 × 32 (u down the rows, v along them)."""
    small = image.convert("L").resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    data = small.tobytes()  # one byte per pixel, row by row
    pixels = [[float(data[y * SIZE + x]) for x in range(SIZE)] for y in range(SIZE)]
    cos = _cosines()
    # The transform is separable: along each row first, then down the columns.
    along = [
        [sum(c * p for c, p in zip(cos[v], row, strict=True)) for v in range(LOW + 1)]
        for row in pixels
    ]
    return [
        [sum(cos[u][y] * along[y][v] for y in range(SIZE)) for v in range(LOW + 1)]
        for u in range(LOW + 1)
    ]


def phash(image: Image.Image) -> int:
    """The 64-bit pHash of ``image``, as a signed integer."""
    coefficients = low_frequencies(image)
    values = [coefficients[u][v] for u in range(1, LOW + 1) for v in range(1, LOW + 1)]
    ordered = sorted(values)
    median = (ordered[BITS // 2 - 1] + ordered[BITS // 2]) / 2
    bits = 0
    for value in values:
        bits = (bits << 1) | (value > median)
    return signed(bits)


def signed(value: int) -> int:
    """The 64 bits of ``value`` read as a signed integer (the database's ``bigint``)."""
    value &= MASK
    return value - (1 << BITS) if value >> (BITS - 1) else value


def unsigned(value: int) -> int:
    """The 64 bits of ``value`` read as an unsigned integer, 0 to 2⁶⁴ - 1."""
    return value & MASK


def distance(a: int, b: int) -> int:
    """How many of the 64 bits differ between hashes ``a`` and ``b`` (signed or not)."""
    return ((a ^ b) & MASK).bit_count()


def as_hex(value: int) -> str:
    """The hash as 16 hexadecimal digits, for people and logs."""
    return f"{unsigned(value):016x}"
