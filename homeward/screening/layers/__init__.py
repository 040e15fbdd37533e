"""The layers of screening beyond rules and detectors, each in its own module.

- ``tokens``: morphology. The words of a message with their English and Spanish lemmas.
- ``concepts``: lexicons of concepts (weapon, harm, target person, ...) and rules that
  combine them by proximity ("make/hide + weapon").
- ``slang``: prison and street slang in English and Spanish, each entry with the contexts
  that make it innocent.
- ``decoders``: ROT13 and Caesar shifts, reversed text, acrostics, letter-number codes,
  spelled-out digits, words split across lines. The decoded text is screened again.
- ``classifier``: a learned second opinion that can raise a message to *flag*, never block.
- ``language``: a message mostly in a language the library does not cover is flagged as
  not screened rather than passed as clear.

Every layer reports ``engine.Hit`` objects with spans of the original text, its name in
``layer`` and its reasons in ``detail``.
"""
