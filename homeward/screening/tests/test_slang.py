"""The slang layer: prison and street slang, English and Spanish, with the contexts that make
a word innocent, mapped back to the original text."""

from __future__ import annotations

from pathlib import Path

import pytest

from homeward.screening import categories
from homeward.screening.engine import Hit
from homeward.screening.layers import slang
from homeward.screening.layers.tokens import tokenize
from homeward.screening.normalize import normalize


def hits(text: str, lexicon: slang.SlangLexicon | None = None) -> list[Hit]:
    normalized = normalize(text)
    found = (lexicon or slang.library()).find(normalized, tokenize(normalized))
    for hit in found:  # every hit is a span of what the person wrote
        assert hit.text == text[hit.start : hit.end]
        assert (hit.layer, hit.action) == ("slang", "flag")
    return found


def rules(text: str) -> list[str]:
    return [str(hit.rule) for hit in hits(text)]


# --- the library's lexicon ---------------------------------------------------------------


def test_the_library_loads_once_with_several_hundred_checked_entries():
    lexicon = slang.library()
    assert slang.library() is lexicon
    assert slang.size() == len(lexicon.entries) >= 300
    assert {entry.lang for entry in lexicon.entries} == {"en", "es"}
    assert {entry.category for entry in lexicon.entries} == set(categories.LIBRARY_CODES)
    assert len(slang.version()) == 12


def test_a_slang_word_is_flagged_with_its_meaning_and_span():
    text = "yo the toolie still in the stash box"
    [hit] = hits(text)
    assert hit.rule == "slang:toolie"
    assert hit.category == "weapons"
    assert hit.text == "toolie"
    assert hit.detail == "'toolie': a gun"


def test_spanish_slang_is_flagged():
    [hit] = hits("mándame el perico en la tarjeta de cumpleaños")
    assert (hit.rule, hit.category, hit.text) == ("slang:perico", "drugs", "perico")
    assert hit.detail == "'perico': cocaína"


@pytest.mark.parametrize(
    ("text", "rule", "found"),
    [
        ("got two toolies in the trunk", "slang:toolie", "toolies"),
        ("ya llegaron los pericos que pediste, mándame la feria", "slang:perico", "pericos"),
        ("mis carnales ya tienen los cuetes escondidos", "slang:cuete", "cuetes"),
        ("he keep the shanks in the mattress", "slang:shank", "shanks"),
    ],
)
def test_inflected_forms_are_found(text, rule, found):
    assert [(str(h.rule), h.text) for h in hits(text)] == [(rule, found)]


@pytest.mark.parametrize(
    "text",
    [
        "that new album is dope",
        "El perico de tu abuela ya aprendió a decir tu nombre",
        "Tu tío andaba bien cuete en la boda",
        "send a kite to medical about my tooth",
        "we got ice cream after the game",
        "Reverend Dwayne Shank said a prayer for you on Sunday",
        "Coach Glock said the team made the playoffs",
        "my back is killing me, I strapped the ankle brace on tight",
        "grandma is high as a kite on the pain meds lol",
        "He's chewing through packs of gum since he quit smoking",
        "Hoy tu hijo llevó pistolas de juguete al festival",
    ],
)
def test_innocent_contexts_keep_a_message_clear(text):
    assert hits(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Can you refer me to a good lawyer?",  # not "reefer": folded words lose double letters
        "See you Wed at 5 for the visit",  # not "weed"
        "I'm hoping the hearing goes well",  # not "hooping"
        "The movie was rated R so we skipped it",  # not "ratted"
    ],
)
def test_words_that_fold_into_a_slang_word_are_not_it(text):
    assert hits(text) == []


def test_plurals_follow_the_language_of_the_term():
    assert slang._plurals("toolie", "en") == ["toolie", "toolies"]
    assert slang._plurals("shank", "en") == ["shank", "shanks"]
    assert slang._plurals("blicky", "en") == ["blickies", "blicky"]
    assert slang._plurals("cuerno de chivo", "es") == ["cuerno de chivo", "cuerno de chivos"]
    assert slang._plurals("carnal", "es") == ["carnal", "carnales"]


def test_a_phrase_that_makes_a_word_innocent_may_include_the_word():
    assert rules("Tu tío andaba bien cuete") == []  # drunk
    assert rules("El cuete ya está en la casa de la ñaña") == ["slang:cuete"]  # a gun


def test_a_common_word_counts_only_with_what_it_needs_near_it():
    assert rules("I'm so tired from work today, my boss kept us late") == []
    assert rules("tell ur girl to bring the work when she come to visit") == ["slang:work-drugs"]
    assert rules("the kids had a snow day, no school") == []
    assert rules("my guy got that snow, 2 grams for 80") == ["slang:snow"]


def test_the_longest_term_wins_where_terms_overlap():
    [hit] = hits("el Cuerno de Chivo está en la troca de mi compa")
    assert (hit.rule, hit.text, hit.category) == (
        "slang:cuerno-de-chivo",
        "Cuerno de Chivo",
        "weapons",
    )


def test_spans_are_in_the_original_text_with_accents_quotes_and_spaces():
    text = (
        "Mi “compa” dice que el périco   ya está en la tarjeta 👍 y el Cuérno  de   chivo también"
    )
    found = hits(text)
    assert [h.text for h in found] == ["périco", "Cuérno  de   chivo"]
    assert text[found[0].start : found[0].end] == "périco"


def test_hits_name_each_occurrence():
    found = hits("the toolie and the other toolie")
    assert [(h.rule, h.text) for h in found] == [("slang:toolie", "toolie")] * 2
    assert found[0].start < found[1].start


# --- the file and its checks ----------------------------------------------------------------

GOOD = """
[groups]
deal = ["send", "bring", "package"]

[[entry]]
term = "work"
id = "work-drugs"
lang = "en"
category = "drugs"
severity = 1
meaning = "drugs to sell"
needs = ["@deal"]
innocent = ["my boss"]
window = 2

[[entry]]
term = "dar piso"
also = ["darle piso"]
lang = "es"
category = "violence"
severity = 3
meaning = "matar a alguien"
"""


def load(tmp_path: Path, text: str) -> slang.SlangLexicon:
    path = tmp_path / "slang.toml"
    path.write_text(text, "utf-8")
    return slang.load(path)


def test_a_file_of_my_own_is_read_with_groups_windows_and_other_spellings(tmp_path):
    lexicon = load(tmp_path, GOOD)
    assert len(lexicon) == 2
    assert [str(h.rule) for h in hits("send the work", lexicon)] == ["slang:work-drugs"]
    assert hits("send it next week if the work is done", lexicon) == []  # beyond 2 words
    assert hits("send the work to my boss", lexicon) == []
    assert [h.text for h in hits("cuando salga le voy a darle piso", lexicon)] == ["darle piso"]
    assert [h.detail for h in hits("le van a dar piso", lexicon)] == ["'dar piso': matar a alguien"]


def test_the_version_changes_with_what_the_file_says(tmp_path):
    first = load(tmp_path, GOOD).version
    assert load(tmp_path, GOOD + "\n# a comment\n").version == first
    assert load(tmp_path, GOOD.replace("matar a alguien", "matar")).version != first


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('category = "violence"', 'category = "murder"'),
            "entry 2 ('dar piso'): unknown category",
        ),
        (('meaning = "matar a alguien"\n', ""), "entry 2 ('dar piso'): missing meaning"),
        (("severity = 3", "severity = 4"), "entry 2 ('dar piso'): severity must be 1, 2 or 3"),
        (('lang = "es"', 'lang = "fr"'), "entry 2 ('dar piso'): unknown language"),
        (('needs = ["@deal"]', 'needs = ["@dealing"]'), "entry 1 ('work'): needs names an unknown"),
        (
            ('term = "dar piso"', 'term = "dar piso 2"'),
            "entry 2 ('dar piso 2'): 'dar piso 2' may have only letters",
        ),
        (("window = 2", "window = 0"), "entry 1 ('work'): window must be"),
        (('also = ["darle piso"]', 'note = "x"'), "entry 2 ('dar piso'): unknown field note"),
        (
            ('term = "dar piso"', 'term = "work"\nid = "work-drugs"'),
            "entry 2 ('work'): id 'work-drugs' is also entry 1's",
        ),
        (
            ('[[entry]]\nterm = "work"', '[[entry]]\nterm = "!!"'),
            "entry 1 ('!!'): '!!' has no words",
        ),
    ],
)
def test_a_bad_entry_stops_the_load_and_is_named(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(slang.SlangError, match="^slang.toml, " + _escape(message)):
        load(tmp_path, GOOD.replace(old, new, 1))


def test_a_broken_or_missing_file_is_reported(tmp_path):
    with pytest.raises(slang.SlangError, match="slang.toml: not valid TOML"):
        load(tmp_path, "[[entry]\nterm = ")
    with pytest.raises(slang.SlangError, match="nothing.toml: no such slang file"):
        slang.load(tmp_path / "nothing.toml")
    with pytest.raises(slang.SlangError, match="no \\[\\[entry\\]\\] tables"):
        load(tmp_path, "[groups]\n")


def _escape(message: str) -> str:
    import re

    return re.escape(message)
