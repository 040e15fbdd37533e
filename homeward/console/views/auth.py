"""Staff sign-in and sign-out."""

from __future__ import annotations

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
from homeward.people import signin_limits

# One message for a wrong password and for a non-staff account, so the form does not tell
# anyone which accounts exist or whose password they have guessed.
REFUSED = "That username and password do not match a staff account."


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
                signin_limits.check("console", username, until_released=True)
            except DomainError as error:
                form.add_error(None, error.message)
                context = {"form": form, "next": _next_url(request)}
                return render(request, "console/signin.html", context, status=error.status)
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                signin_limits.record_failure("console", username)
            if user is not None and staff_roles(user):
                signin_limits.clear("console", username)
                login(request, user)  # rotates the session key
                start_session(request)
                audit.record(actor=user, action="staff.signed_in")
                return redirect(_next_url(request))
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
