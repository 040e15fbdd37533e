"""Staff sign-in and sign-out."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from homeward.console.access import staff_roles, start_session
from homeward.console.forms import SignInForm
from homeward.core import audit
from homeward.core.errors import DomainError
from homeward.people import throttle

# One message for a wrong password and for a non-staff account, so the form does not tell
# anyone which accounts exist or whose password they have guessed.
REFUSED = "That username and password do not match a staff account."
# The device cookie of a browser that signed in to a staff account (see people.throttle).
TRUSTED_BROWSER_COOKIE = "homeward_console_trusted"


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    # Staff pages live in the console; registering a kiosk device is the one staff page
    # outside it.
    if safe and (target.startswith("/console/") or target == reverse("kiosk:device")):
        return target
    return reverse("console:dashboard")


def signin(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            username = form.cleaned_data["username"]
            try:
                # Counted before the password is checked, so parallel guesses cannot slip
                # past; a browser that signed in to this account before is counted apart.
                attempt = throttle.begin_password(
                    kind=throttle.Kind.STAFF,
                    name=username,
                    address=request.META.get("REMOTE_ADDR"),
                    device_token=request.COOKIES.get(TRUSTED_BROWSER_COOKIE),
                )
            except DomainError as error:
                form.add_error(None, error.message)
                context = {"form": form, "next": _next_url(request)}
                return render(request, "console/signin.html", context, status=error.status)
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                attempt.failed()
            else:
                attempt.succeeded()
            if user is not None and staff_roles(user):
                login(request, user)  # rotates the session key
                start_session(request)
                audit.record(actor=user, action="staff.signed_in")
                response = redirect(_next_url(request))
                response.set_cookie(
                    TRUSTED_BROWSER_COOKIE,
                    throttle.trusted_browser_token(kind=throttle.Kind.STAFF, name=username),
                    max_age=throttle.TRUSTED_MAX_AGE,
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
                return response
            form.add_error(None, REFUSED)
        status = 400
    context = {"form": form, "next": _next_url(request)}
    return render(request, "console/signin.html", context, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and staff_roles(request.user):
        audit.record(actor=request.user, action="staff.signed_out")
        logout(request)
        messages.success(request, "You are signed out.")
    return redirect("console:signin")
