"""The classifier layer: ``train_screening_model`` turns labelled messages into a plain JSON
model that loads and separates what it was taught; it reads content words, not a writer's
style, so function words change nothing; its thresholds hold innocent messages by other
writers down; features hash the same in every process; a hit is always a flag over the
whole message that names the words that drove it; the shipped model is plain, versioned
JSON; and the frozen test part is never read."""

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
from homeward.screening.management.commands.train_screening_model import (
    CLASSIFIER_CHECK,
    EVALUATION,
    FROZEN,
    REGRESSION,
)
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
TRAINING = ["--folds", "3", "--epochs", "4"]


def labelled(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text(
        "".join(json.dumps({"label": label, "text": text}) + "\n" for label, text in rows),
        encoding="utf-8",
    )
    return path


def opinion(text: str, model: classifier.Model) -> classifier.Scored:
    normalized = normalize(text)
    return classifier.score(normalized, tokens.tokenize(normalized), model)


def hits(text: str, model: classifier.Model | None = None) -> list:
    normalized = normalize(text)
    return classifier.find(normalized, tokens.tokenize(normalized), model)


def buckets(text: str) -> frozenset[int]:
    normalized = normalize(text)
    return classifier.features(normalized, tokens.tokenize(normalized))


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
        "--no-innocent-check",
        *TRAINING,
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
        "--no-innocent-check",
        *TRAINING,
        stdout=StringIO(),
    )
    assert again.read_bytes() == output.read_bytes()


def test_thresholds_keep_another_writers_innocent_messages_clear(trained, tmp_path):
    """Innocent messages by another writer that share the violating messages' words (a
    razor in the bathroom, pills from the pharmacy) raise the thresholds until none of
    them is flagged; the command says how many it flags."""
    output, _ = trained
    other_writer = [
        "keep the razor in the bathroom cabinet before the kids find it",
        "grandma put her pills in the kitchen drawer before church",
        "we hide the presents under the bed before christmas",
        "the twins put the ice in the cooler before the soccer game",
        "send the birthday card friday, grandma loved the last one",
    ]
    check = labelled(tmp_path / "other.jsonl", [("innocent", text) for text in other_writer])
    output_checked = tmp_path / "checked.json"
    out = StringIO()
    call_command(
        "train_screening_model",
        "--data",
        str(output.parent / "messages.jsonl"),
        "--output",
        str(output_checked),
        "--innocent-check",
        str(check),
        "--max-check-innocent",
        "0",
        *TRAINING,
        stdout=out,
    )
    assert "other writers, other.jsonl: innocent flagged 0.0% (0/5)" in out.getvalue()
    model = classifier.load(output_checked)
    assert not any(opinion(text, model).flagged for text in other_writer)


def test_function_words_and_style_are_not_features():
    """What a message says, not how it is written: function words, greetings and light
    verbs set nothing, so rewording them leaves the features as they were."""
    assert buckets("her at it, be the one to make sure, hi, por favor, y que lo de") == frozenset()
    assert buckets("Hide the knife under the bunk.") == buckets("so hide a knife at her bunk")
    assert buckets("Esconde el cuchillo debajo del colchón.") == buckets(
        "y esconde ese cuchillo pues debajo de tu colchón"
    )
    assert buckets("hide knife") < buckets("hide the knife under the bunk")


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


@pytest.mark.parametrize(
    "text",
    [
        "  Send the strips under the stamp, they pay good in here.  ",
        "Mándame el número de la morra para que le escriba de mi parte.",
    ],
)
def test_a_hit_is_a_flag_over_the_whole_message_naming_the_words_that_drove_it(text):
    found = hits(text)
    assert len(found) == 1
    hit = found[0]
    assert (hit.rule, hit.layer, hit.action) == ("classifier", "classifier", "flag")
    assert (hit.start, hit.end, hit.text) == (0, len(text), text)
    assert hit.category in categories.LIBRARY_CODES
    assert " score 0." in hit.detail and "(threshold 0." in hit.detail
    words = hit.detail.split("words that drove it: ")[1].split(", ")
    assert words and all(w.startswith("'") and " +" in w for w in words)
    # words, not pieces of words
    assert not any("…" in w or "_" in w for w in words)


def test_the_detail_reads_as_score_threshold_and_words():
    detail = hits("Send the strips under the stamp, they pay good in here.")[0].detail
    assert detail.startswith("drugs score ")
    assert "'strips' +" in detail and "'pay' +" in detail


@pytest.mark.parametrize(
    "text",
    [
        "Hi baby, the girls made the honor roll again and your mom says hi. We put money "
        "on your books yesterday. I miss you, write me back soon.",
        "We went deer hunting with grandpa, he shot a big buck with his rifle.",
        "El perico de tu abuela ya aprendió a decir tu nombre.",
        "We planted a tree in the backyard for the day you come home.",
        "Grandpa passed peacefully this morning. We were all with him, he wasn't in pain.",
        "I started kickboxing classes at the rec center, my arms are so sore.",
        "Your nephew killed it at the spelling bee, and I'm dying to see you at the visit.",
        "The lawyer filed the motion and the judge will rule before Christmas.",
        "Este calor me está matando, se descompuso el aire otra vez.",
        # a greeting has too few features to be flagged on a category's prior alone
        "ok",
        "jaja",
        "love you",
    ],
)
def test_ordinary_messages_pass(text):
    assert hits(text) == []


@pytest.mark.parametrize("path", [REGRESSION, CLASSIFIER_CHECK])
def test_the_shipped_model_flags_few_innocent_messages_by_other_writers(path):
    """The regression corpus and the check set were written by others than the training
    data's writer; the shipped model flags at most 1% of their innocent messages."""
    texts = [
        item["text"]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and (item := json.loads(line))["label"] == "innocent"
    ]
    assert len(texts) >= 150
    flagged = [text for text in texts if hits(text)]
    assert len(flagged) <= 0.01 * len(texts), flagged


def test_the_shipped_model_is_plain_versioned_json():
    data = classifier.DEFAULT_PATH.read_bytes()
    assert data.startswith(b"{") and len(data) < 3_000_000
    document = json.loads(data)
    assert document["format"] == classifier.FORMAT
    assert document["features"]["hash"] == "crc32"
    assert document["features"]["stopwords"] == classifier.stopwords_version()
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
    found = classifier.features(normalized, tokens.tokenize(normalized))
    value = classifier.scale(len(found))
    plain = [
        bias + value * sum(model.rows[b][index] for b in found if b in model.rows)
        for index, bias in enumerate(model.bias)
    ]
    assert classifier._margins(model, found, value) == pytest.approx(plain, abs=1e-9)
    assert classifier.pack([-1.5, 0.0, 2.25]) != classifier.pack([-1.5, 0.0, 2.2501])
    with pytest.raises(ValueError):
        classifier.pack([1e6])


@pytest.mark.parametrize(
    "option,path",
    [
        ("--data", FROZEN / "messages.jsonl"),
        ("--data", EVALUATION / "heldout" / ".." / "frozen" / "messages.jsonl"),
        ("--output", FROZEN / "model.json"),
        ("--innocent-check", FROZEN / "messages.jsonl"),
        ("--data", EVALUATION / "validation" / "validation.jsonl"),
        ("--innocent-check", EVALUATION / "validation" / "validation.jsonl"),
    ],
)
def test_the_parts_never_trained_on_are_refused(option, path, tmp_path):
    arguments = {"--data": str(tmp_path / "unused.jsonl"), "--output": str(tmp_path / "m.json")}
    arguments[option] = str(path)
    with pytest.raises(CommandError, match="frozen test part|validation part"):
        call_command("train_screening_model", *itertools.chain(*arguments.items()))
    assert not (tmp_path / "m.json").exists()
