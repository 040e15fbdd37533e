"""Detectors: what they find, what they leave alone, where their hits point, and that the
hyperscan gate never hides a hit the exact patterns would find."""

from __future__ import annotations

import base64
import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.screening import engine
from homeward.screening.detectors import DETECTORS, detect
from homeward.screening.normalize import normalize


def hits(text: str, actions: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(detector, the original text it points at) for each hit."""
    found = detect(normalize(text), actions or {})
    for hit in found:
        assert text[hit.start : hit.end] == hit.text
        assert hit.category == DETECTORS[hit.rule.removeprefix("detector:")]
    return [(hit.rule.removeprefix("detector:"), hit.text) for hit in found]


def names(text: str) -> set[str]:
    return {name for name, _ in hits(text)}


@pytest.mark.parametrize(
    "text, number",
    [
        ("call me at (555) 013-9921 tonight", "(555) 013-9921"),
        ("his new line is 555-013-9921.", "555-013-9921"),
        ("text 555.013.9921 ok", "555.013.9921"),
        ("text 555 013 9921 ok", "555 013 9921"),
        ("ring +1 555 013 9921 now", "+1 555 013 9921"),
        ("mi primo al 555-0142 hoy", "555-0142"),
        ("call 5 5 5 - 0 1 4 2 now", "5 5 5 - 0 1 4 2"),
        ("it's five five five zero one four two ok", "five five five zero one four two"),
        ("llama al +52 55 1234 5678", "+52 55 1234 5678"),
    ],
)
def test_phone_numbers_are_relay(text, number):
    assert hits(text) == [("phone", number)]


@pytest.mark.parametrize(
    "text",
    [
        "I love you 1000000000 times daddy",
        "te quiero 1 000 000 000 veces",
        "order 0123456789 shipped",
        "ticket 1-012-345-6789",
    ],
)
def test_ten_digits_no_north_american_number_could_have_are_no_phone(text):
    # No area code begins with 0 or 1.
    assert "phone" not in names(text)


@pytest.mark.parametrize("text", ["I love you 1000000000 times", "te extraño 99999999 mil"])
def test_a_round_number_or_one_digit_over_and_over_is_no_code(text):
    assert names(text) == set()
    assert names(text.replace("1000000000", "1073904421").replace("99999999", "99193999"))


def test_a_phone_hit_points_at_the_original_text_through_invisible_characters():
    text = "Call 555\u200b-01\u00ad42 today"
    [hit] = detect(normalize(text), {})
    assert hit.rule == "detector:phone" and hit.category == "relay"
    assert text[hit.start : hit.end] == "555\u200b-01\u00ad42"


@pytest.mark.parametrize(
    "text, address",
    [
        ("Mail it to 1877 Harbor Rd, Unit 5 please", "1877 Harbor Rd, Unit 5"),
        ("he's at 456 Oak Avenue Apt 2 now", "456 Oak Avenue Apt 2"),
        ("forward to 4415 Maple Ave, Apt 2B.", "4415 Maple Ave, Apt 2B"),
        ("we moved to 12 Sunset Drive last week", "12 Sunset Drive"),
        ("mándala a Calle 5 #23 por favor", "Calle 5 #23"),
        ("en Calle Olmo 4415, Depto 2B.", "Calle Olmo 4415, Depto 2B"),
        ("write to P.O. Box 1234 instead", "P.O. Box 1234"),
        # Disguised: found on the folded view, pointed at in the original.
        ("send it to 4415 M4pl3 4v3 today", "4415 M4pl3 4v3"),
    ],
)
def test_street_addresses_are_relay(text, address):
    assert ("address", address) in hits(text)


@pytest.mark.parametrize(
    "text",
    [
        "it's a 5 minute drive from the house",
        "3 dogs drive me crazy",
        "it was 2 miles down the road",
        "we walked 3 blocks up the street",
        "estuvimos en la calle 2 horas",
    ],
)
def test_ordinary_numbers_before_street_words_are_not_addresses(text):
    assert "address" not in names(text)


def test_payment_handles_and_apps_with_money_are_fraud():
    assert hits("Send $300 to $BigMike77 on Cash App") == [
        ("payment", "$BigMike77"),
        ("payment", "Cash App"),
    ]
    assert hits("venmo @mike-jones-7 for the shoes") == [("payment", "venmo @mike-jones-7")]
    assert ("payment", "paypal.me/bobby") in hits("pay at paypal.me/bobby")
    assert hits("the code is XK7P-9QLM-RT4W") == [("payment", "XK7P-9QLM-RT4W")]
    assert hits("manda 200 dólares por Western Union") == [("payment", "Western Union")]


def test_naming_a_payment_app_alone_is_ordinary_life():
    assert hits("I paid your sister back on Venmo for the school trip.") == []
    assert hits("Got Maya a Target gift card for her birthday.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Cash App'd your sister $200 for rent, she's been struggling since the layoff.",
        "Mandé $300 por Western Union a tu abuelita para su medicina.",
        "We sent Grandma $200 through Remitly for her prescriptions, she called crying.",
    ],
)
def test_money_sent_for_an_everyday_purpose_is_ordinary_life(text):
    assert hits(text) == []


def test_an_everyday_purpose_does_not_hide_a_handle_or_a_payment_for_nothing_said():
    assert hits("$200 for rent to $BigMike77 on Cash App") == [("payment", "$BigMike77")]
    assert hits("Cash App me $200 and keep your mouth shut") == [("payment", "Cash App")]
    assert hits("Manda $300 a Luz por Western Union, ella sabe") == [("payment", "Western Union")]


@pytest.mark.parametrize(
    "text, found",
    [
        ("look at https://example.com/a?b=1.", ("url", "https://example.com/a?b=1")),
        ("go to www.example.org", ("url", "www.example.org")),
        ("it's on bit.ly/3xyz now", ("url", "bit.ly/3xyz")),
        ("the site example.com has it", ("url", "example.com")),
        ("write to grandma.jones@gmail.com", ("email", "grandma.jones@gmail.com")),
        ("hit up @kevo_215 on there", ("url", "@kevo_215")),
    ],
)
def test_web_and_email_addresses_are_relay(text, found):
    assert hits(text) == [found]


def test_sentences_run_together_are_not_domains():
    assert hits("I love you.me too. Ok.so tomorrow? todo.es bueno, e.g. at 9 a.m.") == []


@pytest.mark.parametrize(
    "text, run",
    [
        ("the numbers: 7734 0451 2219 8806 3310.", "7734 0451 2219 8806 3310"),
        ("account 123456789 ok", "123456789"),
        ("decode: 19 5 14 4 / 20 8 5 / 19 20 18 9 16 19", "19 5 14 4 / 20 8 5 / 19 20 18 9 16 19"),
        ("same as always: 3-15-14-20-18-1-2 1-20", "3-15-14-20-18-1-2 1-20"),
        ("the code is 8843-221-07, tell him", "8843-221-07"),
        ("confirmation number 19-5-14-4 20-8-5 19-20-18", "19-5-14-4 20-8-5 19-20-18"),
    ],
)
def test_long_digit_strings_and_number_codes_are_coded(text, run):
    assert hits(text) == [("digits", run)]


@pytest.mark.parametrize(
    "text",
    [
        "Court date is 11/07/2024 at 9:30, courtroom 3, docket 2024-CR-0145.",
        "Rent went up to $1,250 so I'll still send $25. It cost $40 at 10am.",
        "born 1998, married 2019-2020, the 2023 2024 season",
        "Groceries came to $143.27, confirmation number 58213.",
        "Son 1.500.000 pesos. Llego el 2024-12-25 a las 14:30.",
        "The Packers won 98-95 and the Cubs 7-6; jersey number 23.",
        "one two three four five six seven, ready or not!",
        "The baby's weight is 14 lbs 6 oz, right on track. 1234567 dollars",
        "Sent it through Remitly, confirmation number 8843-221-07. She picks it up tomorrow.",
        "El número de rastreo es 9400 1118 9922 3344 5566, ya va en camino el paquete.",
        "Western Union MTCN 123 456 7890, the money is there for Grandma.",
    ],
)
def test_dates_times_money_and_ordinary_numbers_are_not_hits(text):
    assert hits(text) == []


def test_ciphers_are_coded():
    rot = codecs.encode("meet at the east gate at midnight", "rot13")
    assert hits(f"Decode this like we practiced: {rot}") == [("cipher", rot)]
    blob = base64.b64encode(b"bring the phone sunday").decode()
    assert hits(f"Put this in the reader: {blob} ok") == [("cipher", blob)]
    hexed = b"gate code 4471".hex()
    assert hits(f"It's in hex again: {hexed}") == [("cipher", hexed)]
    assert hits("Write back using the code I gave you: XQJ ZKP WMV TLR QQF.") == [
        ("cipher", "XQJ ZKP WMV TLR QQF")
    ]
    assert hits("Read it: tnuoc retfa thginot rof ydaer") == [
        ("cipher", "tnuoc retfa thginot rof ydaer")
    ]
    spanish = codecs.encode("fuga a medianoche por el patio", "rot13")
    assert hits(f"Descífralo como practicamos: {spanish}") == [("cipher", spanish)]
    assert names("Decode this like we practiced: zrr9 n9 9ur rnf9 tn9r n9 zvq4vtu9") == {"cipher"}


def test_a_cipher_inside_a_long_ordinary_message_is_found_where_it_is():
    ordinary = (
        "Hi Mom, the kids are doing great and we went to the park on Sunday. Grandma says "
        "hello and she is making tamales for Christmas. Work is going well. "
    )
    rot = codecs.encode("the package is under the chapel floor tonight", "rot13")
    text = ordinary * 4 + rot + ". " + ordinary * 4
    assert hits(text) == [("cipher", rot)]


def test_many_ciphers_in_one_message_are_each_found_where_they_are():
    """Runs of code between ordinary words, each reported within the code, whole words of
    it (the words of the stretch are read once for all of them)."""
    said = [
        "meet at the east gate at midnight",
        "the package is under the chapel floor tonight",
        "fuga a medianoche por el patio",
    ]
    codes = [codecs.encode(plain, "rot13") for plain in said] * 5
    found = hits(". Love you so much, talk soon. ".join(codes))
    assert [name for name, _ in found] == ["cipher"] * len(codes)
    for (_, text), code in zip(found, codes, strict=True):
        assert len(text.split()) >= 4 and f" {text} " in f" {code} ", (text, code)


@pytest.mark.parametrize(
    "text",
    [
        "We busted out laughing at Sophia's knock knock joke. Love always, Mom",
        "Happy birthdayyyyy!!! xoxo lol idk brb, ttyl",
        "Thanksgiving at Mrs. Lopez's, spelling test on Friday, Krystal's rhythm class.",
        "Fuimos a una sala de escape para el cumpleaños de Sofía y salimos a tiempo.",
        "and/or whatever, my mother-in-law-to-be is well-known around here",
        "my username is grandma_loves_bingo, the wifi is Netgear",
    ],
)
def test_ordinary_text_is_not_a_cipher(text):
    assert hits(text) == []


def test_words_mixing_alphabets_are_coded():
    # Cyrillic а in "pаypal", and a word of Cyrillic lookalikes only in a Latin message.
    assert hits("use pаypal and еscаpе now") == [
        ("mixed_script", "pаypal"),
        ("mixed_script", "еscаpе"),
    ]
    assert hits("Привет, как дела? Hello from Grandma") == []  # real Russian is not a disguise
    assert hits("Καλημέρα, good morning") == []


def test_everyday_words_in_quotation_marks_three_or_more_are_coded():
    text = "Dile al primo: las 'camisas' ya llegaron, las “corbatas” el jueves al «taller»."
    assert hits(text) == [
        ("code_words", "'camisas'"),
        ("code_words", "“corbatas”"),
        ("code_words", "«taller»"),
    ]
    text = 'The "vet" brings the "puppies" Tuesday, the fee goes to the "shelter" account.'
    assert names(text) == {"code_words"}


@pytest.mark.parametrize(
    "text",
    [
        "She said 'no' and then 'maybe', and we laughed.",  # two: a letter quotes words
        "We watched 'Coco', 'Encanto' and 'El Conjuro' this weekend.",  # titles: capitals
        "He keeps saying 'bro', 'bro', 'bro' all day.",  # one word, over and over
        "The kids' toys, the boys' bikes and Mom's car are in James' garage.",
        "Te mando 'besos' y 'abrazos' desde 'la casa de la abuela'.",  # more than three words
    ],
)
def test_a_word_or_two_in_quotation_marks_titles_and_apostrophes_are_not_code(text):
    assert "code_words" not in names(text)


def test_actions_come_from_the_facility_and_off_skips_a_detector():
    text = "call 555-013-9921 or visit www.example.com"
    found = detect(normalize(text), {"phone": "block", "url": "off"})
    assert [(h.rule, h.action) for h in found] == [("detector:phone", "block")]
    assert detect(normalize(text), {name: "off" for name in DETECTORS}) == []
    with pytest.raises(ValueError, match="flag, block or off"):
        detect(normalize(text), {"phone": "exception"})


def test_an_earlier_detector_keeps_its_text_even_when_it_is_off():
    # The URL is not reported again as a cipher blob when URLs are off.
    text = "see https://example.com/YnJpbmcgdGhlIHBob25lIHN1bmRheQ7a9"
    assert hits(text, {"url": "off"}) == []


def test_empty_and_blank_text_have_no_hits():
    assert detect(normalize(""), {}) == []
    assert detect(normalize(" \u200b\n "), {}) == []


def test_detectors_run_inside_the_engine_with_the_facilitys_actions():
    verdict = engine.screen("call 555-013-9921", [], detector_actions={"phone": "block"})
    assert verdict.verdict == "block"
    assert [(h.rule, h.category) for h in verdict.hits] == [("detector:phone", "relay")]


GATE_SAMPLES = [
    "call me at (555) 013-9921 or 555-0142, five five five zero one four two",
    "Mail it to 1877 Harbor Rd, Unit 5 or Calle Olmo 4415, Depto 2B, P.O. Box 9",
    "Send $300 to $BigMike77 on Cash App, venmo @bob, code XK7P-9QLM-RT4W",
    "https://example.com www.x.org bit.ly/a grandma@gmail.com @kevo_215 paypal.me/x",
    "7734 0451 2219 8806 3310 and 19 5 14 4 / 20 8 5 on 11/07/2024 for $1,250",
    "zrrg ng gur rnfg tngr YnJpbmcgdGhlIHBob25l 6761746520636f6465 tnuoc retfa rof ydaer",
    "pаypal еscаpе Привет 7\u0301 7\u03013 4 0 4 5 1 2 2",
    "Dile: la 'harina', ¿“la señora”? (\u2018el cartero\u2019) ¡«été»! y 'Ñandú' 'ok'",
]


@pytest.mark.parametrize("text", GATE_SAMPLES)
def test_the_gate_never_hides_a_hit(text):
    normalized = normalize(text)
    assert detect(normalized, {}) == detect(normalized, {}, use_gate=False)


# Texts the gate once let through (each was found by comparing with use_gate=False): the
# gate must be a superset of the exact patterns on the plain view alone.
GATE_GAPS = [
    ("Call me at one 5 two 5 three 5 4 tonight.", "detector:phone", "one 5 two 5 three 5 4"),
    ("My number is 555/201/3344.", "detector:phone", "555/201/3344"),
    ("Write to zelle-.com today", "detector:url", "zelle-.com"),
    ("She lives at 4 foo_bar street.", "detector:address", "4 foo_bar street."),
    ("Vivo en c/ olmo 5.", "detector:address", "c/ olmo 5"),
]


@pytest.mark.parametrize(("text", "rule", "found"), GATE_GAPS)
def test_the_gate_lets_through_what_it_once_hid(text, rule, found):
    normalized = normalize(text)
    hits = detect(normalized, {})
    assert (rule, found) in [(h.rule, h.text) for h in hits]
    assert hits == detect(normalized, {}, use_gate=False)


ALPHABET = st.sampled_from(
    list("abcdeghilmnoprstuvwxyz0123456789      .,-/@$#+()") + ["а", "е", "о", "\u0301", "é"]
)


QUOTED = st.sampled_from(
    ["'", '"', "“", "”", "‘", "’", "«", "»", " ", " ", "\n", "(", "¿", "¡", "\u200b", "\u00a0"]
    + list("abcdeghilmnoprstuvwxyzABCéÉñ-.,")
)


def assert_hits_inside_and_the_gate_agrees(text: str) -> None:
    normalized = normalize(text)
    found = detect(normalized, {})
    for hit in found:
        assert 0 <= hit.start < hit.end <= len(text)
        assert text[hit.start : hit.end] == hit.text
    assert found == detect(normalized, {}, use_gate=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(QUOTED, max_size=80).map("".join))
def test_quotation_marks_anywhere_give_hits_inside_the_text_and_the_gate_agrees(text):
    assert_hits_inside_and_the_gate_agrees(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(ALPHABET, max_size=120).map("".join))
def test_any_text_gives_hits_inside_it_and_the_gate_agrees(text):
    assert_hits_inside_and_the_gate_agrees(text)
