from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from homeward.core.errors import NotFound
from homeward.facilities.selectors import facility_by_code
from homeward.screening import engine
from homeward.screening.layers.stack import EVERY_LAYER
from homeward.screening.selectors import rules_in_force
from homeward.screening.services import layers_at


class Command(BaseCommand):
    help = (
        'Screen a text file, or JSON lines of {"id": ..., "text": ...}, with the rules and '
        "detectors in force (the baseline, or a facility's with --facility). Prints one JSON "
        "line per message: id, verdict, categories, hits (and what the second opinion "
        "cleared, and why, when it cleared something)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="A text file, or a .jsonl file; - reads standard input.")
        parser.add_argument("--facility", help="Facility code whose rules apply.")

    def handle(self, *args: Any, file: str, facility: str | None, **options: Any) -> None:
        try:
            place = facility_by_code(facility) if facility else None
        except NotFound as exc:
            raise CommandError(exc.message) from None
        rules = engine.compile_ruleset(rules_in_force(place))
        # Detectors run as the facility set them; the baseline runs them all at "flag".
        actions = place.policy.detector_actions if place else {}
        layers = layers_at(place) if place else EVERY_LAYER
        for item_id, text in self._items(file):
            verdict = rules.screen(text, detector_actions=actions, layers=layers)
            line = {
                "id": item_id,
                "verdict": verdict.verdict,
                "categories": verdict.categories,
                "hits": verdict.hits_as_dicts(),
            }
            if verdict.cleared:  # what the second opinion cleared, and why
                line["cleared"] = verdict.cleared_as_dicts()
                line["cleared_because"] = verdict.cleared_because
            self.stdout.write(json.dumps(line, ensure_ascii=False))

    def _items(self, file: str) -> list[tuple[Any, str]]:
        import sys

        try:
            raw = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not UTF-8 text.") from None
        lines = [line for line in raw.splitlines() if line.strip()]
        if not (file.endswith(".jsonl") or (lines and lines[0].lstrip().startswith("{"))):
            return [(Path(file).name if file != "-" else "stdin", raw)]
        items = []
        for number, line in enumerate(lines, start=1):
            try:
                record = json.loads(line)
                items.append((record["id"], str(record["text"])))
            except (ValueError, KeyError, TypeError):
                raise CommandError(
                    f'Line {number} is not a JSON object with "id" and "text".'
                ) from None
        return items
