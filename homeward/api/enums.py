"""The API's enums, so that generated clients get a type for every status-like field.

Each one is built from the one place that defines its values (a model's choices, the
screening categories, the message timeline), never typed again here: a new status in a
model is in the spec the moment it exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, cast

from homeward.connections.models import Connection
from homeward.enforcement.models import Appeal, Restriction
from homeward.facilities.models import Facility, FacilityPolicy
from homeward.ledger.models import Payment, Payout
from homeward.ledger.pricing import MessagePayer
from homeward.messaging import archive
from homeward.messaging.models import Message
from homeward.messaging.selectors import TIMELINE
from homeward.notifications.models import PushDevice
from homeward.photos.intake import REFUSALS
from homeward.photos.models import Photo
from homeward.screening import categories


def enum_of(name: str, values: Iterable[str]) -> type[StrEnum]:
    """A string enum named ``name`` (its name in the spec) with these values."""
    return cast("type[StrEnum]", StrEnum(name, [(value.upper(), value) for value in values]))


if TYPE_CHECKING:  # to the type checker they are the strings they hold
    ConnectionStatus = str
    InitiatedBy = str
    FacilityType = str
    ConnectionPolicy = str
    ReviewMode = str
    MessageDirection = str
    MessageStatus = str
    MessageStage = str
    BlockCategory = str
    PaymentStatus = str
    PayoutStatus = str
    PricePayer = str
    RestrictionKind = str
    AppealStatus = str
    AppealOf = str
    ArchiveFormat = str
    PhotoStatus = str
    PhotoRefusal = str
    PhotoBlockReason = str
    PushKind = str
else:
    ConnectionStatus = enum_of("ConnectionStatus", Connection.Status.values)
    InitiatedBy = enum_of("InitiatedBy", Connection.Side.values)
    FacilityType = enum_of("FacilityType", Facility.Type.values)
    ConnectionPolicy = enum_of("ConnectionPolicy", FacilityPolicy.ConnectionPolicy.values)
    ReviewMode = enum_of("ReviewMode", FacilityPolicy.ReviewMode.values)
    MessageDirection = enum_of("MessageDirection", Message.Direction.values)
    MessageStatus = enum_of("MessageStatus", Message.Status.values)
    # A stage is a timeline field without its "_at": "in_review_at" -> "in_review".
    MessageStage = enum_of("MessageStage", [field.removesuffix("_at") for _, field in TIMELINE])
    BlockCategory = enum_of("BlockCategory", [category.code for category in categories.ALL])
    PaymentStatus = enum_of("PaymentStatus", Payment.Status.values)
    PayoutStatus = enum_of("PayoutStatus", Payout.Status.values)
    PricePayer = enum_of("PricePayer", MessagePayer.values)  # whose account pays a message
    RestrictionKind = enum_of("RestrictionKind", Restriction.Kind.values)
    AppealStatus = enum_of("AppealStatus", Appeal.Status.values)
    # What an appeal is of: one of the Appeal's two things (its "appeal_of_one_thing" rule).
    AppealOf = enum_of("AppealOf", [Appeal.message.field.name, Appeal.restriction.field.name])
    ArchiveFormat = enum_of("ArchiveFormat", archive.FORMATS)
    PhotoStatus = enum_of("PhotoStatus", Photo.Status.values)
    # Why the check refused a photo: the codes an upload is refused with at once, too.
    PhotoRefusal = enum_of("PhotoRefusal", REFUSALS)
    PhotoBlockReason = enum_of("PhotoBlockReason", Photo.BlockReason.values)
    PushKind = enum_of("PushKind", PushDevice.Kind.values)
