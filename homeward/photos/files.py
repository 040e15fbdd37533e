"""A photo's picture as an HTTP answer, for the views that have checked who may see it.

Photos are never at a public address: each surface's view checks the person (``access``,
``review``) and answers with the kept file through here. The answer is a JPEG shown in
the page (never offered as a download), kept by no shared cache, and never sniffed as
anything else.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse

from homeward.photos.models import Photo
from homeward.photos.storage import photo_storage

SIZES = ("thumbnail", "picture")


def photo_response(photo: Photo, size: str) -> HttpResponse:
    """The photo's ``size`` ("thumbnail" or "picture"), or a 404 when it has none (still
    being checked, refused, or removed at the end of retention)."""
    if size not in SIZES:
        raise Http404("No such size.")
    name = (photo.thumbnail if size == "thumbnail" else photo.image).name
    if not name:
        raise Http404("This photo has no picture to show.")
    try:
        with photo_storage.open(name, "rb") as kept:
            data = kept.read()  # a kept JPEG is a few megabytes at most
    except FileNotFoundError:
        raise Http404("This photo's file is gone.") from None
    response = HttpResponse(data, content_type="image/jpeg")
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
