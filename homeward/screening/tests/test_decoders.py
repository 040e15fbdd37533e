"""The decoders layer: hidden messages made readable, with the span they came from."""

from __future__ import annotations

import random
import re

import pytest
import simplemma
from hypothesis import example, given, settings
from hypothesis import strategies as st

from homeward.screening.engine import compile_ruleset
from homeward.screening.layers import decoders, tokens
from homeward.screening.layers.decoders import NAMES, Decoded, decode, known
from homeward.screening.layers.tokens import begins_a_word, key
from homeward.screening.library.loader import load_library
from homeward.screening.normalize import all_latin1, normalize


def decoded(text: str) -> list[tuple[str, str, str]]:
    """(decoder, original text it came from, decoded text) for each proposal."""
    return [(d.name, text[d.start : d.end], d.text) for d in decode(normalize(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Tell him: rfpncr gbavtug bire gur srapr. Love you",
            ("rot13", "rfpncr gbavtug bire gur srapr", "escape tonight over the fence"),
        ),
        (
            "Tell Uncle: LW JRHV IULGDB. EULQJ WKH PRQHB. (same key as Christmas)",
            ("caesar-3", "LW JRHV IULGDB. EULQJ WKH PRQHB", "it goes friday bring the money"),
        ),
        (
            "Amor, la contraseña nueva es NBSUFT OPDIF. Díselo al Jefe.",
            ("caesar-1", "NBSUFT OPDIF", "martes noche"),
        ),
        (
            "Primo, la clave del abuelo: WLNRMTL GVNKIZML. Que esté listo.",
            ("atbash", "WLNRMTL GVNKIZML", "domingo temprano"),
        ),
    ],
)
def test_shifted_alphabets(text: str, expected: tuple[str, str, str]) -> None:
    assert decoded(text) == [expected]


def test_reversed_text_in_english_and_spanish() -> None:
    assert decoded("Reverse it like we practiced: thgin yadirf, ecnef htron, tuo gniog.") == [
        (
            "reversed",
            "thgin yadirf, ecnef htron, tuo gniog",
            "going out north fence friday night",
        )
    ]
    text = "Dile al Flaco que la canción va al revés: 'aíd le odot arepse ,ídep euq ol ógell ay'."
    assert decoded(text) == [
        (
            "reversed",
            "aíd le odot arepse ,ídep euq ol ógell ay",
            "ya lego lo que pedi espera todo el dia",
        )
    ]


def test_a_word_that_matters_written_backwards_in_a_plain_sentence() -> None:
    assert decoded("the enohp is in the elbib cover. Give it to Tito") == [
        ("reversed-words", "the enohp is in the elbib cover", "the phone is in the bible cover")
    ]
    text = "el ralulec está en la anicoc, detrás de las ollas grandes. Ya sabes"
    assert decoded(text) == [
        (
            "reversed-words",
            "el ralulec está en la anicoc, detrás de las ollas grandes",
            "el celular esta en la cocina detras de las olas grandes",
        )
    ]
    # A word that is a word both ways is read as written ("reed", "deer"; "live", "evil").
    assert decoded("we cut reed by the lake and saw a deer, live bait was cheap") == []


def test_acrostic_of_lines() -> None:
    poem = (
        "Every morning I pray for you\n"
        "Sunshine comes through the window\n"
        "Clouds roll away by noon\n"
        "All of us miss you so\n"
        "Pray with me tonight\n"
        "Evenings are the longest"
    )
    [(name, source, text)] = decoded(poem)
    assert (name, text) == ("acrostic-lines", "escape")
    assert source.startswith("Every") and source.endswith("the longest")


@pytest.mark.parametrize(
    "text",
    [
        "Read it slow, ok?",
        "read this one the way we talked about",
        "Daddy, read the first letter of each line",
        "READ THIS LETTER CAREFULLY, top to bottom",
        "Léelo despacio, mijo",
        "No te olvides de leerlo con cuidado, de arriba a abajo",
        "léelo como te enseñé, de arriba pa abajo",
        "Fíjate en la primera letra de cada renglón",
        "Take the 1st letter of every line",
        "Lee la carta línea por línea",
        "Léanlo entre líneas",
        "Read this one the old way, like we practiced",
        "P.S. read it like the notes we passed in 8th grade",
        "PD: léela como las notitas de la escuela",
        "she said read the first letters down",
    ],
)
def test_a_message_that_says_to_read_it_down(text: str) -> None:
    normalized = normalize(text)
    assert decoders.told_to_read_down(normalized.plain.text)
    assert "told" in decoders._gate().candidates(normalized.folded)  # the gate lets it by


# Words and pieces a message that says to read it down is made of, and some that only look
# like them ("bread", "already", "plea"), joined at random.
_READ_DOWN_PIECES = (
    "read|Read|READ|it|this|this one|them|my letter|slow|slowly|carefully|close|down|top to"
    "|bottom|from the top|line by line|the way|like|we|I|talked|said|practiced|the old way"
    "|before|last|in|between the lines|first|1st|letter|letters|word|of each|every|line"
    "|sentence|lee|léelo|LÉELA|leerlo|léanlo|lea|despacio|despacito|con calma|con cuidado"
    "|de arriba|a|pa|hacia|abajo|renglón|renglon|por|línea|linea|como|te|enseñé|dije"
    "|quedamos|entre líneas|las|la|primera|primeras|letra|letras|de cada|oración|antes"
    "|siempre|cuando|el|mijo|ok|,|.|!|\n|3|bread|already|plea|leer"
)
READ_DOWN_PIECES = st.sampled_from(_READ_DOWN_PIECES.split("|"))


@settings(max_examples=400, deadline=None)
@given(st.lists(READ_DOWN_PIECES, min_size=1, max_size=14).map(" ".join))
def test_the_gate_lets_by_every_message_that_says_to_read_it_down(text: str) -> None:
    normalized = normalize(text)
    if decoders.told_to_read_down(normalized.plain.text):
        assert "told" in decoders._gate().candidates(normalized.folded)


@pytest.mark.parametrize(
    "text",
    [
        "We cleaned the whole house top to bottom for Easter",
        "Limpiamos la casa de arriba a abajo",
        "I read your letter twice and cried",
        "Tu hijo ya lee bien, la maestra está contenta",
        "She already said the bread was ready",
        "I read it like 5 times, it made me cry",
    ],
)
def test_a_message_that_does_not_say_to_read_it_down(text: str) -> None:
    assert not decoders.told_to_read_down(normalize(text).plain.text)


# Its lines begin H, MOVE IT NOW, R: words of two and three letters, which ordinary lines
# spell by chance, too little to read an acrostic in any letter, enough in one that says to
# read it down.
MOVE_IT_NOW = (
    "Hey you, hope this finds you well\n"
    "My shift at the diner got longer\n"
    "Our dog had puppies, four of them\n"
    "Vicky started kindergarten\n"
    "Every night we pray for you\n"
    "It rained all week\n"
    "Tia Lupe says hello\n"
    "Nana's hip is better\n"
    "Only a few months now\n"
    "We love you\n"
)


def test_a_letter_that_says_to_read_it_down_is_read_on_less_evidence() -> None:
    told = MOVE_IT_NOW + "Read it slow, like we said."
    [(name, source, text)] = decoded(told)
    assert (name, text) == ("acrostic-lines", "move it now")
    assert source.startswith("My shift") and source.endswith("We love you")
    assert decoded(MOVE_IT_NOW + "Ravioli for dinner tonight.") == []


def test_acrostic_of_capitalised_words() -> None:
    text = (
        "First letter of each answer: Garage, Umbrella, Nickel, Ice, Nose, Shoe, Hammer, "
        "Eagle, Drum. You'll get it."
    )
    assert (
        "acrostic-words",
        "Garage, Umbrella, Nickel, Ice, Nose, Shoe, Hammer, Eagle, Drum",
        "gun in shed",
    ) in decoded(text)
    text = "Primo, cuenta las mayúsculas: Te Un Niño El Lunes. Ya sabes dónde."
    assert ("acrostic-words", "Te Un Niño El Lunes", "tunel") in decoded(text)


def test_letter_numbers() -> None:
    assert decoded("Hint: 5, 19, 3, 1, 16, 5 from the alphabet.") == [
        ("letter-numbers", "5, 19, 3, 1, 16, 5", "escape")
    ]
    assert decoded("For Lil J: 20-15-14-9-7-8-20 / 2-1-3-11 / 4-15-15-18. Same as school.") == [
        ("letter-numbers", "20-15-14-9-7-8-20 / 2-1-3-11 / 4-15-15-18", "tonight back door")
    ]
    assert decoded("La tía dice: 13-15-20-1 5-14 12-1 3-1-10-1. La A es uno.") == [
        ("letter-numbers", "13-15-20-1 5-14 12-1 3-1-10-1", "mota en la caja")
    ]


def test_spelled_digits() -> None:
    text = "call my cousin at five five five, two one two, three four five six ok"
    assert decoded(text) == [
        ("spelled-digits", "five five five, two one two, three four five six", "5552123456")
    ]
    text = "el número es cinco cinco cinco dos uno 4 siete, llámale"
    assert decoded(text) == [("spelled-digits", "cinco cinco cinco dos uno 4 siete", "5552147")]


def test_words_split_apart() -> None:
    [(name, _source, text)] = decoded("the esc\nape is set for the weekend")
    assert name == "split-words" and "escape" in text.split()
    [(name, source, text)] = decoded("got the sh ank under the mattress")
    assert (name, text) == ("split-words", "got the shank under the mattress")
    assert source == "got the sh ank under the mattress"


def test_morse_code() -> None:
    text = "daddy learned Morse code in here too, read this: --. ..- -. / .. -. / -.-. .- .-.  ok"
    assert decoded(text) == [("morse", "--. ..- -. / .. -. / -.-. .- .-.", "gun in car")]
    # letters with no slash between words are split into words
    [(name, _source, said)] = decoded("for you: .. .-.. --- ...- . -.-- --- ..- !!")
    assert name == "morse" and said.endswith("love you")
    # dots and dashes that are no Morse letter, or no words: nothing
    assert decoded("wait... - ... ok fine -- see you") == []
    assert decoded("the code: ...... ------ .-.-.- done") == []


@pytest.mark.parametrize(
    ("text", "source", "said"),
    [
        (
            'Dile al primo en el idioma de la p: "mapatapa apal sapapopo". Él entiende.',
            "mapatapa apal sapapopo",
            "mata al sapo",
        ),
        (
            "en la jerigonza: trapaepe lapa mopotapa epen lopos capalzoponepes jajaja",
            "trapaepe lapa mopotapa epen lopos capalzoponepes",
            "trae la mota en los calzones",
        ),
        (
            "Tell T: e-thay itch-snay in ee-thray ee-bay oes-gay onight-tay. He know",
            "e-thay itch-snay in ee-thray ee-bay oes-gay onight-tay",
            "the snitch in three bee goes tonight",
        ),
        ("ill-kay im-hay onight-tay", "ill-kay im-hay onight-tay", "kill him tonight"),
        (
            "et-gay in-way e-thay ar-cay ow-nay",
            "et-gay in-way e-thay ar-cay ow-nay",
            "get in the car now",
        ),
        (
            "ethay itchsnay is atway ethay ackbay oorday",
            "ethay itchsnay is atway ethay ackbay oorday",
            "the snitch is at the back door",
        ),
    ],
)
def test_play_languages(text: str, source: str, said: str) -> None:
    assert decoded(text) == [("play-language", source, said)]


@pytest.mark.parametrize(
    "text",
    [
        "mi papa y mi mama compraron una tapa y la sopa en la copa del mundo",
        "Papá, la etapa de la escuela de Pepe ya pasó, y la capa roja es de Lupita.",
        "I had a great day today, sunday we go to church and okay we pray away the pain",
        "Happy birthday, hope your Friday and Saturday are okay, stay strong, we pray.",
    ],
)
def test_words_that_look_like_a_play_language_are_left_alone(text: str) -> None:
    assert decoded(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Preheat the oven to 350. Mix 2 cups flour, 1 egg and 3-4 tbsp butter, bake 20-25 min.",
        "Lakers won 112-108 last night, Dodgers lost 3-1, Knicks 21 points in the 4th.",
        "Court is on 12-05-2026 at 9:30, then the hearing on 1/14. Bring $40.50 for fees.",
        "Tienes que ver el partido, ganamos 2-0 y el domingo jugamos a las 5.",
        "I'll be at the facility Thursday at 10 and we can talk about the case.",
        "Love you baby, one or two more weeks and then we see each other, two or three days",
        "Roses are red\nViolets are blue\nSugar is sweet\nAnd so are you",
        "Mamá te manda saludos. La abuela está mejor. Todos rezamos por ti. Escríbenos pronto.",
        "Uno, dos, tres, cuatro, cinco: así cuenta tu hija ahora, ya sabe contar.",
        "LOL that is SO FUNNY, I CANNOT believe it. OK see you Sunday.",
    ],
)
def test_ordinary_messages_propose_nothing(text: str) -> None:
    assert decode(normalize(text)) == []


def test_decoded_text_is_screened_by_the_rules() -> None:
    [found] = decode(normalize("Tell him: rfpncr gbavtug bire gur srapr. Love you"))
    assert found == Decoded("rot13", 10, 39, "escape tonight over the fence")
    verdict = compile_ruleset(load_library()).screen(found.text)
    assert verdict.verdict != "clear"
    assert "escape" in verdict.categories


def test_names_cover_every_decoder() -> None:
    texts = [
        "rfpncr gbavtug bire gur srapr",
        "thgin yadirf, ecnef htron, tuo gniog",
        "Hint: 5, 19, 3, 1, 16, 5",
        "at five five five, two one two, three four",
        "got the sh ank under the mattress",
        "--. ..- -. / .. -. / -.-. .- .-.",
        "mapatapa apal sapapopo",
        "Answers: Garage, Umbrella, Nickel, Ice, Nose, Shoe, Hammer, Eagle, Drum.",
    ]
    for text in texts:
        for found in decode(normalize(text)):
            assert found.name.split("-")[0] in {n.split("-")[0] for n in NAMES}


def test_the_gate_hides_nothing() -> None:
    texts = [
        "Tell him: rfpncr gbavtug bire gur srapr. Love you",
        "Reverse it like we practiced: thgin yadirf, ecnef htron, tuo gniog.",
        "For Lil J: 20-15-14-9-7-8-20 / 2-1-3-11 / 4-15-15-18. Same as school.",
        "el número es cinco cinco cinco dos uno 4 siete, llámale",
        "got the sh ank under the mattress",
        "the enohp is in the elbib cover, give it to Tito",
        "read this: --. ..- -. / .. -. / -.-. .- .-.  ok",
        "for you: .. .-.. --- ...- . -.-- --- ..- !!",
        'en la p: "mapatapa apal sapapopo". Él entiende.',
        "Tell T: e-thay itch-snay in ee-thray ee-bay oes-gay onight-tay.",
        "ethay itchsnay is atway ethay ackbay oorday",
        # play languages with a word between, or other separators
        "ill-kay the uard-gay at ight-nay",
        "mapatapa al sapapopo el gapatopo",
        "ethay, itchsnay, isway, atway, ethay, ackbay, oorday",
        "ethay/itchsnay/isway",
        "ethay|itchsnay|isway",
        "mapatapa1apal1sapapopo",
        "Lakers won 112-108 last night, Dodgers lost 3-1, Knicks 21 points in the 4th.",
        "I'll be at the facility Thursday at 10 and we can talk about the case.",
        # acrostics read because the message says to read it down
        MOVE_IT_NOW + "Read it slow, like we said.",
        MOVE_IT_NOW + "Daddy, read the 1st letter of each line!",
        MOVE_IT_NOW + "Léelo como te enseñé, de arriba pa abajo.",
        MOVE_IT_NOW + "LEELO DESPACITO",
        MOVE_IT_NOW + "PD: léela como las notitas de la escuela",
        # numbers apart by spaces, read only because the key is given
        "Maya says A=1 B=2, figure it out: 9 12 15 22 5 25 15 21 4 1 4 4 25",
        "la A es 1: 20 5 / 17 21 9 5 18 15 / 16 1 16 1",
    ]
    for text in texts:
        normalized = normalize(text)
        assert decode(normalized) == decode(normalized, use_gate=False)


def test_a_word_that_lost_its_accent_opens_no_decoder() -> None:
    # Folded, "tía" reads "tia", which is "las" shifted by 8: an aunt in a letter must not
    # send it to the shift decoder, and a message shifted by 8 is still read.
    letter = "Tu tía Rosa te manda saludos y dice que la tía Carmen ya salió del hospital."
    assert decoders._gate().candidates(normalize(letter).folded) == set()
    assert decode(normalize(letter)) == []
    shifted = "Mi amor: jzqvo bpm uwvmg bw bpm nmvkm nzqlig vqopb. Te quiero"
    assert [(d.name, d.text) for d in decode(normalize(shifted))] == [
        ("caesar-8", "bring the money to the fence friday night")
    ]


def test_a_long_letters_capitals_are_read_only_for_their_runs() -> None:
    """The initials of a letter's capitalised words are read as one acrostic only where
    there are at most ``MANY_CAPITALISED`` of them: a longer letter's sentences, names and
    "I"s spell words by chance. Its runs (a list of names) are still read."""
    spread = (
        "Good day, Uncle came by, Nobody else did, I slept, Nothing new, Sunday soon, "
        "Heather says hi, Everyone is well, Dad too."
    )
    assert [(d.name, d.text) for d in decode(normalize(spread))] == [
        ("acrostic-words", "gun in shed")
    ]
    longer = f"{spread} {' '.join(['I miss you.'] * 16)}"  # 25 capitalised words
    assert decoders.MANY_CAPITALISED == 24
    assert decode(normalize(longer)) == []
    named = f"{longer} Say hi to Kelly, Ian, Leon and Lorenzo."
    assert [(d.name, d.text) for d in decode(normalize(named))] == [("acrostic-words", "kill")]


@pytest.mark.parametrize(
    "text, spelled",
    [
        ("Say hi to Kelly, Ian, Leon and Lorenzo for me, tell them I miss them.", "kill"),
        ("Saludos a Mari, Ana, Toño, Ana, Lucho y Omar, en ese orden se los dices.", "matalo"),
    ],
)
def test_names_listed_with_an_and_still_spell_their_initials(text: str, spelled: str) -> None:
    assert [(d.name, d.text) for d in decode(normalize(text))] == [("acrostic-words", spelled)]
    assert decode(normalize(text.replace(" and ", ". And ").replace(" y ", ". Y "))) == []


def test_acrostics_and_play_languages_are_read_from_a_messages_first_6000_characters() -> None:
    """Every line, sentence, capitalised word or word read costs look-ups in the
    dictionaries: a message is read for them where they begin in its first 6,000
    characters (a facility's default limit), so that one of 100,000 costs no more; a
    message within the limit is read whole, however short its words or lines."""
    answers = "Garage, Umbrella, Nickel, Ice, Nose, Shoe, Hammer, Eagle, Drum."
    pig = "ethay itchsnay is atway ethay ackbay oorday"
    lines = "Get\nUp\nNow\nIt's\nNear\nSunday\nHe\nEats\nDinner"
    short = "I " * 2_600  # 2,600 capitalised words of one letter
    near = decoded(f"{short}Answers: {answers} {pig}")
    assert ("acrostic-words", answers[:-1], "gun in shed") in near
    assert ("play-language", pig, "the snitch is at the back door") in near
    read = decoded("x\n" * 2_500 + lines)  # 2,500 lines before
    assert any(n == "acrostic-lines" and t.endswith("gun in shed") for n, _, t in read)
    far = decoded(f"{'Ok. ' * 1_600}Answers: {answers} {'and ' * 2_000}{pig}")
    assert far == []  # begun past the first 6,000 characters


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=255), max_size=40))
@example("Ana, ÉL y ßarbara: 3Abc _Xy ªb ²c McDonald aBc")
@example("Él")
@example("él ésta Ñandú")
def test_capitalised_words_of_latin1_text_are_found_alike_by_both_patterns(text: str) -> None:
    """The table of Latin-1 letters finds the capitalised words the Unicode classes find
    (a word that begins with a small letter with an accent is not one)."""
    assert all_latin1(text)
    fast = [m.span() for m in decoders._CAPITALISED_LATIN1.finditer(text)]
    assert fast == [m.span() for m in decoders._CAPITALISED.finditer(text)]


def test_a_word_begun_by_a_small_accented_letter_is_not_capitalised() -> None:
    said = "Él dijo que él vendrá a Ñuñoa, ésta es la última vez"
    found = [m.group() for m in decoders._CAPITALISED.finditer(said)]
    assert found == [m.group() for m in decoders._CAPITALISED_LATIN1.finditer(said)]
    assert found == ["Él", "Ñuñoa"]


def _initials_of(text: str) -> list[str]:
    """What the acrostics split into words: a text's sentence initials and its capitals."""
    capitals = "".join(c for c in text if c.isupper())
    return [decoders._initials(decoders.sentence_initials(text)), decoders._initials(capitals)]


def test_initials_are_split_into_the_same_words_without_asking_the_dictionaries_in_vain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A piece of initials that begins no word (its first four and five letters) is not
    looked up in the dictionaries, and the pieces tried from a letter stop where no word
    begins so; the splits are the same as when every piece is (every message of the
    development parts and the regression corpus, and random letters)."""
    from homeward.screening.evaluation import heldout, run

    assert decoders._word_starts() is not None  # the installed simplemma lays them open
    texts = [s.text for s in run.load_corpus()]
    for path in heldout.DEVELOPMENT_PATHS.values():
        texts += [m.text for m in heldout.load(path)]
    rng = random.Random(5)
    letters = [x for text in texts for x in _initials_of(text) if len(x) >= 4]
    letters += ["".join(rng.choices("etaoinshrdlucmwfgypbvkjxqz", k=30)) for _ in range(300)]
    segment = decoders._segment.__wrapped__
    quick = [segment(x) for x in letters]
    monkeypatch.setattr(decoders, "_word_starts", lambda: None)
    assert [segment(x) for x in letters] == quick
    assert sum(covered for _, covered in quick) > 0


def test_initials_holding_no_word_are_refused_without_being_split_and_nothing_else_is() -> None:
    """``spells`` refuses initials holding no word it could need (``_holds_a_word``) before
    splitting them; what it says is what the split says, for the initials of every message
    of the development parts and the regression corpus, and random letters (words planted
    in some of them)."""
    from homeward.screening.evaluation import heldout, run

    texts = [s.text for s in run.load_corpus()]
    for path in heldout.DEVELOPMENT_PATHS.values():
        texts += [m.text for m in heldout.load(path)]
    rng = random.Random(9)
    letters = [x for text in texts for x in _initials_of(text) if len(x) >= 4]
    for n in range(600):
        noise = "".join(rng.choices("etaoinshrdlucmwfgypbvkjxqz", k=rng.randint(4, 40)))
        planted = rng.choice(["knife", "gun", "kill", "cash", "tunel", "meet", "fence"])
        at = rng.randint(0, len(noise))
        letters.append(noise if n % 2 else noise[:at] + planted + noise[at:])
    refused = [x for x in letters if not decoders._holds_a_word(x)]
    assert 0 < len(refused) < len(letters)
    for x in letters:
        assert decoders.spells(x) == decoders._spelled(x)
        assert decoders.spells(x, told=True) == decoders._spelled(x, told=True)
    assert decoders.spells("xxknifexx") is not None  # a word that matters, in a row


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=4, max_size=12))
@example("kill")
@example("mata")
@example("nieve")
def test_a_word_the_dictionaries_know_begins_with_one_of_the_starts(word: str) -> None:
    starts = decoders._word_starts()
    assert starts is not None
    assert not known(word) or begins_a_word(word, starts)
    asked = any(simplemma.is_known(word, lang=lang) for lang in tokens.LANGUAGES)
    assert tokens.in_dictionary(word) == asked  # the dictionaries asked only where it may be


def test_the_dictionaries_answer_alike_for_every_word_of_the_messages() -> None:
    """``in_dictionary`` asks simplemma only about a word that begins as one of its words
    does; for every word of the development parts and the regression corpus, as written
    and folded, it answers as simplemma does."""
    from homeward.screening.evaluation import heldout, run

    texts = [s.text for s in run.load_corpus()]
    for path in heldout.DEVELOPMENT_PATHS.values():
        texts += [m.text for m in heldout.load(path)]
    words = {w for text in texts for w in re.findall(r"[^\W\d_]+", text.casefold())}
    words |= {key(w) for w in words}
    ask = tokens.in_dictionary.__wrapped__
    for word in words:
        asked = any(simplemma.is_known(word, lang=lang) for lang in tokens.LANGUAGES)
        assert ask(word) == asked, word
    assert sum(map(ask, words)) > 1_000
