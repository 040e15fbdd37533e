"""A contact's own account: a forgotten password, a new password or email, closing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from homeward.core.errors import DomainError
from homeward.core.templatetags.money import dollars
from homeward.ledger import access as ledger_access
from homeward.ledger.access import Wallet
from homeward.people import account
from homeward.people import services as people
from homeward.web.access import contact_required
from homeward.web.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    CloseAccountForm,
    ForgotPasswordForm,
    NewPasswordForm,
)
from homeward.web.requests import ContactRequest

# Which form field a service error belongs to.
ERROR_FIELDS = {
    "wrong_password": "password",
    "weak_password": "password",
    "same_password": "new",
    "email_invalid": "email",
    "email_taken": "email",
    "same_email": "email",
}


def _refused(form: Form, error: DomainError, *, fields: dict[str, str] | None = None) -> None:
    """Show a service's refusal next to the field it is about, or above the form."""
    field = (fields or ERROR_FIELDS).get(error.code)
    form.add_error(field if field in form.fields else None, error.message)


@require_http_methods(["GET", "POST"])
def forgot_password(request: HttpRequest) -> HttpResponse:
    form = ForgotPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            account.request_password_reset(email=email, client=request.META.get("REMOTE_ADDR"))
        except DomainError as error:
            form.add_error(None, error.message)
            response = render(request, "web/forgot_password.html", {"form": form}, status=429)
            if error.retry_after:
                response["Retry-After"] = str(error.retry_after)
            return response
        # One answer, whether or not an account uses the address typed.
        hours = account.reset_hours()
        sent = ngettext(
            "If a Homeward account uses %(email)s, we have sent it a link to choose a new "
            "password. It works for %(hours)s hour. Check your spam folder if it does not arrive.",
            "If a Homeward account uses %(email)s, we have sent it a link to choose a new "
            "password. It works for %(hours)s hours. Check your spam folder if it does not "
            "arrive.",
            hours,
        ) % {"email": email, "hours": hours}
        return render(request, "web/forgot_password.html", {"sent": sent})
    status = 400 if request.method == "POST" else 200
    return render(request, "web/forgot_password.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def reset_password(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    try:
        account.reset_user(uid, token)
    except DomainError as error:
        # Opening a spent link is a page that says so; posting to one is a refusal.
        status = 400 if request.method == "POST" else 200
        return render(request, "web/reset_password.html", {"error": error}, status=status)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account.reset_password(uid=uid, token=token, password=form.cleaned_data["password"])
        except DomainError as error:
            if error.code == "link_invalid":
                return render(request, "web/reset_password.html", {"error": error}, status=400)
            form.add_error("password", error.message)
        else:
            logout(request)  # whoever was signed in here, sign in afresh with the new password
            messages.success(request, _("Your password is changed. Sign in with it now."))
            return redirect("web:signin")
    status = 400 if request.method == "POST" else 200
    return render(request, "web/reset_password.html", {"form": form}, status=status)


def _money_left(wallets: list[Wallet], *, stamps: bool = False) -> str:
    """What is left in the wallets and where: "$5.00 at Greenhaven, $1.20 at Fishkill"
    (with ``stamps``, each wallet's unused stamps too)."""
    parts = []
    for wallet in wallets:
        words = {
            "amount": dollars(wallet.balance),
            "facility": wallet.facility.name,
            "stamps": wallet.stamps,
        }
        if stamps and wallet.stamps:
            parts.append(
                ngettext(
                    "%(amount)s and %(stamps)s stamp at %(facility)s",
                    "%(amount)s and %(stamps)s stamps at %(facility)s",
                    wallet.stamps,
                )
                % words
            )
        else:
            parts.append(_("%(amount)s at %(facility)s") % words)
    return ("; " if stamps else ", ").join(parts)


def _account_page(request: ContactRequest, *, status: int = 200, **forms: object) -> HttpResponse:
    contact = request.contact
    context = {
        "contact": contact,
        "password_form": forms.get("password_form") or ChangePasswordForm(),
        "email_form": forms.get("email_form") or ChangeEmailForm(),
        "refusal": forms.get("refusal"),
        "money_left": _money_left(
            [w for w in ledger_access.wallets_of_contact(contact) if w.balance or w.stamps]
        ),
    }
    return render(request, "web/account.html", context, status=status)


@require_http_methods(["GET"])
@contact_required
def account_page(request: ContactRequest) -> HttpResponse:
    return _account_page(request)


@require_POST
@contact_required
def resend_verification(request: ContactRequest) -> HttpResponse:
    """The account page's "send the link again": a new verification email."""
    contact = request.contact
    try:
        people.resend_verification(contact=contact, client=request.META.get("REMOTE_ADDR"))
    except DomainError as error:
        if error.status != 429:
            messages.info(request, error.message)
            return redirect("web:account")
        response = _account_page(request, status=429, refusal=error.message)
        if error.retry_after:
            response["Retry-After"] = str(error.retry_after)
        return response
    messages.success(
        request,
        _("We have sent a new link to %(email)s. It works for %(days)s days.")
        % {"email": contact.user.email, "days": people.VERIFY_DAYS},
    )
    return redirect("web:account")


@require_POST
@contact_required
def change_password(request: ContactRequest) -> HttpResponse:
    form = ChangePasswordForm(request.POST)
    if form.is_valid():
        user = request.contact.user
        try:
            account.change_password(
                user=user,
                current=form.cleaned_data["current"],
                new=form.cleaned_data["new"],
                client=request.META.get("REMOTE_ADDR"),
            )
        except DomainError as error:
            _refused(
                form,
                error,
                fields={**ERROR_FIELDS, "wrong_password": "current", "weak_password": "new"},
            )
        else:
            user.refresh_from_db()
            update_session_auth_hash(request, user)  # this browser stays signed in
            messages.success(
                request, _("Your password is changed. Every other browser and app is signed out.")
            )
            return redirect("web:account")
    return _account_page(request, status=400, password_form=form)


@require_POST
@contact_required
def change_email(request: ContactRequest) -> HttpResponse:
    form = ChangeEmailForm(request.POST)
    if form.is_valid():
        try:
            account.request_email_change(
                contact=request.contact,
                password=form.cleaned_data["password"],
                new_email=form.cleaned_data["email"],
                client=request.META.get("REMOTE_ADDR"),
            )
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "We sent a link to %(email)s. Your email changes when you open it "
                    "(within %(days)s day).",
                    "We sent a link to %(email)s. Your email changes when you open it "
                    "(within %(days)s days).",
                    account.EMAIL_CHANGE_DAYS,
                )
                % {"email": form.cleaned_data["email"], "days": account.EMAIL_CHANGE_DAYS},
            )
            return redirect("web:account")
    return _account_page(request, status=400, email_form=form)


@require_http_methods(["GET", "POST"])
def confirm_email_change(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to the new address: opening it shows a button (mail scanners that open
    links change nothing); the button makes the change."""
    if request.method == "POST":
        try:
            contact = account.confirm_email_change(token=token)
        except DomainError as error:
            return render(request, "web/confirm_email_change.html", {"error": error}, status=400)
        messages.success(request, _("Your email is now %(email)s.") % {"email": contact.user.email})
        if request.user.is_authenticated and request.user.pk == contact.user_id:
            return redirect("web:account")
        return redirect("web:signin")
    return render(request, "web/confirm_email_change.html", {"token": token})


@require_http_methods(["GET", "POST"])
@contact_required
def close_account(request: ContactRequest) -> HttpResponse:
    contact = request.contact
    form = CloseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account.close_account(
                contact=contact,
                password=form.cleaned_data["password"],
                client=request.META.get("REMOTE_ADDR"),
            )
        except DomainError as error:
            _refused(form, error)
        else:
            logout(request)
            messages.success(
                request,
                _(
                    "Your account is closed. The money left in your wallets is on its way back "
                    "to your cards; we emailed you a confirmation."
                ),
            )
            return redirect("web:home")
    wallets = [w for w in ledger_access.wallets_of_contact(contact) if w.balance or w.stamps]
    context = {"form": form, "money_left": _money_left(wallets, stamps=True)}
    status = 400 if request.method == "POST" else 200
    return render(request, "web/close_account.html", context, status=status)
