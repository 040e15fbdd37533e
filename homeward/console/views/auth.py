"""Staff sign-in and sign-out."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from homeward.console.access import safe_next, staff_roles, start_session
from homeward.console.forms import SignInForm
from homeward.core import audit
from homeward.core.errors import DomainError
from homeward.people import throttle

# One message for a wrong password and for a non-staff account, so the form does not tell
# anyone which accounts exist or whose password they have guessed.
REFUSED = "That username and password do not match a staff account."
# The device cookie of a browser that signed in to a staff account (see people.throttle).
TRUSTED_BROWSER_COOKIE = "homeward_console_trusted"


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
                context = {"form": form, "next": safe_next(request)}
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
                response = redirect(safe_next(request))
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
    context = {"form": form, "next": safe_next(request)}
    return render(request, "console/signin.html", context, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and staff_roles(request.user):
        audit.record(actor=request.user, action="staff.signed_out")
        logout(request)
        messages.success(request, "You are signed out.")
    return redirect("console:signin")
