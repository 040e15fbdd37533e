"""Photos as each person may use them. A contact's: ``attachable``, the photos a message
of theirs may carry."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homeward.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from homeward.facilities.models import Facility, FacilityPolicy
from homeward.people.models import Contact
from homeward.photos.models import Photo


def attachable(contact: Contact, facility: Facility, photo_ids: Iterable[int]) -> list[Photo]:
    """The photos ``photo_ids`` (in that order, each once) of ``contact``'s, for
    ``facility``, ready and not yet attached to a message; or a ``DomainError``:

    - ``photos_not_offered``: the facility takes no photos (any more);
    - ``too_many_photos``: more than the facility's ``photos_per_message``;
    - ``photo_not_found``: a photo that is not the contact's, or not for that facility
      (one answer for both, so nobody learns that someone else's id exists);
    - ``photo_not_ready``: a photo still being checked;
    - ``photo_refused``: a photo the check refused.

    (Ready is unattached: attaching moves a photo on, in the slice that sends them.)"""
    ids = list(dict.fromkeys(photo_ids))  # a photo named twice is attached once
    policy = FacilityPolicy.objects.filter(facility=facility).first()
    if policy is None or not policy.photos_allowed:
        raise PermissionDenied(_("This facility does not take photos."), code="photos_not_offered")
    if len(ids) > policy.photos_per_message:
        raise DomainError(
            "too_many_photos",
            ngettext(
                "A message may carry at most %(count)s photo here.",
                "A message may carry at most %(count)s photos here.",
                policy.photos_per_message,
            )
            % {"count": policy.photos_per_message},
        )
    found = Photo.objects.filter(pk__in=ids, contact=contact, facility=facility).in_bulk()
    photos = []
    for pk in ids:
        photo = found.get(pk)
        if photo is None:
            raise NotFound(_("No such photo."), "photo_not_found")
        photos.append(photo)
    for photo in photos:
        if photo.status == Photo.Status.CHECKING:
            raise Conflict(
                "photo_not_ready",
                _("A photo is still being checked. Wait a moment, then send again."),
            )
    for photo in photos:
        if photo.status == Photo.Status.REFUSED:
            raise Conflict(
                "photo_refused",
                _("A photo could not be taken. Remove it from the message, then send again."),
            )
        if photo.status != Photo.Status.READY:  # (statuses to come: attached elsewhere)
            raise NotFound(_("No such photo."), "photo_not_found")
    return photos
