"""Generate the labelled screening corpus (corpus.jsonl, beside this file).

    python -m homeward.screening.evaluation.generate          # rewrite corpus.jsonl
    python -m homeward.screening.evaluation.generate --check  # exit 1 if it is out of date

Everything is seeded: every message draws from its own random generator, seeded with the
corpus seed and the message's id, so the output is the same on every machine and adding a
message does not reshuffle the others. One JSON object per line:
{"id", "text", "label": "innocent" | category, "obfuscation": "none" | type, "lang", "hard"}.
Invisible characters are written as \\uXXXX escapes so a reader can see where they are.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from functools import partial
from pathlib import Path
from types import ModuleType

from homeward.screening.engine import CATEGORIES
from homeward.screening.evaluation import innocent_en, innocent_es
from homeward.screening.evaluation.obfuscate import OBFUSCATIONS, disguise
from homeward.screening.evaluation.violating_en import VIOLATING_EN
from homeward.screening.evaluation.violating_es import VIOLATING_ES

SEED = 3  # the issue number; change it only on purpose, then regenerate
CORPUS_PATH = Path(__file__).with_name("corpus.jsonl")
# (ordinary, hard) innocent messages per language: a third of them hard.
INNOCENT_COUNTS = {"en": (320, 160), "es": (200, 100)}
POOLS: dict[str, ModuleType] = {"en": innocent_en, "es": innocent_es}
VIOLATING = {"en": VIOLATING_EN, "es": VIOLATING_ES}
# The share of violating messages wrapped in a greeting and a sign-off, as most real ones are.
WRAP_SHARE = 0.4

_SLOT = re.compile(r"\{(\w+)\}")
_KEY = re.compile(r"\[([^\]]+)\]")


def _disguised(obfuscation: str, rng: random.Random, key: re.Match[str]) -> str:
    return disguise(key.group(1), obfuscation, rng)


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join(str(part) for part in (SEED, *parts)))


def _record(
    id_: str, text: str, label: str, obfuscation: str, lang: str, hard: bool
) -> dict[str, object]:
    return {
        "id": id_,
        "text": text,
        "label": label,
        "obfuscation": obfuscation,
        "lang": lang,
        "hard": hard,
    }


def _fill(template: str, pool: ModuleType, rng: random.Random) -> str:
    return _SLOT.sub(lambda m: rng.choice(pool.SLOTS[m.group(1)]), template)


def _capitalized(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _innocent_text(pool: ModuleType, rng: random.Random, trap: str | None) -> str:
    """A greeting, ordinary sentences (and the trap sentence, if any), a sign-off."""
    topics = rng.sample(sorted(pool.ORDINARY), k=rng.randint(0 if trap else 1, 2 if trap else 3))
    sentences = [rng.choice(pool.ORDINARY[topic]) for topic in topics]
    if trap is not None:
        sentences.insert(rng.randint(0, len(sentences)), trap)
    greeting = rng.choice(pool.GREETINGS) if rng.random() < 0.6 else ""
    closing = rng.choice(pool.CLOSINGS) if rng.random() < 0.6 else ""
    sentences = [_capitalized(_fill(sentence, pool, rng)) for sentence in sentences]
    return " ".join(p for p in [greeting, *sentences, closing] if p)


def _traps(lang: str, count: int) -> list[tuple[str, str]]:
    """``count`` hard sentences with their obfuscation: every stylized one twice, and the
    hard ones in turn, so that each trap appears at least once."""
    pool = POOLS[lang]
    stylized = [entry for entry in pool.STYLIZED for _ in range(2)]
    hard = [(pool.HARD[i % len(pool.HARD)], "none") for i in range(count - len(stylized))]
    traps = stylized + hard
    _rng("traps", lang).shuffle(traps)
    return traps


def innocent_records(lang: str) -> list[dict[str, object]]:
    ordinary_count, hard_count = INNOCENT_COUNTS[lang]
    plan: list[tuple[str | None, str]] = [(None, "none")] * ordinary_count
    plan += _traps(lang, hard_count)
    _rng("plan", lang).shuffle(plan)
    seen: set[str] = set()
    records = []
    for number, (trap, obfuscation) in enumerate(plan, start=1):
        id_ = f"innocent-{lang}-{number:04d}"
        rng = _rng(id_)
        text = _innocent_text(POOLS[lang], rng, trap)
        while text in seen:  # draw again from the same generator until the text is new
            text = _innocent_text(POOLS[lang], rng, trap)
        seen.add(text)
        records.append(_record(id_, text, "innocent", obfuscation, lang, trap is not None))
    return records


def violating_records(category: str, lang: str) -> list[dict[str, object]]:
    pool = POOLS[lang]
    records = []
    for number, template in enumerate(VIOLATING[lang][category], start=1):
        base = f"{category}-{lang}-{number:02d}"
        if not any(re.search(r"[^\W\d_]", key) for key in _KEY.findall(template)):
            raise ValueError(f"{base}: at least one key span must contain letters")
        rng = _rng(base)
        if rng.random() < WRAP_SHARE:
            template = " ".join(
                p for p in [rng.choice(pool.GREETINGS), template, rng.choice(pool.CLOSINGS)] if p
            )
        plain = _KEY.sub(lambda m: m.group(1), template)
        records.append(_record(f"{base}:none", plain, category, "none", lang, False))
        for obfuscation in OBFUSCATIONS:
            form_rng = _rng(base, obfuscation)
            text = _KEY.sub(partial(_disguised, obfuscation, form_rng), template)
            if text == plain:
                raise ValueError(f"{base}: the {obfuscation} form did not change the text")
            records.append(
                _record(f"{base}:{obfuscation}", text, category, obfuscation, lang, False)
            )
    return records


def build_corpus() -> list[dict[str, object]]:
    records = innocent_records("en") + innocent_records("es")
    for category in CATEGORIES:
        for lang in ("en", "es"):
            records += violating_records(category, lang)
    return records


def escape_invisible(line: str) -> str:
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) == "Cf" else c for c in line)


def render(records: list[dict[str, object]]) -> str:
    return "".join(escape_invisible(json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the file is current")
    args = parser.parse_args(argv)
    text = render(build_corpus())
    if args.check:
        current = CORPUS_PATH.read_text(encoding="utf-8") if CORPUS_PATH.exists() else ""
        if current != text:
            print(f"{CORPUS_PATH} is out of date: run this without --check", file=sys.stderr)
            return 1
        return 0
    CORPUS_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10))} messages to {CORPUS_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
