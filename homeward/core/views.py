"""Small helpers shared by the page surfaces."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest

from homeward.core.errors import DomainError, NotFound


def show_error(request: HttpRequest, error: DomainError) -> None:
    """Turn a domain error into a page: not-found becomes a 404, anything else a message."""
    if isinstance(error, NotFound):
        raise Http404(error.message)
    messages.error(request, error.message)
