"""The engine: rule kinds, exceptions, combinations, spans in the original text, and the
hyperscan matcher giving exactly the reference matcher's hits."""

from __future__ import annotations

import random
import re
import sys
import threading

import pytest

from homeward.screening import engine
from homeward.screening.engine import RuleError, RuleSpec

RULES = [
    RuleSpec(1, "phrase", "break out", "escape", "block"),
    RuleSpec(2, "phrase", "gun", "weapons", "flag"),
    RuleSpec(3, "tolerant", "shank", "weapons", "flag"),
    RuleSpec(4, "regex", r"\b\d{3}[-. ]\d{4}\b", "relay", "flag"),
    RuleSpec(5, "near", "kill", "violence", "block", other="you", distance=3),
    RuleSpec(6, "unless", "bomb", "violence", "flag", other="the kids are"),
    RuleSpec(7, "phrase", "escape", "escape", "flag"),
    RuleSpec(8, "phrase", "escape room", "escape", "exception"),
]


@pytest.mark.parametrize("kind", ["hyperscan", "reference"])
@pytest.mark.parametrize(
    ("text", "verdict", "found"),
    [
        ("We will BREAK   out tonight", "block", ["BREAK   out"]),
        ("The gun show; a gunner; shotgun.", "flag", ["gun"]),
        ("he has a s-h-a-a-n-k", "flag", ["s-h-a-a-n-k"]),
        ("call 555-1234 now", "flag", ["555-1234"]),
        ("I will kill all of you", "block", ["kill all of you"]),
        ("I will kill time at the library, see you soon my dear friend", "clear", []),
        ("the kids are the bomb", "clear", []),
        ("there is a bomb", "flag", ["bomb"]),
        ("we did an escape room!", "clear", []),
        ("the great escape", "flag", ["escape"]),
        ("3sc4p3 plan", "flag", ["3sc4p3"]),
        ("e s c a p e", "flag", ["e s c a p e"]),
        ("еscаpе tonight", "flag", ["еscаpе"]),  # Cyrillic е and а
        ("b r e a k  o u t", "block", ["b r e a k  o u t"]),
    ],
)
def test_rule_kinds(kind, text, verdict, found):
    result = engine.screen(text, RULES, engine=kind)
    assert result.verdict == verdict, result.hits
    assert [hit.text for hit in result.hits] == found
    for hit in result.hits:
        assert text[hit.start : hit.end] == hit.text


@pytest.mark.parametrize("kind", ["hyperscan", "reference"])
def test_a_near_rule_with_a_common_first_word_finds_what_it_should(kind):
    """A letter holds "tell" often and "tell ... i said" rarely: the matcher locates "tell"
    only where "i said" is in the view (the folded one: "I S4ID" is there), unless a rule
    of another kind begins with it too."""
    near = RuleSpec(1, "near", "tell", "relay", "flag", other="i said", distance=3)
    kill = RuleSpec(2, "near", "kill", "violence", "flag", other="you", distance=3)
    letter = "Tell me which one you liked best. Tell grandma hello, she misses you."
    for text, found in [
        (letter, []),
        ("tell them what I said", ["tell them what I said"]),
        ("TELL THEM WHAT I S4ID!", ["TELL THEM WHAT I S4ID"]),
        ("i said tell them", ["i said tell"]),
        ("I will kill all of y0u", ["kill all of y0u"]),
        ("I will kill time", []),
    ]:
        result = engine.screen(text, [near, kill], engine=kind)
        assert [hit.text for hit in result.hits] == found, text
    phrase = RuleSpec(3, "phrase", "tell", "relay", "flag")
    result = engine.screen(letter, [near, phrase], engine=kind)
    assert [hit.text for hit in result.hits] == ["Tell", "Tell"]


def test_compiled_once_per_version():
    first = engine.compile_ruleset(RULES)
    assert engine.compile_ruleset(list(RULES)) is first
    changed = [*RULES[:-1], RuleSpec(8, "phrase", "escape rooms", "escape", "exception")]
    assert engine.compile_ruleset(changed) is not first
    assert engine.compile_ruleset(changed).version != first.version


@pytest.mark.parametrize(
    "rule",
    [
        RuleSpec(1, "phrase", "a", "other", "flag"),
        RuleSpec(1, "phrase", "  ", "other", "flag"),
        RuleSpec(1, "regex", "(unclosed", "other", "flag"),
        RuleSpec(1, "near", "kill", "violence", "flag"),
        RuleSpec(1, "sorcery", "kill", "violence", "flag"),
        RuleSpec(1, "phrase", "kill", "violence", "maybe"),
    ],
)
def test_bad_rules_are_refused_with_a_reason(rule):
    with pytest.raises(RuleError) as err:
        engine.CompiledRuleSet([rule])
    assert str(err.value)


def test_a_lone_surrogate_is_read_as_a_replacement_character():
    """No request carries one (the input guard refuses them), but a command's argument may:
    the text is screened, not refused with an error, and hits keep their places."""
    from homeward.screening.layers.stack import EVERY_LAYER

    text = "we will \ud800break out \udfff"
    verdict = engine.CompiledRuleSet(RULES).screen(text, detector_actions={}, layers=EVERY_LAYER)
    assert verdict.verdict == "block"
    hit = next(h for h in verdict.hits if h.rule == 1)
    assert (hit.start, hit.end, hit.text) == (9, 18, "break out")


def test_empty_and_huge_text():
    assert engine.screen("", RULES).verdict == "clear"
    text = "hello there " * 5000 + "break out"
    result = engine.screen(text, RULES)
    assert result.verdict == "block" and result.hits[0].start == len(text) - len("break out")


WORDS = [
    "we",
    "will",
    "the",
    "you",
    "kids",
    "at",
    "gun",
    "shank",
    "escape",
    "room",
    "break",
    "out",
    "kill",
    "bomb",
    "are",
    "time",
    "555",
    "1234",
]
NOISE = [" ", "  ", "-", ".", "!", "\n", "3", "0", "е", "\u200b", "é"]


def generated_corpus(count: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 25)):
            word = rng.choice(WORDS)
            if rng.random() < 0.3:  # obfuscate: separators, leet, lookalikes, repeats
                word = (
                    rng.choice(NOISE).join(word)
                    if rng.random() < 0.5
                    else word.replace(
                        rng.choice("aeios"), rng.choice(["4", "3", "1", "0", "5", "аа", "ee"])
                    )
                )
            parts.append(word)
        texts.append(rng.choice([" ", "  ", ". "]).join(parts))
    return texts


def test_hyperscan_finds_exactly_what_the_reference_finds():
    from homeward.screening.library.loader import load_library

    rules = RULES + load_library()
    fast = engine.CompiledRuleSet(rules, engine="hyperscan")
    slow = engine.CompiledRuleSet(rules, engine="reference")
    corpus = generated_corpus(3000)
    with_hits = 0
    for text in corpus:
        expected = slow.screen(text)
        assert fast.screen(text) == expected, text
        with_hits += bool(expected.hits)
    assert with_hits > 300  # the corpus really exercises the rules


def test_a_tolerant_atom_is_looked_for_where_it_can_match():
    """Hyperscan looks for the tolerant atoms of ASCII letters and digits as literals in the
    folded view squeezed (``alnum_squeezed``): wherever the pattern matches, the literal is
    there, however the letters are spaced, repeated, cased or split by other characters
    (the exact pattern then says where, as for every atom)."""
    from homeward.screening.library.loader import load_library

    rng = random.Random(7)
    atoms = [
        atom
        for rule in RULES + load_library()
        if rule.kind == "tolerant"
        for atom in engine.atoms_of(rule)
    ]
    squeezed = [atom for atom in atoms if atom.squeezed]
    assert len(squeezed) > 80 and len(squeezed) > 0.9 * len(atoms)
    separators = [" ", "-", ".", "_", "  ", "é", "💣", "*", ".-", "\n"]
    checked = 0
    for atom in squeezed:
        letters = re.findall(r"(\w)\+", atom.regex)
        pattern = re.compile(atom.regex, re.IGNORECASE | re.ASCII)
        for _ in range(20):
            runs = [
                c.upper() * rng.randint(1, 3) if rng.random() < 0.3 else c * rng.randint(1, 2)
                for c in letters
            ]
            written = "".join(run + rng.choice(["", "", *separators]) for run in runs)
            text = f"{rng.choice(['', 'ab ', 'the '])}{written}{rng.choice(['', ' x', 's'])}"
            assert pattern.search(text), (atom, text)
            assert atom.squeezed.encode() in engine.alnum_squeezed(text.encode()), (atom, text)
            checked += 1
    for text in generated_corpus(500):
        data = engine.normalize(text).folded.text
        for atom in squeezed:
            if re.search(atom.regex, data, re.IGNORECASE | re.ASCII):
                assert atom.squeezed.encode() in engine.alnum_squeezed(data.encode()), text
                checked += 1
    assert checked > 2_000


def test_workers_share_compiled_databases_through_the_cache(tmp_path):
    first = engine.CompiledRuleSet(RULES, cache_dir=tmp_path)
    files = sorted(tmp_path.glob("*.hsdb"))
    assert len(files) == 3  # one per view, and the folded view squeezed (the tolerant atom)
    stamps = [f.stat().st_mtime_ns for f in files]
    second = engine.CompiledRuleSet(RULES, cache_dir=tmp_path)  # another worker: loads
    assert [f.stat().st_mtime_ns for f in files] == stamps
    text = "we will break out, call 555-1234"
    assert second.screen(text) == first.screen(text)
    assert second.screen(text).verdict == "block"
    changed = engine.CompiledRuleSet(
        [*RULES, RuleSpec(9, "phrase", "tunnel", "escape")], cache_dir=tmp_path
    )
    assert len(list(tmp_path.glob("*.hsdb"))) == 4  # a new version adds the one it changed
    assert changed.screen("a tunnel").verdict == "flag"


def test_near_finds_what_comparing_every_pair_finds():
    """``_near`` looks only at the occurrences within reach; on random texts it finds
    exactly what comparing every pair of occurrences finds."""
    import random

    from homeward.screening.engine import _near, merge

    def every_pair(text, first, second, distance):
        found = []
        for a_start, a_end in first:
            for b_start, b_end in second:
                if a_end > b_start and b_end > a_start:
                    continue
                gap = text[a_end:b_start] if a_end <= b_start else text[b_end:a_start]
                if len(gap.split()) <= distance:
                    found.append((min(a_start, b_start), max(a_end, b_end)))
        return merge(found)

    rng = random.Random(7)
    words = ["kill", "the", "witness", "a", "b,", "c.", "  ", "x"]
    for _ in range(2000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))
        first = [m.span() for m in re.finditer("kill", text)]
        other = rng.choice(["witness", "the witness", "the", "x"])
        second = [m.span() for m in re.finditer(other, text)]
        distance = rng.randint(0, 5)
        assert _near(text, first, second, distance) == every_pair(text, first, second, distance)


def test_threads_screening_at_once_find_what_one_thread_finds():
    """A worker's threads share a compiled rule set; each scans with its own scratch space,
    so messages screened at the same moment get the verdicts they get one at a time."""
    from homeward.screening.library.loader import load_library

    compiled = engine.CompiledRuleSet(RULES + load_library())
    corpus = generated_corpus(400)
    expected = [compiled.screen(text) for text in corpus]
    results: dict[int, list[engine.Verdict]] = {}
    start = threading.Barrier(6)

    def screen_all(number: int) -> None:
        start.wait()
        order = corpus[number:] + corpus[:number]  # each thread at another message
        results[number] = [compiled.screen(text) for text in order]

    threads = [threading.Thread(target=screen_all, args=(n,)) for n in range(6)]
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns inside scans (in their callbacks)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switching)
    assert sorted(results) == list(range(6))  # every thread screened every message
    for number, found in results.items():
        assert found == expected[number:] + expected[:number]
    assert sum(bool(verdict.hits) for verdict in expected) > 40


def test_the_folded_database_reads_bytes_and_finds_letters_beyond_ascii():
    """The folded view's database reads bytes, not UTF-8 (a fifth of the size): phrases and
    tolerant patterns with letters beyond ASCII, between characters of several bytes, find
    what the reference matcher finds."""
    rules = [
        RuleSpec(1, "tolerant", "ножик", "weapons", "flag"),
        RuleSpec(2, "phrase", "нож", "weapons", "flag"),
        RuleSpec(3, "tolerant", "bomba", "violence", "flag"),
        RuleSpec(4, "phrase", "ξίφος", "weapons", "flag"),
        RuleSpec(5, "tolerant", "ξίφος", "weapons", "flag"),
    ]
    fast = engine.CompiledRuleSet(rules, engine="hyperscan")
    slow = engine.CompiledRuleSet(rules, engine="reference")
    texts = [
        "н—о💣ж и к",
        "нннооожжик",
        "b💣o—m b…a",
        "a нож, b",
        "xнож",
        "ξίφος",
        "ξ·ί·φ·ο·ς",
        "ξ💣ίφφφος",
        "н ож ик",
        "no match here — 💣",
    ]
    found = 0
    for text in texts:
        expected = slow.screen(text)
        assert fast.screen(text) == expected, text
        found += bool(expected.hits)
    assert found == 8
