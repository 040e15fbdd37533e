"""Where an image file ends, read from its structure, not from its decoder.

A decoder stops at the end of the picture and never looks at what follows, so a file can be
a photo and something else at once (a polyglot: a JPEG with a ZIP archive or a web page
after it). ``extra_data`` walks the file's own structure to the byte where the picture ends
and says whether anything other than padding follows:

- JPEG: segment by segment (each declares its length), through the entropy-coded data
  after each start of scan, to the end-of-image marker. Phones append further complete
  JPEG images after the first (the Multi-Picture Format's second images, Ultra HDR and
  Apple's gain maps): those are walked the same way and pass. A JPEG of more than
  ``MAX_SCANS`` scans is refused as damaged before any decoder sees it;
- PNG: chunk by chunk to the IEND chunk;
- GIF: block by block (extensions, images and their sub-blocks) to the trailer;
- WebP: the RIFF header declares the file's length;
- HEIF/HEIC: box by box (ISO base media file format): every top-level box must be whole.

Zero bytes after the end are padding and pass. Whatever else follows makes the file a
polyglot (``Extra``); a structure that stops short, or does not add up, is damaged
(``Damaged``).
"""

from __future__ import annotations

import re
import string


class Damaged(Exception):
    """The structure stops short or does not add up."""


class Extra(Exception):
    """Something other than padding follows the end of the picture."""


def check(data: bytes, image_format: str) -> None:
    """Raise ``Damaged`` or ``Extra`` unless ``data`` is exactly one picture in
    ``image_format`` (a Pillow format name), plus padding."""
    walk = _WALKERS.get(image_format)
    if walk is None:
        raise ValueError(f"no structure walker for {image_format}")
    end = walk(data, 0)
    if image_format == "JPEG":
        # Further complete JPEG images (second pictures, gain maps) may follow.
        while (start := _after_padding(data, end)) < len(data) and data[
            start : start + 2
        ] == b"\xff\xd8":
            end = _jpeg_end(data, start)
    if _after_padding(data, end) != len(data):
        raise Extra(f"{len(data) - end} bytes after the end of the {image_format} picture")


def _after_padding(data: bytes, position: int) -> int:
    while position < len(data) and data[position] == 0:
        position += 1
    return position


def _need(data: bytes, end: int) -> None:
    if end > len(data):
        raise Damaged("the file stops before its structure ends")


# --- JPEG ---------------------------------------------------------------------------------

SOI, EOI, SOS, TEM = 0xD8, 0xD9, 0xDA, 0x01
RESTARTS = range(0xD0, 0xD8)
# A progressive JPEG has about ten scans. Thousands of them make a file that takes the
# decoder minutes (the "many scans" attack libjpeg-turbo's own tools cap), so past this
# many the file is refused as damaged before it is decoded.
MAX_SCANS = 100


def _jpeg_end(data: bytes, position: int) -> int:
    """The byte after the end-of-image marker of the JPEG that starts at ``position``."""
    if data[position : position + 2] != b"\xff\xd8":
        raise Damaged("not a JPEG start of image")
    position += 2
    size = len(data)
    scans = 0
    while True:
        _need(data, position + 2)
        if data[position] != 0xFF:
            raise Damaged(f"a marker was expected at byte {position}")
        while position < size and data[position] == 0xFF:  # fill bytes before a marker
            position += 1
        _need(data, position + 1)
        marker = data[position]
        position += 1
        if marker == EOI:
            return position
        if marker == TEM or marker in RESTARTS:
            continue
        if marker == SOI or marker == 0x00:
            raise Damaged(f"marker {marker:02X} out of place at byte {position - 1}")
        _need(data, position + 2)
        length = int.from_bytes(data[position : position + 2], "big")
        if length < 2:
            raise Damaged(f"a segment of length {length} at byte {position}")
        position += length
        _need(data, position)
        if marker == SOS:
            scans += 1
            if scans > MAX_SCANS:
                raise Damaged(f"more than {MAX_SCANS} scans")
            position = _entropy_coded_end(data, position)


# In entropy-coded data, a 0xFF that is not followed by 00 (a stuffed byte), D0-D7 (a
# restart marker) or another FF (a fill byte) is the marker that ends the scan.
_END_OF_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _entropy_coded_end(data: bytes, position: int) -> int:
    """The position of the marker that ends the entropy-coded data starting at
    ``position``."""
    found = _END_OF_SCAN.search(data, position)
    if found is None:
        raise Damaged("the scan data stops before the end of the image")
    return found.start()


# --- PNG ----------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_end(data: bytes, position: int) -> int:
    if data[position : position + 8] != PNG_SIGNATURE:
        raise Damaged("not a PNG signature")
    position += 8
    while True:
        _need(data, position + 12)
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        position += 12 + length  # length, type, data, CRC
        _need(data, position)
        if kind == b"IEND":
            return position


# --- GIF ----------------------------------------------------------------------------------


def _gif_sub_blocks_end(data: bytes, position: int) -> int:
    while True:
        _need(data, position + 1)
        size = data[position]
        position += 1 + size
        if size == 0:
            return position
        _need(data, position)


def _gif_end(data: bytes, position: int) -> int:
    if data[position : position + 6] not in (b"GIF87a", b"GIF89a"):
        raise Damaged("not a GIF header")
    _need(data, position + 13)
    flags = data[position + 10]
    position += 13
    if flags & 0x80:  # a global colour table
        position += 3 << ((flags & 7) + 1)
    while True:
        _need(data, position + 1)
        block = data[position]
        if block == 0x3B:  # the trailer
            return position + 1
        if block == 0x21:  # an extension: introducer, label, sub-blocks
            position = _gif_sub_blocks_end(data, position + 2)
        elif block == 0x2C:  # an image: descriptor, local colour table, LZW size, data
            _need(data, position + 10)
            flags = data[position + 9]
            position += 10
            if flags & 0x80:
                position += 3 << ((flags & 7) + 1)
            position = _gif_sub_blocks_end(data, position + 1)
        else:
            raise Damaged(f"an unknown GIF block {block:02X} at byte {position}")


# --- WebP ---------------------------------------------------------------------------------


def _webp_end(data: bytes, position: int) -> int:
    _need(data, position + 12)
    if data[position : position + 4] != b"RIFF" or data[position + 8 : position + 12] != b"WEBP":
        raise Damaged("not a RIFF WebP header")
    declared = int.from_bytes(data[position + 4 : position + 8], "little")
    end = position + 8 + declared + (declared & 1)  # RIFF pads odd sizes to even
    _need(data, end)
    return end


# --- HEIF ---------------------------------------------------------------------------------

BOX_TYPE_CHARACTERS = frozenset((string.ascii_letters + string.digits + " ").encode())


def _heif_end(data: bytes, position: int) -> int:
    first = True
    while position < len(data):
        if not first and _after_padding(data, position) == len(data):
            return position
        if position + 8 > len(data):
            return position  # too short for a box: not part of the picture
        size = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        if not set(kind) <= BOX_TYPE_CHARACTERS:
            if first:
                raise Damaged("not an ISO media box")
            return position  # not a box: whatever it is follows the picture
        if first and kind != b"ftyp":
            raise Damaged("a HEIF file starts with its ftyp box")
        header = 8
        if size == 1:  # a 64-bit size follows the type
            _need(data, position + 16)
            size = int.from_bytes(data[position + 8 : position + 16], "big")
            header = 16
        elif size == 0:  # the last box runs to the end of the file
            return len(data)
        if size < header:
            raise Damaged(f"a box of {size} bytes at byte {position}")
        position += size
        _need(data, position)
        first = False
    return position


_WALKERS = {
    "JPEG": _jpeg_end,
    "PNG": _png_end,
    "GIF": _gif_end,
    "WEBP": _webp_end,
    "HEIF": _heif_end,
}
