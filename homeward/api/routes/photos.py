"""Photos: uploaded one at a time for a conversation, checked in the background, then sent
with a message (``photo_ids`` on POST /conversations/{id}/messages).

An upload answers 202 at once with the photo "checking"; a job decodes it in full and
re-encodes it without metadata, and the photo becomes "ready" (or "refused", with its
``refusal_code``). An app polls GET /photos/{id} until then. A file refused for what its
header already shows is refused at once (400, its code), and nothing is kept.

Each contact sees only their own photos: anyone else's is 404 photo_not_found, the same
answer as an id that does not exist.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from homeward.api import present
from homeward.api.auth import contact_of
from homeward.api.errors import can_answer
from homeward.api.schemas import PhotoOut
from homeward.connections import access as connections
from homeward.core.errors import NotFound
from homeward.photos import access as photos
from homeward.photos import files, intake

router = Router(tags=["photos"])

# The kept picture and its thumbnail are JPEGs, answered as files.
_JPEG = {
    200: {
        "description": "The JPEG (no metadata), shown inline, kept by no shared cache.",
        "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post(
    "",
    response={202: PhotoOut},
    summary="Upload a photo to send",
    operation_id="photos_upload",
    openapi_extra={
        "responses": {202: {"description": "Accepted: kept, and being checked (checking)."}}
    },
)
@can_answer(
    "not_found",
    "photos_not_offered",
    "account_closed",
    "not_connected",
    "photo_too_large",
    "photo_not_an_image",
    "photo_gif_not_allowed",
    "photo_too_many_pixels",
    "photo_animated",
    "photo_damaged",
    "too_many_uploads",
)
def upload(
    request: HttpRequest, file: File[UploadedFile], connection_id: Form[int]
) -> Status[PhotoOut]:
    """A multipart form: ``file``, the picture (JPEG, PNG, WebP or HEIC; GIF where the
    facility takes it), and ``connection_id``, the conversation it is for (only your own,
    404 otherwise): the photo is for that connection's facility. 202 with the photo
    ``checking``: poll GET /photos/{id} until it is ``ready`` (send it with POST
    /conversations/{id}/messages, ``photo_ids``) or ``refused`` (its ``refusal_code`` says
    why). A file that cannot be a photo is refused at once with its code and nothing is
    kept; so are uploads past the hourly limit (429 too_many_uploads, with Retry-After).
    Uploading takes no idempotency_key: it makes an unsent photo that costs nothing and is
    dropped if it is not sent; sending (which charges) takes the key."""
    contact = contact_of(request)
    connection = connections.connection_for_contact(contact, connection_id)
    photo = intake.receive(contact=contact, facility=connection.facility, upload=file)
    return Status(202, present.photo_out(photo))


@router.get(
    "/{photo_id}",
    response=PhotoOut,
    summary="One of your photos and where it stands",
    operation_id="photos_get",
)
@can_answer("photo_not_found")
def get_photo(request: HttpRequest, photo_id: int) -> PhotoOut:
    """Poll this after an upload until ``status`` is no longer ``checking``. Once sent, it
    says where the photo stands with the message (``attached``: waiting for review,
    ``approved``, ``blocked``)."""
    return present.photo_out(photos.own_photo(contact_of(request), photo_id))


@router.get(
    "/{photo_id}/thumbnail",
    response={200: None},
    summary="Your photo's thumbnail",
    operation_id="photos_thumbnail",
    openapi_extra={"responses": _JPEG},
)
@can_answer("photo_not_found", "not_found")
def thumbnail(request: HttpRequest, photo_id: int) -> HttpResponse:
    """A small JPEG of one of your photos, once it is checked (404 not_found before, or
    when it was refused)."""
    return _jpeg(request, photo_id, "thumbnail")


@router.get(
    "/{photo_id}/picture",
    response={200: None},
    summary="Your photo",
    operation_id="photos_picture",
    openapi_extra={"responses": _JPEG},
)
@can_answer("photo_not_found", "not_found")
def picture(request: HttpRequest, photo_id: int) -> HttpResponse:
    """One of your photos as it is kept and sent: a JPEG, upright, with no metadata, once
    it is checked (404 not_found before, or when it was refused)."""
    return _jpeg(request, photo_id, "picture")


def _jpeg(request: HttpRequest, photo_id: int, size: str) -> HttpResponse:
    """The caller's own photo's ``size`` as a file. A photo of theirs with no picture (being
    checked, refused, or removed at the end of retention) is 404 not_found."""
    photo = photos.own_photo(contact_of(request), photo_id)
    try:
        return files.photo_response(photo, size)
    except Http404:
        raise NotFound(
            _("This photo has no picture to show: it is being checked, was refused or was removed.")
        ) from None
