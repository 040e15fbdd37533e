"""Every API error is ``{"error": {"code": ..., "message": ...}}`` with the right status.

Codes are machine-readable and never change once published; messages are for people, in
the language the request asks for (``Accept-Language``, see ``homeward.core.language``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from homeward.core.errors import DomainError
from homeward.core.ids import whole_number

log = logging.getLogger(__name__)
Handler = TypeVar("Handler", bound=Callable[..., Any])

# The largest JSON body the API reads. A message at the highest sensible facility limit,
# escaped as JSON, fits many times over; anything bigger is not a real client.
MAX_BODY_BYTES = 256 * 1024

# Every code the API answers, with its one HTTP status. A domain error is answered with
# the status written here (a test checks that wherever our code raises a code, it raises
# it with this status), and each operation's codes are published under these statuses in
# the spec (see ``homeward.api.spec``). Codes never change once published.
STATUS: dict[str, int] = {
    # At the edge, before or around any handler (see EDGE below).
    "invalid_characters": 400,
    "malformed_json": 400,
    "unauthenticated": 401,
    "token_expired": 401,
    "method_not_allowed": 405,
    "request_too_large": 413,
    "invalid_input": 422,
    "internal_error": 500,
    # Signing in.
    "invalid_credentials": 401,
    "locked_out": 429,
    "too_many_attempts": 429,
    "kiosk_locked": 429,
    # A contact's own account.
    "name_required": 400,
    "name_too_long": 400,
    "name_not_plain": 400,
    "already_verified": 409,
    "wrong_password": 400,
    "weak_password": 400,
    "same_password": 400,
    "email_invalid": 400,
    "same_email": 400,
    "email_taken": 400,
    "messages_in_review": 409,
    "payment_pending": 409,
    # Looking things up: anything that is not yours does not exist.
    "not_found": 404,
    "facility_not_found": 404,
    "resident_not_found": 404,
    # Connections.
    "invite_only": 403,
    "connection_closed": 403,
    "resident_released": 409,
    "not_pending": 409,
    "asked_too_soon": 409,
    "invitation_expired": 409,
    "resident_moved": 409,
    "contact_cap_reached": 409,
    "illegal_transition": 409,
    # Messages.
    "message_empty": 400,
    "message_too_long": 400,
    "prepaid_reply_not_offered": 400,
    "connection_blocked": 403,
    "messaging_suspended": 403,
    "messaging_revoked": 403,
    "connection_not_active": 409,
    "notice_not_accepted": 403,
    "notice_outdated": 409,
    "insufficient_funds": 402,
    # Appeals of a blocked message or of a stop to one's messaging.
    "statement_required": 400,
    "statement_too_long": 400,
    "not_blocked": 409,
    "not_in_force": 409,
    "already_appealed": 409,
    "appeal_window_closed": 409,
    "nobody_to_decide": 409,
    # Photos: uploading one (refused at once for what its file shows; the same codes are a
    # checked photo's refusal_code), and sending it with a message.
    "photos_not_offered": 403,
    "account_closed": 403,
    "not_connected": 403,
    "photo_too_large": 400,
    "photo_not_an_image": 400,
    "photo_gif_not_allowed": 400,
    "photo_too_many_pixels": 400,
    "photo_animated": 400,
    "photo_damaged": 400,
    "photo_extra_data": 400,
    "too_many_uploads": 429,
    "too_many_photos": 400,
    "photo_not_found": 404,
    "photo_not_ready": 409,
    "photo_refused": 409,
    "photos_not_on_privileged": 403,
    # Push.
    "push_not_offered": 403,
    "push_endpoint_refused": 400,
    "push_keys_invalid": 400,
    "too_many_devices": 409,
    # Money.
    "no_price_schedule": 400,
    "bad_amount": 400,
    "key_required": 400,
    "no_such_pack": 400,
    "card_not_accepted": 400,
    "card_declined": 402,
    "total_changed": 409,
    "idempotency_key_reused": 409,
    "refund_unmatched": 409,
    # The card company.
    "provider_error": 502,
    "provider_unavailable": 503,
}

# Codes any operation can answer from the edge, by what the operation takes: every one
# refuses characters no person types; one that needs a token answers 401 without it (and
# 401 token_expired for a token past its expiry: sign in again); one
# with parameters or a body answers 422 for a wrong one; one with a body answers 413 for a
# body too large, and a JSON body 400 for JSON that is not JSON. (A multipart form that
# cannot be read has none of its fields: 422.)
EDGE_ALWAYS = ("invalid_characters",)
EDGE_SIGNED_IN = ("unauthenticated", "token_expired")
EDGE_INPUT = ("invalid_input",)
EDGE_BODY = ("request_too_large",)
EDGE_JSON_BODY = ("malformed_json",)

# The code for an error that only has an HTTP status (ninja's own refusals).
CODE_FOR_STATUS = {
    401: "unauthenticated",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    422: "invalid_input",
}

E = TypeVar("E", bound=Exception)


def status_of(code: str, default: int = 400) -> int:
    return STATUS.get(code, default)


def can_answer(*codes: str) -> Callable[[Handler], Handler]:
    """Declare, beside a route, the error codes its handler can answer (beyond the edge's).

    The spec lists them under their statuses; a test reads the code the handler calls and
    fails if it can raise a code not declared here."""
    unknown = [code for code in codes if code not in STATUS]
    if unknown:
        raise ValueError(f"Add {unknown} to homeward.api.errors.STATUS with their status.")

    def declare(handler: Handler) -> Handler:
        handler.error_codes = tuple(codes)  # type: ignore[attr-defined]
        return handler

    return declare


def declared_codes(handler: Callable[..., Any]) -> tuple[str, ...]:
    return tuple(getattr(handler, "error_codes", ()))


class RequestTooLarge(Exception):
    pass


class BoundedJsonParser(Parser):
    """The default JSON parser, refusing bodies over MAX_BODY_BYTES before decoding them."""

    def parse_body(self, request: HttpRequest) -> Any:
        declared = whole_number(request.META.get("CONTENT_LENGTH") or "")
        if declared is not None and declared > MAX_BODY_BYTES:
            raise RequestTooLarge()
        if len(request.body) > MAX_BODY_BYTES:
            raise RequestTooLarge()
        return json.loads(request.body)


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: object, **extra: Any
) -> HttpResponse:
    # A message may be translated lazily (a constant's words): it is made plain text here,
    # in the request's language, before anything is encoded.
    return api.create_response(
        request, {"error": {"code": code, "message": str(message), **extra}}, status=status
    )


def _too_large(api: NinjaAPI, request: HttpRequest) -> HttpResponse:
    return error_response(
        api,
        request,
        413,
        "request_too_large",
        _("The request body is larger than %(size)s KB.") % {"size": MAX_BODY_BYTES // 1024},
    )


def _field_name(loc: tuple[Any, ...]) -> str:
    """A readable name for where a value was wrong: ("body", "data", "email") -> "email"."""
    source, *rest = loc
    if source == "body":
        rest = rest[1:]  # drop the handler's parameter name; clients never see it
        if not rest:
            return "request body"
    return ".".join(str(part) for part in rest) or str(source)


# Why a value was wrong, as pydantic says it (in English), for the reasons people meet most:
# the same sentence in the request's language. Any other reason is pydantic's own words.
_REASONS = {
    "missing": gettext_lazy("Field required"),
    "int_type": gettext_lazy("Input should be a valid integer"),
    "int_parsing": gettext_lazy(
        "Input should be a valid integer, unable to parse string as an integer"
    ),
    "int_from_float": gettext_lazy(
        "Input should be a valid integer, got a number with a fractional part"
    ),
    "float_type": gettext_lazy("Input should be a valid number"),
    "float_parsing": gettext_lazy(
        "Input should be a valid number, unable to parse string as a number"
    ),
    "bool_type": gettext_lazy("Input should be a valid boolean"),
    "bool_parsing": gettext_lazy("Input should be a valid boolean, unable to interpret input"),
    "string_type": gettext_lazy("Input should be a valid string"),
    "dict_type": gettext_lazy("Input should be a valid dictionary"),
    "model_attributes_type": gettext_lazy(
        "Input should be a valid dictionary or object to extract fields from"
    ),
    "list_type": gettext_lazy("Input should be a valid list"),
    "datetime_type": gettext_lazy("Input should be a valid datetime"),
    "extra_forbidden": gettext_lazy("Extra inputs are not permitted"),
    "string_pattern_mismatch": gettext_lazy("String should match pattern '%(pattern)s'"),
    "greater_than": gettext_lazy("Input should be greater than %(gt)s"),
    "greater_than_equal": gettext_lazy("Input should be greater than or equal to %(ge)s"),
    "less_than": gettext_lazy("Input should be less than %(lt)s"),
    "less_than_equal": gettext_lazy("Input should be less than or equal to %(le)s"),
    "value_error": gettext_lazy("Value error, %(error)s"),
}


def reason(error: dict[str, Any]) -> str:
    """Why one value was wrong, in the request's language where we know the reason."""
    kind, context = error.get("type"), error.get("ctx") or {}
    try:
        if kind == "string_too_short":
            count = context["min_length"]
            return ngettext(
                "String should have at least %(min_length)s character",
                "String should have at least %(min_length)s characters",
                count,
            ) % {"min_length": count}
        if kind == "string_too_long":
            count = context["max_length"]
            return ngettext(
                "String should have at most %(max_length)s character",
                "String should have at most %(max_length)s characters",
                count,
            ) % {"max_length": count}
        if isinstance(kind, str) and kind in _REASONS:
            said = str(_REASONS[kind])
            return said % context if "%(" in said else said
    except (KeyError, TypeError, ValueError):
        pass  # a reason worded with details we were not given: pydantic's words
    return str(error["msg"])


def describe_validation(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    fields = [
        {"field": _field_name(tuple(error["loc"])), "message": reason(error)} for error in errors
    ]
    message = "; ".join(f"{f['field']}: {f['message'].rstrip('.')}" for f in fields)
    return _("Check the input. %(problems)s.") % {"problems": message}, fields


def install(api: NinjaAPI) -> None:
    """Register the handlers on ``api``; they replace ninja's defaults."""

    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        # An error may carry machine-readable details beside its code (a declined card's
        # payment id); they join the error object.
        details = getattr(exc, "details", None) or {}
        if exc.code not in STATUS:  # answered, but missing from the table and the spec
            log.warning("Error code %r is not in api.errors.STATUS", exc.code)
        status = status_of(exc.code, exc.status)
        response = error_response(api, request, status, exc.code, exc.message, **details)
        if exc.retry_after:
            response["Retry-After"] = str(exc.retry_after)
        if status == 401:  # RFC 9110: a 401 names how to authenticate
            response["WWW-Authenticate"] = (
                'Bearer realm="homeward", error="invalid_token"'
                if exc.code == "token_expired"
                else 'Bearer realm="homeward"'
            )
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
            _(
                "Sign in first: send 'Authorization: Bearer <token>' with a token from "
                "POST /api/v1/auth/token."
            ),
        )
        response["WWW-Authenticate"] = 'Bearer realm="homeward"'
        return response

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, RequestTooLarge):
            return _too_large(api, request)
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            return error_response(
                api, request, 400, "malformed_json", _("The request body is not valid JSON.")
            )
        # Answered by its code's one status: a request ninja could not read is 422.
        code = CODE_FOR_STATUS.get(exc.status_code, "invalid_input")
        return error_response(api, request, STATUS[code], code, str(exc))

    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not_found", _("Not found."))

    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return _too_large(api, request)

    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # The details go to the log for operators, never to the client.
        log.exception("Unhandled error in %s %s", request.method, request.path)
        return error_response(
            api, request, 500, "internal_error", _("Something went wrong on our side. Try again.")
        )

    _handle(api, DomainError, domain_error)
    _handle(api, ValidationError, validation_error)
    _handle(api, AuthenticationError, authentication_error)
    _handle(api, HttpError, http_error)
    _handle(api, Http404, not_found)
    _handle(api, RequestDataTooBig, too_big)
    _handle(api, Exception, unexpected)


def _handle(
    api: NinjaAPI, exc_class: type[E], handler: Callable[[HttpRequest, E], HttpResponse]
) -> None:
    # django-ninja types a handler as taking the exception or its class, but it always
    # calls it with the exception raised.
    api.add_exception_handler(exc_class, handler)  # type: ignore[arg-type]
