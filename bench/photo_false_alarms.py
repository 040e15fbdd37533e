"""False alarms of the nudity signal: how many innocent pictures each threshold would flag.

    .venv/bin/python bench/photo_false_alarms.py

The innocent pictures are those the tests use (homeward/photos/tests/test_signals.py): the
real photos shipped in homeward/photos/tests/assets/innocent/ (see its README: people, a
cat, coffee, a rocket, textures, a document, two skin-coloured medical images) and the
pictures drawn there (a letter, a form, a birthday card, a child's drawing, a family
portrait in skin tones, photo-like scenes). It prints every picture's score, highest
first, then for each threshold how many would be flagged, of the shipped, of the drawn,
and of all. With no nude picture to hand, this measures false alarms only, never misses.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")

from homeward.photos import signals  # noqa: E402
from homeward.photos.tests.test_signals import made_pictures, shipped_photos  # noqa: E402

THRESHOLDS = (0.1, 0.2, 0.3, 0.5, 0.7)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--thresholds", default=",".join(map(str, THRESHOLDS)), help="comma-separated"
    )
    args = parser.parse_args()
    thresholds = [float(t) for t in args.thresholds.split(",")]
    shipped, made = shipped_photos(), made_pictures()
    started = time.perf_counter()
    scores = {name: signals.nudity_score(picture) for name, picture in {**shipped, **made}.items()}
    seconds = time.perf_counter() - started
    print(f"{signals.NUDITY_MODEL}; {len(scores)} innocent pictures scored in {seconds:.1f} s")
    print(f"\n{'score':>8}  picture")
    for name, score in sorted(scores.items(), key=lambda pair: -pair[1]):
        print(f"{score:>8.4f}  {name}")
    print(
        f"\n{'threshold':>9} {'shipped flagged':>16} {'drawn flagged':>14} {'all flagged':>12}"
        f" {'false-alarm rate':>17}"
    )
    for threshold in thresholds:
        flagged_shipped = sum(scores[name] >= threshold for name in shipped)
        flagged_made = sum(scores[name] >= threshold for name in made)
        flagged = flagged_shipped + flagged_made
        print(
            f"{threshold:>9.1f} {flagged_shipped:>9} of {len(shipped):>3} "
            f"{flagged_made:>7} of {len(made):>3} {flagged:>5} of {len(scores):>3} "
            f"{flagged / len(scores):>17.1%}"
        )


if __name__ == "__main__":
    main()
