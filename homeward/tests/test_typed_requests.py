"""Every page that needs a signed-in person says so in its signature.

``contact_required``, ``resident_required`` and the console's staff decorators hand the view
a typed request (``ContactRequest``, ``KioskRequest``, ``StaffRequest``) and nothing else.
A view still written the old way (``request: HttpRequest, resident: Resident, ...``) passes
the type checker, because a view that takes any request also takes a typed one, but it
would fail on every call: this test finds it first.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from types import CodeType
from typing import Any, get_type_hints

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver

from homeward.console.access import any_staff_required, signin_step
from homeward.console.requests import SigningInRequest, StaffRequest
from homeward.kiosk.auth import resident_required
from homeward.kiosk.requests import KioskRequest
from homeward.web.access import contact_required
from homeward.web.requests import ContactRequest


def _probe(request: Any) -> HttpResponse:
    return HttpResponse()


# Each decorator's wrapper has one code object, whatever view it wraps.
EXPECTED: dict[CodeType, type[HttpRequest]] = {
    contact_required(_probe).__code__: ContactRequest,
    resident_required(_probe).__code__: KioskRequest,
    any_staff_required(_probe).__code__: StaffRequest,
    signin_step(_probe).__code__: SigningInRequest,
}


def _views(resolver: URLResolver) -> Iterator[tuple[str, Callable[..., Any]]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern)
        elif isinstance(pattern, URLPattern):
            yield str(pattern.pattern), pattern.callback


def _guarded(view: Callable[..., Any]) -> list[tuple[type[HttpRequest], Callable[..., Any]]]:
    """(the request the decorator promises, the function it hands it to) for each of our
    decorators on ``view``."""
    found = []
    layer: Any = view
    while layer is not None:
        promised = EXPECTED.get(getattr(layer, "__code__", None))
        if promised is not None:
            found.append((promised, inspect.unwrap(layer.__wrapped__)))
        layer = getattr(layer, "__wrapped__", None)
    return found


def test_the_decorators_are_recognised_on_real_pages() -> None:
    guarded = {promised for _, view in _views(get_resolver()) for promised, _ in _guarded(view)}
    assert guarded == {ContactRequest, KioskRequest, StaffRequest, SigningInRequest}


def test_every_guarded_view_takes_the_typed_request() -> None:
    wrong = []
    for route, view in _views(get_resolver()):
        for promised, inner in _guarded(view):
            hints = get_type_hints(inner)
            first = next(iter(inspect.signature(inner).parameters))
            if hints.get(first) is not promised:
                wrong.append(f"{route}: {inner.__qualname__} should take {promised.__name__}")
    assert wrong == []
