"""Who may use the contact pages: a signed-in user who has a Contact."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils.http import url_has_allowed_host_and_scheme

from homeward.people import access
from homeward.people.models import Contact
from homeward.web.requests import ContactRequest

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)  # a page, or a download written as it is sent


def contact_of(request: HttpRequest) -> Contact | None:
    return access.contact_of_user(request.user)


def contact_required(
    view: Callable[Concatenate[ContactRequest, P], R],
) -> Callable[Concatenate[HttpRequest, P], R | HttpResponse]:
    """Call ``view`` with a ``ContactRequest`` (``request.contact`` is the signed-in contact).

    Nobody signed in: off to sign-in, coming back here afterwards. A signed-in user with no
    Contact (staff): 404, so the contact pages do not exist for them.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> R | HttpResponse:
        if not request.user.is_authenticated:
            # After signing in, come back to this page; a form post cannot be replayed, so
            # go back to the page the form was on.
            back = request.get_full_path()
            if request.method != "GET":
                back = _same_site(request, request.headers.get("referer", "")) or "/"
            return redirect_to_login(back)
        contact = contact_of(request)
        if contact is None:
            raise Http404("These pages are for families and friends.")
        # A contact belongs to the signed-in user, so this is what a ContactRequest promises;
        # the object stays the same.
        contact_request = cast(ContactRequest, request)
        contact_request.contact = contact
        return view(contact_request, *args, **kwargs)

    return wrapper


def _same_site(request: HttpRequest, target: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else ""


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` address if it stays on this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return _same_site(request, target) or default
