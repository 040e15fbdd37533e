"""Photos as each person may use them. A contact's: ``attachable``, the photos a message
of theirs may carry; ``own_photo``, ``unsent`` and ``of_messages`` for their pages. A
resident's: ``shown_to_resident``, approved photos of messages delivered to them. (Staff's
are in ``review``.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import cast

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homeward.connections.models import Connection
from homeward.core import clock
from homeward.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from homeward.facilities.models import Facility, FacilityPolicy
from homeward.messaging.models import Message
from homeward.people.models import Contact, Resident
from homeward.photos.models import Photo


def attachable(
    contact: Contact, facility: Facility, photo_ids: Iterable[int], *, lock: bool = False
) -> list[Photo]:
    """The photos ``photo_ids`` (in that order, each once) of ``contact``'s, for
    ``facility``, ready and not yet attached to a message; or a ``DomainError``:

    - ``photos_not_offered``: the facility takes no photos (any more);
    - ``too_many_photos``: more than the facility's ``photos_per_message``;
    - ``photo_not_found``: a photo that is not the contact's, or not for that facility
      (one answer for both, so nobody learns that someone else's id exists);
    - ``photo_not_ready``: a photo still being checked;
    - ``photo_refused``: a photo the check refused.

    Ready is unattached: attaching moves a photo on (``sending``). ``lock``: the photos'
    rows are held for the caller's transaction, so one photo is attached once."""
    ids = list(dict.fromkeys(photo_ids))  # a photo named twice is attached once
    _check_count(FacilityPolicy.objects.filter(facility=facility).first(), len(ids))
    mine = Photo.objects.filter(pk__in=ids, contact=contact, facility=facility)
    found = (mine.select_for_update() if lock else mine).in_bulk()
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
        if photo.status != Photo.Status.READY:  # attached to a message already
            raise NotFound(_("No such photo."), "photo_not_found")
    return photos


def may_carry(connection: Connection, count: int) -> None:
    """Refuse (``DomainError``) ``count`` photos on a message of ``connection`` as sending
    would: the facility takes none (``photos_not_offered``), a privileged channel
    (``photos_not_on_privileged``), more than a message may carry (``too_many_photos``).
    No photo is always fine."""
    if not count:
        return
    _check_count(connection.facility.policy, count)
    if connection.privileged:
        raise PermissionDenied(
            _("Photos cannot be sent on a privileged legal channel."),
            code="photos_not_on_privileged",
        )


def _check_count(policy: FacilityPolicy | None, count: int) -> None:
    if policy is None or not policy.photos_allowed:
        raise PermissionDenied(_("This facility does not take photos."), code="photos_not_offered")
    if count > policy.photos_per_message:
        raise DomainError(
            "too_many_photos",
            ngettext(
                "A message may carry at most %(count)s photo here.",
                "A message may carry at most %(count)s photos here.",
                policy.photos_per_message,
            )
            % {"count": policy.photos_per_message},
        )


# --- a contact's own photos -----------------------------------------------------------------

# Photos uploaded and not sent are offered for sending this long, at most this many.
UNSENT_FOR = dt.timedelta(days=1)
UNSENT_SHOWN = 20


def own_photo(contact: Contact, photo_id: int) -> Photo:
    """One of ``contact``'s photos, in any status; NotFound for anyone else's."""
    photo = Photo.objects.filter(pk=photo_id, contact=contact).first()
    if photo is None:
        raise NotFound(_("No such photo."), "photo_not_found")
    return photo


def unsent(contact: Contact, facility: Facility) -> list[Photo]:
    """The contact's photos for ``facility`` uploaded in the last day and not sent (being
    checked, ready or refused), oldest first: what the compose form offers."""
    since = clock.now() - UNSENT_FOR
    return list(
        Photo.objects.filter(
            contact=contact,
            facility=facility,
            message__isnull=True,
            created_at__gte=since,
            status__in=(Photo.Status.CHECKING, Photo.Status.READY, Photo.Status.REFUSED),
        ).order_by("created_at", "id")[:UNSENT_SHOWN]
    )


def of_messages(message_ids: Iterable[int]) -> dict[int, list[Photo]]:
    """The photos sent with each of the messages ``message_ids``, in their order."""
    found: dict[int, list[Photo]] = {}
    photos = Photo.objects.filter(message_id__in=list(message_ids)).order_by(
        "message_id", "position"
    )
    for photo in photos:
        found.setdefault(cast(int, photo.message_id), []).append(photo)
    return found


# --- a resident's ----------------------------------------------------------------------------


def shown_to_resident(resident: Resident, photo_id: int) -> Photo:
    """An approved photo of a message delivered to ``resident``; NotFound otherwise."""
    photo = Photo.objects.filter(
        pk=photo_id,
        status=Photo.Status.APPROVED,
        message__resident=resident,
        message__direction=Message.Direction.TO_RESIDENT,
        message__status__in=(Message.Status.DELIVERED, Message.Status.READ),
    ).first()
    if photo is None:
        raise NotFound(_("No such photo."), "photo_not_found")
    return photo


def approved_of_messages(message_ids: Iterable[int]) -> dict[int, list[Photo]]:
    """The approved photos of each of the messages ``message_ids`` (what a resident sees)."""
    return {
        message_id: [photo for photo in photos if photo.status == Photo.Status.APPROVED]
        for message_id, photos in of_messages(message_ids).items()
    }
