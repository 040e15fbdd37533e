"""The review page shows the message safely, with its screening hits, and is audited."""

from __future__ import annotations

from homeward.core.models import AuditEvent
from homeward.personas import client_for
from homeward.screening.models import Rule


def test_hits_are_marked_and_the_body_is_escaped(world, make_task):
    Rule.objects.create(facility=world.facility_1, pattern="tunnel", category="escape")
    task = make_task("<script>alert('x')</script> we dig the tunnel & <b>run</b>")

    page = client_for(world.reviewer_1).get(f"/console/review/{task.pk}/").content.decode()

    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "<b>run</b>" not in page
    tunnel = '<mark class="hit" title="Escape or security risk">tunnel</mark>'
    assert f"{tunnel} &amp; &lt;b&gt;run&lt;/b&gt;" in page
    assert "Flagged by screening" in page
    assert "Flag for review" in page


def test_page_shows_sender_recipient_and_stages(world, make_task):
    task = make_task()
    page = client_for(world.reviewer_1).get(f"/console/review/{task.pk}/").content.decode()
    assert "Ana Lopez" in page and "a@example.org" in page
    assert "Maria Lopez" in page and "NY1001" in page
    assert "Submitted" in page and "In review" in page
    assert "Facility reviews every message" in page


def test_viewing_a_message_is_audited(world, make_task):
    task = make_task()
    client_for(world.reviewer_1).get(f"/console/review/{task.pk}/")
    event = AuditEvent.objects.get(action="message.viewed")
    assert event.actor_user == world.reviewer_1
    assert event.object_type == "message"
    assert event.object_id == str(task.message_id)
    assert event.facility_id == world.facility_1.pk


def test_each_hit_says_which_layer_found_it_and_why(world, make_task):
    task = make_task("yo the toolie still in the stash box in the Impala?")

    page = client_for(world.reviewer_1).get(f"/console/review/{task.pk}/").content.decode()

    # The slang word and the concept rule around it (weapon + hiding place) make one mark.
    assert '<mark class="hit" title="Weapons">toolie still in the stash box</mark>' in page
    assert "Slang: toolie" in page
    assert "&#x27;toolie&#x27;: a gun" in page  # the slang entry's meaning, escaped


def test_a_detector_hit_is_named_as_on_the_rules_pages(world, make_task):
    task = make_task("call my cousin at 512-555-0143 tonight")
    page = client_for(world.reviewer_1).get(f"/console/review/{task.pk}/").content.decode()
    assert "Detector: Phone numbers" in page


def test_what_the_second_opinion_cleared_is_shown_to_the_reviewer(world, make_task):
    from homeward.screening.tests.test_second_opinion import INNOCENT

    task = make_task(INNOCENT[1])  # facility 1 reviews every message, clear ones too
    page = client_for(world.reviewer_1).get(f"/console/review/{task.pk}/").content.decode()
    assert "Cleared by the second opinion" in page
    assert "Screening found nothing in this message" not in page
    assert "Slang: bust-out" in page and "<td>breaks out</td>" in page
    assert "the words read as innocent: violating evidence" in page
    assert '<mark class="hit' not in page  # nothing flagged, nothing marked


def test_a_message_screening_found_nothing_in_says_so(world, make_task):
    task = make_task("Thinking of you, Maria. See you Sunday.")
    page = client_for(world.reviewer_1).get(f"/console/review/{task.pk}/").content.decode()
    assert "Screening found nothing in this message" in page
    assert "Cleared by the second opinion" not in page
