"""Payment providers' webhooks. No session and no CSRF token: the provider's signature is
the proof, and it is checked before anything is read or written."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from homeward.core.errors import DomainError
from homeward.ledger import payments, providers


@csrf_exempt
@require_POST
def payment_webhook(request: HttpRequest, provider: str) -> HttpResponse:
    if provider not in providers.NAMES:
        return JsonResponse(
            {"error": {"code": "not_found", "message": "No such provider."}}, status=404
        )
    try:
        outcome = payments.handle_webhook(
            provider=provider, body=request.body, headers=request.headers
        )
    except DomainError as error:
        return JsonResponse({"error": {"code": error.code, "message": error.message}}, status=400)
    if outcome == "unknown":  # not an error of the sender's: it retries, and we apply it then
        message = "No payment with this reference yet."
        return JsonResponse({"error": {"code": "unknown_payment", "message": message}}, status=404)
    return JsonResponse({"received": outcome})
