"""Pictures made in the test, with Pillow: no binary fixtures."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

from PIL import Image, ImageDraw, ImageFilter


def scene(size: tuple[int, int] = (640, 480), *, seed: int = 1) -> Image.Image:
    """Something like a photo: a sky-to-ground gradient, shapes in several colours, a
    little noise. Different seeds give different scenes."""
    rng = random.Random(seed)
    width, height = size
    top = tuple(rng.randrange(256) for _ in range(3))
    bottom = tuple(rng.randrange(256) for _ in range(3))
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        mix = y / max(1, height - 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(round(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True)),
        )
    for _ in range(12):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1 = x0 + rng.randrange(width // 8, width // 2)
        y1 = y0 + rng.randrange(height // 8, height // 2)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse([x0, y0, x1, y1], fill=colour)
        else:
            draw.rectangle([x0, y0, x1, y1], fill=colour)
    noise = Image.effect_noise(size, 12).convert("RGB")
    return Image.blend(image, noise, 0.08).filter(ImageFilter.SMOOTH)


def encode(image: Image.Image, image_format: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, image_format, **options)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_header(width: int, height: int) -> bytes:
    """A PNG's signature and IHDR: 8-bit grayscale of ``width`` × ``height``."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)


def png_bomb(width: int, height: int) -> bytes:
    """A complete grayscale PNG of ``width`` × ``height`` black pixels, a few hundred
    kilobytes that would unpack into width × height bytes. Built without compressing
    those bytes: after a full flush, every further megabyte of zeros compresses to the
    same bytes, so one compressed megabyte is repeated."""
    total = (width + 1) * height  # each row: a filter byte, then the pixels
    block = 1 << 20
    whole, rest = divmod(total, block)
    zeros = bytes(block)
    compressor = zlib.compressobj(9)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    body = first + repeated * (whole - 1) + compressor.compress(bytes(rest))
    body += compressor.flush()[:-4]  # the end of the stream; its checksum is for all bytes
    adler = 1
    for _ in range(whole):
        adler = zlib.adler32(zeros, adler)
    adler = zlib.adler32(bytes(rest), adler)
    idat = body + struct.pack(">I", adler)
    return png_header(width, height) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "meet at the east gate at nine")
    return out.getvalue()
