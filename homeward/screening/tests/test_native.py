"""Screening's inner loops in C (``screening.native``) do exactly what their Python does.

Each compiled function is compared with the Python it stands in for, on the development
set and the regression corpus, and the whole stack is run both ways: a deployment whose
machine has no compiler screens every message the same, only slower.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from homeward.screening import detector_cipher, edits, engine, folding, native
from homeward.screening import normalize as normalizing
from homeward.screening.evaluation import heldout, run
from homeward.screening.layers import classifier, concepts, decoders, slang, tokens
from homeward.screening.layers.stack import EVERY_LAYER
from homeward.screening.library.loader import load_library
from homeward.screening.normalize import normalize

compiled_walk = native.function("_walk", "walk")
compiled_meet = native.function("_meet", "meet")
needs_built = pytest.mark.skipif(
    compiled_walk is None or compiled_meet is None, reason="the C inner loops are not built"
)


def built(module: str, name: str) -> Callable[..., Any]:
    """The compiled ``name`` of ``module`` (in a test marked ``needs_built``)."""
    found = native.function(module, name)
    assert found is not None, f"{module}.{name} is not built"
    return found


def texts() -> list[str]:
    found = [m.text for m in heldout.load(heldout.DEVELOPMENT_PATH)]
    return found + [s.text for s in run.load_corpus()]


def test_make_env_builds_every_inner_loop_where_it_can() -> None:
    """Where a C compiler can build against Python's headers, ``make env`` has built every
    module from its source as it is now (``make test`` runs it first)."""
    if os.environ.get("HOMEWARD_NATIVE") == "0":
        pytest.skip("HOMEWARD_NATIVE=0: this run screens with the Python loops")
    reason = native.cannot_build()
    if reason:
        pytest.skip(reason)
    assert native.in_use() == [source.stem for source in native.sources()]
    assert native.build(quiet=True) == 0  # already built: nothing to do, no failure


def test_every_source_builds_without_a_warning_and_a_changed_one_is_not_used(
    tmp_path: Path,
) -> None:
    reason = native.cannot_build()
    if reason:
        pytest.skip(reason)
    for source in native.sources():
        copy = tmp_path / source.name
        copy.write_bytes(source.read_bytes())
        built = native.built_path(copy)
        assert native.compile_module(copy, built, "-Werror") == 0, source.name
        assert native.current(copy)
        copy.write_bytes(source.read_bytes() + b"\n/* changed */\n")
        assert not native.current(copy)  # a module of another version is never used
        built.unlink()
        assert not native.current(copy)
    broken = tmp_path / "_broken.c"
    broken.write_text("this is not C\n")
    assert native.compile_module(broken, native.built_path(broken)) != 0
    assert not native.built_path(broken).exists()  # nothing half-written


def _counted(lexicon: tokens.AnchoredLexicon[Any], asked: list[str]) -> Callable[[str], Any]:
    """The lexicon's ``_learn``, noting each word it is asked about in ``asked``."""

    def learn(word: str) -> Any:
        asked.append(word)
        return lexicon._learn(word)

    return learn


@needs_built
def test_the_compiled_walk_finds_what_the_python_walk_finds_in_the_same_order() -> None:
    """Each walks a lexicon of its own, made fresh, so each learns every word itself: in C
    and in Python keeping the words that anchor nothing without asking the lexicon, and in
    Python asking it of every new word, as it was written first."""
    assert compiled_walk is not None
    found, library_of_concepts = 0, concepts.library()
    lexicons = (library_of_concepts.lexicon, library_of_concepts.contexts, slang.library().lexicon)
    for library in lexicons:
        entries = [
            (" ".join(a.words), a.value) for anchors in library._by_anchor.values() for a in anchors
        ]
        for_c, shortcut, asking = (tokens.AnchoredLexicon(entries) for _ in range(3))
        asked: list[str] = []
        c_asked: list[str] = []
        learn, c_learn = _counted(asking, asked), _counted(for_c, c_asked)

        for text in texts():
            normalized = normalize(text)
            for view in (normalized.plain, normalized.folded):
                words = tokens.Words(view.text)
                kept = (for_c.anchor_keys, tokens.WORDS_KEPT)
                with_c = compiled_walk(words.words, words.keys, for_c._by_word, c_learn, *kept)
                kept = (shortcut.anchor_keys, tokens.WORDS_KEPT)
                python = tokens.walk(
                    words.words, words.keys, shortcut._by_word, shortcut._learn, *kept
                )
                assert with_c == python, text
                assert tokens.walk(words.words, words.keys, asking._by_word, learn) == python
                found += len(python)
        # all three learnt the same words; C kept thousands as anchoring nothing unasked
        assert for_c._by_word == shortcut._by_word == asking._by_word
        not_asked = set(asked) - set(c_asked)
        assert len(not_asked) > 1_000 and len(c_asked) + len(not_asked) == len(asked)
        assert all(asking._by_word[word] is None for word in not_asked)
    assert found > 40_000


@needs_built
def test_a_full_lexicon_asks_learn_of_every_new_word_which_empties_it() -> None:
    assert compiled_walk is not None
    lexicon = tokens.AnchoredLexicon([("put in work", "a"), ("shank", "b")])
    words = tokens.Words("they put in work with a shank")
    asked: list[str] = []
    learn = _counted(lexicon, asked)

    for walk in (compiled_walk, tokens.walk):  # kept: 0, so by_word is always full
        lexicon._by_word.clear()
        asked.clear()
        found = walk(words.words, words.keys, lexicon._by_word, learn, lexicon.anchor_keys, 0)
        assert found == [(1, 3, "a"), (6, 6, "b")]
        assert asked == words.words  # every word, each once
        lexicon._by_word.clear()
        asked.clear()
        walk(words.words, words.keys, lexicon._by_word, learn, lexicon.anchor_keys, 100)
        assert asked == ["work", "shank"]  # the entries' anchors (their rarest words)
        assert all(lexicon._by_word[word] is None for word in ("they", "put", "in", "with", "a"))


def _walk_arguments(lexicon: tokens.AnchoredLexicon[Any], words: tokens.Words) -> tuple[Any, ...]:
    return words.words, words.keys, lexicon._by_word, lexicon._learn


@needs_built
def test_where_concepts_were_found_and_what_is_near_a_slang_term_agree_with_python() -> None:
    places_of, near = built("_walk", "places_of"), built("_walk", "near")
    library = concepts.library()
    contexts = [e for e in slang.library().entries if e.innocent or e.needs]
    compared = nearby = 0
    for text in texts():
        words = tokens.tokenize(normalize(text))
        found = library.lexicon.spans(words) + library.contexts.spans(words)
        assert places_of(found) == tokens.places_of(found), text
        assert list(places_of(found)) == list(tokens.places_of(found))  # in the same order
        for lexicon in (library.lexicon, library.contexts):
            walked = lexicon.places(words)  # the walk and places_of in one pass, in C
            python = tokens.places_of(tokens.walk(*_walk_arguments(lexicon, words)))
            assert walked == python and list(walked) == list(python), text
        for f in slang.library().lexicon.find(words):
            entry = f.entry
            if not (entry.innocent or entry.needs):
                entry = contexts[compared % len(contexts)]  # another entry's contexts here
            lo, hi = max(0, f.first - entry.window), min(len(words) - 1, f.last + entry.window)
            for index in (entry.innocent_index, entry.needs_index):
                args = (index, words.keys, lo, hi, f.first, f.last, entry.own)
                assert near(*args) == slang.near(*args), (text, entry.term)
                nearby += slang.near(*args)
                compared += 1
    assert compared > 500 and nearby > 20


@needs_built
def test_the_compiled_walk_learns_the_words_it_has_not_seen() -> None:
    assert compiled_walk is not None
    lexicon = tokens.AnchoredLexicon([("put in work", "a"), ("shank", "b")])
    words = tokens.Words("they put in work with a shank")
    assert compiled_walk(words.words, words.keys, lexicon._by_word, lexicon._learn) == [
        (1, 3, "a"),
        (6, 6, "b"),
    ]
    assert lexicon._by_word["they"] is None  # learnt: anchors nothing
    assert lexicon._by_word["shank"] is not None


@needs_built
def test_the_compiled_loops_refuse_what_they_cannot_read_and_pass_errors_on() -> None:
    assert compiled_walk is not None and compiled_meet is not None
    with pytest.raises(TypeError):
        compiled_walk(["a"], [frozenset({"a"})], ["not", "a", "dict"], lambda w: None)
    with pytest.raises(TypeError):  # anchors without the most words kept
        compiled_walk(["a"], [frozenset({"a"})], {}, lambda w: None, {})
    with pytest.raises(TypeError):
        compiled_walk(["a"], [frozenset({"a"})], {}, lambda w: None, ["a"], 10)
    with pytest.raises(ValueError, match="without its keys"):
        compiled_walk(["a", "b"], [frozenset({"a"})], {}, lambda w: None)
    with pytest.raises(TypeError):
        compiled_walk(["a"], [frozenset({"a"})], {"a": ("not", "three")}, lambda w: None)

    def learn(word: str) -> None:
        raise RuntimeError(word)

    with pytest.raises(RuntimeError, match="new"):
        compiled_walk(["new"], [frozenset({"new"})], {}, learn)
    walk_places = built("_walk", "walk_places")
    with pytest.raises(RuntimeError, match="new"):
        walk_places(["new"], [frozenset({"new"})], {}, learn)
    with pytest.raises(TypeError):  # names that are not a collection of names
        walk_places(["a"], [frozenset({"a"})], {"a": ((5,), {}, {})}, learn)
    with pytest.raises(TypeError):
        walk_places(["a"], [frozenset({"a"})], {"a": None})
    with pytest.raises(TypeError):
        compiled_meet([[(0, "one")]], (0,), 5, lambda *a: 1)
    with pytest.raises(TypeError):
        compiled_meet([[(0, 0)], [(1, 1)]], (0,), 5, lambda *a: 1)

    places_of, near = built("_walk", "places_of"), built("_walk", "near")
    with pytest.raises(TypeError):
        places_of([(0, 1)])
    with pytest.raises(TypeError):
        places_of([(0, 1, 5)])  # names that are not a collection of names
    # Names in any collection are each a name, as Python reads them.
    found = [(0, 1, ("b", "a")), (2, 2, ["a"]), (0, 1, "ab")]
    assert places_of(found) == tokens.places_of(found) == {"a": [(0, 1), (2, 2)], "b": [(0, 1)]}
    with pytest.raises(IndexError):
        near({}, [frozenset({"a"})], 0, 3, 0, 0, frozenset())
    with pytest.raises(TypeError):
        near({"a": ["not", "a", "tuple"]}, [frozenset({"a"})], 0, 0, 0, 0, frozenset())

    # learn is Python and may change the lists under the walk: never a crash.
    words, keys = ["a", "b", "c"], [frozenset({"a"}), frozenset({"b"}), frozenset({"c"})]
    assert compiled_walk(words, keys, {}, lambda word: words.clear()) == []
    words = ["a", "b", "c"]
    with pytest.raises(ValueError, match="without its keys|changed"):
        compiled_walk(words, keys, {}, lambda word: keys.clear())
    with pytest.raises(TypeError):
        compiled_meet([[(0, 0)]], (True,), 5, lambda *a: 1)  # only plain ints are read

    def refuse(chosen: list[tuple[int, int]], first: int, end: int) -> int:
        raise LookupError(f"{chosen} {first} {end}")

    with pytest.raises(LookupError, match=r"\[\(0, 0\), \(2, 3\)\] 0 3"):
        compiled_meet([[(0, 0)], [(2, 3)]], (1, 0), 5, refuse)


def _meetings(meet: Callable[..., None], lists: list[list[tuple[int, int]]]) -> list[Any]:
    """Every call ``meet`` makes, answering a hit to every other one."""
    calls: list[Any] = []

    def accept(chosen: list[tuple[int, int]], first: int, end: int) -> int:
        calls.append((list(chosen), first, end))
        return concepts.A_HIT if len(calls) % 2 else concepts.NOT_A_HIT

    meet(lists, tuple(range(len(lists)))[::-1], 6, accept)
    return calls


@needs_built
def test_the_compiled_meeting_tries_the_same_places_in_the_same_order() -> None:
    assert compiled_meet is not None
    lists = [
        [(0, 0), (3, 3), (9, 10), (20, 20)],
        [(1, 2), (3, 3), (8, 8), (14, 14), (19, 19)],
        [(2, 2), (10, 10), (11, 11), (21, 22)],
    ]
    python = _meetings(concepts.meet, lists)
    assert _meetings(compiled_meet, lists) == python
    assert len(python) >= 2


def _answering(calls: list[Any]) -> Callable[..., int]:
    """An accept that records each call and answers a hit, not a hit and stop in turn."""

    def accept(rule: Any, chosen: list[tuple[int, int]], *at: int) -> int:
        calls.append((getattr(rule, "id", rule), list(chosen), *at))
        return (concepts.A_HIT, concepts.NOT_A_HIT, concepts.STOP)[len(calls) % 3]

    return accept


def _meet_words(library: concepts.ConceptLibrary, words: tokens.Words) -> list[Any]:
    """Every call the compiled walk and meetings make for a message's words, and where
    each concept was found as it hands it over before the first (None: no call)."""
    calls: list[Any] = []
    lexicon, places = library.lexicon, []
    meet_words = built("_meet", "meet_words")
    meet_words(
        words.words,
        lexicon.packed_by_word,
        lexicon.packed,
        library.names,
        library.names_of,
        library.rules_by_name,
        _answering(calls),
        places,
        words.keys,
        lexicon.entry_keys,
        tokens.WORDS_KEPT,
    )
    assert len(places) == (1 if calls else 0)  # handed over once, before the first call
    return [calls, places[0] if places else None]


def _meetings_in_python(library: concepts.ConceptLibrary, words: tokens.Words) -> list[Any]:
    calls: list[Any] = []
    places = tokens.places_of(tokens.walk(*_walk_arguments(library.lexicon, words)))
    concepts.meetings(places, library.by_first, _answering(calls))
    return [calls, places if calls else None]


@needs_built
def test_the_walk_and_meetings_in_numbers_make_python_s_calls_in_its_order() -> None:
    """The words walked in numbers and the concepts met from them: the same calls, in the
    same order, as Python's walk, places and meetings, on both views of every message (a
    library read fresh, so the compiled walk learns every word itself)."""
    library, called = concepts.load(), 0
    for text in texts():
        normalized = normalize(text)
        for view in (normalized.plain, normalized.folded):
            words = tokens.Words(view.text)
            python = _meetings_in_python(library, words)
            with_c = _meet_words(library, words)
            assert with_c == python, text
            if python[1] is not None:  # in the same order
                assert list(with_c[1]) == list(python[1]), text
            called += len(python[0])
    assert called > 1_000
    # The words C kept as no entry's without asking packed are those packed says are None.
    learnt, fresh = library.lexicon.packed_by_word, concepts.load().lexicon
    assert {word: fresh.packed(word) for word in learnt} == learnt
    assert sum(record is None for record in learnt.values()) > 5_000


@needs_built
def test_the_walk_in_numbers_finds_entries_of_several_words_and_learns_words() -> None:
    library = concepts.parse(
        b"""
[concept.work]
label = "work"
words = ["put in work", "caliente"]
[concept.weapon]
label = "weapon"
words = ["shank"]
[[rule]]
id = "work-weapon"
category = "violence"
severity = 2
all = ["work", "weapon"]
window = 8
note = "Work with a weapon."
"""
    )
    words = tokens.Words("they put in work with a shank")
    calls, places = _meet_words(library, words)
    assert calls == [("work-weapon", [(1, 3), (6, 6)], 1, 6)]
    assert places == {"work": [(1, 3)], "weapon": [(6, 6)]}
    assert library.lexicon.packed_by_word["they"] is None  # learnt: no entry's word
    assert library.lexicon.packed_by_word["shank"] is not None
    assert _meet_words(library, tokens.Words("put in work, then a knife")) == [[], None]
    assert _meet_words(library, tokens.Words("put work in with a shank")) == [[], None]


def _record(*ints: int) -> bytes:
    return array("i", ints).tobytes()


@needs_built
def test_the_walk_in_numbers_refuses_what_it_cannot_read_and_passes_errors_on() -> None:
    meet_words = built("_meet", "meet_words")
    rules = ((("rule", (0, 1), (0, 1), 5),), ())  # a rule of names 0 and 1, under 0
    names_of = ((0,), (1,))  # anchor 0 is name 0, anchor 1 name 1
    # a: key 0, the one-word entry of anchor 0; b: key 1, that of anchor 1
    one = {"a": _record(1, 0, 1, 0, 0), "b": _record(1, 1, 1, 1, 0)}

    def calls(by_word: dict[str, Any], words: list[str], **given: Any) -> list[Any]:
        made: list[Any] = []
        meet_words(
            words,
            by_word,
            given.get("learn", lambda word: None),
            given.get("names", ("first", "second")),
            given.get("names_of", names_of),
            given.get("rules", rules),
            given.get("accept", _answering(made)),
            given.get("places", []),
        )
        return made

    assert calls(one, ["a", "x", "b"]) == [("rule", [(0, 0), (2, 2)], 0, 2)]
    # Anchor 1 as an entry of two words (keys 0 and 2, anchored at its first) is found only
    # where the word after the anchor has the second key.
    longer = {"a": _record(1, 0, 0, 1, 0, 2, 1, 0, 2), "c": _record(1, 2, 0, 0), "b": one["a"]}
    assert calls(longer, ["b", "a", "c"]) == [("rule", [(0, 0), (1, 2)], 0, 2)]
    assert calls(longer, ["b", "a", "x"]) == []
    assert calls(longer, ["b", "c", "a"]) == []
    for bad in (
        _record(5, 0, 0, 0),  # more keys than there are ints
        _record(1, 0, 1, 7, 0),  # an anchor that is not there
        _record(1, 0, 0, 1, 0, 9, 1, 0),  # an entry longer than its ints
        _record(1, 0, 0, 1, 3, 2, 1, 0, 2),  # anchored outside its entry
        _record(1, 0, 0, 0, 4),  # something left over
    ):
        with pytest.raises(ValueError, match="record"):
            calls({"a": bad}, ["a", "a"])
    with pytest.raises(TypeError):
        calls({"a": b"\x00\x00"}, ["a"])  # not whole ints
    with pytest.raises(TypeError):
        calls({"a": "not bytes"}, ["a"])
    with pytest.raises(TypeError):
        calls({}, ("a",))  # not a list
    with pytest.raises(TypeError):
        calls(one, ["a", "b"], names=("first",))  # fewer names than their rules
    with pytest.raises(TypeError):
        calls(one, ["a", "b"], places=())  # nowhere to hand where they were found
    handed: list[Any] = []
    calls(one, ["a", "x", "b", "a"], places=handed)
    assert handed == [{"first": [(0, 0), (3, 3)], "second": [(2, 2)]}]
    with pytest.raises(ValueError, match="number"):
        calls(one, ["a", "b"], names_of=((0,), (5,)))  # a name that is not there
    with pytest.raises(TypeError):
        calls(one, ["a", "b"], rules=((("rule", (0, 1), (0,), 5),), ()))  # ranks short

    def learn(word: str) -> None:
        raise RuntimeError(word)

    with pytest.raises(RuntimeError, match="new"):
        calls({}, ["new"], learn=learn)
    with pytest.raises(TypeError):  # the keys, the entries' keys and the most words kept
        meet_words(["a"], one, learn, ("x", "y"), names_of, rules, _answering([]), [], [], {})
    with pytest.raises(ValueError, match="without its keys"):
        meet_words(["new"], {}, learn, ("x", "y"), names_of, rules, _answering([]), [], [], {}, 9)
    with pytest.raises(ZeroDivisionError):
        calls(one, ["a", "b"], accept=lambda *a: 1 / 0)
    # learn is Python and may change the words under the walk: an error, never a crash.
    words = ["a", "new", "b"]
    with pytest.raises(ValueError, match="changed"):
        calls(one, words, learn=lambda word: words.clear())


# Where each compiled loop stands in for Python: (module, its name there, the Python).
STAND_INS: list[tuple[Any, str, Any]] = [
    (tokens, "_walk", tokens.walk),
    (tokens, "_starts_of", tokens.starts_of),
    (tokens, "_vocabulary", tokens.Vocabulary()),
    (concepts, "_meet_words", None),
    (tokens, "_places_of", tokens.places_of),
    (tokens, "_walk_places", tokens.walk_places),
    (slang, "_near", slang.near),
    (concepts, "_symbols_inside_words", concepts.symbols_inside_words),
    (concepts, "_three_single_letters", concepts.three_single_letters),
    (normalizing, "_squeeze", normalizing.squeeze),
    (normalizing, "_collapse_repeats", normalizing.collapse_repeats),
    (decoders, "_sentence_initials", decoders.sentence_initials),
    (decoders, "_capitals", decoders.capitals),
    (decoders, "_play_and_numbers", decoders.play_and_numbers),
    (decoders, "_pieces_in", decoders.pieces_in),
    (edits, "_spans", edits.spans),
    (detector_cipher, "_letter_counts", detector_cipher.letter_counts),
    (engine, "_alnum_squeezed", engine.alnum_squeezed),
    (folding, "_may_be_spaced", None),  # no test first: the regexes alone
    (normalizing, "_fold_simply", None),  # no shortcut: _fold_base for every message
    (normalizing, "_fold_simply_origins", None),  # the folded map replayed
    (normalizing, "_plain_chars", None),  # the general route
    (normalizing, "_plain_origins", None),  # the plain map replayed
    (normalizing, "_plain_view", None),  # _base and _squeeze
    (normalizing, "_through", edits.through),
    (classifier, "_buckets", None),  # classifier.word_buckets
]


@needs_built
def test_the_whole_stack_gives_the_same_verdicts_and_hits_either_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for module, name, python in STAND_INS:
        assert getattr(module, name) is not python, f"{module.__name__}.{name} is not compiled"
    compiled_rules = engine.CompiledRuleSet(load_library())
    every = texts()
    with_c = [compiled_rules.screen(t, detector_actions={}, layers=EVERY_LAYER) for t in every]
    for module, name, python in STAND_INS:
        monkeypatch.setattr(module, name, python)
    with_python = [compiled_rules.screen(t, detector_actions={}, layers=EVERY_LAYER) for t in every]
    assert with_python == with_c
    layers = {hit.layer for verdict in with_c for hit in verdict.hits}
    assert {"concept", "slang", "decoder"} <= layers
    assert sum(verdict.verdict != "clear" for verdict in with_c) > 500


def _odd_texts() -> list[str]:
    """Every Latin-1 character, and others beyond it, alone, doubled, between letters and
    digits, at the ends, in runs of spaces."""
    odd = [chr(c) for c in range(256)] + list(
        "ĀſƀΣσςЖж中ㄱ٣߀²³¹½ⅷ①\u0301\u200b\U0001f600\U00010400"
    )
    made = []
    for c in odd:
        made += [c, c + c + c, f"a{c}b", f"1{c}2", f"  {c}{c}  x  ", f"p{c}{c}ola $h{c}nk"]
        made += [f"baall{c}", f"{c}oo {c}"]
    made += ["".join(odd), " ".join(odd), "k n i f e", "b@ll00ns", "sh@nk", "$hank", "5pm 3rd"]
    # Capitals, line breaks and their neighbours in the byte order at every place of the
    # eight characters that some loops read at once, in texts longer than eight.
    for c in "@AZ[`az{\n\x0b\x7f\x80ÀÞßé":
        made += [f"{'x' * k}{c}{'y' * (19 - k)}" for k in range(20)]
        made += [f"{'AB' * k} {c}{c} d.\n{'q' * k}" for k in range(9)]
    # Runs of ASCII letters and single spaces, which some loops read sixteen at once (or
    # pass over sixteen at once to the next symbol, dot or dash): two or three spaces (in
    # the folded view, symbols folded to spaces beside them too), a capital, a symbol, a
    # digit or a character beyond ASCII at every place of the first sixteen and across
    # into the next, and at either end.
    words = "the Quick brown Fox jumps over a lazy Dog and "
    odd = ("", " ", "  ", "   ", " ¦", "¦ ", " ¦¦ ", "A", "z", "@", "[", "`", "{", ".", "-")
    for c in (*odd, "'", "0", "1", "9", "*", "|", "!", "?", "$", "é", "\n"):
        made += [words[:k] + c + words[k:] + words for k in range(34)]
        made += [c + words * 2, words * 2 + c, c + words[:15] + c]
    return made


@needs_built
def test_the_compiled_text_loops_read_every_character_as_python_does() -> None:
    text_loops = [
        ("starts", tokens.starts_of),
        ("symbols_inside_words", concepts.symbols_inside_words),
        ("squeeze", normalizing.squeeze),
        ("collapse_repeats", normalizing.collapse_repeats),
        ("sentence_initials", decoders.sentence_initials),
        ("capitals", decoders.capitals),
    ]
    every = _odd_texts() + texts()
    for name, python in text_loops:
        compiled = built("_text", name)
        for text in every:
            assert compiled(text) == python(text), (name, text)
    compiled, python = built("_text", "Vocabulary")(), tokens.Vocabulary()
    known = {"knife": frozenset({"knife"}), "ñandú": frozenset({"nandu"}), "a": frozenset()}
    for word, keys in known.items():
        compiled.add(word, keys)
        python.add(word, keys)
    for text in every + ["a knife, KNIFE knife2 ñandú_a"]:
        assert compiled.words_and_keys(text) == python.words_and_keys(text), text
    words, keys, unknown = compiled.words_and_keys("a knife, knife2 ñandú_a")
    assert (words, keys, unknown) == (
        ["a", "knife", "knife", "ñandú", "a"],
        [known["a"], known["knife"], known["knife"], known["ñandú"], known["a"]],
        0,
    )
    assert compiled.words_and_keys("a new knife, newer")[2] == 2
    # A word seen before is the str kept for it, not a new one.
    assert all(w is k for w, k in zip(words, ["a", "knife", "knife", "ñandú", "a"], strict=True))
    singles = built("_text", "three_single_letters")
    for text in every:
        words = tokens.words_of(text)
        assert singles(words) == concepts.three_single_letters(words), text
    assert normalizing._squeeze("  so   many  spaces ") == "so many spaces"
    assert normalizing._collapse_repeats("baall  ññ 22 __") == "bal  ñ 22 __"


@needs_built
def test_the_compiled_vocabulary_keeps_what_the_python_one_keeps() -> None:
    compiled, python = built("_text", "Vocabulary")(), tokens.Vocabulary()
    # Words of one, two and four bytes a character, past several doublings of the table.
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = [letters[n % 26] + letters[n // 26 % 26] + letters[n // 676] for n in range(5_000)]
    words = [word + "ñ中"[: n % 3] for n, word in enumerate(words)]
    words[-1] += "\U00010400"
    for n, word in enumerate(words):
        for vocabulary in (compiled, python):
            vocabulary.add(word, frozenset({str(n)}))
    compiled.add(words[7], frozenset({"again"}))  # a word added again: its new keys
    python.add(words[7], frozenset({"again"}))
    assert len(compiled) == len(python) == 5_000
    text = " ".join(words[::-1]) + " unknown"
    assert compiled.words_and_keys(text) == python.words_and_keys(text)
    assert compiled.get(words[7]) == frozenset({"again"}) and compiled.get("zzz") is None
    compiled.clear()
    assert len(compiled) == 0 and compiled.words_and_keys(words[1])[1] == [None]
    for bad in (lambda: compiled.add(b"w", frozenset()), lambda: compiled.get(None)):
        with pytest.raises(TypeError):
            bad()
    with pytest.raises(TypeError):
        compiled.words_and_keys(b"bytes")


@needs_built
def test_the_compiled_vocabulary_keeps_words_made_to_fall_in_one_place() -> None:
    """Words whose characters differ only in their high bits (which an unseeded hash of
    the low bits would put in one place) are kept and found as Python keeps them."""
    compiled, python = built("_text", "Vocabulary")(), tokens.Vocabulary()
    words = [chr(0x4E00 + n % 4096) + chr(0x24E00 + n // 4096) for n in range(20_000)]
    for vocabulary in (compiled, python):
        for n, word in enumerate(words):
            vocabulary.add(word, frozenset({str(n)}))
    text = " ".join(words)
    assert compiled.words_and_keys(text) == python.words_and_keys(text)


@needs_built
def test_emptying_the_compiled_vocabulary_lets_go_of_its_words_safely() -> None:
    """Letting go of a word's keys may run Python code that uses the vocabulary: it finds
    it empty, never half emptied."""
    compiled = built("_text", "Vocabulary")()
    seen: list[Any] = []

    class Keys(frozenset[str]):
        def __del__(self) -> None:
            seen.append((len(compiled), compiled.get("b"), compiled.words_and_keys("a b")[1]))

    compiled.add("a", Keys({"a"}))
    compiled.add("b", frozenset({"b"}))
    compiled.clear()
    assert seen == [(0, None, [None, None])]
    compiled.add("a", Keys({"a"}))
    compiled.add("a", frozenset({"a"}))  # the old keys let go when replaced
    assert seen[-1] == (1, None, [frozenset({"a"}), None])


@st.composite
def spans_and_edits(draw: st.DrawFn) -> tuple[list[int], list[int], list[edits.Edit]]:
    """A text's spans in an original, and sorted edits that do not overlap."""
    length = draw(st.integers(0, 30))
    lo = sorted(draw(st.lists(st.integers(0, 60), min_size=length, max_size=length)))
    hi = [a + draw(st.integers(1, 3)) for a in lo]
    cuts = sorted(draw(st.sets(st.integers(0, length), max_size=12)))
    made = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        made.append((start, end, draw(st.text(alphabet="ab ", max_size=3))))
    return lo, hi, made


@needs_built
@settings(max_examples=2000, deadline=None)
@given(spans_and_edits())
@example(([0, 1, 2], [1, 2, 3], [(0, 3, "")]))
@example(([0, 1, 2], [1, 2, 3], [(1, 2, "xyz")]))
def test_spans_carried_through_edits_in_c_are_those_python_carries(
    drawn: tuple[list[int], list[int], list[edits.Edit]],
) -> None:
    compiled = built("_edits", "spans")
    lo, hi, made = drawn
    got = compiled(array("q", lo), array("q", hi), made)
    assert [list(a) for a in got] == [
        list(a) for a in edits.spans(array("q", lo), array("q", hi), made)
    ]


@needs_built
def test_edits_out_of_order_are_refused_by_the_compiled_spans() -> None:
    compiled = built("_edits", "spans")
    lo, hi = array("q", [0, 1, 2]), array("q", [1, 2, 3])
    for bad in ([(2, 3, ""), (0, 1, "")], [(0, 4, "")], [(1, 1, "x")], [(0, 2, "a"), (1, 3, "")]):
        with pytest.raises(ValueError):
            compiled(lo, hi, bad)
    with pytest.raises(TypeError):
        compiled(lo, hi, [(0, 1)])
    with pytest.raises(TypeError):
        compiled([0, 1, 2], hi, [])


RUNS = st.lists(st.tuples(st.integers(0, 9), st.integers(1, 3)), max_size=12)


@needs_built
@settings(max_examples=1000, deadline=None)
@given(RUNS)
def test_spans_carried_through_runs_in_c_are_those_python_carries(runs: list[Any]) -> None:
    lo, hi = array("q", range(0, 30, 3)), array("q", range(2, 32, 3))
    firsts = array("q", [first for first, _ in runs]).tobytes()
    ends = array("q", [first + size for first, size in runs]).tobytes()
    compiled = built("_edits", "through")
    try:
        expected = edits.through(lo, hi, firsts, ends)
    except ValueError:  # a run past the end of the text
        with pytest.raises(ValueError, match="outside"):
            compiled(lo, hi, firsts, ends)
    else:
        assert compiled(lo, hi, firsts, ends) == expected
    for carry in (compiled, edits.through):
        with pytest.raises(TypeError):
            carry(lo, hi, firsts, ends[:-1] if ends else b"x")
        with pytest.raises(ValueError, match="as long"):
            carry(lo, hi[:-1], firsts, ends)


@needs_built
@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=300), st.integers(1, 70), st.integers(1, 50))
@example(b"x" * 200, 64, 48)
@example(b"abcdefg", 1, sys.maxsize)  # window + step would overflow in C
@example(b"abc", 2**62 + 3, 2**62)
@example("Zzqx jvvk wkh edqn ñ".encode("latin-1") * 9, 64, 48)
def test_letter_counts_in_c_are_those_python_counts(data: bytes, window: int, step: int) -> None:
    compiled = built("_text", "letter_counts")
    kinds = detector_cipher._KINDS
    assert compiled(data, kinds, window, step) == detector_cipher.letter_counts(
        data, kinds, window, step
    )


def _crc_buckets(words: list[bytes], word_seed: int, pair_seed: int, mask: int) -> frozenset[int]:
    """What the classifier's buckets are, written out: each word's CRC-32, each pair's."""
    pairs = [a + b" " + b for a, b in zip(words, words[1:], strict=False)]
    return frozenset(
        [zlib.crc32(w, word_seed) & mask for w in words]
        + [zlib.crc32(pair, pair_seed) & mask for pair in pairs]
    )


@needs_built
@settings(max_examples=2000, deadline=None)
@given(
    st.lists(st.binary(max_size=12), max_size=20),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1),
    st.sampled_from([classifier._MASK, 2**32 - 1, 0, 1]),
)
@example([b"hide", b"knife", b"tray"], classifier._WORD, classifier._PAIR, classifier._MASK)
@example([b"", b"", b"a"], 0, 2**32 - 1, 2**32 - 1)
def test_the_classifier_s_buckets_in_c_are_its_crcs(
    words: list[bytes], word_seed: int, pair_seed: int, mask: int
) -> None:
    compiled = built("_text", "buckets")
    assert compiled(words, word_seed, pair_seed, mask) == _crc_buckets(
        words, word_seed, pair_seed, mask
    )


@needs_built
def test_the_classifier_s_buckets_agree_on_every_message() -> None:
    compiled = built("_text", "buckets")
    seeds = (classifier._WORD, classifier._PAIR, classifier._MASK)
    for text in _odd_texts() + texts():
        words = classifier._content_words(tokens.tokenize(normalize(text)))
        assert compiled(words, *seeds) == classifier.word_buckets(words), text
        assert classifier.word_buckets(words) == _crc_buckets(words, *seeds), text
    for wrong in (
        ((b"a",), *seeds),  # not a list
        ([b"a", "b"], *seeds),  # a word that is not bytes
        ([b"a"], *seeds[:2]),  # no mask
    ):
        with pytest.raises(TypeError):
            compiled(*wrong)
    with pytest.raises(ValueError, match="32 bits"):
        compiled([b"a"], 2**32, 0, classifier._MASK)
    with pytest.raises(OverflowError):
        compiled([b"a"], -1, 0, classifier._MASK)


@needs_built
def test_letter_counts_agree_on_every_message() -> None:
    compiled = built("_text", "letter_counts")
    kinds, window, step = detector_cipher._KINDS, detector_cipher.WINDOW, detector_cipher.STEP
    for text in _odd_texts() + texts():
        data = normalize(text).plain.text.encode("latin-1", "replace")
        expected = detector_cipher.letter_counts(data, kinds, window, step)
        assert compiled(data, kinds, window, step) == expected, text
    # ROT13 of "Hello, the place": 13 letters, 6 of them rare (y y b g y p), 2 vowels.
    assert compiled(b"Uryyb, gur cynpr", kinds, window, step) == (13, 6, 2, 0)


@needs_built
@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=200) | st.text(alphabet="aAbB1 _-.é", max_size=60).map(str.encode))
@example(b"S.h-a a_n_k Kk 11x \xc3\xa9")
@example(b"")
def test_alnum_squeezed_in_c_is_what_python_makes(data: bytes) -> None:
    compiled = built("_text", "alnum_squeezed")
    assert compiled(data) == engine.alnum_squeezed(data)


SENTENCES = st.text(alphabet=st.sampled_from("aBé. !?\n\"'¿¡([-*1_"), max_size=40)
# Pieces of the play languages and of numbers, and what lies next to them.
PLAY_AND_NUMBERS = st.lists(
    st.sampled_from(
        ["apa", "epe", "ipi", "upu", "op", "o", "i", "ay", "a", "y", "p", "x", "xay", "ayay"]
        + ["ethay", " ", "  ", "-", ".", ",", ", ", "1", "12", "123", "7", "A", "_", "é", "\n"]
        # words with no p and no y, which the C loop passes over sixteen bytes at once
        + ["the", "cat ", "a mess ", "Once ", "tonight. "]
    ),
    max_size=30,
).map(lambda parts: "".join(parts).encode())


@needs_built
@settings(max_examples=3000, deadline=None)
@given(PLAY_AND_NUMBERS)
@example(b"mapatapa apal sapapopo")
@example(b"ethay itchsnay")
@example(b"day x may")
@example(b"1-2 3.4 5 6 7,8,9,10 1, 2, 3, 4")
@example(b"123,4,5,6,7 1,2,3,456 12-345 a1-2")
# p-words with none, one or two words between them (or more) where sixteen bytes hold no
# p, y or digit, which the C loop passes over at once (a word that runs past them is read
# a byte at a time)
@example(b"apa it was not the one upu")
@example(b"apa thing.......... mop upu")
@example(b"apa thing.......... upu")
@example(b"apa ............and upu")
@example(b"apa one two......... upu")
@example(b"apa one.......... upu epe")
@example(b"a, nice hat, ok, x upu epe")
@example(b"sun  moon  star  road ay ay")
def test_play_and_numbers_in_c_is_what_the_gate_patterns_find(data: bytes) -> None:
    compiled = built("_text", "play_and_numbers")
    assert compiled(data) == decoders.play_and_numbers(data)


@needs_built
def test_play_and_numbers_in_c_reads_the_messages_as_the_patterns_do() -> None:
    compiled = built("_text", "play_and_numbers")
    found = [0, 0]
    for text in _odd_texts() + texts():
        data = normalize(text).folded.utf8()
        assert compiled(data) == decoders.play_and_numbers(data), text
        found = [a + b for a, b in zip(found, compiled(data), strict=True)]
    assert all(found)  # both kinds are found in the development messages


GATE_PROBE = """
from homeward.screening.layers import decoders
from homeward.screening.normalize import normalize
folded = normalize("ethay itchsnay is atway, 12-5-3, and nothing else").folded
print(decoders._SCANNED_APART, sorted(decoders._gate().candidates(folded)))
"""


def test_without_the_compiled_loops_the_gate_keeps_the_play_and_number_patterns() -> None:
    """Where ``_text`` is not used, hyperscan's database holds the gate's play-language and
    number patterns (Python's regular expressions would take a tenth of a millisecond a
    long letter); where it is, the pass of C finds them. The gate says the same either
    way."""
    said = {}
    for native_loops in ("0", "1"):
        done = subprocess.run(  # noqa: S603 (this Python, our own code)
            [sys.executable, "-c", GATE_PROBE],
            env={**os.environ, "HOMEWARD_NATIVE": native_loops},
            capture_output=True,
            text=True,
            check=True,
        )
        said[native_loops] = done.stdout.strip()
    assert said["0"] == "() ['numbers', 'play']"
    if native.current(native.HERE / "_text.c"):  # built here
        assert said["1"] == "('play', 'numbers') ['numbers', 'play']"


@needs_built
@settings(max_examples=2000, deadline=None)
@given(SENTENCES)
@example("Hi. ¿Qué? ¡Sí! (Ok) -no\n\n*yes*")
@example(". . a.\nb!  c? \n")
def test_sentence_initials_in_c_are_those_python_finds(text: str) -> None:
    compiled = built("_text", "sentence_initials")
    assert compiled(text) == decoders.sentence_initials(text)


@needs_built
@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="abcñ", max_size=12))
@example("kill")
@example("xxgun")
def test_pieces_of_letters_are_found_in_c_as_in_python(letters: str) -> None:
    compiled = built("_text", "pieces_in")
    fours, threes = frozenset({"abca", "kill", "ñaña"}), frozenset({"bcb", "gun", "cñc"})
    assert compiled(letters, fours, threes) == decoders.pieces_in(letters, fours, threes)


@needs_built
def test_pieces_are_found_the_same_in_any_set_and_any_letters() -> None:
    """The compiled search packs each set's pieces once (characters of 16 bits); a set it
    cannot pack (a character beyond them, or NUL), or things in a set that are no piece,
    and letters beyond 16 bits, give what Python gives."""
    compiled = built("_text", "pieces_in")
    starts, short, _ = decoders._prefix_sets()
    initials = [decoders._initials(decoders._sentence_initials(text)) for text in texts()]
    initials += [decoders._initials([c for c in text if c.isupper()]) for text in texts()]
    for letters in initials:
        assert compiled(letters, starts, short) == decoders.pieces_in(letters, starts, short)
    assert sum(compiled(letters, starts, short) for letters in initials) > 20
    odd = ["a\U0001f600bc", "a\0bc", "a\uffffb", 5, ("a", "b", "c", "d"), "toolong"]
    for fours, threes in [
        (frozenset(odd), frozenset({"a\U0001f600b", "xyz"})),  # cannot be packed
        (frozenset({"abcd", "a\uffffbc", 5, "toolong"}), frozenset({"xyz", ("x",)})),
    ]:
        for letters in ["xa\U0001f600bcx", "a\0bc", "zabcd", "a\uffffbc", "xyz", "xy", ""]:
            expected = decoders.pieces_in(letters, fours, threes)
            assert compiled(letters, fours, threes) == expected, (letters, fours)

    class Loose(str):  # equal to any piece of its length, the way Python asks
        def __eq__(self, other: object) -> bool:
            return isinstance(other, str) and len(other) == len(self)

        def __hash__(self) -> int:
            return hash("kill")

    loose = frozenset({Loose("abcd")})
    for letters in ["kill", "xkillx", "kil"]:
        expected = decoders.pieces_in(letters, loose, frozenset())
        assert compiled(letters, loose, frozenset()) == expected, letters


def test_initials_that_could_spell_something_are_looked_at() -> None:
    assert decoders._may_spell("xxKILLxx")  # begins a word that matters
    assert not decoders._may_spell("QZXQ")
    assert not decoders._may_spell("KIL")  # fewer than four


def test_the_letters_that_begin_sentences() -> None:
    text = 'Every day. ¿Sabes? "Come home" -she said! 4 more.\n(Oh) and _x'
    assert decoders._sentence_initials(text) == "ESCO"  # not "4", nor "s" mid-sentence


may_be_spaced = native.function("_text", "may_be_spaced")
# The class alphabet (``folding.char_class``), weighted to the characters runs are made of.
CLASS_TEXT = st.text(alphabet=st.sampled_from("aaa11!$'  ..--0?"), max_size=40)
# Longer class strings, of words and of the pieces letters spaced apart are made of, which
# the test reads sixteen at once between them.
LONG_CLASS_TEXT = st.lists(
    st.sampled_from(["aaaa ", "aa ", "a ", "1 ", "a", "!", "$", "'", ".", "-", "  ", "0", "?"]),
    max_size=40,
).map("".join)


@needs_built
@settings(max_examples=3000, deadline=None)
@given(st.one_of(CLASS_TEXT, LONG_CLASS_TEXT))
@example("a a a!!!!!!!!!!!!!!")
@example("aaaa a 1 a$$$$$$$$$$$$$$$ aaa")
@example("a a a")
@example(" a.1.$a")
@example("a-!a-a' x")
@example("'a' a a")
@example("a b c?")
@example("a b $'a!a0")
@example("a  .b - c")
def test_the_spaced_letters_test_never_says_no_where_there_are_spaced_letters(
    classes: str,
) -> None:
    """``may_be_spaced`` spares the regexes of ``folding.spaced_runs`` only where they find
    nothing: over random class strings and every text of the development set. It answers
    as its loop of a byte at a time does (``_spaced_possible``), where it reads sixteen
    bytes at once too."""
    assert may_be_spaced is not None
    if folding._SPACED_AT_START.match(classes) or folding._SPACED.search(classes):
        assert may_be_spaced(classes), classes
    assert may_be_spaced(classes) == _spaced_possible(classes), classes


def _spaced_possible(classes: str) -> bool:
    """The test of ``native/_text.c`` (``spaced_possible``) a character at a time: whether
    a segment like the ones before could follow two like them. A segment (between
    separators " .-") is like them when it holds only letters ("a1") and marks ("!$'"), a
    letter at least and no two side by side; more than three separators in a row part
    segments."""
    at, in_a_row, n = 0, 0, len(classes)
    while at < n:
        gap = at
        while at < n and classes[at] in " .-":
            at += 1
        if at - gap > 3:
            in_a_row = 0
        if at >= n:
            break
        if in_a_row >= 2:
            k = at
            while k < n and classes[k] in "!$'":
                k += 1
            if k < n and classes[k] in "a1" and (classes[k + 1 : k + 2] or " ") not in "a01":
                return True
        like, letters, letter_before = True, 0, False
        while at < n and classes[at] not in " .-":
            letter = classes[at] in "a1"
            if (letter and letter_before) or not (letter or classes[at] in "!$'"):
                like = False
                while at < n and classes[at] not in " .-":
                    at += 1
                break
            letters += letter
            letter_before = letter
            at += 1
        in_a_row = in_a_row + 1 if like and letters else 0
    return False


@needs_built
def test_the_spaced_letters_test_spares_most_texts_and_misses_none() -> None:
    assert may_be_spaced is not None
    spared = 0
    for text in texts():
        classes = normalizing.plain(text).translate(folding.CLASSES)
        found = folding._SPACED_AT_START.match(classes) or folding._SPACED.search(classes)
        assert may_be_spaced(classes) or not found, text
        spared += not may_be_spaced(classes)
    assert spared > len(texts()) // 2


@needs_built
def test_letters_in_a_row_are_not_spaced_apart_unless_three_stand_alone() -> None:
    assert may_be_spaced is not None
    for classes in ("a a aa", "a a 0a", "a    a a", "a a a0", "1 1 11", "a a ?a"):
        assert not may_be_spaced(classes), classes
    for classes in ("a a a", "a a a?", "a.a.a", "a - a . a", "$a $a !a", "'a' 1 a aa"):
        assert may_be_spaced(classes), classes


fold_simply = native.function("_text", "fold_simply")
WIDE = normalizing._WIDE


def _folded_simply(text: str, stages: bool = True) -> str | None:
    """What ``fold_simply`` makes of a text's plain view, given the word stages it asks
    where letters may be spaced apart or leet may be (as ``normalize`` gives them) or not,
    checked against ``_fold_base`` wherever it answers."""
    assert fold_simply is not None
    base = normalizing._base(text)
    squeezed = normalizing._squeeze(base)
    asked = (folding.spaced_edits, folding.leet_edits) if stages else ()
    simply = fold_simply(squeezed, normalizing._LATIN1_FOLD, folding.LATIN1_CLASSES, WIDE, *asked)
    if simply is not None:
        assert (simply, False) == normalizing._fold_base(base, squeezed), text
        # Its map, where the one pass finds it, is the one the stages replayed give.
        found, spaced = normalizing._simple_folded_map(text, normalize(text).plain)
        exact, exact_spaced = normalizing._track_folded(text)
        assert (found.text, found.lo, found.hi, spaced) == (
            exact.text,
            exact.lo,
            exact.hi,
            exact_spaced,
        ), text
    return simply


@needs_built
def test_the_folded_view_in_one_pass_is_the_stages_where_it_answers() -> None:
    """Over every character in several contexts and every message of the corpora,
    ``fold_simply`` gives what the stages give, and answers for most messages."""
    answered = sum(_folded_simply(text) is not None for text in _odd_texts())
    messages = texts()
    assert answered > 1000
    assert sum(_folded_simply(text) is not None for text in messages) > len(messages) // 2
    innocent = [m.text for m in heldout.load(heldout.DEVELOPMENT_PATH) if not m.violating]
    assert sum(_folded_simply(text) is not None for text in innocent) > 0.7 * len(innocent)


# Characters of every kind the folding stages treat apart: letters, accents, leet
# digits, other digits, symbols that may be leet, joiners, dots, apostrophes, list
# punctuation, spaces, symbols that end a word, and characters beyond Latin-1.
FOLD_TEXT = st.text(
    alphabet=st.sampled_from("aeklsé ÉñÑ0123456789!|$@-_.*'`,;?  \n\t¿¡¨ſ—Σ❤😂•…\u200d")
)


@needs_built
@settings(max_examples=3000, deadline=None)
@given(FOLD_TEXT)
@example("we'll see")
@example("sh@nk $40 at 5pm")
@example("well-known 3.5 u.s. a b c")
@example("x-r4y a.b.c 1-a !-a a.1 a--1 e.g., 12.x")
@example("0_ ——0 É")  # symbols made spaces: a wide gap before the letters spaced apart
@example("a ¿¿ b ¡¡ c")
@example("baall   ¿qué?  ")
@example("k n i f e")
def test_the_folded_view_in_one_pass_agrees_on_any_text(text: str) -> None:
    asked = _folded_simply(text)
    alone = _folded_simply(text, stages=False)
    # Without the stages it answers for fewer texts, never differently.
    assert alone is None or alone == asked


# Pieces of text whose runs of ASCII letters and single spaces the folding and the plain
# view read sixteen at once, between letters spaced apart, dots, dashes, runs of spaces
# and symbols folded to spaces ("¦", "¿") that the characters read one at a time keep.
SIXTEENS = st.lists(
    st.sampled_from(
        ["the quick brown fox ", "Jumps Over ", "a", "b c", " ", "  ", "¦", "¿ ", ".", "-"]
        + ["k n i f e", " a . b ", "Q", "x1", "é", "{", "@"]
    ),
    max_size=30,
).map("".join)


@needs_built
@settings(max_examples=3000, deadline=None)
@given(SIXTEENS)
@example("a . b c d e f gh ¦ ¦   kl m n o p q r s")
def test_the_folded_view_read_sixteen_at_once_is_the_stages(text: str) -> None:
    _folded_simply(text)
    _folded_simply(text, stages=False)
    _plain_in_one_pass(text)


def _plain_in_one_pass(text: str) -> bool:
    """Whether ``plain_origins`` answers for a text, checked against the replayed stages,
    and ``plain_view`` with it (the same text, without the map)."""
    found = built("_text", "plain_origins")(text, normalizing._LATIN1_PLAIN, WIDE)
    view = built("_text", "plain_view")(text, normalizing._LATIN1_PLAIN, WIDE)
    assert (view is None) == (found is None)
    if found is not None:
        exact, _ = normalizing._track_plain(text)
        plain, firsts, ends = found
        assert (plain, array("q", firsts), array("q", ends)) == (exact.text, exact.lo, exact.hi)
        assert view == exact.text == normalizing.squeeze(normalizing._base(text))
    return found is not None


# Latin-1 white space, invisible characters and characters that change length; beyond
# Latin-1, symbols and emoji, their joiners and variation selectors, curly quotes, and
# characters that take the general route.
PLAIN_TEXT = st.text(
    alphabet=st.sampled_from(
        "aé É \t\n\r\x0b\x85\xa0\xad\x00\x7fßµ½'$-.—❤😂👍🏽\u200d\ufe0f\u200b“”‘’…\u2028жΣ\u0301™"
    )
)


@needs_built
@settings(max_examples=3000, deadline=None)
@given(PLAIN_TEXT)
@example("  a\r\n\r\n\xadb  ")
@example("\xa0")
def test_the_plain_view_and_its_map_in_one_pass_are_the_stages(text: str) -> None:
    _plain_in_one_pass(text)


@needs_built
def test_the_plain_view_in_one_pass_answers_for_latin1_texts() -> None:
    every = _odd_texts() + texts()
    answered = sum(map(_plain_in_one_pass, every))
    latin1 = sum(text == text.encode("latin-1", "replace").decode("latin-1") for text in every)
    assert answered > 0.9 * latin1
    assert not _plain_in_one_pass("ß or ½: not one character for one")
    assert not _plain_in_one_pass("no Cyrillic: жена")
    assert _plain_in_one_pass("“curly” — ❤️ 👍🏽 and e\u200dmoji")


@needs_built
@settings(max_examples=3000, deadline=None)
@given(PLAIN_TEXT)
@example("“ok” ❤️\u200d🔥 — fine…")
def test_the_base_of_a_text_mapped_alone_is_the_general_route(text: str) -> None:
    """Where ``plain_chars`` maps each character alone (Latin-1, symbols, emoji, curly
    quotes, invisible characters), it gives what the general route (NFKC, case folding,
    white space, invisible characters out) gives."""
    mapped = built("_text", "plain_chars")(text, normalizing._LATIN1_PLAIN, WIDE)
    if mapped is not None:
        straight = text.translate(normalizing._STRAIGHTEN)
        assert mapped == normalizing._base_general(straight)


@needs_built
def test_messages_with_emoji_and_dashes_take_the_fast_paths() -> None:
    text = "Love you Mom ❤️❤️ — see you Sunday 🙏🏽 “for real”!!"
    assert built("_text", "plain_chars")(text, normalizing._LATIN1_PLAIN, WIDE) is not None
    assert _plain_in_one_pass(text)
    assert _folded_simply(text) == 'love you mom se you sunday "for real"!!'
    normalized = normalize(text)
    start, end = normalized.folded.to_original(9, 12)
    assert text[start:end] == "Mom"


@needs_built
def test_numbers_with_units_take_the_one_pass_without_asking_the_leet_stage() -> None:
    """A letter saying "5am", "28th" or "1990s" is not leet (``folding._NUMBER_LIKE``): the
    one pass answers for it alone, as the stages would; a word that is leet still asks."""
    for text in ("up at 5am on the 28th", "the 1990s, a 4x4, 2lbs, 10yrs", "@5pm and 3rd!"):
        assert _folded_simply(text, stages=False) is not None, text
    for text in ("5amx", "k1ll at 5am", "1990x", "b4by", "2nds5", "5s"):
        assert _folded_simply(text, stages=False) is None, text
        assert _folded_simply(text) is not None, text


@needs_built
def test_the_folded_view_in_one_pass_leaves_words_that_need_edits_to_the_stages() -> None:
    for text in ("k n i f e", "sh@nk", "b.0.l$4", "3sc4p3", "pl!ll", "ĀBC", "x-r4y"):
        assert _folded_simply(text, stages=False) is None, text
    # Given the stages, only letters spaced apart and characters beyond its tables are left.
    for text in ("k n i f e", "e.s.c.a.p.e", "b.0.l$4", "ĀBC"):
        assert _folded_simply(text) is None, text
    assert _folded_simply("sh@nk, 3sc4p3 & x-r4y!") == "shank, escape & xray!"
    assert _folded_simply("$40 at 5pm, 1st of may; 911") == "$40 at 5pm, 1st of may; 911"
    # Joiners and dots inside words are dropped in the one pass too.
    assert _folded_simply("es-cape well--known at 3.5 mi, x.yz") == "escape welknown at 3.5 mi, xyz"
    assert _folded_simply("  We'll   SEE ¿qué?  ") == "wel se que?"
    assert _folded_simply("$40 at 5 - ok") == "$40 at 5 - ok"
    assert fold_simply is not None
    with pytest.raises(TypeError):
        fold_simply("text", b"short", folding.LATIN1_CLASSES)
    with pytest.raises(TypeError):
        fold_simply(b"text", normalizing._LATIN1_FOLD, folding.LATIN1_CLASSES, WIDE)
    with pytest.raises(TypeError):
        fold_simply("text", normalizing._LATIN1_FOLD, folding.LATIN1_CLASSES)  # no wide
    with pytest.raises(ValueError, match="code point"):
        fold_simply("a ❤", normalizing._LATIN1_FOLD, folding.LATIN1_CLASSES, {0x2764: -5})
    with pytest.raises(TypeError):
        fold_simply("a ❤", normalizing._LATIN1_FOLD, folding.LATIN1_CLASSES, {0x2764: "x"})
    origins = built("_text", "fold_simply_origins")
    folded, firsts, ends = origins(
        "we'll  baall", normalizing._LATIN1_FOLD, folding.LATIN1_CLASSES, WIDE
    )
    assert folded == "wel bal"  # "ll" from 3 to 5, the spaces 5 to 7, "aa" 8 to 10
    assert list(zip(array("q", firsts), array("q", ends), strict=True)) == [
        (0, 1),
        (1, 2),
        (3, 5),
        (5, 7),
        (7, 8),
        (8, 10),
        (10, 12),
    ]
    with pytest.raises(TypeError):
        origins("text", normalizing._LATIN1_FOLD, WIDE)


def test_a_leet_word_of_the_folded_view_maps_to_where_it_was_written() -> None:
    """With the one pass in C and with the stages alone (``HOMEWARD_NATIVE=0``)."""
    text = "Bring the SH@NK, 3sc4p3 at 9"
    normalized = normalize(text)
    assert normalized.folded.text == "bring the shank, escape at 9"
    for word in ("shank", "escape"):
        at = normalized.folded.text.index(word)
        start, end = normalized.folded.to_original(at, at + len(word))
        assert text[start:end] == {"shank": "SH@NK", "escape": "3sc4p3"}[word]


@needs_built
def test_the_folded_view_in_one_pass_checks_what_the_stages_give_it() -> None:
    fold = built("_text", "fold_simply")
    tables = (normalizing._LATIN1_FOLD, folding.LATIN1_CLASSES, WIDE)
    spaced, leet = folding.spaced_edits, folding.leet_edits
    with pytest.raises(TypeError):
        fold("sh@nk", *tables, spaced)  # both stages or neither
    with pytest.raises(TypeError):
        fold("sh@nk", *tables, spaced, "leet_edits")
    with pytest.raises(TypeError, match="not a list"):
        fold("sh@nk", *tables, spaced, lambda text, classes: ())
    with pytest.raises(TypeError):
        fold("sh@nk", *tables, spaced, lambda text, classes: [(2, 3)])
    with pytest.raises(ZeroDivisionError):
        fold("a b c d", *tables, lambda text, classes: 1 / 0, leet)
    # An edit that is not a Latin-1 character for a character: the stages decide.
    assert fold("sh@nk", *tables, spaced, lambda text, classes: [(2, 3, "aa")]) is None
    assert fold("sh@nk", *tables, spaced, lambda text, classes: [(2, 4, "a")]) is None
    assert fold("sh@nk", *tables, spaced, lambda text, classes: [(7, 8, "a")]) is None
    assert fold("sh@nk", *tables, spaced, lambda text, classes: [(2, 3, "ж")]) is None
    # They are called only where the quick tests say "may", with the text so far.
    seen: list[tuple[str, str]] = []
    assert fold("plain words", *tables, spaced, lambda *args: seen.append(args)) == "plain words"
    assert seen == []
    assert fold("it's sh@nk", *tables, spaced, lambda *args: seen.append(args) or []) == "its sh@nk"
    assert seen == [("its sh@nk", "aaa aa$aa")]


SPANS = st.lists(
    st.tuples(st.integers(0, 30), st.integers(0, 3)).map(lambda s: (s[0], s[0] + s[1])),
    max_size=8,
).map(lambda spans: sorted(set(spans)))


@needs_built
@settings(max_examples=1500, deadline=None)
@given(
    lists=st.lists(SPANS, min_size=1, max_size=20),
    window=st.integers(1, 40),
    answers=st.lists(st.sampled_from([concepts.NOT_A_HIT, concepts.A_HIT, concepts.STOP])),
    data=st.data(),
)
def test_the_compiled_meeting_makes_the_same_calls_on_any_spans(
    lists: list[list[tuple[int, int]]], window: int, answers: list[int], data: st.DataObject
) -> None:
    """Any number of concepts (a rule may have up to its window's), any spans, any answers."""
    assert compiled_meet is not None
    ranks = tuple(data.draw(st.permutations(range(len(lists)))))

    def calls(meet: Callable[..., None]) -> list[Any]:
        made: list[Any] = []

        def accept(chosen: list[tuple[int, int]], first: int, end: int) -> int:
            made.append((list(chosen), first, end))
            return answers[len(made) % len(answers)] if answers else concepts.A_HIT

        meet([list(spans) for spans in lists], ranks, window, accept)
        return made

    assert calls(compiled_meet) == calls(concepts.meet)


@needs_built
def test_the_compiled_walks_hold_a_word_whose_look_up_runs_python() -> None:
    """A dict with a key that is not a str runs Python code when a word falls beside it: a
    word the look-up lets go of (the only list holding it cleared) is still held."""
    meet_words = built("_meet", "meet_words")

    def evil_dict(words: list[str]) -> dict[Any, None]:
        class Beside:
            def __hash__(self) -> int:
                return hash(words[0])

            def __eq__(self, other: object) -> bool:
                words.clear()  # the only reference to the word looked up
                return False

        return {Beside(): None}

    learnt: list[str] = []
    words = ["".join(["ab", "cd"])]
    meet_words(words, evil_dict(words), learnt.append, (), (), (), lambda *a: 0, [])
    assert learnt == ["abcd"]
    words = ["".join(["ab", "cd"])]
    assert compiled_walk is not None
    compiled_walk(words, [frozenset({"abcd"})], evil_dict(words), learnt.append)
    assert learnt == ["abcd", "abcd"]


@needs_built
@pytest.mark.parametrize("window", [sys.maxsize, sys.maxsize - 3, -sys.maxsize - 1, 0, -7])
def test_the_compiled_meeting_takes_any_window_as_python_does(window: int) -> None:
    """A window as wide as an int can be reaches as far as any word can be (no overflow)."""
    assert compiled_meet is not None
    lists = [[(5, 5)], [(6, 6)]]

    def calls(meet: Callable[..., None]) -> list[Any]:
        made: list[Any] = []
        meet([list(spans) for spans in lists], (0, 1), window, lambda *a: made.append(a) or 0)
        return made

    assert calls(compiled_meet) == calls(concepts.meet)
