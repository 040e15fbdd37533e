"""The two views of a message and their maps back to what the person actually wrote."""

from __future__ import annotations

import json
import re
import sys
import timeit
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from homeward.screening import normalize as nz
from homeward.screening.edits import Track
from homeward.screening.normalize import Normalized, View, fold, normalize, plain

ESCAPE = fold("escape")

# Each obfuscation of "escape" must fold to ESCAPE, and map back to exactly what was written.
OBFUSCATIONS = [
    pytest.param("E S C A P E", id="spaced"),
    pytest.param("e.s.c.a.p.e", id="dotted"),
    pytest.param("e. s. c. a. p. e", id="dotted-and-spaced"),
    pytest.param("e-s-c-a-p-e", id="hyphenated"),
    pytest.param("es-cape", id="intra-word-hyphen"),
    pytest.param("es_cape", id="intra-word-underscore"),
    pytest.param("es*cape", id="intra-word-star"),
    pytest.param("3sc4p3", id="leet"),
    pytest.param("e$c@pe", id="leet-symbols"),
    pytest.param("\u0435sc\u0430p\u0435", id="cyrillic"),
    pytest.param("\u0395\u0053\u0043\u0391\u0050\u0395", id="greek-capitals"),
    pytest.param("ｅｓｃａｐｅ", id="fullwidth"),
    pytest.param("ＥＳＣＡＰＥ", id="fullwidth-capitals"),
    pytest.param("𝐞𝐬𝐜𝐚𝐩𝐞", id="math-bold"),
    pytest.param("𝓮𝓼𝓬𝓪𝓹𝓮", id="math-script"),
    pytest.param("esc\u200bape", id="zero-width-space"),
    pytest.param("e\u200ds\u200cc\u2060ape", id="zero-width-joiners"),
    pytest.param("esc\u00adape", id="soft-hyphen"),
    pytest.param("e\u202esc\u202cape", id="bidi-controls"),
    pytest.param("éscápé", id="accents"),
    pytest.param(unicodedata.normalize("NFD", "éscápé"), id="accents-decomposed"),
    pytest.param("e\u0336s\u0336c\u0336a\u0336p\u0336e\u0336", id="strike-through-marks"),
    pytest.param("essssscaaape", id="repeats"),
    pytest.param("EsCaPe", id="mixed-case"),
    pytest.param("3 s c 4 p 3", id="spaced-leet"),
    pytest.param("3-s-c-4-p-3", id="hyphenated-leet"),
    pytest.param("E s C a P e", id="spaced-mixed-case"),
]


@pytest.mark.parametrize("written", OBFUSCATIONS)
@pytest.mark.parametrize(
    ("before", "after"),
    [("", ""), ("we will ", " tonight"), ("Plan: (", ")!"), ("I'll ", "!!")],
)
def test_obfuscations_fold_to_the_word_and_map_back_to_what_was_written(
    written: str, before: str, after: str
) -> None:
    text = before + written + after
    folded = normalize(text).folded
    found = re.search(rf"(?<!\w){ESCAPE}(?!\w)", folded.text)
    assert found, folded.text
    start, end = folded.to_original(found.start(), found.end())
    assert text[start:end] == written


@pytest.mark.parametrize(
    ("text", "expected_plain", "expected_folded"),
    [
        ("I put $40 on it", "i put $40 on it", "i put $40 on it"),
        ("call 911", "call 911", "cal 911"),
        ("see you 2026-11-28", "see you 2026-11-28", "se you 2026-11-28"),
        ("I'm at 5pm", "i'm at 5pm", "im at 5pm"),
        ("the 28th at 10:30am", "the 28th at 10:30am", "the 28th at 10:30am"),
        ("a U.S. citizen", "a u.s. citizen", "aus. citizen"),  # single letters join
        ("room 214, 1st floor", "room 214, 1st floor", "rom 214, 1st flor"),
        ("AK-47 and MS-13", "ak-47 and ms-13", "akat and msie"),  # leet, like "M$-13"
        ("options a, b, c", "options a, b, c", "options a, b, c"),  # commas never join
        ("1 2 3 4 5", "1 2 3 4 5", "1 2 3 4 5"),
        ("$$$ and 100%", "$$$ and 100%", "$$$ and 100%"),
        ("the 1990s", "the 1990s", "the 1990s"),
        ("Love you!!", "love you!!", "love you!!"),
    ],
)
def test_innocent_text_keeps_its_numbers(text: str, expected_plain: str, expected_folded: str):
    assert plain(text) == expected_plain
    assert fold(text) == expected_folded


def test_plain_view_is_nfkc_casefolded_without_invisibles_and_single_spaced():
    text = "  Stra\u00dfe\u00a0\uff21\u2460 \ufb01ne\u200b\u00ad!\r\n\tB\u0307\u202e  "
    assert plain(text) == "strasse a1 fine! \u1e03"
    assert plain("I\u2019m \u201cfine\u201d") == 'i\'m "fine"'  # curly quotes straightened


def test_folded_view_maps_lookalikes_marks_and_repeats():
    assert fold("Ñandú ЕSСАРЕ вооk") == "nandu escape bok"
    assert fold("¿Cómo estás? ¡Muy bien!") == "como estas? muy bien!"
    assert fold("I’m “fine” — love❤️you 😘") == 'im "fine" love you'
    assert fold("kill") == "kil"  # rule phrases fold the same way, so they still match
    assert fold("I will kill") == "i wil kil"
    assert fold("k1ll") == fold("kill") == fold("KILLL") == "kil"
    assert fold("ill") == "il" and fold("l1ly") == "lily"  # "l" and "i" are never merged


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("b r e a k   o u t", "break out"),  # a wide gap is a gap between words
        ("b.r.e.a.k o.u.t", "break out"),  # so is a space among dots or hyphens
        ("b-r-e-a-k o-u-t", "break out"),
        ("b r e a k o u t", "breakout"),  # an even spacing hides where words end
        ("e. s. c. a. p. e", "escape"),
    ],
)
def test_letters_apart_keep_the_gaps_between_words(text: str, folded: str) -> None:
    assert fold(text) == folded
    view = normalize(f"we'll {text}!").folded
    at = view.text.index(folded)
    start, end = view.to_original(at, at + len(folded))
    assert f"we'll {text}!"[start:end] == text


def test_the_folded_view_says_where_letters_were_spaced_out():
    text = "I need a s h a n k by Monday, a b c"
    view = normalize(text).folded
    assert view.text == "i ned ashank by monday, abc"
    assert [view.text[s:e] for s, e in view.spaced_out()] == ["ashank", "abc"]
    assert normalize("no spacing here").folded.spaced_out() == []
    assert normalize("a s h a n k").plain.spaced_out() == []


def test_greek_capitals_fold_to_the_letter_they_look_like():
    assert fold("ΗΙΤ ΜΑΝ") == "hit man"  # Greek capitals
    assert fold("ηot υp") == "not up"  # Greek small letters


def test_to_original_of_plain_and_folded_views():
    text = "Hi\u200b  MOM,\n\nWe can E.S.C.A.P.E!"
    n = normalize(text)
    assert isinstance(n, Normalized) and n.original == text
    at = n.plain.text.index("mom")
    start, end = n.plain.to_original(at, at + 3)
    assert text[start:end] == "MOM"
    at = n.folded.text.index("escape")
    start, end = n.folded.to_original(at, at + 6)
    assert text[start:end] == "E.S.C.A.P.E"
    assert n.plain.to_original(0, len(n.plain.text)) == (0, len(text))
    assert n.folded.to_original(0, 0) == (0, 0)
    with pytest.raises(ValueError):
        n.folded.to_original(3, 2)
    with pytest.raises(ValueError):
        n.folded.to_original(0, len(n.folded.text) + 1)


def test_empty_and_all_invisible_text():
    for text in ("", "\u200b\u200b", "   \n"):
        n = normalize(text)
        assert n.plain.text == n.folded.text == ""
        assert n.folded.to_original(0, 0) == (0, 0)


def test_a_view_built_by_hand_is_its_own_original():
    assert View("abc").to_original(1, 3) == (1, 3)


def test_the_spaces_left_after_nfkc_are_all_listed():
    left = {
        ch
        for ch in map(chr, range(sys.maxunicode + 1))
        if ch.isspace() and ch != " " and unicodedata.normalize("NFKC", ch) == ch
    }
    assert left == set(nz._SPACES)


def test_every_bmp_character_takes_the_same_route_fast_and_exact():
    every = " ".join(chr(cp) for cp in range(0x10000) if not 0xD800 <= cp < 0xE000)
    astral = " ".join(chr(cp) for cp in range(0x10000, sys.maxunicode + 1, 7))
    for text in (every, astral):
        assert nz._track_plain(text)[0].text == plain(text)
        assert nz._track_folded(text)[0].text == fold(text)


def test_invisible_characters_cover_every_format_and_control_character():
    missing = [
        f"U+{cp:04X}"
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) in ("Cf", "Cc")
        and not chr(cp).isspace()
        and not nz._INVISIBLE.match(chr(cp))
    ]
    assert missing == []


# ---- properties ----------------------------------------------------------------------

# Characters that exercise every stage, mixed with arbitrary Unicode.
TRICKY = (
    list("aAbeEiIlsScCkKpPxX 013456789!|$@.-_*'`,?")
    + ["\n", "\t", "\u00a0"]
    + list("\u0301\u0308\u0336\u200b\u200d\u00ad\u202e\ufe0f\u0435\u0430\u0391\u03b1")
    + list("ßﬁẞİıΐ\u1100\u1161\u11a8가ｅ𝐞①ñé\u2018\u2019\u201cʼ\u3164ﾠ¿¡—…❤😘ΗΜΝΥ")
    + list("\U0001d173\U000e0041\U0001d400")
)
texts = st.text(
    alphabet=st.one_of(st.sampled_from(TRICKY), st.characters(exclude_categories=["Cs"])),
    max_size=60,
)
examples = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _spans(track: Track) -> list[tuple[int, int]]:
    return list(zip(track.lo, track.hi, strict=True))


@examples
@given(texts)
@example("e\u0301\u0327 \u1100\u1161\u11a8 ΐ ﬁ İ")
@example("\u0f73\u0f71\u0301")
def test_the_exact_maps_give_the_same_text_as_the_fast_path(text: str) -> None:
    n = normalize(text)
    assert n.plain.text == plain(text) and n.folded.text == fold(text)
    assert n.plain._track().text == n.plain.text
    assert n.folded._track().text == n.folded.text


@examples
@given(texts)
def test_every_character_of_a_view_maps_inside_the_original_in_order(text: str) -> None:
    for track in (nz._track_plain(text)[0], nz._track_folded(text)[0]):
        spans = _spans(track)
        assert all(0 <= lo < hi <= len(text) for lo, hi in spans)
        assert spans == sorted(spans)
        assert all(a[1] <= b[1] for a, b in zip(spans, spans[1:], strict=False))


@examples
@given(texts)
def test_each_plain_character_comes_from_its_span(text: str) -> None:
    track = nz._track_plain(text)[0]
    for ch, (lo, hi) in zip(track.text, _spans(track), strict=True):
        assert ch in plain("#" + text[lo:hi] + "#")


@examples
@given(texts)
def test_the_whole_view_covers_all_visible_content(text: str) -> None:
    n = normalize(text)
    for view, view_of in ((n.plain, plain), (n.folded, fold)):
        if not view.text:
            assert view_of(text) == ""
            continue
        start, end = view.to_original(0, len(view.text))
        assert view_of(text[:start]) == "" and view_of(text[end:]) == ""


@examples
@given(texts, st.data())
def test_any_span_of_a_view_maps_to_a_span_of_the_original(text: str, data) -> None:
    view = normalize(text).folded
    start = data.draw(st.integers(0, len(view.text)))
    end = data.draw(st.integers(start, len(view.text)))
    a, b = view.to_original(start, end)
    assert 0 <= a <= b <= len(text)
    if end < len(view.text):
        assert b <= view.to_original(end, len(view.text))[1]
    if start > 0:
        assert view.to_original(0, start)[0] <= a


@examples
@given(texts)
def test_spaced_out_spans_lie_in_the_folded_view_in_order(text: str) -> None:
    view = normalize(text).folded
    spans = view.spaced_out()
    assert all(0 <= start < end <= len(view.text) for start, end in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


@pytest.mark.parametrize(
    "text", ["a " * 50_000, "a.a-" * 25_000, "e s c a p e " * 8_000 + "x", "$a!1" * 25_000]
)
def test_long_adversarial_text_takes_linear_time(text: str) -> None:
    started = timeit.default_timer()
    n = normalize(text)
    n.folded.to_original(0, len(n.folded.text))
    assert timeit.default_timer() - started < 5  # seconds; backtracking would take hours


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8)


@examples
@given(st.lists(words, min_size=1, max_size=8), st.data())
def test_a_phrase_folds_the_same_inside_a_sentence(sentence: list[str], data) -> None:
    start = data.draw(st.integers(0, len(sentence) - 1))
    end = data.draw(st.integers(start + 1, len(sentence)))
    punct = data.draw(st.sampled_from(["", ".", "!", ",", "?"]))
    text = " ".join(sentence).capitalize() + punct
    phrase = " ".join(sentence[start:end])
    assert f" {fold(phrase)} " in f" {fold(text).rstrip('.!,?')} "


# ---- the shortcuts take the same route as the general code --------------------------

CORPUS = Path(__file__).resolve().parents[1] / "evaluation" / "corpus.jsonl"
LATIN1 = [chr(cp) for cp in range(256)]
latin1_texts = st.text(
    alphabet=st.one_of(
        st.sampled_from(LATIN1 + list("  \n\n\taabbee e s c a p e'`")), st.sampled_from(TRICKY)
    ),
    max_size=60,
)


def _general_fast_route(text: str) -> tuple[str, str]:
    """plain() and fold() without the Latin-1 byte tables."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nz, "_latin1", lambda text, table: None)
        return plain(text), fold(text)


def _same_exact_routes(text: str) -> None:
    for route in (nz._track_plain, nz._track_folded):
        (fast, fast_spaced), (general, spaced) = route(text), route(text, True)
        assert fast.text == general.text
        assert list(fast.lo) == list(general.lo) and list(fast.hi) == list(general.hi)
        assert fast_spaced == spaced


def test_latin1_characters_fold_byte_by_byte_as_the_general_route_does():
    """Every Latin-1 character, alone and next to every other non-ASCII one."""
    latin = [chr(cp) for cp in range(0x80, 0x100)] + list("aZ 1'.\t")
    texts = [a + b + "x" + a for a in latin for b in latin]
    assert [(plain(t), fold(t)) for t in texts] == [_general_fast_route(t) for t in texts]


@examples
@given(latin1_texts)
@example("Ma\xf1ana \xa1S\xcd!  \xaa\xba\xb2 \xdf\xb5\xbc \xa0\x85\xad")
def test_latin1_text_takes_the_same_route_through_the_byte_tables(text: str) -> None:
    assert (plain(text), fold(text)) == _general_fast_route(text)


@examples
@given(latin1_texts)
@example("  a \xad \n\n b\t c '' x``y  ")
@example("\n")
def test_the_exact_shortcuts_give_the_same_maps_as_the_general_stages(text: str) -> None:
    _same_exact_routes(text)


def test_the_exact_shortcuts_agree_on_the_evaluation_corpus():
    texts = [json.loads(line)["text"] for line in CORPUS.read_text().splitlines() if line]
    assert len(texts) > 1000
    for text in texts + [LETTER, SPANISH]:
        _same_exact_routes(text)
        assert (plain(text), fold(text)) == _general_fast_route(text)
        _same_plain_map(text)


def _same_plain_map(text: str) -> None:
    """The plain view's map as a hit builds it (the identity, where the text is its plain
    view character for character) is the one the stages replayed give."""
    built, replayed = nz._plain_map(text, plain(text))[0], nz._track_plain(text)[0]
    assert built.text == replayed.text
    assert list(built.lo) == list(replayed.lo) and list(built.hi) == list(replayed.hi)


@examples
@given(st.one_of(latin1_texts, texts))
@example("Mañana, ¿sí? É")  # one for one: the identity
@example("Straße")  # ß is "ss": replayed
@example("a  b")  # squeezed: replayed
@example("a\x00b\u00adc")  # characters deleted: replayed
@example("a\nb\tc\x85")  # white space, one for one
def test_the_plain_map_is_the_identity_only_where_the_stages_agree(text: str) -> None:
    _same_plain_map(text)


def test_a_plainly_written_spanish_message_maps_each_word_back_to_where_it_was_written():
    text = "Mañana le Llevo el Dinero a la Abuela"
    normalized = normalize(text)
    start = normalized.plain.text.index("dinero")
    assert normalized.plain.to_original(start, start + 6) == (start, start + 6)
    assert text[start : start + 6] == "Dinero"


# ---- speed (reported, not asserted: timings on a shared machine are noise) -----------

LETTER = """Hi Dad,

I hope you're doing okay in there. We all miss you so much. The kids asked about you again
at dinner last night, and Maya drew you a picture of the dog chasing a squirrel in the
backyard. I'll mail it to the facility this week, so watch for it.

Work has been busy. They moved me to the morning shift, so I'm up at 5am now, which is
rough, but the pay is better and I get home in time to pick the boys up from school. Jake
made the soccer team! His first game is Saturday at 10:30 and he's so excited. He said he's
going to score a goal for you. Tommy is still working on his reading, but his teacher says
he's improving a lot.

Mom's appointment went well. The doctor said her blood pressure is down and she doesn't
need the extra medicine anymore. She says hi and that she's praying for you every day. Aunt
Linda is coming to visit on the 28th for Thanksgiving, and we're going to make your famous
sweet potato pie. It won't be the same without you, though.

I put $40 on your account on Tuesday. Let me know if it didn't come through. I also sent
the book you asked for, the one about the history of baseball. The mailroom said it might
take a couple of weeks to get to you.

The car finally needed new brakes, so that was expensive, but Uncle Ray helped me do it in
the garage, and we saved a lot. He says hello and he'll write you soon.

We're planning to come see you next month if the visiting schedule works out. I'll call
the facility to check the times. The kids can't wait. Please take care of yourself, eat
well, and keep your head up. We love you and we're proud of you for taking those classes.

Love always,
Sarah
"""


SPANISH = """Hola papá:

¿Cómo estás? Espero que te encuentres bien. Aquí todos te extrañamos muchísimo. Los niños
preguntaron por ti otra vez en la cena, y María te dibujó un perro persiguiendo una ardilla
en el patio. Te lo mando esta semana por correo, así que estate pendiente.

El trabajo ha estado muy ocupado. Me cambiaron al turno de la mañana, así que ahora me
levanto a las 5, pero pagan mejor y llego a tiempo para recoger a los niños de la escuela.
¡Jake entró al equipo de fútbol! Su primer partido es el sábado a las 10:30 y está
emocionadísimo. Dice que va a meter un gol por ti.

La cita de mamá salió bien. El doctor dijo que su presión está más baja y que ya no necesita
la medicina extra. Te manda saludos y dice que reza por ti todos los días. La tía Linda viene
el 28 para Acción de Gracias y vamos a hacer tu famoso pastel de camote. No será lo mismo.

Te puse $40 en tu cuenta el martes. Avísame si no llegó. También te mandé el libro que
pediste, el de la historia del béisbol. En la oficina de correo dijeron que puede tardar un
par de semanas en llegarte, así que ten paciencia.

El carro por fin necesitó frenos nuevos, así que salió caro, pero el tío Ramón me ayudó a
cambiarlos en el garaje y ahorramos bastante. Te manda saludos y dice que te escribirá pronto.

Pensamos ir a verte el próximo mes si el horario de visitas lo permite. Voy a llamar para
confirmar. Cuídate mucho, come bien y no te rindas. Te queremos y estamos orgullosos de ti
por tomar esas clases. Todos rezamos por ti cada noche.

Con cariño,
Sara
"""


def test_report_normalize_speed(capsys: pytest.CaptureFixture[str]) -> None:
    """normalize() must cost well under 50 µs on a 1.6 KB message for the pipeline to
    reach 10,000 messages/s per core. Printed, not asserted."""
    texts = {
        "English": LETTER,
        "English with curly quotes": LETTER.replace("'", "\u2019"),
        "Spanish": SPANISH,
    }
    lines = []
    for name, text in texts.items():
        assert 1500 <= len(text) <= 1700
        best = min(timeit.repeat(lambda text=text: normalize(text), number=1000, repeat=3))
        lines.append(f"{name} ({len(text)} chars): {best * 1e3:.1f} µs")
    maps = min(timeit.repeat(lambda: normalize(LETTER).folded.to_original(0, 1), number=20))
    lines.append(f"first to_original (builds the maps): {maps / 20 * 1e3:.2f} ms")
    with capsys.disabled():
        print("\nnormalize() per message: " + "; ".join(lines))


def _folded_by_the_stages(text: str) -> str:
    return nz._fold_base(nz._base(nz._case_lookalikes(text)))[0]


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from("aeiouknsl1!$@.-' _ÁñÉ\nx0*|"), max_size=30))
@example("k n i f e")
@example("b@ll00ns and  sh.ank")
def test_a_string_folded_in_one_pass_is_what_the_stages_make(text: str) -> None:
    assert fold(text) == _folded_by_the_stages(text)


def test_every_word_of_the_messages_folds_as_the_stages_fold_it() -> None:
    """Each new word a message brings is folded (its keys): in one pass where it can be,
    the same as the stages on every word of the held-out parts and the regression corpus."""
    from homeward.screening.evaluation import heldout, run

    texts = [s.text for s in run.load_corpus()]
    for path in heldout.DEVELOPMENT_PATHS.values():
        texts += [m.text for m in heldout.load(path)]
    words = {w for text in texts for w in re.findall(r"[^\W\d_]+", text.casefold())}
    assert len(words) > 10_000
    assert [fold(w) for w in sorted(words)] == [_folded_by_the_stages(w) for w in sorted(words)]
