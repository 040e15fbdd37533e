"""Staff sign-in and sign-out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from homeward.console.access import safe_next, start_session
from homeward.console.forms import SignInForm
from homeward.core import audit
from homeward.core.errors import DomainError
from homeward.people import access, throttle

# One message for a wrong password and for a non-staff account, so the form does not tell
# anyone which accounts exist or whose password they have guessed.
REFUSED = "That username and password do not match a staff account."
# The device cookie of a browser that signed in to a staff account (see people.throttle).
# It is set only once the second factor is passed (console.views.second_factor), never here.
TRUSTED_BROWSER_COOKIE = "homeward_console_trusted"


def signin(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            # As Django's own sign-in forms pass it (NFKC): a look-alike spelling is the
            # account it looks like, for the count and for the password check alike.
            username = throttle.username_as_typed(form.cleaned_data["username"])
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
                refused = render(request, "console/signin.html", context, status=error.status)
                if error.retry_after:
                    refused["Retry-After"] = str(error.retry_after)
                return refused
            with attempt:  # leaving it without succeeded() counts a failure
                password = form.cleaned_data["password"]
                user = authenticate(request, username=username, password=password)
                # A contact's right password is refused and counted like a wrong one.
                if user is not None and access.staff_roles(user):
                    attempt.succeeded()
                    login(request, user)  # rotates the session key
                    start_session(request)
                    audit.record(actor=user, action="staff.signed_in")
                    return redirect(safe_next(request))
            form.add_error(None, REFUSED)
        status = 400
    context = {"form": form, "next": safe_next(request)}
    return render(request, "console/signin.html", context, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and access.staff_roles(request.user):
        audit.record(actor=request.user, action="staff.signed_out")
        logout(request)
        messages.success(request, "You are signed out.")
    return redirect("console:signin")
