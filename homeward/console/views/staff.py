"""Staff accounts an admin looks after: who they are, adding one, a new password link,
deactivating someone who has left (and reactivating them with a new link), and resetting a
lost second factor (``people.staff_accounts``, ``people.second_factor``); and
the page where a staff member chooses a password from such a link (no sign-in needed: the
link is the key, and works once)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from homeward.console.access import admin_required
from homeward.console.requests import StaffRequest
from homeward.console.staff_forms import AddStaffForm, ChoosePasswordForm
from homeward.core.errors import Conflict, DomainError, NotFound
from homeward.people import account, second_factor, staff_accounts


@admin_required
def staff_list(request: StaffRequest) -> HttpResponse:
    return _list(request)


def _list(
    request: StaffRequest, form: AddStaffForm | None = None, status: int = 200
) -> HttpResponse:
    after = request.GET.get("after", "")
    page = second_factor.staff_rows(request.user, after=after, size=second_factor.STAFF_PAGE)
    places = staff_accounts.places_for(request.user)
    context = {
        "rows": page.rows,
        "page": page,
        "after": after,
        "form": form or AddStaffForm(places=places),
    }
    return render(request, "console/staff.html", context, status=status)


@never_cache
@require_POST
@admin_required
def add(request: StaffRequest) -> HttpResponse:
    form = AddStaffForm(request.POST, places=staff_accounts.places_for(request.user))
    if not form.is_valid():
        return _list(request, form, status=400)
    try:
        link = staff_accounts.add_staff(admin=request.user, **form.cleaned_data)
    except DomainError as error:
        form.add_error(None, error.message)
        return _list(request, form, status=error.status)
    return _link_page(request, link, made="added")


@never_cache
@require_POST
@admin_required
def password_link(request: StaffRequest, user_id: int) -> HttpResponse:
    return _linked(request, staff_accounts.new_password_link, user_id, made="password")


@never_cache
@require_POST
@admin_required
def reactivate(request: StaffRequest, user_id: int) -> HttpResponse:
    return _linked(request, staff_accounts.reactivate, user_id, made="reactivated")


@require_POST
@admin_required
def deactivate(request: StaffRequest, user_id: int) -> HttpResponse:
    try:
        target = staff_accounts.deactivate(admin=request.user, staff_user_id=user_id)
    except NotFound:
        raise Http404("No such staff member.") from None
    messages.success(
        request,
        f"{target.username} is deactivated: they cannot sign in, and every session of "
        "theirs has ended. Reactivate them to give them a new password link.",
    )
    return redirect("console:staff")


def _linked(
    request: StaffRequest,
    make: Callable[..., staff_accounts.Link],
    user_id: int,
    *,
    made: str,
) -> HttpResponse:
    try:
        link = make(admin=request.user, staff_user_id=user_id)
    except NotFound:
        raise Http404("No such staff member.") from None
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("console:staff")
    return _link_page(request, link, made=made)


def _link_page(request: StaffRequest, link: staff_accounts.Link, *, made: str) -> HttpResponse:
    context = {
        "person": link.user,
        "link": request.build_absolute_uri(link.path),
        "made": made,
        "hours": account.reset_hours(),
    }
    status = 201 if made == "added" else 200
    return render(request, "console/staff_link.html", context, status=status)


@require_POST
@admin_required
def reset_factor(request: StaffRequest, user_id: int) -> HttpResponse:
    try:
        target = second_factor.reset(actor=request.user, staff_user_id=user_id)
    except NotFound:
        raise Http404("No such staff member.") from None
    messages.success(
        request,
        f"The second factor of {target.username} is reset. They set up an authenticator "
        "app again at their next sign-in.",
    )
    return redirect("console:staff")


@never_cache
@require_http_methods(["GET", "POST"])
def choose_password(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    """Anyone holding the link may open it; a spent or broken link is a page that says so
    (a refusal, 400, when posted to)."""
    try:
        person = staff_accounts.link_user(uid, token)
    except DomainError as error:
        status = 400 if request.method == "POST" else 200
        return render(request, "console/choose_password.html", {"error": error}, status=status)
    form = ChoosePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff_accounts.choose_password(
                uid=uid, token=token, password=form.cleaned_data["password"]
            )
        except DomainError as error:
            if error.code == "link_invalid":
                spent = {"error": error}
                return render(request, "console/choose_password.html", spent, status=400)
            form.add_error("password", error.message)
        else:
            logout(request)  # whoever was signed in here signs in afresh
            messages.success(request, "Your password is set. Sign in with it now.")
            return redirect("console:signin")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "person": person}
    return render(request, "console/choose_password.html", context, status=status)
