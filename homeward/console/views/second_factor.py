"""The sign-in steps after the password: enrol an authenticator app (first sign-in, or
after an admin reset), type a code from it (or a recovery code), accept the monitoring
notice. Each step sends the staff member on to the page they asked for.

Only once the second factor is passed does the browser get the staff device cookie (the
sign-in throttle counts a known browser apart from strangers): a password alone must not
earn a browser that trust."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TypeVar

import django_otp
import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.models import Device

from homeward.console import notice
from homeward.console.access import (
    password_typed_recently,
    safe_next,
    second_factor_gate,
    sign_in_again,
    signin_step,
)
from homeward.console.factor_forms import CodeForm
from homeward.console.requests import SigningInRequest
from homeward.console.views.auth import TRUSTED_BROWSER_COOKIE
from homeward.core.errors import DomainError
from homeward.people import second_factor, throttle

T = TypeVar("T")


def _signed_in_with(request: HttpRequest, device: Device) -> None:
    # A new session key for the session that now holds a second factor.
    request.session.cycle_key()
    django_otp.login(request, device)


def _trusted(request: SigningInRequest, response: HttpResponse) -> HttpResponse:
    """Mark this browser as one that signed in to the account (both factors passed)."""
    token = throttle.trusted_browser_token(
        kind=throttle.Kind.STAFF, name=request.user.get_username()
    )
    response.set_cookie(TRUSTED_BROWSER_COOKIE, token, **throttle.device_cookie_options())
    return response


def _code_step(request: HttpRequest, check: Callable[[str], T]) -> tuple[CodeForm, int, T | None]:
    """The code form of a sign-in step: on a POST with a code, ``check`` it. Returns the
    form (with the refusal next to the code), the page's status, and what ``check``
    returned when the code was right (None otherwise)."""
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return form, 200, None
    if not form.is_valid():
        return form, 400, None
    try:
        return form, 200, check(form.cleaned_data["code"])
    except DomainError as error:
        form.add_error("code", error.message)
        return form, error.status, None


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@require_http_methods(["GET", "POST"])
@signin_step
def enrol(request: SigningInRequest) -> HttpResponse:
    next_url = safe_next(request)
    if second_factor.has_app(request.user):
        return redirect(next_url)  # the gate asks for a code if this session has none
    if not password_typed_recently(request):
        return sign_in_again(request, "Sign in again to set up your authenticator app.", next_url)
    form, status, enrolled = _code_step(
        request,
        lambda code: second_factor.confirm_app(user=request.user, code=code),
    )
    if enrolled is not None:
        _signed_in_with(request, enrolled.device)
        shown: dict[str, object] = {"codes": enrolled.recovery_codes, "next": next_url}
        return _trusted(request, render(request, "console/recovery_codes.html", shown))
    device = second_factor.pending_app(user=request.user)
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "next": next_url,
        "qr": qr.svg_data_uri(scale=5, dark="#111", border=2),
        "secret": _grouped(base64.b32encode(device.bin_key).decode()),
    }
    return render(request, "console/enrol.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@signin_step
def verify(request: SigningInRequest) -> HttpResponse:
    next_url = safe_next(request)
    if not second_factor.has_app(request.user):
        return redirect(next_url)  # the gate sends them to enrol
    if second_factor.verified_in_session(request.user):
        return redirect(next_url)
    form, status, device = _code_step(
        request,
        lambda code: second_factor.verify(user=request.user, code=code),
    )
    if device is not None:
        _signed_in_with(request, device)
        if device.name == second_factor.RECOVERY_NAME:
            left = second_factor.recovery_codes_left(request.user)
            messages.warning(
                request,
                f"You used a recovery code; {left} left. Each works only once. "
                "Ask an admin to reset your second factor if you lost your app.",
            )
        return _trusted(request, redirect(next_url))
    return render(request, "console/verify.html", {"form": form, "next": next_url}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@signin_step
def notice_page(request: SigningInRequest) -> HttpResponse:
    next_url = safe_next(request)
    if not second_factor.verified_in_session(request.user):
        # The notice comes after the second factor.
        return second_factor_gate(request) or redirect(next_url)
    if request.method == "POST":
        notice.accept(user=request.user)
        return redirect(next_url)
    context = {
        "next": next_url,
        "version": notice.current_version(),
        "accepted": notice.accepted(request.user),
    }
    return render(request, "console/notice.html", context)
