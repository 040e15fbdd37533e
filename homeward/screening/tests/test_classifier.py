"""The classifier layer: ``train_screening_model`` turns labelled messages into a plain JSON
model that loads and separates what it was taught; features hash the same in every
process; a hit is always a flag over the whole message that names its features; the
shipped model is plain, versioned JSON; and the frozen test part is never read."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from homeward.screening import categories
from homeward.screening.layers import classifier, tokens
from homeward.screening.management.commands.train_screening_model import EVALUATION, FROZEN
from homeward.screening.normalize import normalize

REPOSITORY = Path(__file__).resolve().parents[3]

WEAPONS = [
    f"{verb} the {thing} {where} before {when}"
    for verb, thing, where, when in itertools.product(
        ["hide", "stash", "keep"],
        ["shank", "blade", "sharpened spoon", "razor"],
        ["under the bunk", "in the vent", "inside the mattress"],
        ["count", "chow"],
    )
]
DRUGS = [
    f"put the {thing} {where} and send it {when}"
    for thing, where, when in itertools.product(
        ["pills", "powder", "strips", "ice"],
        ["in the card", "under the stamp", "inside the book spine"],
        ["friday", "with the visit", "next week"],
    )
]
INNOCENT = [
    f"the {who} {did} the {what} {when}, love you"
    for who, did, what, when in itertools.product(
        ["kids", "grandma", "neighbours", "twins"],
        ["loved", "enjoyed", "talked about", "cleaned up"],
        ["park", "birthday cake", "soccer game", "garden"],
        ["today", "all weekend", "after church"],
    )
]


def labelled(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text(
        "".join(json.dumps({"label": label, "text": text}) + "\n" for label, text in rows),
        encoding="utf-8",
    )
    return path


def opinion(text: str, model: classifier.Model) -> classifier.Scored:
    normalized = normalize(text)
    return classifier.score(normalized, tokens.tokenize(normalized), model)


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("classifier")
    rows = (
        [("weapons", text) for text in WEAPONS[1:]]
        + [("drugs", text) for text in DRUGS[1:]]
        + [("innocent", text) for text in INNOCENT[1:]]
    )
    data = labelled(folder / "messages.jsonl", rows)
    output = folder / "model.json"
    out = StringIO()
    call_command(
        "train_screening_model",
        "--data",
        str(data),
        "--output",
        str(output),
        "--folds",
        "3",
        "--epochs",
        "4",
        stdout=out,
    )
    return output, out.getvalue()


def test_training_writes_a_json_model_that_tells_the_two_apart(trained):
    output, printed = trained
    assert "3-fold cross-validation" in printed
    assert "weapons" in printed and "innocent flagged" in printed
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["format"] == classifier.FORMAT
    assert document["classes"] == list(classifier.CLASSES)
    model = classifier.load(output)
    held_back = opinion(WEAPONS[0], model)  # never trained on
    assert held_back.flagged and held_back.category == "weapons"
    assert held_back.probability >= held_back.threshold
    assert opinion(DRUGS[0], model).category == "drugs"
    assert opinion(DRUGS[0], model).flagged
    assert not opinion(INNOCENT[0], model).flagged


def test_the_same_data_trains_the_same_file(trained, tmp_path):
    output, _ = trained
    again = tmp_path / "again.json"
    call_command(
        "train_screening_model",
        "--data",
        str(output.parent / "messages.jsonl"),
        "--output",
        str(again),
        "--folds",
        "3",
        "--epochs",
        "4",
        stdout=StringIO(),
    )
    assert again.read_bytes() == output.read_bytes()


SCRIPT = """
import json, sys
from homeward.screening.layers import classifier, tokens
from homeward.screening.normalize import normalize
normalized = normalize(sys.argv[1])
found = classifier.features(normalized, tokens.tokenize(normalized))
scored = classifier.score(normalized, tokens.tokenize(normalized), classifier.load())
print(json.dumps([sorted(found), scored.probability, scored.features]))
"""


def test_features_and_scores_are_the_same_in_every_process():
    text = "Mijo, guarda el fierro debajo del colchón y no le digas a nadie."
    normalized = normalize(text)
    here = classifier.score(normalized, tokens.tokenize(normalized), classifier.load())
    expected = [
        sorted(classifier.features(normalized, tokens.tokenize(normalized))),
        here.probability,
        list(here.features),
    ]
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", SCRIPT, text],
            cwd=REPOSITORY,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(run.stdout) == expected


def test_a_hit_is_a_flag_over_the_whole_message_with_its_features():
    text = "  Tell my cousin to hide the shank under the bunk and be ready for the fight.  "
    normalized = normalize(text)
    hits = classifier.find(normalized, tokens.tokenize(normalized))
    assert len(hits) == 1
    hit = hits[0]
    assert (hit.rule, hit.layer, hit.action) == ("classifier", "classifier", "flag")
    assert (hit.start, hit.end, hit.text) == (0, len(text), text)
    assert hit.category in categories.LIBRARY_CODES
    assert hit.detail.startswith("score ")
    assert "(threshold " in hit.detail and "features: '" in hit.detail


@pytest.mark.parametrize(
    "text",
    [
        "Hi baby, the girls made the honor roll again and your mom says hi. We put money "
        "on your books yesterday. I miss you, write me back soon.",
        "We went deer hunting with grandpa, he shot a big buck with his rifle.",
        "El perico de tu abuela ya aprendió a decir tu nombre.",
        # a greeting has too few features to be flagged on a category's prior alone
        "ok",
        "jaja",
        "love you",
    ],
)
def test_ordinary_messages_pass(text):
    normalized = normalize(text)
    assert classifier.find(normalized, tokens.tokenize(normalized)) == []


def test_the_shipped_model_is_plain_versioned_json():
    data = classifier.DEFAULT_PATH.read_bytes()
    assert data.startswith(b"{") and len(data) < 3_000_000
    document = json.loads(data)
    assert document["format"] == classifier.FORMAT
    assert document["features"]["hash"] == "crc32"
    assert document["training"]["messages"] >= 1000
    assert set(document["thresholds"]) == set(classifier.CLASSES)
    model = classifier.load()
    assert model.version == hashlib.sha256(data).hexdigest()[:12]
    assert len(model.fingerprint) == 64
    assert all(0 < t < 1 for t in model.thresholds)
    assert model is classifier.load()  # read once per process


def test_packed_weights_score_exactly_as_the_weights_in_the_file():
    model = classifier.load()
    text = "Dile a tu primo que guarde las pastillas en la tarjeta y que nadie se entere."
    normalized = normalize(text)
    buckets = classifier.features(normalized, tokens.tokenize(normalized))
    value = classifier.scale(len(buckets))
    plain = [
        bias + value * sum(model.rows[b][index] for b in buckets if b in model.rows)
        for index, bias in enumerate(model.bias)
    ]
    assert classifier._margins(model, buckets, value) == pytest.approx(plain, abs=1e-9)
    assert classifier.pack([-1.5, 0.0, 2.25]) != classifier.pack([-1.5, 0.0, 2.2501])
    with pytest.raises(ValueError):
        classifier.pack([1e6])


@pytest.mark.parametrize(
    "option,path",
    [
        ("--data", FROZEN / "messages.jsonl"),
        ("--data", EVALUATION / "heldout" / ".." / "frozen" / "messages.jsonl"),
        ("--output", FROZEN / "model.json"),
    ],
)
def test_the_frozen_test_part_is_refused(option, path, tmp_path):
    arguments = {"--data": str(tmp_path / "unused.jsonl"), "--output": str(tmp_path / "m.json")}
    arguments[option] = str(path)
    with pytest.raises(CommandError, match="frozen test part"):
        call_command("train_screening_model", *itertools.chain(*arguments.items()))
    assert not (tmp_path / "m.json").exists()
