"""Fixtures of the screening tests: the baseline library as a deployment screens with it."""

from __future__ import annotations

import pytest

from homeward.screening import engine
from homeward.screening.engine import RuleSpec
from homeward.screening.library import load_library


@pytest.fixture(scope="module")
def library() -> list[RuleSpec]:
    """The library as a deployment screens with it (``engine.baseline``)."""
    return [engine.baseline(rule) for rule in load_library()]


@pytest.fixture(scope="module")
def compiled(library) -> engine.CompiledRuleSet:
    return engine.compile_ruleset(library)
