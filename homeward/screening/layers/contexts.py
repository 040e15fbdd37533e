"""Context exceptions for names: "Coach Glock said", "Reverend Dwayne Shank", "Sr. Navaja".

A word that is part of a person's name is not the thing it also names. A single-word hit
(a rule phrase, a slang word) inside a name is cancelled. A name here is:
- one to three Capitalised words after a title ("Coach", "Reverend", "Officer", "Dr.",
  "Sr.", "Doña", "Pastor" ...), the titles kept per language below; or
- a Capitalised word right after another Capitalised word that does not begin a sentence
  ("we saw Dwayne Shank at church");
- the Capitalised name after "named", "called", "se llama" ("a robot named Jailbreak"), and
  a title in quotes that begins with a capital ("'Escape from Alcatraz'", "'La Fuga'").
A word written in lower case is never a name, and "the Glock", "a Shank" (an article before
it) is not either. Idioms are cancelled by the library's exception rules ("escape room",
"gun charge"), which an administrator extends in the console like any rule.
"""

from __future__ import annotations

import re

TITLES: dict[str, tuple[str, ...]] = {
    "en": (
        "mr",
        "mrs",
        "ms",
        "miss",
        "mister",
        "dr",
        "doctor",
        "coach",
        "reverend",
        "rev",
        "pastor",
        "father",
        "sister",
        "brother",
        "deacon",
        "bishop",
        "elder",
        "minister",
        "judge",
        "officer",
        "sergeant",
        "sgt",
        "deputy",
        "sheriff",
        "captain",
        "capt",
        "lieutenant",
        "lt",
        "warden",
        "professor",
        "prof",
        "uncle",
        "aunt",
        "auntie",
        "cousin",
        "grandpa",
        "grandma",
        "saint",
        "st",
        "attorney",
        "counselor",
        "nurse",
        "principal",
        "chaplain",
        "imam",
        "rabbi",
        "lady",
        "sir",
    ),
    "es": (
        "sr",
        "sra",
        "srta",
        "señor",
        "señora",
        "señorita",
        "don",
        "doña",
        "dona",
        "doctor",
        "doctora",
        "dra",
        "lic",
        "licenciado",
        "licenciada",
        "licenciada",
        "profe",
        "profesor",
        "profesora",
        "maestro",
        "maestra",
        "padre",
        "madre",
        "hermano",
        "hermana",
        "pastor",
        "pastora",
        "tío",
        "tía",
        "tio",
        "tia",
        "abuelo",
        "abuela",
        "primo",
        "prima",
        "santo",
        "santa",
        "san",
        "juez",
        "jueza",
        "oficial",
        "capitán",
        "entrenador",
        "entrenadora",
        "comadre",
        "compadre",
    ),  # fmt: skip
}
_TITLE = "|".join(sorted({t for words in TITLES.values() for t in words}, key=len, reverse=True))
_CAP = r"[A-ZÁÉÍÓÚÑÜ][\w'’-]*"
_AFTER_TITLE = re.compile(rf"\b(?i:{_TITLE})\.?\s+({_CAP}(?:\s+{_CAP}){{0,2}})")
_PAIR = re.compile(rf"(?<![.!?¡¿:\n]\s)(?<=[\w,;]\s)({_CAP})\s+({_CAP})\b")
_NAMED = re.compile(
    rf"\b(?i:named|called|titled|nicknamed|(?:se )?llamad[oa]|se llama|apodad[oa])\s+"
    rf"[\"'“‘«]?({_CAP}(?:\s+{_CAP}){{0,2}})"
)
# A quoted title: a capital after the opening quote, up to eight words, no sentence inside.
_QUOTED = re.compile(r"[\"“‘«']([A-ZÁÉÍÓÚÑÜ¡¿][^\"”’»'.!?\n]{0,60})[\"”’»']")


def name_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the original text that are parts of people's names."""
    spans = [m.span(1) for m in _AFTER_TITLE.finditer(text)]
    spans += [m.span(2) for m in _PAIR.finditer(text)]
    spans += [m.span(1) for m in _NAMED.finditer(text)]
    spans += [m.span(1) for m in _QUOTED.finditer(text)]
    return spans
