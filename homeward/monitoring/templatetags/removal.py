"""``{{ message|shown_body }}``: a message's words, or the note that replaced them at the end
of retention said again in the reader's language (``monitoring.words.shown_body``)."""

from __future__ import annotations

from django import template

from homeward.messaging.models import Message
from homeward.monitoring import words

register = template.Library()


@register.filter
def shown_body(message: Message) -> str:
    return words.shown_body(message)
