"""Looking at rules rather than changing them: test any text against the rules in force,
the rule-set version history, and per-rule statistics (hits, and how often reviewers
overrode a rule) to find bad rules. Nothing here changes anything; the statistics show
fragments of messages, so opening them is audited like any staff read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from homeward.console.access import admin_required
from homeward.console.highlight import highlight
from homeward.console.hit_labels import source_label
from homeward.console.requests import StaffRequest
from homeward.console.rule_forms import RuleTestForm, StatsForm
from homeward.console.views.rules import Powers, facility_for_admin, rule_here
from homeward.core import audit, clock
from homeward.facilities.models import Facility
from homeward.review import rule_stats
from homeward.screening import engine, layers, selectors
from homeward.screening import services as screening
from homeward.screening.models import Rule

VERSION_LIMIT = 200
# Rows of the statistics' two long tables (rules; the other layers' entries) on a page: a
# facility has the whole library, over five hundred rules, and most hit nothing.
STATS_PAGE = 100


def detector_actions(facility: Facility) -> Mapping[str, str] | None:
    """The facility's detector settings."""
    return dict(facility.policy.detector_actions or {})


@admin_required
def test(request: StaffRequest, code: str) -> HttpResponse:
    """Paste a text, see what the rules in force here would do with it. GET ?text= or a
    POST form both work; nothing is stored."""
    facility = facility_for_admin(request, code)
    data = request.POST if request.method == "POST" else request.GET
    form = RuleTestForm(data if "text" in data else None)
    context: dict[str, Any] = {"facility": facility, "form": form, "verdict": None}
    if form.is_bound and form.is_valid():
        text = form.cleaned_data["text"]
        verdict = engine.screen(
            text,
            selectors.rules_in_force(facility),
            detector_actions=detector_actions(facility),
            layers=screening.layers_at(facility),
        )
        hits, cleared = verdict.hits_as_dicts(), verdict.cleared_as_dicts()
        rules = selectors.rules_by_key({str(hit["rule"]) for hit in hits + cleared})

        def named(
            found: list[dict[str, object]],
        ) -> list[tuple[dict[str, object], Rule | None, str]]:
            """Each hit with its rule (None for a layer's) and what found it."""
            return [(hit, rules.get(str(hit["rule"])), source_label(hit["rule"])) for hit in found]

        context.update(
            verdict=verdict,
            highlighted=highlight(text, hits),
            hits=named(hits),
            cleared=named(cleared),
        )
    # The page's script asks for just the result while the admin types (?partial=1).
    partial = request.GET.get("partial") == "1"
    template = "console/rules/_test_result.html" if partial else "console/rules/test.html"
    return render(request, template, context)


@admin_required
def versions(request: StaffRequest, code: str) -> HttpResponse:
    facility = facility_for_admin(request, code)
    rows = selectors.versions_at(facility, limit=VERSION_LIMIT)
    current = engine.ruleset_version(selectors.rules_in_force(facility))
    screened = rule_stats.screened_with(facility, rows)
    context = {
        "facility": facility,
        # (version, messages screened with it)
        "versions": [(row, screened.get(row.fingerprint, 0)) for row in rows],
        "current": current,
        "current_recorded": selectors.version_recorded(facility, current),
    }
    return render(request, "console/rules/versions.html", context)


def _since(request: HttpRequest) -> tuple[StatsForm, int, dt.datetime]:
    form = StatsForm(request.GET or None)
    days = (form.cleaned_data.get("days") if form.is_valid() else None) or 90
    return form, days, clock.now() - dt.timedelta(days=days)


@admin_required
def stats(request: StaffRequest, code: str) -> HttpResponse:
    facility = facility_for_admin(request, code)
    form, days, since = _since(request)
    numbers = rule_stats.rule_statistics(facility, since=since)
    rows = selectors.rule_rows(facility)
    known = {str(row.rule.pk) for row in rows}
    table = [
        (row, numbers.get(str(row.rule.pk), rule_stats.RuleStats(str(row.rule.pk)))) for row in rows
    ]
    # The rules that most often get overridden come first, then the busiest.
    table.sort(key=lambda item: (-(item[1].override_rate or 0), -item[1].hits, item[0].rule.pk))
    # (label, numbers) of hits by detectors and rules no longer here
    others = [
        (source_label(entry.key), entry)
        for entry in sorted(
            (entry for key, entry in numbers.items() if key not in known), key=lambda e: -e.hits
        )
    ]
    audit.record(
        actor=request.user,
        action="rules.stats_viewed",
        facility_id=facility.pk,
        data={"days": days},
    )
    by_layer = rule_stats.layer_statistics(facility, since=since)
    layer_rows = [
        (label, by_layer.get(layer, rule_stats.RuleStats(layer)))
        for layer, label in layers.LABELS.items()
    ]
    cleared = rule_stats.cleared_statistics(facility, since=since)
    context = {
        "facility": facility,
        "form": form,
        "days": days,
        "table": Paginator(table, STATS_PAGE).get_page(request.GET.get("rules")),
        "others": Paginator(others, STATS_PAGE).get_page(request.GET.get("others")),
        "layers": layer_rows,
        "cleared": [
            (label, cleared[layer]) for layer, label in layers.LABELS.items() if layer in cleared
        ],
    }
    return render(request, "console/rules/stats.html", context)


def _diff(
    before: dict[str, object] | None, after: dict[str, object] | None
) -> list[tuple[str, object, object]]:
    """The fields an edit changed, as (field, before, after)."""
    if not before or not after:
        return []
    return [
        (key, before.get(key), value) for key, value in after.items() if before.get(key) != value
    ]


@admin_required
def detail(request: StaffRequest, code: str, rule_id: int) -> HttpResponse:
    """One rule: what it is, where it comes from, its numbers here and its history."""
    facility = facility_for_admin(request, code)
    rule = rule_here(facility, rule_id)
    form, days, since = _since(request)
    numbers = rule_stats.rule_statistics(facility, since=since).get(
        str(rule.pk), rule_stats.RuleStats(str(rule.pk))
    )
    # (change, the fields it changed)
    history = [
        (change, _diff(change.before, change.after))
        for change in selectors.history_at(facility, rule)
    ]
    row = selectors.rule_row(facility, rule)
    audit.record(actor=request.user, action="rule.stats_viewed", obj=rule, facility_id=facility.pk)
    context = {
        "facility": facility,
        "rule": rule,
        "row": row,
        "owns": Powers.of(request.user, facility).owns(rule),
        "form": form,
        "days": days,
        "numbers": numbers,
        "history": history,
    }
    return render(request, "console/rules/detail.html", context)
