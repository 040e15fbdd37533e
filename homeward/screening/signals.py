"""Every change to a rule, however it is made (the rule services, the library loader, the
Django admin), gives the rules a new generation in the same transaction. A bulk
``QuerySet.update()`` sends no signal: whoever writes one must call ``new_generation``."""

from __future__ import annotations

import uuid
from typing import Any

from homeward.screening.models import RulesGeneration

ROW = 1


def new_generation(**kwargs: Any) -> None:
    token = uuid.uuid4().hex
    if not RulesGeneration.objects.filter(pk=ROW).update(token=token):
        RulesGeneration.objects.update_or_create(pk=ROW, defaults={"token": token})


def current_generation() -> str:
    """The token in force ("" before any rule ever changed)."""
    return RulesGeneration.objects.filter(pk=ROW).values_list("token", flat=True).first() or ""
