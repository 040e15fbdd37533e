"""The layers of screening beyond rules and detectors, each in its own module.

- ``tokens``: morphology. The words of a message with their English and Spanish lemmas
  (and, for a word texted short, "q", "d", "x", the word it stands for).
- ``concepts``: lexicons of concepts (weapon, harm, target person, ...) and rules that
  combine them by proximity ("make/hide + weapon").
- ``slang``: prison and street slang in English and Spanish, each entry with the contexts
  that make it innocent.
- ``decoders``: ROT13 and Caesar shifts, reversed text, acrostics, letter-number codes,
  spelled-out digits, words split across lines, Morse, the play languages (the Spanish
  p-language, pig Latin). The decoded text is screened again.
- ``classifier``: a learned second opinion that can raise a message to *flag*, never block.
- ``language``: a message mostly in a language the library does not cover is flagged as
  not screened rather than passed as clear.

Every layer reports ``engine.Hit`` objects with spans of the original text, its name in
``layer`` and its reasons in ``detail``.
"""

from __future__ import annotations

from collections.abc import Mapping

# What each layer is called where people read hits (``Hit.layer``; stored hits from before
# the layers have none: their rule key says "detector:..." or a rule id).
LABELS = {
    "rule": "Rule",
    "detector": "Detector",
    "concept": "Concept rule",
    "slang": "Slang",
    "decoder": "Decoder",
    "language": "Language not screened",
    "classifier": "Classifier (second opinion)",
}
# Layers whose hits are about the whole message rather than a span of it.
WHOLE_MESSAGE = frozenset({"language", "classifier"})


def layer_of(hit: Mapping[str, object]) -> str:
    """The layer of a stored hit (a dict), old ones included."""
    layer = hit.get("layer")
    if isinstance(layer, str) and layer:
        return layer
    return "detector" if str(hit.get("rule", "")).startswith("detector:") else "rule"
