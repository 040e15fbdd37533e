"""The concepts layer: words of several concepts meeting nearby, in English and Spanish."""

from __future__ import annotations

import hashlib

import pytest

from homeward.screening import categories
from homeward.screening.engine import Hit
from homeward.screening.evaluation import heldout, run
from homeward.screening.layers import concepts, slang, tokens
from homeward.screening.layers.concepts import ConceptError
from homeward.screening.layers.tokens import AnchoredLexicon, Lexicon, Words, tokenize
from homeward.screening.normalize import normalize


def hits(text: str, library: concepts.ConceptLibrary | None = None) -> list[Hit]:
    normalized = normalize(text)
    words = tokenize(normalized)
    if library is None:
        return concepts.find(normalized, words)
    return library.find(normalized, words)


def rules(text: str) -> set[str]:
    return {hit.rule for hit in hits(text)}


SMALL = """
[concept.weapon]
label = "weapon"
words = ["knife", "cuchillo"]

[concept.make_hide]
label = "make/hide"
words = ["hide", "esconder"]

[concept.kitchen]
label = "kitchen"
words = ["onion"]

[[rule]]
id = "make-weapon"
category = "weapons"
severity = 3
all = ["make_hide", "weapon"]
window = 4
sentence = true
unless = ["kitchen"]
unless_words = ["butter knife"]
note = "Hiding a weapon."
"""


def small(extra: str = "", rule: str = "") -> concepts.ConceptLibrary:
    return concepts.parse(
        (SMALL + extra).replace('note = "Hiding', rule + 'note = "Hiding').encode()
    )


# --- what it finds --------------------------------------------------------------------


def test_inflections_match_base_forms():
    assert "concept:make-weapon" in rules("Make a couple of knives out of the tray.")
    assert "concept:harm-target" in rules("Mataré al testigo si abre la boca.")
    assert "concept:make-weapon" in rules("Escondí el cuchillo debajo del colchón.")


def test_english_and_spanish_messages_from_the_issue():
    assert "concept:make-weapon" in rules(
        "Make a knife from the tray and keep it hidden for the fight"
    )
    found = hits("Find the victim's new address and make sure she knows we are watching")
    assert {hit.category for hit in found} == {categories.HARASSMENT}
    assert "concept:collect-tax-place" in rules(
        "The crew needs you to collect the taxes on the tier"
    )
    assert "concept:press-testimony" in rules(
        "Dile que retire la denuncia antes del juicio o se va a arrepentir."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Write down what time they do the overnight counts and when the tower officer switches.",
        "Necesito los horarios de los custodios de la noche, a qué hora cambian.",
        "aca el guardia se duerme de 2 a 4 y nadie pasa por el pasillo",
        "get me the guards schedule for the weekend, what time they do the count",
    ],
)
def test_the_officers_hours_asked_or_told(text):
    assert "concept:watch-hours" in rules(text)


@pytest.mark.parametrize(
    "text",
    [
        "In the kitchen the officer counts the knives before and after every shift.",
        "I got the job at the security company, I do rounds on the night shift at the hospital.",
        "The officer said the visiting schedule changes next month, what time works for you?",
        "Los custodios dicen que el horario de visita cambia en enero.",
    ],
)
def test_the_officers_hours_of_visits_or_of_ones_own_job_are_not(text):
    assert "concept:watch-hours" not in rules(text)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Que me mande una foto del llavero del custodio, bien clarita.", "officers-keys-pictured"),
        ("get a pic of the key ring, both sides, with a ruler next to it", "keys-measured"),
        ("Use your brother's social to file for unemployment, he won't know.", "identity-fraud"),
        ("Babe usa el social de tu primo para sacar el préstamo.", "identity-fraud"),
        ("Ya sabes qué hacer con ese, que no amanezca.", "harm-strong"),
        ("if he don't pay his mama gonna be picking out a suit for him", "harm-strong"),
        ("cada cuánto hacen el conteo en tu dormitorio?", "watch-routine-asked"),
        ("is it still just the one CO on the floor after midnight", "watch-routine-asked"),
        ("is the camera by the back fence still broken?", "camera-out"),
        ("la cámara del patio sigue sin funcionar?", "camera-out"),
        ("grey shirt and pants just like the officers wear, pressed", "dressed-like-officers"),
        ("un pantalón igual a los de los custodios", "dressed-like-officers"),
        ("the strips go under the stamp, peel it slow", "strips-in-paper"),
        ("en el lomo del libro van pegadas las tiras", "strips-in-paper"),
        (
            "lend me your bank account for a week, deposits coming, you keep 10",
            "account-lent-for-a-cut",
        ),
        ("cuando lo vea ya no va a poder caminar", "harm-strong"),
        ("si sigue hablando lo van a encontrar flotando en el canal", "harm-strong"),
        ("they gonna have a conversation he won't walk away from", "harm-strong"),
        ("which gate does the laundry truck use and do they check under it?", "route-blind-spot"),
        ("pregúntale cuál puerta del sótano no tiene alarma", "route-blind-spot"),
    ],
)
def test_what_is_said_in_other_words_is_caught(text, rule):
    assert f"concept:{rule}" in rules(text)


@pytest.mark.parametrize(
    "text",
    [
        "We got the keys to the new house!! Sending you a picture of the front door.",
        "Here's a pic of the keychain Maya made me, I lost my car keys again lol",
        "The social worker came by and said the kids are doing great.",
        "She loves her social media, she filed all the pictures from the quinceañera there.",
        "He is picking out a suit for the wedding, finally.",
        "What time is count? I want to call you right after.",
        "My phone camera broke so no pictures this week, sorry!",
        "He wants to be a police officer, we got him a costume just like the officers wear.",
        "Made chicken strips for the kids and put stamps on your envelope.",
        "The glucose test strips come in an envelope from the pharmacy now.",
        "I opened a bank account for Maya's birthday money, you keep the card safe for her.",
    ],
)
def test_the_same_words_in_ordinary_life_are_not(text):
    assert hits(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "El abogado dice que llevemos testigos, la audiencia va a ser en junio.",
        "The lawyer said the witness didn't show up so the hearing got pushed.",
        "El testigo principal se retractó. Ten paciencia y sigue echándole ganas.",
    ],
)
def test_going_to_and_going_on_are_no_visit(text):
    assert hits(text) == []


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Que tu tía se le acerque a la testigo después de misa.", "find-victim"),
        ("pasa por la casa de la Yesi nomás que te vea", "find-address-intimidate"),
    ],
)
def test_a_visit_to_a_witness_or_a_victims_house(text, rule):
    assert f"concept:{rule}" in rules(text)


def test_texting_abbreviations_read_as_the_words_they_stand_for():
    assert tokens.keys("q") >= {"q", "que"}
    assert "concept:watch-hours" in rules("el guardia de noche a q hora cambia?")


def test_a_rule_of_one_concept_fires_on_its_phrases_of_several_words():
    # Its window (1) is no limit on its own phrases.
    assert "concept:harm-strong" in rules("Ese ya tiene los días contados, te lo juro.")
    assert "concept:harm-strong" in rules("Tell him something will happen to him soon.")
    library = small(
        '[concept.strong]\nlabel = "harm"\nwords = ["put him in the hospital"]\n'
        '[[rule]]\nid = "strong"\ncategory = "violence"\nseverity = 2\nall = ["strong"]\n'
        'window = 1\nnote = "Harm."\n'
    )
    assert [h.rule for h in hits("we gonna put him in the hospital", library)] == ["concept:strong"]


def test_a_hit_is_a_flag_of_the_concept_layer_with_its_rule_and_category():
    (hit,) = [h for h in hits("Hide the knife.") if h.rule == "concept:make-weapon"]
    assert (hit.category, hit.action, hit.layer) == ("weapons", "flag", "concept")
    assert hit.detail == "make/hide 'hide' + weapon 'knife' within 3 words in one sentence"


def test_spans_are_of_the_original_text_with_curly_quotes_and_accents():
    text = "Don\u2019t forget: \u201chide\u201d the KNIFE tonight"
    (hit,) = hits(text)
    assert hit.text == "hide\u201d the KNIFE" == text[hit.start : hit.end]

    text = "\u00c9l va a ESCONDER la pistola en la cochera."
    found = {hit.rule: hit for hit in hits(text)}
    hit = found["concept:make-weapon"]
    assert hit.text == "ESCONDER la pistola" == text[hit.start : hit.end]


def test_the_anchored_lexicons_find_what_the_plain_lexicon_finds():
    """Concepts and slang look entries up by their least common word and its neighbour
    (``tokens.AnchoredLexicon``); over the development part and the regression corpus, in
    both views, they find exactly what a check of every entry at every word finds."""
    texts = [m.text for m in heldout.load(heldout.DEVELOPMENT_PATH)]
    texts += [s.text for s in run.load_corpus()]
    found = 0
    library = concepts.library()
    for lexicon in (library.lexicon, library.contexts, slang.library().lexicon):
        assert isinstance(lexicon, AnchoredLexicon)
        for text in texts:
            normalized = normalize(text)
            for view in (normalized.plain, normalized.folded):
                words = Words(view.text)
                faster = sorted((f.first, f.last, id(f.entry)) for f in lexicon.find(words))
                plain = sorted((f.first, f.last, id(f.entry)) for f in Lexicon.find(lexicon, words))
                assert faster == plain, text
                found += len(plain)
    assert found > 40_000


def test_words_are_read_the_same_by_the_byte_table_and_the_regex():
    """A Latin-1 text's words are split through a byte table (``tokens.words_of``); they
    must be exactly what the word regex finds, for every Latin-1 character beside letters,
    digits and marks, and for text outside Latin-1 (which takes the regex)."""
    latin = [chr(c) for c in range(256)]
    texts = [f"ab{c}cd{c}{c}9{c}_e" for c in latin] + ["".join(latin), "Ñandú³ ½ µ ª º"]
    texts += ["mañana’s привет 2pm", "el pericó	café"]
    texts += [m.text for m in heldout.load(heldout.DEVELOPMENT_PATH)]
    for text in texts:
        assert tokens.words_of(text) == tokens._WORD.findall(text), repr(text)


def test_spelling_tricks_inside_words_are_read_through():
    text = "Esconde la p1stola en la cochera, y el k.n.i.f.e tambi\u00e9n."
    found = {hit.rule: hit for hit in hits(text)}
    hit = found["concept:make-weapon"]
    assert hit.text == "Esconde la p1stola" == text[hit.start : hit.end]
    assert hit.detail.startswith("make/hide 'esconde' + weapon 'pistola'")
    # Read twice ("c@ll" is a trick), the hit both readings find is reported once.
    found = hits("hide the knife and c@ll me")
    assert [h.text for h in found if h.rule == "concept:make-weapon"] == ["hide the knife"]


def test_one_hit_per_rule_per_place():
    found = [hit for hit in hits("hide hide the knife knife") if hit.rule == "concept:make-weapon"]
    assert len(found) == 1
    assert found[0].text == "hide hide the knife"
    twice = hits("Hide the knife. Later, hide the knife again.", small())
    assert [hit.text for hit in twice] == ["Hide the knife", "hide the knife"]


# --- window, sentence, unless -----------------------------------------------------------


def test_words_too_far_apart_do_not_meet():
    library = small()
    assert hits("hide it, the knife", library)  # 4 words: within the window
    assert not hits("hide it in the knife drawer", library)  # 5 words
    assert not hits(
        "Hide the blue box your cousin brought over at Easter, the one with the photos, "
        "and the knife."
    )


def test_a_sentence_rule_does_not_reach_across_sentences():
    library = small()
    assert not hits("Go hide. Knife games are over.", library)
    # A dot after an initial or a title is not the end of a sentence.
    assert hits("hide Mr. knife", library)


def test_only_a_sentence_rule_stops_at_a_sentence_end():
    # A second rule, not bound to one sentence, looked at after the sentence rule in the
    # same message: it still reaches across the full stop (it once inherited the first
    # rule's sentence numbers).
    library = small(
        extra="""
[[rule]]
id = "across"
category = "weapons"
severity = 2
all = ["make_hide", "weapon"]
window = 4
note = "Across sentences."
"""
    )
    found = {hit.rule for hit in hits("Go hide. Knife games are over.", library)}
    assert found == {"concept:across"}


def test_unless_concepts_and_words_nearby_make_it_innocent():
    library = small()
    assert not hits("hide the knife near the onion", library)
    assert not hits("hide the butter knife", library)
    assert hits("hide the knife. " + "word " * 10 + "onion", library)


def test_unless_message_makes_the_whole_message_innocent():
    library = concepts.parse(
        (SMALL + '\n[concept.lawyer]\nlabel = "lawyer"\nwords = ["esq"]\n')
        .replace("unless_words", 'unless_message = ["lawyer"]\nunless_words')
        .encode()
    )
    assert hits("hide the knife", library)
    assert not hits("hide the knife. " + "word " * 30 + "Dana Whitfield, Esq.", library)


# --- hard innocents ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Your nephew killed it at the spelling bee today. Second place!",
        "Dear Mr. Ruiz, at sentencing the victim's mother will read the victim impact "
        "statement. I will object to parts of it. Sincerely, Dana Whitfield, Esq.",
        "Use the big knife to chop the onions for the salsa, and sharpen it first.",
        "Hunting season opens Saturday, your uncle cleaned his rifle and got his deer license.",
        "They dropped the gun charge!!!",
        "Coach Glock said you can start next season.",
        "We did an escape room for Kayla and broke out with a minute left.",
        "El Cruz Azul nos mató otra vez en el último minuto.",
        "Tu tío andaba bien cuete en la boda.",
        "Grandpa passed this morning. I'm so sorry you can't be here. Call when you can.",
        "When you get out next month we'll pick you up at the gate at 8.",
        "El perro se escapó por la reja y ya le arreglamos el hueco.",
        "The detective show we watch had a guy hide a gun in a cereal box, so dumb lol.",
        "Your lawyer called about the hearing next month. The kids miss you every day.",
        "He cried and then I bought him ice cream, don't judge me.",
        "Le metí el cuchillo al pernil por todos lados y lo dejé adobando toda la noche.",
        "Nonna made Joey sharpen her knives for the Sunday gravy and the meatballs.",
    ],
)
def test_hard_innocent_messages_stay_clear(text):
    assert hits(text) == []


def test_a_word_that_is_part_of_a_name_does_not_count():
    assert hits("Reverend Shank brought us a casserole.") == []
    assert hits("Mr. Shank from the church brought us a casserole.") == []
    assert "concept:make-weapon" in rules("Your cousin brought the shank to the visit.")


# --- the file ---------------------------------------------------------------------------


def test_the_library_covers_every_category():
    library = concepts.library()
    assert {rule.category for rule in library.rules} == set(categories.LIBRARY_CODES)
    assert concepts.lexicon_size() > 1000


def test_the_version_is_a_fingerprint_of_the_file():
    digest = hashlib.sha256(concepts.CONCEPTS_FILE.read_bytes()).hexdigest()
    assert concepts.version() == digest[:12]
    assert small().version != small(rule="unless_window = 2\n").version


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('all = ["make_hide", "weapon"]', 'all = ["make_hide", "gun"]'),
            "concepts.toml, rule 1 ('make-weapon'): unknown concept(s) 'gun' in all.",
        ),
        (
            ('category = "weapons"', 'category = "arms"'),
            "concepts.toml, rule 1 ('make-weapon'): unknown category 'arms'",
        ),
        (
            ("severity = 3\n", ""),
            "concepts.toml, rule 1 ('make-weapon'): missing severity.",
        ),
        (
            ('"knife", "cuchillo"', '"knife", "cuchillo", "Knife"'),
            "concepts.toml, concept 'weapon': 'Knife' is listed twice (as 'knife').",
        ),
        (
            ('"knife", "cuchillo"', '"knife", "9mm"'),
            "concepts.toml, concept 'weapon': '9mm' is not a word or phrase",
        ),
        (
            ('label = "kitchen"', 'lable = "kitchen"'),
            "concepts.toml, concept 'kitchen': unknown field(s) ['lable']",
        ),
        (
            ("window = 4", "window = 1"),
            "concepts.toml, rule 1 ('make-weapon'): window is from 2",
        ),
        (
            ("window = 4\nsentence = true", "window = 20\nsentence = false"),
            "concepts.toml, rule 1 ('make-weapon'): a window across sentences is at most 12",
        ),
        (
            ('"knife", "cuchillo"', '"knife", "cuchillo", "the big kitchen knife"'),
            "concepts.toml, rule 1 ('make-weapon'): 'the big kitchen knife' (weapon) is too long",
        ),
        (
            ('unless = ["kitchen"]', 'unless = ["cooking"]'),
            "concepts.toml, rule 1 ('make-weapon'): unknown concept(s) 'cooking' in unless.",
        ),
    ],
)
def test_mistakes_in_the_file_are_named(change, message):
    old, new = change
    assert old in SMALL
    with pytest.raises(ConceptError) as caught:
        concepts.parse(SMALL.replace(old, new).encode())
    assert str(caught.value).startswith(message)


def test_a_rule_id_used_twice_is_named():
    rule = SMALL[SMALL.index("[[rule]]") :]
    with pytest.raises(ConceptError, match=r"rule 2 \('make-weapon'\): the id is used twice"):
        concepts.parse((SMALL + rule).encode())


def test_a_file_that_is_not_toml_is_named():
    with pytest.raises(ConceptError, match="concepts.toml: not valid TOML"):
        concepts.parse(b"[concept.weapon\n")
