"""The photo queue: photos waiting for a person, as a grid of thumbnails with what the check
found in each; approve or block several at once, by mouse or keyboard. A photo's picture,
for staff who may read the messages of its facility. And the hash bank, for admins: the
hashes of blocked photos that flag their copies, each of which can be taken out."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from homeward.console.access import (
    admin_required,
    forbidden,
    reader_required,
    reviewer_required,
)
from homeward.console.requests import StaffRequest
from homeward.core import keyset
from homeward.core.errors import DomainError, NotFound, PermissionDenied
from homeward.core.ids import whole_number
from homeward.photos import bank, files, review
from homeward.photos.models import Photo
from homeward.screening import categories

PAGE_SIZE = 24


def _signals(photo: Photo) -> list[str]:
    """What the check found in ``photo``, in a reviewer's words ([] for nothing)."""
    found = []
    if photo.nudity is not None:
        found.append(f"Nudity score {photo.nudity:.2f}")
    if photo.bank_distance is not None:
        said = "Same as" if photo.bank_distance == 0 else f"Near ({photo.bank_distance} bits)"
        found.append(f"{said} a blocked photo: {photo.bank_reason}")
    for hit in photo.text_hits:
        found.append(f"Text “{hit['text']}”: {categories.label(str(hit['category']))}")
    return found


@require_GET
@reviewer_required
def queue(request: StaffRequest) -> HttpResponse:
    after = request.GET.get("after", "")
    page = keyset.forward(
        review.queue_for(request.user).select_related("facility__policy"),
        size=PAGE_SIZE,
        after=after,
        field="attached_at",
    )
    rows = [{"photo": photo, "signals": _signals(photo)} for photo in page.rows]
    context = {
        "page": page,
        "after": after,
        "rows": rows,
        "reasons": Photo.BlockReason.choices,
    }
    return render(request, "console/photos.html", context)


@require_POST
@reviewer_required
def decide(request: StaffRequest) -> HttpResponse:
    ids = [whole_number(value) or 0 for value in request.POST.getlist("photo")]
    after = _cursor(request.POST.get("after", ""))
    back = redirect(_page_url("console:photos", after))
    try:
        if request.POST.get("decision") == "approve":
            decided = review.approve(staff=request.user, photo_ids=ids)
            done = "approved"
        elif request.POST.get("decision") == "block":
            decided = review.block(
                staff=request.user,
                photo_ids=ids,
                reason=request.POST.get("reason", ""),
                note=request.POST.get("note", ""),
            )
            done = "blocked (refunded, and added to the hash bank)"
        else:
            messages.error(request, "Choose approve or block.")
            return back
    except NotFound:
        raise Http404("No such photo.") from None
    except DomainError as error:
        messages.error(request, error.message)
        return back
    count = len(decided.decided)
    said = f"{count} photo{'s' if count != 1 else ''} {done}."
    if decided.already:
        said += f" {decided.already} had been decided by someone else first, and were left so."
    messages.success(request, said)
    return back


@require_GET
@reader_required
def photo_file(request: StaffRequest, photo_id: int, size: str) -> HttpResponse:
    try:
        photo = review.photo_for_staff(request.user, photo_id)
    except NotFound:
        raise Http404("No such photo.") from None
    return files.photo_response(photo, size)


BANK_PAGE_SIZE = 50


@require_GET
@admin_required
def hash_bank(request: StaffRequest) -> HttpResponse:
    after = _cursor(request.GET.get("after", ""))
    scope = bank.Scope(request.user)
    page = keyset.forward(
        scope.visible()
        .select_related("facility", "agency")
        .annotate(photo_removed_at=F("photo__removed_at")),
        size=BANK_PAGE_SIZE,
        after=after,
        field="added_at",
    )
    rows = [{"entry": entry, "removable": scope.may_remove(entry)} for entry in page.rows]
    return render(request, "console/photo_bank.html", {"page": page, "after": after, "rows": rows})


@require_POST
@admin_required
def remove_hash(request: StaffRequest, hash_id: int) -> HttpResponse:
    after = _cursor(request.POST.get("after", ""))
    back = redirect(_page_url("console:photo_bank", after))
    try:
        bank.remove(admin=request.user, hash_id=hash_id, reason=request.POST.get("reason", ""))
    except NotFound:
        raise Http404("No such hash in the bank.") from None
    except PermissionDenied as error:
        return forbidden(request, error.message)
    except DomainError as error:
        messages.error(request, error.message)
        return back
    messages.success(
        request,
        "Taken out of the bank: that entry flags no copy of its photo any more "
        "(another entry of the same photo still would).",
    )
    return back


def _cursor(value: str) -> str:
    """A page cursor as given, if it is one; anything else reads from the front."""
    return value if keyset.parse(value) else ""


def _page_url(name: str, after: str) -> str:
    """A list read from its front, at the page after ``after`` (a parsed cursor)."""
    return f"{reverse(name)}?{urlencode({'after': after})}" if after else reverse(name)
