"""``{% load features %}{% built "photos" as photos %}``: whether a feature exists, so a
template shows a sentence that promises it only when it does (see core/features.py)."""

from __future__ import annotations

from django import template

from homeward.core import features

register = template.Library()


@register.simple_tag
def built(name: str) -> bool:
    return features.built(name)
