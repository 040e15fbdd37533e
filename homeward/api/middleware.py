"""Gzip for the API's reads, and nothing else.

A long conversation page is text that shrinks ~5×, and phones pay for bytes. Only ``GET``
answers under ``/api/`` in JSON are compressed:

- not the pages (their forms carry CSRF tokens) nor any answer to a ``POST``: the API's
  secrets (a new token from ``POST /auth/token`` or ``POST /me/password``) come only in
  answers to ``POST``, so no compressed answer holds a secret beside text an attacker
  chose (BREACH). The API's credential is a bearer header a browser never adds by itself,
  which leaves BREACH little to work with anyway; this keeps it nothing;
- not pictures (``/photos/{id}/picture``, already JPEG): only ``application/json``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

PREFIX = "/api/"


class ApiGZipMiddleware(GZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            request.method != "GET"
            or not request.path.startswith(PREFIX)
            or not response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        return super().process_response(request, response)
