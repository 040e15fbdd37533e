"""Which language a page, an API answer or an email is written in.

One rule for every request, by where it goes:

- the staff console is English;
- the kiosk speaks the signed-in resident's choice (kept on their record and, for the
  session, under ``KIOSK_SESSION_KEY``), else what was chosen on the kiosk before signing in,
  else the kiosk browser's;
- the contact site speaks the signed-in person's saved choice, else the language switch's
  cookie, else the browser's ``Accept-Language``;
- the API follows ``Accept-Language`` on each request, as an app's phone sends it.

Anything else (a cookie naming a language we do not offer, an unknown ``Accept-Language``)
is passed over, and English is the last word.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeGuard

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation.trans_real import parse_accept_lang_header

KIOSK_SESSION_KEY = "kiosk_language"


def offered(code: object) -> TypeGuard[str]:
    return isinstance(code, str) and code in dict(settings.LANGUAGES)


def of_request(request: HttpRequest) -> str:
    path = request.path_info
    if path.startswith("/console/"):
        return settings.LANGUAGE_CODE
    if path.startswith("/kiosk/"):
        chosen = request.session.get(KIOSK_SESSION_KEY) if hasattr(request, "session") else None
        return chosen if offered(chosen) else _from_browser(request)
    if not path.startswith("/api/"):
        saved = getattr(getattr(request, "user", None), "language", "")
        if offered(saved):
            return saved
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if offered(cookie):
            return cookie
    return _from_browser(request)


def _from_browser(request: HttpRequest) -> str:
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for accepted, _quality in parse_accept_lang_header(header):
        if accepted == "*":
            break
        try:
            return translation.get_supported_language_variant(accepted)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    """Django's LocaleMiddleware, with the person's saved choice first and no URL prefixes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = of_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        if response.streaming:  # written after this returns: in the same language
            response.streaming_content = _spoken(language, response.streaming_content)  # type: ignore[attr-defined]
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response


def _spoken(language: str, content: Iterable[bytes]) -> Iterator[bytes]:
    with translation.override(language):
        yield from content


def remember(response: HttpResponse, language: str) -> None:
    """The language switch's cookie, for the pages seen before signing in."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
    )


def way_back(request: HttpRequest, fallback: str) -> str:
    """The page the switch was pressed on (``next``), when it is one of ours."""
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return fallback
