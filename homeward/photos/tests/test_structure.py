"""The structure walk finds where each format's picture ends: the files Pillow writes pass,
whatever follows the picture is extra, a file cut short is damaged."""

from __future__ import annotations

import pytest

from homeward.photos import structure
from homeward.photos.tests import images

FORMATS = ["JPEG", "PNG", "GIF", "WEBP", "HEIF"]


def picture(image_format: str, **options: object) -> bytes:
    return images.encode(images.scene((320, 240), seed=2), image_format, **options)


@pytest.mark.parametrize("image_format", FORMATS)
def test_a_whole_picture_passes_and_padding_too(image_format) -> None:
    data = picture(image_format)
    structure.check(data, image_format)
    structure.check(data + bytes(100), image_format)


@pytest.mark.parametrize(
    "options",
    [{"progressive": True}, {"restart_marker_rows": 1}, {"restart_marker_blocks": 4}],
    ids=["progressive", "restart-rows", "restart-blocks"],
)
def test_jpegs_of_every_kind_pass(options) -> None:
    structure.check(picture("JPEG", **options), "JPEG")


@pytest.mark.parametrize("image_format", FORMATS)
@pytest.mark.parametrize(
    "tail", [images.zip_archive(), b"<html></html>", b"\x01"], ids=["zip", "html", "one-byte"]
)
def test_anything_after_the_picture_is_extra(image_format, tail) -> None:
    with pytest.raises(structure.Extra):
        structure.check(picture(image_format) + tail, image_format)


@pytest.mark.parametrize("image_format", FORMATS)
def test_a_picture_cut_short_is_damaged(image_format) -> None:
    data = picture(image_format)
    for cut in (len(data) // 3, len(data) - 1):
        with pytest.raises(structure.Damaged):
            structure.check(data[:cut], image_format)


def test_complete_jpegs_after_the_first_pass_and_anything_after_them_does_not() -> None:
    first, second = picture("JPEG"), picture("JPEG", quality=40)
    structure.check(first + second + second, "JPEG")
    with pytest.raises(structure.Extra):
        structure.check(first + second + b"PK\x03\x04", "JPEG")
    with pytest.raises(structure.Damaged):
        structure.check(first + second[:-10], "JPEG")


def test_a_jpeg_of_too_many_scans_is_refused_before_decoding() -> None:
    scan = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x12\x34"
    body = b"\xff\xd8" + scan * structure.MAX_SCANS + b"\xff\xd9"
    structure.check(body, "JPEG")
    with pytest.raises(structure.Damaged):
        structure.check(b"\xff\xd8" + scan * (structure.MAX_SCANS + 1) + b"\xff\xd9", "JPEG")


def test_a_webp_longer_than_it_declares_is_extra_and_shorter_damaged() -> None:
    data = picture("WEBP")
    with pytest.raises(structure.Extra):
        structure.check(data + b"RIFF", "WEBP")
    with pytest.raises(structure.Damaged):
        structure.check(data[:-2], "WEBP")
