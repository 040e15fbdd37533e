"""Context exceptions: a trigger word inside a person's name or a title is not the thing it
names, and court talk about a charge is not a plan; the same words outside those contexts
still hit."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from homeward.screening import engine
from homeward.screening.layers.contexts import in_a_name, name_spans
from homeward.screening.layers.stack import Layers
from homeward.screening.library import load_library

RULES_AND_CONTEXTS = Layers(words=False, decoders=False, language=False, classifier=False)


@pytest.fixture(scope="module")
def library() -> engine.CompiledRuleSet:
    return engine.compile_ruleset(load_library())


def names(text: str) -> list[str]:
    return [text[s:e] for s, e in name_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Coach Glock said practice is at 5.", ["Glock"]),
        ("Reverend Dwayne Shank prayed for you.", ["Dwayne Shank"]),
        ("We saw Dwayne Shank at church.", ["Dwayne Shank"]),
        ("Tell Big Mike the Shank is ready", ["Big Mike"]),
        ("Sr. Navaja me saludó en la tienda.", ["Navaja"]),
        ("Our robot is named Jailbreak because it gets out of every box.", ["Jailbreak"]),
        ("We watched 'Escape from Alcatraz' last night.", ["Escape from Alcatraz"]),
        ("Coach Shank says Tyler starts. Shank told me he's proud.", ["Shank", "Shank"]),
        ("Coach Shank says hi. Bring the Shank to the yard.", ["Shank"]),
        ("We watched 'Escape from Alcatraz'. Escape is Friday.", ["Escape from Alcatraz"]),
        ("Tu primo el Perico ya se casó con la muchacha de Tlaxiaco.", ["Perico"]),
        ("Tu compadre el Cuchillo ya abrió su taller.", ["Cuchillo"]),
        ("mándame el Perico en la tarjeta", []),
        ("Glock the dog update: she ate a whole stick of butter.", ["Glock"]),
        ("Bala, el perro de tu tía, ya tuvo cachorros.", ["Bala"]),
        ("Bring the Glock tonight.", []),
        ("Glock is in the car.", []),
        ("he said 'escape tonight' ok", []),
    ],
)
def test_names_and_titles_are_found_and_nothing_else(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Coach Shank says Tyler starts. Shank told me he's proud. Reverend Dwayne Shank too.",
        "We watched 'Escape from Alcatraz' with Coach Glock and Sr. Navaja, Glock the dog.",
        "Glock, the dog. " * 50,
    ],
)
def test_a_word_is_in_a_name_where_a_name_span_covers_it(text):
    spans = name_spans(text)
    for word in re.finditer(r"\w+", text):
        covered = any(s <= word.start() and word.end() <= e for s, e in spans)
        assert in_a_name(text, *word.span()) == covered, word.group()


# Pieces of text that make names, titles and the words around them: titles, naming words,
# Capitalised words (accented, with apostrophes and hyphens), words in capitals and in lower
# case, quotes, articles, a pet, and what separates words and sentences.
_PIECES = st.sampled_from(
    [
        "Coach",
        "Sr.",
        "Reverend",
        "named",
        "le dicen",
        "el",
        "the",
        "my",
        "Glock",
        "Shank",
        "Dwayne",
        "Ángel",
        "O'Brien",
        "Ann-Marie",
        "KILL",
        "glock",
        "shank",
        "escape",
        "'",
        "'Escape",
        "from",
        "Alcatraz'",
        "“La",
        "Fuga”",
        "the dog",
        ", el perro",
        "Mc",
        "Donald",
        " ",
        "  ",
        "\t",
        "\n",
        ". ",
        "! ",
        ", ",
        "5",
        "¿",
    ]
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(_PIECES, max_size=24), st.data())
@example(["we", " ", "shank", " ", "Coach", " ", "Shank"], None)
@example(["'Prison", " ", "escape'"], None)
@example(["Glock", "escape"], None)
def test_in_a_name_answers_as_every_name_of_the_text_does(pieces, data):
    """Any span, in lower case or not, empty or not: in a name exactly where one of
    ``name_spans`` covers it (a span that begins in no Capitalised word is looked for only
    among the quoted titles)."""
    text = "".join(pieces)
    if not text:
        return
    spans = name_spans(text)
    if data is None:
        wanted = [m.span() for m in re.finditer(r"\S+", text)]
    else:
        start = data.draw(st.integers(0, len(text)))
        wanted = [(start, data.draw(st.integers(start, len(text))))]
    for start, end in wanted:
        covered = any(s <= start and end <= e for s, e in spans)
        assert in_a_name(text, start, end) == covered, (text, start, end)


def test_an_empty_span_at_a_names_end_is_in_it_and_one_outside_the_text_is_not():
    text = "Coach Glock. bye"
    assert in_a_name(text, 11, 11)  # where "Glock" ends, before the full stop
    assert not in_a_name(text, 14, 14)
    assert not in_a_name(text, 30, 40)


def test_a_long_name_is_looked_through_whatever_its_length():
    text = "We saw Coach Sh" + "a" * 100 + "nk at church, and a " + "b" * 100 + "."
    inside = text.index("a" * 100) + 90
    assert in_a_name(text, inside, inside + 5)
    assert not in_a_name(text, text.index("b" * 100) + 90, text.index("b" * 100) + 95)


@pytest.mark.parametrize(
    "text",
    [
        "Coach Glock said practice is at 5.",
        "Reverend Dwayne Shank prayed for you on Sunday.",
        "Pa, we watched 'Escape from Alcatraz' with Grandpa.",
        "Mr. Ramos, the State has 30 days to decide whether to retry you on the murder charge.",
        "They dropped the gun charge!!!",
        "Sr. Ramos: el tribunal redujo su condena por el delito de posesión de arma de fuego.",
        "The victim impact statements will be read at sentencing on the 9th.",
        "we went to the gun range for his birthday and had pizza",
    ],
)
def test_names_titles_and_court_talk_stay_clear(library, text):
    verdict = library.screen(text, detector_actions={}, layers=RULES_AND_CONTEXTS)
    assert verdict.verdict == "clear", verdict.hits


@pytest.mark.parametrize(
    "text",
    [
        "Bring the Glock tonight.",
        "I will murder him when I get out.",
        "Tell the victim she better not show up to court.",
        "Consígueme una pistola para cuando salga.",
    ],
)
def test_the_same_words_outside_those_contexts_still_hit(library, text):
    verdict = library.screen(text, detector_actions={}, layers=RULES_AND_CONTEXTS)
    assert verdict.verdict != "clear"


def test_without_layers_the_engine_reports_names_as_before(library):
    """Contexts belong to the layers: a rule set screened without them is unchanged."""
    verdict = library.screen("Coach Glock said practice is at 5.", detector_actions={})
    assert [h.text for h in verdict.hits] == ["Glock"]


@pytest.fixture(scope="module")
def deployed() -> engine.CompiledRuleSet:
    """The library as a deployment screens with it (lone words need corroboration)."""
    return engine.compile_ruleset([engine.baseline(rule) for rule in load_library()])


# Names, tools, idioms and court talk, and the same words meant as they sound.
INNOCENT_IN_CONTEXT = [
    "Coach Shank says Tyler is starting QB. Shank told me to tell you he's proud.",
    "At the hearing the Board will ask about the offense and the victim. Be honest.",
    "Estimado Sr. Peña: la víctima tiene derecho a hablar en la sentencia.",
    "Found your old BB gun in the garage, your son wants to shoot cans with it.",
    "Compré una pistola de silicona para hacer las decoraciones del cumpleaños.",
    "Cuando salgas te voy a matar a besos 😘",
    "Tu mamá hizo un lechón y estaba de pinga, buenísimo quiero decir jaja.",
    "Anduve con el machete limpiando el terreno de la finca toda la semana.",
    "Mi tío lo cortó con el cuchillo y lo hicimos en el comal.",
    "Your attorney said don't discuss the case on the phone. She will visit Friday.",
]
MEANT = [
    "Coach Shank says hi. Bring the Shank to the yard tonight.",
    "Tell the victim she better not show up to court.",
    "Found the gun in the garage, hide it before they search.",
    "Consígueme una pistola para cuando salga, y escóndela bien.",
    "Cuando salga te voy a matar, ya sabes por qué.",
    "Esconde el cuchillo debajo del colchón.",
    "Tell your sister not to testify, I can't say more on the phone.",
]


@pytest.mark.parametrize(
    ("text", "clear"),
    [(text, True) for text in INNOCENT_IN_CONTEXT] + [(text, False) for text in MEANT],
)
def test_context_decides_with_every_layer(deployed, text, clear):
    verdict = deployed.screen(text, detector_actions={}, layers=Layers(classifier=False))
    assert (verdict.verdict == "clear") is clear, verdict.hits
