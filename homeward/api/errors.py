"""Every API error is ``{"error": {"code": ..., "message": ...}}`` with the right status.

Codes are machine-readable and never change once published; messages are for people.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from homeward.core.errors import DomainError

log = logging.getLogger(__name__)

# The largest JSON body the API reads. A message at the highest sensible facility limit,
# escaped as JSON, fits many times over; anything bigger is not a real client.
MAX_BODY_BYTES = 256 * 1024

HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    402: "payment_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "request_too_large",
    422: "invalid_input",
    429: "too_many_requests",
}


class RequestTooLarge(Exception):
    pass


class BoundedJsonParser(Parser):
    """The default JSON parser, refusing bodies over MAX_BODY_BYTES before decoding them."""

    def parse_body(self, request: HttpRequest) -> Any:
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise RequestTooLarge()
        if len(request.body) > MAX_BODY_BYTES:
            raise RequestTooLarge()
        return json.loads(request.body)


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, **extra}}, status=status
    )


def _too_large(api: NinjaAPI, request: HttpRequest) -> HttpResponse:
    return error_response(
        api,
        request,
        413,
        "request_too_large",
        f"The request body is larger than {MAX_BODY_BYTES // 1024} KB.",
    )


def _field_name(loc: tuple[Any, ...]) -> str:
    """A readable name for where a value was wrong: ("body", "data", "email") -> "email"."""
    source, *rest = loc
    if source == "body":
        rest = rest[1:]  # drop the handler's parameter name; clients never see it
        if not rest:
            return "request body"
    return ".".join(str(part) for part in rest) or str(source)


def describe_validation(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    fields = [
        {"field": _field_name(tuple(error["loc"])), "message": error["msg"]} for error in errors
    ]
    message = "; ".join(f"{f['field']}: {f['message'].rstrip('.')}" for f in fields)
    return f"Check the input. {message}.", fields


def install(api: NinjaAPI) -> None:
    """Register the handlers on ``api``; they replace ninja's defaults."""

    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        # An error may carry machine-readable details beside its code (a declined card's
        # payment id); they join the error object.
        details = getattr(exc, "details", None) or {}
        response = error_response(api, request, exc.status, exc.code, exc.message, **details)
        if exc.retry_after:
            response["Retry-After"] = str(exc.retry_after)
        return response

    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        message, fields = describe_validation(exc.errors)
        return error_response(api, request, 422, "invalid_input", message, fields=fields)

    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(
            api,
            request,
            401,
            "unauthenticated",
            "Sign in first: send 'Authorization: Bearer <token>' with a token from "
            "POST /api/v1/auth/token.",
        )
        response["WWW-Authenticate"] = 'Bearer realm="homeward"'
        return response

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, RequestTooLarge):
            return _too_large(api, request)
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            return error_response(
                api, request, 400, "malformed_json", "The request body is not valid JSON."
            )
        code = HTTP_CODES.get(exc.status_code, "error")
        return error_response(api, request, exc.status_code, code, str(exc))

    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not_found", "Not found.")

    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return _too_large(api, request)

    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # The details go to the log for operators, never to the client.
        log.exception("Unhandled error in %s %s", request.method, request.path)
        return error_response(
            api, request, 500, "internal_error", "Something went wrong on our side. Try again."
        )

    api.add_exception_handler(DomainError, domain_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(AuthenticationError, authentication_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(RequestDataTooBig, too_big)
    api.add_exception_handler(Exception, unexpected)
