"""The layers in order, for one message: what ``CompiledRuleSet.screen`` runs after the rules
and detectors when it is asked for layers.

1. Morphology: the words once (``tokens``), shared by every word-level layer.
2. Concepts and slang (``concepts``, ``slang``).
3. Decoders: each decoded text is screened again with the rules, detectors and word layers
   (never decoded again); a hit there becomes a *decoder* hit over the coded span of the
   original, whose detail is the decoded text. A decoded text nothing hits is still a
   *coded* hit: the decoders propose text only where a code reads as words (none of the
   development set's 462 innocent messages gets a proposal), and hidden writing is what
   the coded-language category is for; but a child's game is not hidden writing: a
   number code whose key the message gives ("1 es A, 2 es B") and says nothing to screen
   (unless the message asks to keep it secret: "don't tell nobody what it says"), or any
   code that says only words of love and family ("I love you daddy" backwards), is an
   exception over its span instead (cancelling the number and cipher detectors' hits
   there), and when every code of a message is such a game, over the whole message (its
   "decode it!" and "read the first letters" are part of the game). At most ``MAX_DECODED``
   different decoded texts of a message are screened again, each cut to
   ``MAX_DECODED_LENGTH`` characters: a message of thousands of split words costs no more
   than a few.
4. Language: a message mostly in a language the library does not cover.
5. The classifier, last: it may raise a clear or flagged message to flag, never block.

Every layer flags; only rules and detectors block. Exception rules (``action =
"exception"``, such as "escape room") cancel layer hits of their category they overlap, as
they cancel rule hits (but not the classifier's or the language check's, which are about
the whole message), and names cancel single flagged words of the rules and slang
(``contexts``). A plainly written lone word of the baseline library ("rifle", or at the
lowest severity an article and a word: "the victim") counts only beside another hit
(``corroborated``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeward.screening.categories import CODED, RELAY
from homeward.screening.engine import ARTICLES, Hit
from homeward.screening.layers import (
    classifier,
    concepts,
    contexts,
    decoders,
    language,
    slang,
    tokens,
)
from homeward.screening.normalize import Normalized, bare

if TYPE_CHECKING:
    from homeward.screening.engine import CompiledRuleSet


@dataclass(frozen=True)
class Layers:
    """Which layers screen a message beyond the rules and detectors."""

    words: bool = True  # concepts and slang
    decoders: bool = True
    language: bool = True
    classifier: bool = True
    contexts: bool = True  # names cancel single-word hits
    # The classifier may clear a message only the library's word layers flagged, when its
    # words read as innocent (``second_opinion``); a facility can switch it off.
    clears: bool = True


# "rifle", "the victim": a word, after one of the articles ``lone_word`` allows.
_PLAIN_WORD = re.compile(rf"(?:(?:{'|'.join(sorted(ARTICLES))}) )?[a-z]+")
# Decoded texts screened again, per message, and the characters of each.
MAX_DECODED = 8
MAX_DECODED_LENGTH = 2_000
# Characters between two different lone words that corroborate each other (about a sentence
# or two).
LONE_WORDS_NEAR = 200
_STRETCHED = re.compile(r"(.)\1\1")
# Words of love and family a child's code says (``_fond``).
_FOND_WORDS = """
i me my you u your we us our all the a an in of and to for is are best love loves loved
miss missed hug hugs kiss kisses xoxo daddy dad papa mommy mom mama mother father
grandpa grandma nana papaw mamaw brother sister son daughter baby family hero world forever
always happy birthday soon home come back much so very hi hello hey welcome
te amo quiero queremos extraño extrañamos mucho muchos besos abrazos papi papá mami mamá
abuelo abuela abuelita hijo hija mi mis tu tus el la los las del de y para mejor mundo
siempre feliz cumpleaños pronto casa vuelve ven amor corazón héroe hola
"""
_FOND = frozenset(map(tokens.key, _FOND_WORDS.split()))  # as keys: "mis" is "miss"
_ONE_WORD = re.compile(r"[a-z]+")
EVERY_LAYER = Layers()
# Every layer, the second opinion only raising: a facility that switched its clearing off.
WITHOUT_CLEARING = Layers(clears=False)
WORDS_ONLY = Layers(decoders=False, language=False, classifier=False)
WITHOUT_CLASSIFIER = Layers(classifier=False)


def layer_hits(
    compiled: CompiledRuleSet,
    normalized: Normalized,
    layers: Layers,
    detector_actions: Mapping[str, str] | None,
) -> list[Hit]:
    """The hits of the layers for one message."""
    words = tokens.tokenize(normalized)
    hits: list[Hit] = []
    if layers.words:
        hits.extend(concepts.find(normalized, words))
        hits.extend(slang.find(normalized, words))
    if layers.decoders:
        hits.extend(_decoded(compiled, normalized, detector_actions))
    if layers.language:
        hits.extend(language.find(normalized, words))
    if layers.classifier:
        hits.extend(classifier.find(normalized, words))
    return hits


def corroborated(lone: frozenset[int | str], hits: Sequence[Hit]) -> list[Hit]:
    """``hits`` without the plainly written lone words of the baseline library (rules
    marked ``corroborate``) when nothing else hit: "the old rifle" on opening day, "getting
    stabbed by the nurse". Beside any other hit, two different lone words near each other
    ("bring the rifle and the bomb"), or disguised ("r1fle", "st4bbed"), they stay. Two
    lone words paragraphs apart in a long letter ("el cargo de la pistola" ... "el perico de
    la abuela") are not beside each other."""
    weak = [h for h in hits if h.layer == "rule" and h.rule in lone and _plainly_written(h.text)]
    if not weak or len(weak) < len(hits):
        return list(hits)
    ends: dict[int | str, int] = {}  # each lone word's last end so far, in order of place
    for hit in sorted(weak, key=lambda h: h.start):
        if any(r != hit.rule and hit.start - end <= LONE_WORDS_NEAR for r, end in ends.items()):
            return list(hits)
        ends[hit.rule] = max(hit.end, ends.get(hit.rule, 0))
    return []


def beside_a_lawyer(
    court_words: Mapping[int | str, str], normalized: Normalized, hits: Sequence[Hit]
) -> list[Hit]:
    """``hits`` without the words a lawyer's letter says about the case when nothing else
    hit and the message is a lawyer's letter: a lawyer tells a client what the protective
    order forbids, what the victim said and what the lab found. Those words are the
    baseline library's flag rules not marked as sure (``court_words``, each with its
    phrase: "the victim", "orden de protección", "arma de fuego"), written as the rule
    writes them, and
    the names of drugs and weapons in the slang file (``slang.court_words``: "cocaína",
    "methamphetamine"), written in letters. Beside any other hit, they stay."""
    if not hits or not all(_court_word(h, court_words) for h in hits):
        return list(hits)
    return [] if concepts.in_a_lawyers_letter(normalized) else list(hits)


def second_opinion(
    court_words: Mapping[int | str, str], normalized: Normalized, hits: Sequence[Hit]
) -> tuple[list[Hit], list[Hit], str]:
    """(the hits kept, the hits cleared, why): when every hit is one the library's word
    layers flag (a concept rule, a slang word, or a rule of the baseline library not marked
    as sure, written as the rule writes it) and the classifier reads the message's words as
    innocent, as a whole and around each hit (``classifier.reads_innocent``: "the deer
    rifle" in a letter about opening day), they are cleared. Never a block, a facility's or
    an agency's own rule, a detector, a decoded code or a disguised word: those stay."""
    if not hits or not all(_clearable(h, court_words) for h in hits):
        return list(hits), [], ""
    found = [(h.start, h.end, h.category) for h in hits]
    innocent = classifier.reads_innocent(normalized, tokens.tokenize(normalized), found)
    if innocent is None:
        return list(hits), [], ""
    return [], list(hits), innocent.detail


def _clearable(hit: Hit, court_words: Mapping[int | str, str]) -> bool:
    if hit.action != "flag":
        return False
    if hit.layer == "rule":
        return court_words.get(hit.rule) == bare(hit.text)
    return hit.layer in (concepts.LAYER, slang.LAYER)


def _court_word(hit: Hit, court_words: Mapping[int | str, str]) -> bool:
    if hit.layer == "rule":
        return court_words.get(hit.rule) == bare(hit.text)
    return (
        hit.layer == slang.LAYER
        and hit.rule in slang.court_words()
        and bool(_ONE_WORD.fullmatch(bare(hit.text)))
    )


def _plainly_written(text: str) -> bool:
    """Letters only (accents allowed; one space after an article), no letter stretched
    three times."""
    written = bare(text)
    return bool(_PLAIN_WORD.fullmatch(written)) and not _STRETCHED.search(written)


def cancelled_by_names(normalized: Normalized, hits: Sequence[Hit]) -> list[Hit]:
    """``hits`` without the single words that are part of a person's name."""
    if not any(map(_a_word, hits)):  # most messages: nothing to cancel, no names to find
        return list(hits)
    original = normalized.original
    return [h for h in hits if not (_a_word(h) and contexts.in_a_name(original, h.start, h.end))]


def _a_word(hit: Hit) -> bool:
    """A hit names can cancel: one flagged word of a rule or of slang. Never a block, a
    detector, a concept, a decoded text or a whole-message hit."""
    return hit.action == "flag" and hit.layer in ("rule", "slang") and len(hit.text.split()) == 1


def _decoded(
    compiled: CompiledRuleSet, normalized: Normalized, detector_actions: Mapping[str, str] | None
) -> list[Hit]:
    hits = []
    original = normalized.original
    seen: set[str] = set()
    harmless = 0  # decoded texts that are a child's game: nothing hidden in them
    for decoded in decoders.decode(normalized):
        if decoded.text in seen:
            continue
        seen.add(decoded.text)
        if len(seen) > MAX_DECODED:
            break
        verdict = compiled.screen(
            decoded.text[:MAX_DECODED_LENGTH], detector_actions=detector_actions, layers=WORDS_ONLY
        )
        found: dict[str, str] = {}  # category -> what hit in the decoded text
        for hit in verdict.hits:
            found.setdefault(hit.category, hit.detail or f"“{hit.text}”")
        said = f"Decoded ({decoded.name}): “{decoded.text}”."
        if (
            not found
            and decoded.name == "letter-numbers"
            and decoders.OPEN_KEY.search(original)
            and not concepts.asks_for_secrecy(normalized)
        ):
            # A child's game with its key given ("1 es A, 2 es B") saying nothing to screen:
            # not hidden writing, unless the message asks to keep it secret ("no le digas a
            # nadie"). An exception over it cancels the number detectors' hits.
            outcomes = _game(f"{said} Its key is given in the message.")
        elif not found and len(decoded.text) <= MAX_DECODED_LENGTH and _fond(decoded.text):
            # "I love you daddy" backwards or shifted by one: a child's secret, kept in the
            # open.
            outcomes = _game(f"{said} It says only words of love.")
        else:
            outcomes = [
                (category, "flag", f"{said} There: {why}" if why else said)
                for category, why in (found or {CODED: ""}).items()
            ]
        harmless += outcomes[0][1] == "exception"
        for category, action, detail in outcomes:
            hits.append(
                Hit(
                    f"decoder:{decoded.name}",
                    category,
                    action,
                    decoded.start,
                    decoded.end,
                    original[decoded.start : decoded.end],
                    layer="decoder",
                    detail=detail,
                )
            )
    if harmless and harmless == len(seen):
        # Every code in the message is a game: its "decode it!" and "read the first
        # letters" are part of it, wherever they are.
        detail = "Every code in the message is a child's game."
        whole = (0, len(original), original)
        hits.append(
            Hit("decoder:games", CODED, "exception", *whole, layer="decoder", detail=detail)
        )
    return hits


def _game(detail: str) -> list[tuple[str, str, str]]:
    """Exceptions over a code that is a game, in the categories of the detectors that read
    numbers and letters (digits and ciphers are coded language, a phone number relay)."""
    return [(CODED, "exception", detail), (RELAY, "exception", detail)]


def _fond(text: str) -> bool:
    """Whether a decoded text is only words of love and family ("i love you daddy", "te
    amo", "best dad in the world")."""
    words = text.split()
    return bool(words) and all(tokens.key(word) in _FOND for word in words)
