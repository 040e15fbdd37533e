"""Template filters for the staff console: facility-local times and marked message bodies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.utils import dateformat
from django.utils.safestring import SafeString

from homeward.console import hit_labels
from homeward.console.highlight import category_label, highlight
from homeward.facilities.models import Facility
from homeward.messaging.models import Message
from homeward.photos.models import Photo
from homeward.screening import layers

register = template.Library()


@register.filter
def local(value: dt.datetime | None, facility: Facility) -> str:
    """A moment as the facility's clocks show it, e.g. 'Mon 3 Nov 2025, 14:05 EST'."""
    if not value:
        return ""
    return dateformat.format(value.astimezone(ZoneInfo(facility.timezone)), "D j M Y, H:i T")


def screening_hits(message: Message) -> list[dict]:
    try:
        return list(message.screening.hits)
    except ObjectDoesNotExist:
        return []


@register.filter
def highlighted(message: Message) -> SafeString:
    """The message body, escaped, with screening hits wrapped in <mark>."""
    return highlight(message.body, screening_hits(message))


@register.filter
def category(value: str) -> str:
    return category_label(value)


@register.filter
def whole_message(hit: Mapping[str, object]) -> bool:
    """Whether a hit is about the whole message (a classifier score, a language)."""
    return layers.layer_of(hit) in layers.WHOLE_MESSAGE


@register.filter
def found_by(hit: Mapping[str, object]) -> str:
    """Which layer found a hit, and its entry: "Slang: toolie", "Rule 12"."""
    return hit_labels.found_by(hit)


@register.filter
def last_line(text: str) -> str:
    """The last non-empty line of an error trace: usually the error itself."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


@register.filter
def photos_of(message: Message) -> list[Photo]:
    """The photos sent with ``message``, in order ([] without a query for most messages,
    which carry none; a page of messages asks for at most a page's photos)."""
    if not message.photo_count:
        return []
    return list(message.photos.order_by("position"))


@register.simple_tag(takes_context=True)
def page_at(context: template.Context, param: str, number: int) -> str:
    """This page's address with ``param`` set to ``number``, every other parameter kept: a
    page of one of its lists (``{% page_at "rules" rows.next_page_number %}``), the others
    staying where they were."""
    params = context["request"].GET.copy()
    params[param] = number
    return f"?{params.urlencode()}"
