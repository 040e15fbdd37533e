"""Marking screening hits in a message body never lets the body's own markup through."""

from __future__ import annotations

from homeward.console.highlight import highlight


def hit(start: int, end: int, category: str = "escape", action: str = "flag") -> dict:
    return {"start": start, "end": end, "category": category, "action": action}


def test_pieces_are_escaped_and_hits_marked():
    text = "<i>a</i> gun & run"
    html = str(highlight(text, [hit(9, 12, "weapons", "block")]))
    assert html == (
        '&lt;i&gt;a&lt;/i&gt; <mark class="hit hit-block" title="Weapons">gun</mark> &amp; run'
    )


def test_overlapping_hits_become_one_mark_naming_both():
    html = str(highlight("break out now", [hit(0, 9), hit(6, 13, "violence", "block")]))
    assert html == (
        '<mark class="hit hit-block" title="Escape or security risk, Violence or threats">'
        "break out now</mark>"
    )


def test_a_hit_inside_markup_is_still_escaped():
    html = str(highlight("<script>", [hit(1, 7, "other")]))
    assert html == '&lt;<mark class="hit" title="Other facility rule">script</mark>&gt;'


def test_spans_outside_the_text_are_ignored():
    assert str(highlight("short", [hit(3, 99), {"start": "x", "end": 2}])) == "short"


def test_a_hit_about_the_whole_message_marks_nothing():
    """A classifier score or a language check is listed beside the message, not painted
    over all of it (which would hide the marks of the words that did hit)."""
    text = "bring the toolie"
    whole = {**hit(0, len(text), "weapons"), "layer": "classifier"}
    word = {**hit(10, 16, "weapons"), "layer": "slang"}
    html = str(highlight(text, [whole, word]))
    assert html == 'bring the <mark class="hit" title="Weapons">toolie</mark>'
