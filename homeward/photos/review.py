"""A person's decisions on photos: the queue, approving and blocking (several at once).

Photos have a queue of their own, apart from the messages': reviewers of a facility see
its attached photos, oldest first, with what the check found. A blocked photo is refunded
on its own (``ledger.charges.refund_photo``), explained to its sender by its reason, and its
perceptual hash joins the facility's bank, so a copy of it is flagged next time.

A message goes to its reader only once each of its photos is decided: ``hold_delivery`` (a
receiver of ``messaging.services.may_deliver``) holds it while any waits. When its last
photo is decided, the message goes on: delivered if its text was
approved, with its approved photos. Where the facility's ``photo_block_keeps_text`` is off,
a blocked photo stops the whole message, which is returned and refunded (as is a message of
photos alone whose photos were all blocked): ``stops_message`` says so at delivery.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from homeward.core import audit, clock
from homeward.core.audit import Actor
from homeward.core.errors import DomainError, NotFound
from homeward.core.hooks import Hook
from homeward.facilities.models import FacilityPolicy
from homeward.jobs import services as jobs
from homeward.ledger import charges
from homeward.messaging import services as messaging
from homeward.messaging import status as message_status
from homeward.messaging.models import Message
from homeward.people import access as people_access
from homeward.people.models import User
from homeward.photos import bank, status
from homeward.photos.models import Photo

S = Photo.Status
Reason = Photo.BlockReason

# Why a message was returned when a blocked photo stopped it (stored in English, said
# again by ``messaging.words``), and why a blocked photo was refunded (``ledger.words``).
STOPPED_BY_PHOTO = "a photo in it was not allowed"
PHOTO_REFUND = "the photo was not delivered"
# Called in the deciding transaction for each photo blocked: notifications registers
# telling its sender.
photo_blocked: Hook[[Photo]] = Hook("photo_blocked")
# The most photos one decision takes (a page of the queue).
MAX_AT_ONCE = 60
# A message held for its photos is looked at again after this, in case a decision's
# delivery was lost (the decision that settles the last photo delivers it at once).
HOLD_RECHECK = dt.timedelta(hours=1)


def queue_for(staff: User) -> QuerySet[Photo]:
    """Photos waiting for a person at the facilities where ``staff`` reviews, oldest first:
    attached to a message still on its way, never on a privileged channel."""
    facilities = list(
        people_access.staff_facilities(staff, people_access.REVIEW_ROLES).values_list(
            "id", flat=True
        )
    )
    return (
        Photo.objects.filter(
            status=S.ATTACHED,
            facility_id__in=facilities,
            message__status__in=message_status.PENDING,
        )
        .exclude(message__connection__privileged=True)
        .select_related("facility", "message")
        .order_by("attached_at", "id")
    )


def photo_for_staff(staff: User, photo_id: int) -> Photo:
    """A photo sent with a message at one of ``staff``'s facilities (any who may read its
    messages), for its picture; NotFound for anything else (a photo not yet sent, another
    facility's, a privileged channel's)."""
    facilities = people_access.staff_facilities(staff, people_access.READ_ROLES)
    photo = (
        Photo.objects.filter(pk=photo_id, facility__in=facilities, message__isnull=False)
        .exclude(message__connection__privileged=True)
        .first()
    )
    if photo is None:
        raise NotFound(_("No such photo."), "photo_not_found")
    return photo


@dataclass(frozen=True)
class Decided:
    decided: list[Photo]
    already: int  # of the photos asked for, how many someone had decided first


def approve(*, staff: User, photo_ids: Iterable[int]) -> Decided:
    """Approve the waiting photos ``photo_ids`` (one transaction)."""
    return _decide(staff, photo_ids, S.APPROVED)


def block(*, staff: User, photo_ids: Iterable[int], reason: str, note: str = "") -> Decided:
    """Block the waiting photos ``photo_ids`` for ``reason`` (a ``Photo.BlockReason``), with
    an optional ``note`` for staff: each refunded, and its hash added to the bank."""
    if reason not in Reason.values:
        raise DomainError("block_reason_required", _("Choose why the photos are blocked."))
    return _decide(staff, photo_ids, S.BLOCKED, reason=reason, note=note.strip()[:500])


def _decide(
    staff: User, photo_ids: Iterable[int], target: str, *, reason: str = "", note: str = ""
) -> Decided:
    ids = sorted(set(photo_ids))
    if not ids:
        raise DomainError("no_photos_chosen", _("Choose at least one photo."))
    if len(ids) > MAX_AT_ONCE:
        raise DomainError(
            "too_many_photos",
            _("Decide at most %(count)s photos at once.") % {"count": MAX_AT_ONCE},
        )
    with transaction.atomic():
        # Every id must be one of the staff member's photos, decided or not: anything else
        # is not found, and nothing is decided.
        reachable = set(
            Photo.objects.filter(
                pk__in=ids,
                facility__in=people_access.staff_facilities(staff, people_access.REVIEW_ROLES),
                message__isnull=False,
            )
            .exclude(message__connection__privileged=True)
            .values_list("pk", flat=True)
        )
        if reachable != set(ids):
            raise NotFound(_("No such photo."), "photo_not_found")
        # Locked in the order of their ids (two decisions never wait on each other in a
        # circle), then read: a photo someone decided while this waited is left as it is.
        locked = list(
            Photo.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("facility", "message")
            .order_by("id")
        )
        photos = [
            photo
            for photo in locked
            if photo.status == S.ATTACHED
            and photo.message is not None
            and photo.message.status in message_status.PENDING
        ]
        for photo in photos:
            if target == S.BLOCKED:
                status.move(photo, S.BLOCKED, actor=staff, block_reason=reason, block_note=note)
                _after_block(photo, reason)
                photo_blocked(photo)
            else:
                status.move(photo, S.APPROVED, actor=staff)
        for message_id in sorted({photo.message_id for photo in photos if photo.message_id}):
            _settle(message_id)
        if photos:
            audit.record(
                actor=staff,
                action=f"photos.{'blocked' if target == S.BLOCKED else 'approved'}",
                obj=photos[0],
                facility_id=photos[0].facility_id,
                data={"photos": [photo.pk for photo in photos], "reason": reason},
            )
    return Decided(decided=photos, already=len(ids) - len(photos))


def approve_waiting_on(connection_id: int, *, actor: Actor) -> int:
    """Approve every photo still waiting on the connection ``connection_id`` (inside the
    caller's transaction), and send on the messages they held: for a channel nobody may
    review any more (it became privileged). Returns how many were approved."""
    photos = list(
        Photo.objects.select_for_update(of=("self",))
        .filter(message__connection_id=connection_id, status=S.ATTACHED)
        .order_by("id")
    )
    for photo in photos:
        status.move(photo, S.APPROVED, actor=actor)
    for message_id in sorted({photo.message_id for photo in photos if photo.message_id}):
        _settle(message_id)
    return len(photos)


def _after_block(photo: Photo, reason: str) -> None:
    message = photo.message
    assert message is not None, "only a photo sent with a message is blocked"
    charges.refund_photo(message=message, photo_id=photo.pk, reason=PHOTO_REFUND)
    if photo.phash is not None:
        bank.add(
            phash=photo.phash,
            agency=photo.facility.agency,
            facility=photo.facility,
            photo=photo,
            reason=f"photo {photo.pk} blocked ({reason})",
        )


def _settle(message_id: int) -> None:
    """Once none of a message's photos waits, send it on: a message whose text is approved
    is delivered (or returned, ``stops_message``) by the delivery job."""
    message = Message.objects.select_for_update().get(pk=message_id)
    message.save(update_fields=["updated_at"])  # what it shows changed: apps that sync see it
    if Photo.objects.filter(message=message, status=S.ATTACHED).exists():
        return
    if message.status == Message.Status.APPROVED:
        jobs.enqueue("deliver_message", facility_id=message.facility_id, message_id=message.pk)


def stops_message(message: Message) -> bool:
    """Whether a blocked photo stops ``message``: the facility says a blocked photo stops
    the whole message, or nothing is left to deliver (no text, every photo blocked)."""
    photos = list(message.photos.values_list("status", flat=True))
    blocked = photos.count(S.BLOCKED)
    if not blocked:
        return False
    if not message.body and blocked == len(photos):
        return True
    policy = FacilityPolicy.objects.get(facility_id=message.facility_id)
    return not policy.photo_block_keeps_text


def hold_delivery(message: Message) -> None:
    """The receiver of ``messaging.services.may_deliver``: a message whose photos are not
    all decided waits; one that a blocked photo stops is returned. (A message sent with no
    photo costs no query.)"""
    if not message.photo_count:
        return
    if Photo.objects.filter(message=message, status=S.ATTACHED).exists():
        raise messaging.NotDeliverable("photos waiting", until=clock.now() + HOLD_RECHECK)
    if stops_message(message):
        raise messaging.NotDeliverable(STOPPED_BY_PHOTO)


def refund_with_message(message: Message, source: str, target: str) -> None:
    """The receiver of ``messaging.status.message_moved``: photos that will not be
    delivered because their message is not (blocked or returned) are refunded, whatever
    the facility does with the text's price."""
    if not message.photo_count or target not in (
        Message.Status.BLOCKED,
        Message.Status.RETURNED,
    ):
        return
    for photo_id in Photo.objects.filter(message=message).values_list("pk", flat=True):
        charges.refund_photo(message=message, photo_id=photo_id, reason=PHOTO_REFUND)
