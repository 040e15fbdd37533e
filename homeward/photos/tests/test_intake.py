"""A photo's way in, with real files made by Pillow in each test: what is refused at once,
what the check refuses, and what comes out of a photo that passes."""

from __future__ import annotations

import hashlib
import io
import time
import zlib
from pathlib import Path

import pytest
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import ExifTags, Image, ImageCms, ImageFile

from homeward.core.models import AuditEvent
from homeward.facilities.models import Facility, FacilityPolicy
from homeward.jobs.models import Job
from homeward.people.models import Contact
from homeward.photos import intake, structure
from homeward.photos.intake import PhotoRefused
from homeward.photos.models import Photo
from homeward.photos.storage import backend
from homeward.photos.tests import images
from homeward.photos.tests.conftest import kept_files

pytestmark = pytest.mark.django_db

RED, BLUE = (255, 0, 0), (0, 0, 255)
# APP1 (EXIF, XMP) to APP15 (APP2 holds ICC profiles), and COM: every segment that carries
# metadata. APP0 is the JFIF header every JPEG writer puts first.
METADATA_MARKERS = set(range(0xE1, 0xF0)) | {0xFE}


@pytest.fixture
def send(ana: Contact, facility: Facility):  # type: ignore[no-untyped-def]
    """Upload ``data`` as Ana, to Greenhaven (which takes GIFs when ``gif_allowed``)."""

    def send(data: bytes, name: str = "photo.jpg", *, gif_allowed: bool = False) -> Photo:
        FacilityPolicy.objects.filter(facility=facility).update(photo_gif_allowed=gif_allowed)
        upload = SimpleUploadedFile(name, data, content_type="image/jpeg")
        return intake.receive(contact=ana, facility=facility, upload=upload)

    return send


@pytest.fixture
def check(run_jobs, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run the queued checks as the worker would (their deletions after commit too), and
    return ``photo`` as it is now."""

    def check(photo: Photo) -> Photo:
        with django_capture_on_commit_callbacks(execute=True):
            run_jobs()
        photo.refresh_from_db()
        return photo

    return check


def refused_at_once(send, data: bytes, code: str, photo_files: Path, **options: object) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PhotoRefused) as refused:
        send(data, **options)
    assert refused.value.code == code
    assert refused.value.message == intake.refusal_message(code)
    assert not Photo.objects.exists()
    assert not Job.objects.exists()
    assert kept_files(photo_files) == []


def refused_by_check(
    send, check, data: bytes, code: str, photo_files: Path, **options: object
) -> Photo:  # type: ignore[no-untyped-def]
    photo = check(send(data, **options))
    assert photo.status == Photo.Status.REFUSED
    assert photo.refusal_code == code
    assert photo.refusal_message == intake.refusal_message(code)
    assert not photo.upload and not photo.image and not photo.thumbnail
    assert not photo.sha256 and photo.phash is None
    assert kept_files(photo_files) == []  # the raw upload is gone and nothing else was kept
    # A refusal is an outcome, not a failure.
    assert Job.objects.get(kind=intake.CHECK_JOB).status == Job.Status.DONE
    return photo


def jpeg_markers(data: bytes) -> list[int]:
    """The markers of a JPEG's segments up to its first scan."""
    found, position = [], 2
    while data[position + 1] != 0xDA:
        marker = data[position + 1]
        found.append(marker)
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
    return found


# --- refused at once, nothing kept --------------------------------------------------------


def test_a_text_file_named_jpg_is_not_an_image(send, photo_files) -> None:
    refused_at_once(
        send, b"Dear Maria,\nthis is not a photo.\n" * 20, "photo_not_an_image", photo_files
    )


def test_an_empty_file_is_not_an_image(send, photo_files) -> None:
    refused_at_once(send, b"", "photo_not_an_image", photo_files)


def test_an_image_is_known_by_its_content_not_its_name(send) -> None:
    photo = send(images.encode(images.scene(), "PNG"), name="letter.txt")
    assert photo.status == Photo.Status.CHECKING and photo.source_format == "PNG"


def test_a_format_that_is_not_a_photo_format_is_refused(send, photo_files) -> None:
    bmp = images.encode(images.scene((64, 48)), "BMP")
    refused_at_once(send, bmp, "photo_not_an_image", photo_files)


def test_over_the_byte_limit_is_refused_before_it_is_read(
    send, ana, facility, settings, photo_files
) -> None:
    settings.PHOTO_MAX_BYTES = 50_000
    big = images.encode(images.scene((1200, 900), seed=3), "PNG")
    assert len(big) > 50_000
    refused_at_once(send, big, "photo_too_large", photo_files)

    class Unreadable(File):  # tells its size; reading it fails the test
        def chunks(self, chunk_size=None):  # type: ignore[no-untyped-def]
            raise AssertionError("read although its size was over the limit")

    with pytest.raises(PhotoRefused) as refused:
        intake.receive(
            contact=ana,
            facility=facility,
            upload=Unreadable(io.BytesIO(big), name="big.png"),
        )
    assert refused.value.code == "photo_too_large"


def test_an_upload_that_does_not_tell_its_size_is_counted_while_read(
    ana, facility, settings
) -> None:
    settings.PHOTO_MAX_BYTES = 50_000

    class Sizeless(File):
        @property
        def size(self):  # type: ignore[no-untyped-def]
            return None

    big = images.encode(images.scene((1200, 900), seed=3), "PNG")
    with pytest.raises(PhotoRefused) as refused:
        intake.receive(contact=ana, facility=facility, upload=Sizeless(io.BytesIO(big)))
    assert refused.value.code == "photo_too_large"


def test_a_100_megapixel_png_is_refused_from_its_header(send, photo_files, monkeypatch) -> None:
    # Its header, its first rows and its end: a small file, refused before a pixel of it
    # is decoded.
    monkeypatch.setattr(ImageFile.ImageFile, "load", _never_decoded)
    rows = zlib.compress(bytes(10_001 * 16))
    png = (
        images.png_header(10_000, 10_000)
        + images.png_chunk(b"IDAT", rows)
        + images.png_chunk(b"IEND", b"")
    )
    assert len(png) < 1000
    started = time.perf_counter()
    refused_at_once(send, png, "photo_too_many_pixels", photo_files)
    assert time.perf_counter() - started < 1


def test_a_decompression_bomb_is_refused_without_decoding(send, photo_files, monkeypatch) -> None:
    bomb = images.png_bomb(20_000, 20_000)  # 400 MB of pixels in some 400 KB
    assert len(bomb) < 1_000_000
    monkeypatch.setattr(ImageFile.ImageFile, "load", _never_decoded)
    started = time.perf_counter()
    refused_at_once(send, bomb, "photo_too_many_pixels", photo_files)
    assert time.perf_counter() - started < 1


def test_a_bomb_under_pillows_own_limit_is_refused_by_ours(send, photo_files, settings) -> None:
    settings.PHOTO_MAX_PIXELS = 1_000_000
    refused_at_once(send, images.png_bomb(1500, 1000), "photo_too_many_pixels", photo_files)


def test_a_strip_too_long_for_a_photo_is_refused(send, photo_files) -> None:
    strip = images.png_bomb(intake.MAX_SIDE + 1, 1)
    refused_at_once(send, strip, "photo_too_many_pixels", photo_files)


def _never_decoded(self):  # type: ignore[no-untyped-def]
    raise AssertionError("decoded")


def gif(colours: list[tuple[int, int, int]]) -> bytes:
    frames = [Image.new("RGB", (40, 30), colour) for colour in colours]
    return images.encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)


def test_a_gif_is_refused_where_gifs_are_not_allowed(send, photo_files) -> None:
    refused_at_once(send, gif([RED]), "photo_gif_not_allowed", photo_files)
    refused_at_once(send, gif([RED, BLUE, RED]), "photo_gif_not_allowed", photo_files)


def test_where_gifs_are_allowed_an_animated_one_gives_its_first_frame(send, check) -> None:
    data = gif([RED, BLUE, (0, 255, 0)])
    assert Image.open(io.BytesIO(data)).n_frames == 3
    photo = check(send(data, gif_allowed=True))
    assert photo.status == Photo.Status.READY and photo.source_format == "GIF"
    with photo.image.open() as kept:
        image = Image.open(kept)
        assert image.format == "JPEG"
        assert _near(image.getpixel((20, 15)), RED)


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_a_moving_png_or_webp_is_refused(send, photo_files, image_format) -> None:
    frames = [Image.new("RGB", (40, 30), colour) for colour in (RED, BLUE)]
    data = images.encode(frames[0], image_format, save_all=True, append_images=frames[1:])
    refused_at_once(send, data, "photo_animated", photo_files)


def test_a_file_cut_inside_its_header_is_refused_at_once(send, photo_files) -> None:
    jpeg = images.encode(images.scene(), "JPEG")
    refused_at_once(send, jpeg[:40], "photo_damaged", photo_files)


# --- refused by the check -----------------------------------------------------------------


def test_a_truncated_jpeg_is_refused_by_the_check(send, check, photo_files) -> None:
    jpeg = images.encode(images.scene(seed=5), "JPEG", quality=90)
    photo = refused_by_check(send, check, jpeg[: len(jpeg) * 2 // 3], "photo_damaged", photo_files)
    assert photo.original_sha256 == hashlib.sha256(jpeg[: len(jpeg) * 2 // 3]).hexdigest()


def test_a_truncated_jpeg_is_refused_by_the_decoder_too(monkeypatch) -> None:
    # Even were the structure walk to let it through, the decoder refuses it.
    monkeypatch.setattr(structure, "check", lambda data, image_format: None)
    jpeg = images.encode(images.scene(seed=5), "JPEG", quality=90)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    with pytest.raises(PhotoRefused) as refused:
        intake.clean(jpeg[: len(jpeg) // 2], "JPEG")
    assert refused.value.code == "photo_damaged"


@pytest.mark.parametrize(
    "tail",
    [images.zip_archive(), b"<html><script>alert(1)</script></html>"],
    ids=["zip", "html"],
)
def test_a_jpeg_with_a_file_after_it_is_a_polyglot(send, check, photo_files, tail) -> None:
    jpeg = images.encode(images.scene(), "JPEG")
    refused_by_check(send, check, jpeg + tail, "photo_extra_data", photo_files)


@pytest.mark.parametrize("image_format", ["PNG", "WEBP", "GIF", "HEIF"])
def test_other_formats_with_a_file_after_them_are_polyglots(
    send, check, photo_files, image_format
) -> None:
    data = images.encode(images.scene((160, 120)), image_format)
    refused_by_check(
        send, check, data + images.zip_archive(), "photo_extra_data", photo_files, gif_allowed=True
    )


def test_pictures_phones_append_and_zero_padding_are_not_polyglots(send, check) -> None:
    # A second complete JPEG after the first (a gain map, a Multi-Picture Format image).
    first = images.encode(images.scene(seed=1), "JPEG")
    second = images.encode(images.scene((80, 60), seed=2), "JPEG")
    for data in (first + second, first + bytes(64)):
        assert check(send(data)).status == Photo.Status.READY


# --- what a photo that passes becomes -----------------------------------------------------


def phone_jpeg() -> tuple[bytes, Image.Image]:
    """A JPEG as a phone held sideways writes it: the sensor's picture (wider than tall,
    red in its top-left corner) with EXIF saying "turn 90° clockwise", GPS coordinates,
    a camera name, a comment and an ICC profile."""
    picture = images.scene((800, 600), seed=7)
    picture.paste(RED, (0, 0, 80, 80))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (40.0, 42.0, 46.0),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (74.0, 0.0, 21.0),
    }
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = images.encode(
        picture,
        "JPEG",
        exif=exif,
        comment=b"taken at 40.7128 N",
        icc_profile=srgb,
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">exif:GPSLatitude 40,42.7N</x:xmpmeta>',
        quality=95,
    )
    return data, picture


def test_a_phone_jpeg_comes_out_upright_with_no_metadata(send, check, photo_files, ana) -> None:
    data, _ = phone_jpeg()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    photo = send(data)
    assert photo.status == Photo.Status.CHECKING  # it answers at once
    assert (photo.width, photo.height) == (800, 600)  # as the header says, before the check
    assert kept_files(photo_files) == [f"{photo.facility_id}/{photo.pk}/upload"]
    assert Job.objects.get(kind=intake.CHECK_JOB).payload == {"photo_id": photo.pk}
    photo = check(photo)

    assert photo.status == Photo.Status.READY and photo.checked_at is not None
    assert not photo.upload
    assert kept_files(photo_files) == [
        f"{photo.facility_id}/{photo.pk}/photo.jpg",
        f"{photo.facility_id}/{photo.pk}/thumbnail.jpg",
    ]
    kept = (photo_files / photo.image.name).read_bytes()
    assert photo.original_sha256 == hashlib.sha256(data).hexdigest()
    assert photo.sha256 == hashlib.sha256(kept).hexdigest() != photo.original_sha256
    assert photo.byte_size == len(kept)
    image = Image.open(io.BytesIO(kept))
    # Turned: taller than wide, the red corner now top right.
    assert (photo.width, photo.height) == image.size == (600, 800)
    assert _near(image.getpixel((560, 40)), RED) and not _near(image.getpixel((40, 40)), RED)
    # No metadata of any kind: a JFIF header, then the picture's own segments.
    markers = jpeg_markers(kept)
    assert markers[0] == 0xE0 and not set(markers) & METADATA_MARKERS
    assert not image.getexif() and set(image.info) <= {
        "jfif",
        "jfif_version",
        "jfif_unit",
        "jfif_density",
        "dpi",
    }
    assert b"PhoneCo" not in kept and b"40.7128" not in kept and b"xmpmeta" not in kept
    with Image.open(photo_files / photo.thumbnail.name) as thumbnail:
        assert thumbnail.format == "JPEG" and thumbnail.size == (240, 320)
    assert (
        not set(jpeg_markers((photo_files / photo.thumbnail.name).read_bytes())) & METADATA_MARKERS
    )
    assert photo.phash is not None
    assert [(e.from_status, e.to_status, e.actor_label) for e in photo.events.all()] == [
        ("checking", "ready", "photo check")
    ]
    assert AuditEvent.objects.filter(action="photo.received", object_id=str(photo.pk)).exists()
    assert AuditEvent.objects.filter(action="photo.ready", object_id=str(photo.pk)).exists()


def test_transparency_is_laid_on_white(send, check, photo_files) -> None:
    picture = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    picture.paste((0, 0, 255, 255), (100, 0, 200, 100))
    photo = check(send(images.encode(picture, "PNG")))
    image = Image.open(io.BytesIO((photo_files / photo.image.name).read_bytes()))
    assert image.mode == "RGB"
    assert _near(image.getpixel((50, 50)), (255, 255, 255))
    assert _near(image.getpixel((150, 50)), BLUE)


def test_a_cmyk_jpeg_comes_out_in_rgb(send, check, photo_files) -> None:
    picture = Image.new("CMYK", (120, 80), (0, 255, 255, 0))  # red in ink
    photo = check(send(images.encode(picture, "JPEG")))
    image = Image.open(io.BytesIO((photo_files / photo.image.name).read_bytes()))
    assert image.mode == "RGB" and _near(image.getpixel((60, 40)), RED)


def test_a_colour_profile_that_cannot_be_read_is_ignored(send, check, photo_files) -> None:
    data = images.encode(images.scene(seed=6), "JPEG", icc_profile=b"not a profile" * 10)
    assert Image.open(io.BytesIO(data)).info["icc_profile"]
    photo = check(send(data))
    assert photo.status == Photo.Status.READY
    assert not set(jpeg_markers((photo_files / photo.image.name).read_bytes())) & METADATA_MARKERS


def test_a_webp_is_taken(send, check) -> None:
    photo = check(send(images.encode(images.scene(seed=4), "WEBP", quality=80)))
    assert photo.status == Photo.Status.READY and photo.source_format == "WEBP"


def test_a_sixteen_bit_grayscale_png_keeps_its_greys(send, check, photo_files) -> None:
    picture = Image.new("I;16", (64, 64), 32768)  # half way: a mid grey, not white
    photo = check(send(images.encode(picture, "PNG")))
    image = Image.open(io.BytesIO((photo_files / photo.image.name).read_bytes()))
    assert 120 <= image.getpixel((32, 32))[0] <= 136


def test_a_heic_from_a_phone_is_taken_upright(send, check, photo_files) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    if not pillow_heif.libheif_info()["encoders"]:
        pytest.skip("this libheif has no HEIF encoder to make the test's file with")
    picture = images.scene((400, 300), seed=9)
    picture.paste(RED, (0, 0, 60, 60))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N"}
    data = images.encode(picture, "HEIF", exif=exif.tobytes(), quality=90)
    photo = check(send(data, name="IMG_0001.HEIC"))
    assert photo.status == Photo.Status.READY and photo.source_format == "HEIF"
    kept = (photo_files / photo.image.name).read_bytes()
    image = Image.open(io.BytesIO(kept))
    assert image.size == (300, 400)
    assert _near(image.getpixel((270, 30)), RED, tolerance=60)
    assert not set(jpeg_markers(kept)) & METADATA_MARKERS


def test_the_photos_have_no_public_url(send, check) -> None:
    photo = check(send(images.encode(images.scene(), "JPEG")))
    with pytest.raises(NotImplementedError):
        photo.image.url  # noqa: B018
    with pytest.raises(NotImplementedError):
        backend().url(photo.image.name)


# --- the check runs at least once, maybe twice --------------------------------------------


def test_checking_twice_gives_the_same_photo(
    send, check, photo_files, django_capture_on_commit_callbacks
) -> None:
    photo = check(send(images.encode(images.scene(seed=11), "JPEG")))
    first = (
        photo.sha256,
        photo.phash,
        photo.image.name,
        photo.thumbnail.name,
        kept_files(photo_files),
    )
    with django_capture_on_commit_callbacks(execute=True):
        intake.check(photo.pk)
    photo.refresh_from_db()
    assert (
        photo.sha256,
        photo.phash,
        photo.image.name,
        photo.thumbnail.name,
        kept_files(photo_files),
    ) == first
    assert photo.events.count() == 1


def test_a_check_that_stops_half_way_is_done_again_from_the_start(
    send, check, photo_files, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    data = images.encode(images.scene(seed=12), "JPEG")
    photo = send(data)
    real = intake.hashing.phash
    calls = []

    def crash_once(image):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise MemoryError("the worker ran out of memory")
        return real(image)

    monkeypatch.setattr(intake.hashing, "phash", crash_once)
    photo = check(photo)
    # Nothing of the failed run holds: still checking, the upload still there, to retry.
    assert photo.status == Photo.Status.CHECKING and photo.upload
    job = Job.objects.get(kind=intake.CHECK_JOB)
    assert job.status == Job.Status.QUEUED and job.attempts == 1
    assert f"{photo.facility_id}/{photo.pk}/upload" in kept_files(photo_files)

    with django_capture_on_commit_callbacks(execute=True):
        intake.check(photo.pk)  # the retry
    photo.refresh_from_db()
    assert photo.status == Photo.Status.READY
    assert kept_files(photo_files) == [
        f"{photo.facility_id}/{photo.pk}/photo.jpg",
        f"{photo.facility_id}/{photo.pk}/thumbnail.jpg",
    ]
    # The same bytes as a check that never stopped.
    assert photo.sha256 == hashlib.sha256(intake.clean(data, "JPEG").jpeg).hexdigest()


def test_a_photo_gone_before_its_check_is_no_failure(send, run_jobs) -> None:
    photo = send(images.encode(images.scene(), "JPEG"))
    Photo.objects.filter(pk=photo.pk).delete()
    run_jobs()
    assert Job.objects.get(kind=intake.CHECK_JOB).status == Job.Status.DONE


def test_a_lower_pixel_limit_set_since_intake_holds_at_the_check(
    send, check, photo_files, settings
) -> None:
    photo = send(images.encode(images.scene((800, 600)), "JPEG"))
    settings.PHOTO_MAX_PIXELS = 100_000
    refused = check(photo)
    assert refused.refusal_code == "photo_too_many_pixels"
    assert kept_files(photo_files) == []


def test_refusals_are_kept_in_english_and_said_in_the_readers_language(
    send, check, photo_files
) -> None:
    jpeg = images.encode(images.scene(), "JPEG")
    with translation.override("es"):
        photo = check(send(jpeg[: len(jpeg) // 2]))
        said = intake.refusal_message(photo.refusal_code)
    assert photo.refusal_message.startswith("This photo's file is damaged")
    assert said != photo.refusal_message


def _near(pixel, colour, tolerance: int = 40) -> bool:  # type: ignore[no-untyped-def]
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=False))
