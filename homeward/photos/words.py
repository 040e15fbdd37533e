"""A photo's status and the photo rules, in the words its sender reads."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from homeward.facilities.models import FacilityPolicy
from homeward.messaging.models import Message
from homeward.photos.intake import refusal_message
from homeward.photos.models import Photo

S = Photo.Status
# The file types a photo may come as, for the upload field's ``accept``.
TYPES = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"
# A file name is shown back to its sender at most this long.
NAME_SHOWN = 60


def status_words(photo: Photo) -> str:
    """Where the photo stands, for the contact who sent it."""
    if photo.status == S.CHECKING:
        return _("Being checked (usually a few seconds)")
    if photo.status == S.READY:
        return _("Ready to send")
    if photo.status == S.REFUSED:
        return refusal_message(photo.refusal_code) if photo.refusal_code else _("Refused")
    message = photo.message
    stopped = (Message.Status.BLOCKED, Message.Status.RETURNED)
    if photo.status in (S.ATTACHED, S.APPROVED) and message and message.status in stopped:
        return _("Not delivered, as its message was not. You are not charged for it.")
    if photo.status == S.ATTACHED:
        return _("Waiting for review")
    if photo.status == S.APPROVED:
        delivered = message is not None and message.status in (
            Message.Status.DELIVERED,
            Message.Status.READ,
        )
        return pgettext("photo", "Delivered") if delivered else pgettext("photo", "Approved")
    # Blocked: by its reason where the facility says why; its price is refunded either way.
    policy = FacilityPolicy.objects.filter(facility_id=photo.facility_id).first()
    if policy is not None and policy.show_block_reasons and photo.block_reason:
        reason = str(Photo.BlockReason(photo.block_reason).label)
        return _("Not delivered: %(reason)s. You are not charged for it.") % {
            "reason": reason[:1].lower() + reason[1:]
        }
    return _("Not delivered. You are not charged for it.")


def accepted_types(policy: FacilityPolicy) -> str:
    """The file types the upload field offers at a facility with ``policy``."""
    return f"{TYPES},image/gif" if policy.photo_gif_allowed else TYPES


def file_name(name: str | None) -> str:
    """An uploaded file's name as it is shown back: its last part, cut short."""
    shown = (name or "").replace("\\", "/").rsplit("/", 1)[-1] or _("A file")
    return shown if len(shown) <= NAME_SHOWN else f"{shown[: NAME_SHOWN - 1]}…"
