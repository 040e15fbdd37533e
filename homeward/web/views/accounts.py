"""Home, sign up, sign in, sign out."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from homeward.connections import services as connections
from homeward.core.errors import DomainError
from homeward.people import access, notices, throttle
from homeward.people import services as people
from homeward.people.models import Contact
from homeward.web.access import contact_of, safe_next
from homeward.web.forms import SignInForm, SignUpForm

# Which sign-up field a service error belongs to, so it shows next to that field.
SIGNUP_ERROR_FIELDS = {
    "email_taken": "email",
    "email_invalid": "email",
    "weak_password": "password",
    "name_required": "display_name",
    "name_too_long": "display_name",
    "name_not_plain": "display_name",
    "notice_outdated": "accept_notice",
}
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
TRUSTED_BROWSER_COOKIE = "homeward_trusted"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"contact": contact_of(request)})


def _start_session(request: HttpRequest, contact: Contact) -> None:
    """Sign in (Django rotates the session key) and pick up invitations sent by email."""
    login(request, contact.user, backend=MODEL_BACKEND)
    claimed = connections.claim_invitations(contact=contact)
    if claimed:
        messages.info(
            request,
            ngettext(
                "You have %(count)s invitation waiting. Accept or decline below.",
                "You have %(count)s invitations waiting. Accept or decline below.",
                claimed,
            )
            % {"count": claimed},
        )


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    notice = notices.general()
    # An invitation's link brings the address it was sent to.
    initial = {"notice_version": notice.version, "email": request.GET.get("email", "")[:254]}
    form = SignUpForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            contact = people.create_contact(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
                accepted_notice_version=form.cleaned_data["notice_version"],
                client=request.META.get("REMOTE_ADDR"),
            )
        except DomainError as error:
            form.add_error(SIGNUP_ERROR_FIELDS.get(error.code), error.message)
            if error.status == 429:
                refused = render(
                    request,
                    "web/signup.html",
                    {"form": form, "notice": notice, "next": safe_next(request, "")},
                    status=429,
                )
                refused["Retry-After"] = str(error.retry_after or 3600)
                return refused
        else:
            _start_session(request, contact)
            messages.success(
                request,
                _("Welcome, %(name)s. Your account is ready.") % {"name": contact.display_name},
            )
            return redirect(safe_next(request, reverse("web:connections")))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "notice": notice, "next": safe_next(request, "")}
    return render(request, "web/signup.html", context, status=status)


# One answer for every refusal, right password or wrong, staff account or none: the form
# tells no one which accounts exist, which are staff, or whose password they guessed.
REFUSED = gettext_lazy(
    "That email and password do not match a family or friend account. "
    "Staff sign in at the staff console."
)


@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        email = throttle.normalise(form.cleaned_data["email"])
        try:
            # Counted before the password is checked, so parallel guesses cannot slip past;
            # a staff account typed here is counted as staff.
            attempt = throttle.begin_password(
                kind=throttle.Kind.CONTACT,
                name=email,
                address=request.META.get("REMOTE_ADDR"),
                device_token=request.COOKIES.get(TRUSTED_BROWSER_COOKIE),
            )
        except DomainError as error:
            form.add_error(None, error.message)
            refused = _signin_page(request, form, status=error.status)
            if error.retry_after:
                refused["Retry-After"] = str(error.retry_after)
            return refused
        with attempt:  # leaving it without succeeded() counts a failure
            user = authenticate(request, username=email, password=form.cleaned_data["password"])
            contact = access.contact_of_user(user)
            if contact is not None and attempt.kind == throttle.Kind.CONTACT:
                attempt.succeeded()
                _start_session(request, contact)
                response = redirect(safe_next(request, reverse("web:connections")))
                _trust_browser(response, email)
                return response
        # A staff account's right password is refused and counted like a wrong one.
        form.add_error(None, REFUSED)
    return _signin_page(request, form, status=status)


def _trust_browser(response: HttpResponse, email: str) -> None:
    """The device cookie: this browser signed in to this account, so a stranger's wrong
    passwords for it will not lock it out here."""
    response.set_cookie(
        TRUSTED_BROWSER_COOKIE,
        throttle.trusted_browser_token(kind=throttle.Kind.CONTACT, name=email),
        **throttle.device_cookie_options(),
    )


def _signin_page(request: HttpRequest, form: SignInForm, *, status: int) -> HttpResponse:
    next_page = safe_next(request, "")
    signup_url = reverse("web:signup") + (f"?{urlencode({'next': next_page})}" if next_page else "")
    context = {"form": form, "next": next_page, "signup_url": signup_url}
    return render(request, "web/signin.html", context, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)  # flushes the session
    messages.info(request, _("You are signed out."))
    return redirect("web:home")


@require_http_methods(["GET", "POST"])
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the verification email. Opening it shows a button; the button confirms
    (a change is always a POST, and mail scanners that open links change nothing)."""
    if request.method == "POST":
        try:
            contact = people.verify_email(token=token)
        except DomainError as error:
            return render(request, "web/verify_email.html", {"error": error}, status=400)
        messages.success(
            request, _("Thank you: %(email)s is confirmed.") % {"email": contact.user.email}
        )
        return redirect("web:connections" if request.user.is_authenticated else "web:signin")
    return render(request, "web/verify_email.html", {"token": token})
