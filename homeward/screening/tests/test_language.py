"""Languages not screened: a message mostly in a language the library cannot read is
flagged for a person, while English, Spanish, both mixed, slang and spelling tricks are not."""

from __future__ import annotations

import pytest

from homeward.screening.categories import CODED
from homeward.screening.layers import language
from homeward.screening.layers.tokens import tokenize
from homeward.screening.normalize import normalize


def hits(text: str):
    normalized = normalize(text)
    return language.find(normalized, tokenize(normalized))


@pytest.mark.parametrize(
    "text",
    [
        "Con nhớ mẹ lắm, mẹ ơi. Hôm nay trời mưa nhiều quá, con ăn cơm chưa?",
        "Mahal kita anak ko, kumain ka na ba? Miss na miss ka na namin dito sa bahay.",
        "我很想你，妈妈每天都在为你祈祷，家里一切都好，请照顾好自己。",
        "Мы все по тебе скучаем, бабушка передает привет и ждет письма.",
    ],
)
def test_a_message_mostly_in_another_language_is_flagged_not_passed(text):
    [hit] = hits(text)
    assert (hit.rule, hit.layer, hit.category, hit.action) == (
        language.RULE,
        "language",
        CODED,
        "flag",
    )
    assert (hit.start, hit.end, hit.text) == (0, len(text), text)
    assert "not English or Spanish" in hit.detail


@pytest.mark.parametrize(
    "text",
    [
        "yo wassup bro, u good? lmk wen u get this lol, ma says hi",
        "Mijo, el Cruz Azul nos mató otra vez en el último minuto. Tu tío ya ni quiere ver.",
        "Tu abuela is learning to use WhatsApp. Ayer mandó 47 stickers de un gatito.",
        "I misss youuuu sooooo much, hhhhappy birthdayyyy!!!",
        "Gracias",
        "Nguyen says hi",
    ],
)
def test_english_spanish_mixed_slang_and_short_messages_are_not_flagged(text):
    assert hits(text) == []
