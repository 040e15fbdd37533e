"""Registering a device as a kiosk, and residents signing in and out on it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from homeward.console.access import second_factor_gate, signed_in
from homeward.core.errors import DomainError
from homeward.kiosk import auth, services
from homeward.kiosk.forms import DeviceForm, SignInForm

CONSOLE_SIGNIN = "/console/signin/"


@require_http_methods(["GET", "POST"])
def register_device(request: HttpRequest) -> HttpResponse:
    """A facility or agency admin, signed in to the console, turns this browser into a kiosk."""
    signed = signed_in(request)
    if signed is None:
        return redirect_to_login(request.get_full_path(), CONSOLE_SIGNIN)
    facilities = services.admin_facilities(signed.user)
    if not facilities.exists():
        return render(request, "kiosk/device_forbidden.html", status=403)
    # The same sign-in steps as the console: second factor in this session, notice accepted.
    step = second_factor_gate(signed)
    if step is not None:
        return step
    form = DeviceForm(request.POST if request.method == "POST" else None, facilities=facilities)
    if request.method == "POST" and form.is_valid():
        facility = form.cleaned_data["facility"]
        try:
            device, raw_token = services.register_device(
                staff=signed.user,
                facility=facility,
                name=form.cleaned_data["name"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            # A kiosk must never stay signed in as the staff member who set it up.
            logout(request)
            messages.success(
                request,
                _("This device is now a kiosk for %(facility)s.") % {"facility": facility.name},
            )
            response = redirect("kiosk:signin")
            auth.set_device_cookie(response, raw_token)
            return response
    return render(request, "kiosk/device.html", {"form": form})


def _not_a_kiosk(request: HttpRequest) -> HttpResponse:
    return render(request, "kiosk/not_registered.html", status=403)


@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    device = auth.device_of(request)
    if device is None:
        return _not_a_kiosk(request)
    form = SignInForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("Enter your resident number and your PIN."))
            status = 400
        else:
            try:
                resident = services.sign_in(
                    device=device,
                    number=form.cleaned_data["number"],
                    pin=form.cleaned_data["pin"],
                )
            except DomainError as error:
                messages.error(request, error.message)
                status = error.status
            else:
                auth.start_session(request, resident, device)
                return redirect("kiosk:inbox")
        form = SignInForm(initial={"number": form.data.get("number", "")})  # never echo a PIN
    context = {
        "form": form,
        "device": device,
        "facility": device.facility,
        "hours": services.hours_text(device.facility),
    }
    return render(request, "kiosk/signin.html", context, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    auth.end_session(request, "signed_out")
    messages.info(request, _("You are signed out."))
    return redirect("kiosk:signin")
