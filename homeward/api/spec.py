"""The API object with the house's conventions built in, so every endpoint follows them.

- Every operation has a short, stable ``operation_id`` (``messages_send``): building the
  spec fails for one without.
- Every operation lists every error code it can answer, under the code's one status (from
  ``errors.STATUS``): the codes its route declares with ``errors.can_answer`` and the edge's
  (401 without a token, 422 for a wrong parameter, 413 for a body, 400 for a JSON body
  that is not JSON ...). Each status names its codes in ``x-error-codes``, its
  description and one example per code.
- A public operation says so: ``security: []``.
- A method a path does not have is 405 ``method_not_allowed`` in the error shape, with
  ``Allow``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from homeward.api import errors
from homeward.api.schemas import ErrorOut

REF = "#/components/schemas/{model}"
# Extras an error of these codes carries besides code and message.
EXTRAS: dict[str, dict[str, Any]] = {
    "invalid_input": {"fields": [{"field": "amount_cents", "message": "Input should be 100"}]},
    "card_declined": {"payment_id": 1},
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds until trying again is worth it.",
        "schema": {"type": "integer", "minimum": 1},
    }
}


class HomewardAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        raise ValueError(
            f"{operation.view_func.__module__}.{operation.view_func.__name__} needs an "
            "operation_id= on its route: noun_verb, e.g. messages_send."
        )

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["servers"] = [{"url": settings.SITE_URL, "description": "This deployment"}]
        _add_error_schema(schema["components"]["schemas"])
        handlers = self.handlers_by_operation_id()
        for methods in schema["paths"].values():
            for details in methods.values():
                if "security" not in details:
                    details["security"] = []  # public: no token needed
                codes = operation_error_codes(details, handlers[details["operationId"]])
                details["responses"].update(error_responses(codes))
                _describe_creates(details, schema["components"]["schemas"])
        return schema

    def handlers_by_operation_id(self) -> dict[str, Callable[..., Any]]:
        """Each documented operation's handler, by its operation id."""
        return {
            operation.operation_id: operation.view_func
            for router in self._get_bound_routers()
            for path_view in router.path_operations.values()
            for operation in path_view.operations
            if operation.include_in_schema and operation.operation_id
        }

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = self._json_not_allowed(pattern.callback)
        return urls

    def _json_not_allowed(self, view: Callable[..., Any]) -> Callable[..., Any]:
        """ninja answers a method a path lacks with a bare 405; answer it in the error shape."""

        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if not isinstance(response, HttpResponseNotAllowed):
                return response
            allowed = response["Allow"]
            answer = errors.error_response(
                self,
                request,
                405,
                "method_not_allowed",
                f"{request.method} is not allowed here; this address takes {allowed}.",
            )
            answer["Allow"] = allowed
            return answer

        wrapped.csrf_exempt = True  # type: ignore[attr-defined]  # as ninja's own views are
        return wrapped


def operation_error_codes(details: dict[str, Any], handler: Callable[..., Any]) -> list[str]:
    """Every code an operation can answer: its route's and the edge's, by its shape."""
    codes = [*errors.EDGE_ALWAYS, *errors.declared_codes(handler)]
    if details["security"]:
        codes += errors.EDGE_SIGNED_IN
    if details.get("parameters") or "requestBody" in details:
        codes += errors.EDGE_INPUT
    if "requestBody" in details:
        codes += errors.EDGE_BODY
        if "application/json" in details["requestBody"]["content"]:
            codes += errors.EDGE_JSON_BODY
    return sorted(set(codes))


def error_responses(codes: list[str]) -> dict[int, dict[str, Any]]:
    by_status: dict[int, list[str]] = {}
    for code in codes:
        by_status.setdefault(errors.STATUS[code], []).append(code)
    responses: dict[int, dict[str, Any]] = {}
    for status, named in sorted(by_status.items()):
        examples = {
            code: {
                "summary": code,
                "value": {
                    "error": {
                        "code": code,
                        "message": "A sentence for people.",
                        **EXTRAS.get(code, {}),
                    }
                },
            }
            for code in named
        }
        response: dict[str, Any] = {
            "description": "Error codes: " + ", ".join(named) + ".",
            "content": {
                "application/json": {"schema": {"$ref": REF.format(model="ErrorOut")}}
                | {"examples": examples}
            },
            "x-error-codes": named,
        }
        if status == 429:
            response["headers"] = RETRY_AFTER
        responses[status] = response
    return responses


CREATED = "Created: this request made it."
REPEATED = (
    "A repeat: this idempotency_key was used before with the same request; nothing new "
    "was made, and this is what the first request made."
)
# A create whose body names what it makes (``x-idempotent-by``) takes no key: the same
# body again is the repeat.
REPEATED_BY = (
    "A repeat: a request with the same {fields} was made before; nothing new was made, and "
    "this is what the first request made."
)


def _describe_creates(details: dict[str, Any], components: dict[str, Any]) -> None:
    """A create answers 201 when it made something and 200 when it repeated: its key, or
    the body fields that name what it makes. The repeat's body is its own schema
    (``<Name>Repeat``, the same fields), so a generated client, which types an answer by
    its schema, can tell a repeat from a creation."""
    responses = details["responses"]
    if 201 in responses:
        responses[201]["description"] = CREATED
        if 200 in responses:
            by = details.get("x-idempotent-by")
            repeated = REPEATED_BY.format(fields=" and ".join(by)) if by else REPEATED
            responses[200]["description"] = repeated
            _repeat_schema(responses, components)


def _repeat_schema(responses: dict[int, Any], components: dict[str, Any]) -> None:
    created = responses[201]["content"]["application/json"]["schema"]
    repeat = responses[200]["content"]["application/json"]
    if repeat["schema"] != created or "$ref" not in created:
        return
    name = created["$ref"].rsplit("/", 1)[-1]
    components.setdefault(
        f"{name}Repeat",
        components[name] | {"title": f"{name}Repeat", "description": REPEAT_SCHEMA},
    )
    repeat["schema"] = {"$ref": REF.format(model=f"{name}Repeat")}


REPEAT_SCHEMA = (
    "The answer of a 200: a repeat answers what the first request made; an operation may "
    "give 200 for nothing new to do too (its description says)."
)


def _add_error_schema(components: dict[str, Any]) -> None:
    schema = ErrorOut.model_json_schema(ref_template=REF)
    components.update(schema.pop("$defs", {}))
    components["ErrorOut"] = schema
