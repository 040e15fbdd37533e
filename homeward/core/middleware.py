from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Everything the pages need is served from our own origin; nothing inline, nothing external.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
# No page uses the camera, microphone, location or the browser's payment sheet (card
# payments happen on the provider's own pages), so no page, nor anything it embeds, may.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Referrer-Policy", "same-origin")
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class ProxyAddressMiddleware:
    """Behind reverse proxies (``PROXY_HEADERS=1``), the client's address is the one the
    outermost of our ``PROXY_COUNT`` proxies appended to ``X-Forwarded-For``; the sign-in
    throttle counts by it. Entries before it were written by the client and are not
    believed. Off by default: without a proxy, anyone could write the header and pick the
    address they are counted under."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.proxies = settings.PROXY_COUNT

    def __call__(self, request: HttpRequest) -> HttpResponse:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= self.proxies:
            request.META["REMOTE_ADDR"] = hops[-self.proxies]
        return self.get_response(request)
