"""Refuse characters no person types before any view sees them.

NUL cannot be stored in PostgreSQL text, and a lone surrogate cannot even be encoded for
the database, so either one reaching a query used to answer 500. Non-characters
(U+FFFE, U+FFFF, U+FDD0–U+FDEF and the last two code points of every plane) are reserved
for a program's own use and never part of text. One guard checks every request at the edge
(the path, every query key and value, form fields and every string of a JSON body) so no
view, form or service has to remember it: the API answers 400 ``invalid_characters`` in its
error shape, pages a plain 400 page.

Bytes in the URL or a form that are not UTF-8 (``%ED%A0%80`` is U+D800 written as if it
were a character, ``%FF`` is nothing) are refused too, rather than silently replaced.
Malformed JSON is left alone: the API answers it with its own ``malformed_json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.defaults import bad_request

from homeward.core import language
from homeward.core.ids import whole_number

# Every plane's last two code points (U+1FFFE, U+1FFFF, ... U+10FFFF) are non-characters.
_PLANE_ENDS = "".join(f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(1, 17))
FORBIDDEN = re.compile(f"[\\x00\\ud800-\\udfff\\ufdd0-\\ufdef\\ufffe\\uffff{_PLANE_ENDS}]")

API_PREFIX = "/api/"
# A card company's signed event is not a person's input: refusing it would only make the
# company retry it for days while the payment it reports waits. Its handler reads only
# identifiers and amounts from it.
WEBHOOK_PREFIX = "/payments/webhooks/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

# Where the character was, as the refusal says it: marked here, translated in ``_refuse``.
ADDRESS = gettext_noop("the address")
QUERY = gettext_noop("the query")
COOKIE = gettext_noop("a cookie")
FORM = gettext_noop("the form")
BODY = gettext_noop("the request body")


class InvalidCharacters(Exception):
    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


def is_clean(text: str) -> bool:
    return FORBIDDEN.search(text) is None


def _check(text: str, where: str) -> None:
    if not is_clean(text):
        raise InvalidCharacters(where)


def _check_encoded(raw: bytes, where: str) -> None:
    """Percent-encoded ``key=value&...`` bytes: valid UTF-8 once decoded, and clean.

    Decoding the whole string at once is as strict as decoding each part: the separators
    are ASCII, which can never continue a multi-byte character.
    """
    try:
        text = unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidCharacters(where) from None
    _check(text, where)


def _raw(value: str) -> bytes:
    # WSGI hands over the URL's bytes as a latin-1 string; take them back as bytes.
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:  # already decoded text (ASGI)
        return value.encode("utf-8", "surrogatepass")


def _check_path(request: HttpRequest) -> None:
    # Django has already decoded the path, percent-encoding again any bytes that are not
    # UTF-8 (so %ED%A0%80 arrives as the text "%ED%A0%80"). Decoding those escapes once more
    # finds them; a person's path holds a literal "%XX" only if they typed "%25XX".
    path = request.path_info
    _check(path, ADDRESS)
    try:
        _check(unquote_to_bytes(path).decode("utf-8"), ADDRESS)
    except UnicodeError:
        raise InvalidCharacters(ADDRESS) from None


def _check_json(document: Any) -> None:
    # A loop, not recursion: a body nested as deep as the JSON parser allows must not
    # exhaust Python's stack here.
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            _check(value, BODY)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check(key, BODY)
                pending.append(item)
        elif isinstance(value, list):
            pending.extend(value)


def _check_body(request: HttpRequest) -> None:
    if request.method in ("GET", "HEAD", "OPTIONS") or request.path_info.startswith(WEBHOOK_PREFIX):
        return
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        # Decoded by Django's parser, which keeps files out of memory; they are not text.
        try:
            fields = request.POST
        except (MultiPartParserError, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
            # A broken form reads as empty, as it would in the view; one too big or with too
            # many parts is refused by the view (the API in its error shape), not here.
            return
        for key, values in fields.lists():
            _check(key, FORM)
            for value in values:
                _check(value, FORM)
        for upload in request.FILES.values():
            if isinstance(upload, UploadedFile):  # always: the stub allows a list too
                _check(upload.name or "", FORM)
        return
    declared = whole_number(request.META.get("CONTENT_LENGTH") or "0")
    if declared is None or declared > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return  # too big to read here: the view (or Django) refuses it on its own terms
    body = request.body
    if not body:
        return
    if content_type == "application/x-www-form-urlencoded":
        _check_encoded(body, FORM)
    # Whatever the declared type, a body that parses as JSON is checked as JSON: the API
    # reads JSON bodies whatever they are labelled.
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return  # not JSON (or not well-formed): the view says what it makes of it
    _check_json(document)


def check_request(request: HttpRequest) -> None:
    """Raise InvalidCharacters naming where, if any part of the request is not clean."""
    _check_path(request)
    _check_encoded(_raw(request.META.get("QUERY_STRING", "")), QUERY)
    # A cookie is text the browser sends back: the session key among them reaches the
    # database, and Django decodes a quoted octal escape in a cookie into a NUL.
    for name, value in request.COOKIES.items():
        _check(name, COOKIE)
        _check(value, COOKIE)
    _check_body(request)


def _refuse(request: HttpRequest, where: str) -> HttpResponse:
    # The guard stands before the language is chosen (it refuses before the session is
    # read), so the refusal picks it here: the browser's, or the language switch's cookie.
    with translation.override(language.of_request(request)):
        message = _(
            "There is a character in %(where)s that is not allowed: a NUL, half of a "
            "surrogate pair, a non-character or bytes that are not UTF-8."
        ) % {"where": _(where)}
        if request.path_info.startswith(API_PREFIX):
            return JsonResponse(
                {"error": {"code": "invalid_characters", "message": message}}, status=400
            )
        return bad_request(request, InvalidCharacters(where))


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except InvalidCharacters as refused:
            return _refuse(request, refused.where)
        return self.get_response(request)
