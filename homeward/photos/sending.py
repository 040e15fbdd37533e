"""Sending photos with a message, and holding the message until its photos are decided.

A contact sends checked photos (``access.attachable``) with a message through ``send``:
the message is accepted and charged (each photo on its own, ``ledger.charges``) and its
photos attached in one transaction, or none of it happens. An attached photo waits for a
person (``review``), unless the facility does not review photos and the check found
nothing in it (no text rule hit, a nudity score under the facility's threshold, no near
match in the hash bank): then it is approved at once.

A message goes to its reader only once each of its photos is decided (``review``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from homeward.connections.models import Connection
from homeward.core import clock
from homeward.core.audit import Actor
from homeward.core.errors import Conflict, NotFound
from homeward.facilities.models import FacilityPolicy
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import Contact
from homeward.photos import access, status
from homeward.photos.models import Photo

S = Photo.Status


def send(
    *,
    contact: Contact,
    connection_id: int,
    body: str,
    photo_ids: Sequence[int],
    client_token: str = "",
    prepaid_reply: bool = False,
) -> messaging.Sent:
    """Send ``body`` with the photos ``photo_ids`` (in that order) on the contact's
    connection: ``messaging.send_message``, with the photos checked, priced, charged and
    attached in the same transaction. A repeat of ``client_token`` answers with the message
    sent before when it asked for the same photos, and is refused (409) otherwise."""
    ids = list(dict.fromkeys(photo_ids))
    client_token = client_token.strip()[:64]
    with transaction.atomic():
        # Locked first, as the send locks it and as making a channel privileged does (then
        # the photos): a channel made privileged while this waited is seen, and refused.
        connection = (
            Connection.objects.select_for_update(of=("self",))
            .select_related("facility")
            .filter(pk=connection_id, contact=contact)
            .first()
        )
        if connection is None:
            raise NotFound()
        access.may_carry(connection, len(ids))
        earlier = _sent_with(contact, client_token)
        photos: list[Photo] = []
        if earlier is None:
            try:
                photos = access.attachable(contact, connection.facility, ids, lock=True)
            except NotFound:
                # A twin request may have sent these photos while this one waited for them.
                earlier = _sent_with(contact, client_token)
                if earlier is None:
                    raise
        sent = messaging.send_message(
            sender=contact,
            connection_id=connection_id,
            body=body,
            client_token=client_token,
            prepaid_reply=prepaid_reply,
            # A repeat is compared with what it asks for (messaging compares the count).
            photo_ids=ids if earlier is not None else [photo.pk for photo in photos],
        )
        if not sent.created:
            if list(photo_ids_of(sent.message)) != ids:
                raise Conflict(
                    "idempotency_key_reused",
                    _(
                        "This message token was already used for a different message; nothing "
                        "was sent. Send again with a new token."
                    ),
                )
            return sent
        attach(photos, sent.message, actor=contact.user)
    return sent


def _sent_with(contact: Contact, token: str) -> Message | None:
    if not token:
        return None
    return (
        Message.objects.filter(
            contact=contact, direction=Message.Direction.TO_RESIDENT, client_token=token
        )
        .order_by("id")
        .first()
    )


def photo_ids_of(message: Message) -> list[int]:
    return list(message.photos.order_by("position").values_list("pk", flat=True))


def attach(photos: Sequence[Photo], message: Message, *, actor: Actor) -> None:
    """Attach ``photos`` (locked by the caller, ready) to ``message``, in order: each waits
    for a person, or is approved at once where nobody needs to look (see the module)."""
    policy = FacilityPolicy.objects.get(facility_id=message.facility_id)
    now = clock.now()
    for position, photo in enumerate(photos):
        target = S.ATTACHED if needs_a_person(photo, policy) else S.APPROVED
        status.move(photo, target, actor=actor, message=message, position=position, attached_at=now)


def needs_a_person(photo: Photo, policy: FacilityPolicy) -> bool:
    """Whether a person decides on ``photo``: always where the facility reviews photos, and
    elsewhere when the check found something in it."""
    return policy.photos_reviewed or has_signals(photo, policy)


def has_signals(photo: Photo, policy: FacilityPolicy) -> bool:
    """Whether the check found anything a person should look at."""
    nude = photo.nudity is not None and photo.nudity * 100 >= policy.photo_nudity_threshold
    return bool(photo.text_hits) or nude or photo.bank_distance is not None
