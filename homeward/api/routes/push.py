"""Push: register the app's device to be told of events the moment they happen.

Web Push is offered: subscribe with ``application_server_key`` (GET /push), then register
the subscription here. Each event Homeward would email you about (and you have not turned
off, PUT /me/notifications) is pushed too, as JSON ``{"event", "key", "title"}``: the event,
its key (e.g. ``message:12:reply``) and a line to show; fetch the rest with your token. A
device stops being told when you remove it, when the token it was registered with is
revoked (a refresh keeps it), or when its push service forgets it. FCM and APNs are not
offered: registering one is 403 push_not_offered.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from homeward.api import services
from homeward.api.auth import contact_of, token_of
from homeward.api.errors import can_answer
from homeward.api.schemas import PushDeviceIn, PushDeviceOut, PushKindOut
from homeward.notifications import push
from homeward.notifications.models import PushDevice

router = Router(tags=["push"])


def _device_out(device: PushDevice) -> PushDeviceOut:
    return PushDeviceOut(
        id=device.pk,
        kind=device.kind,
        name=device.name,
        created_at=device.created_at,
        last_sent_at=device.last_sent_at,
    )


@router.get(
    "",
    response=list[PushKindOut],
    summary="The kinds of push offered here",
    operation_id="push_kinds",
)
def kinds(request: HttpRequest) -> list[PushKindOut]:
    return [
        PushKindOut(
            kind=kind,
            offered=kind in push.OFFERED,
            application_server_key=(
                push.application_server_key() if kind == PushDevice.Kind.WEB_PUSH else None
            ),
        )
        for kind in PushDevice.Kind.values
    ]


@router.post(
    "/devices",
    response={200: PushDeviceOut, 201: PushDeviceOut},
    summary="Register this device for push",
    operation_id="push_register",
    openapi_extra={"x-idempotent-by": ["endpoint"]},
)
@can_answer(
    "push_not_offered",
    "push_endpoint_refused",
    "push_keys_invalid",
    "too_many_devices",
    "unauthenticated",
)
def register(request: HttpRequest, data: PushDeviceIn) -> Status[PushDeviceOut]:
    """201 for a new device; 200 when the endpoint was registered before (its keys and
    name are renewed: register again whenever the subscription changes). An endpoint must
    be at a push service Homeward sends to (400 push_endpoint_refused)."""
    device, created = services.register_push_device(
        token=token_of(request),
        kind=data.kind,
        endpoint=data.endpoint,
        p256dh=data.keys.p256dh,
        auth=data.keys.auth,
        name=data.name,
    )
    return Status(201 if created else 200, _device_out(device))


@router.get(
    "/devices",
    response=list[PushDeviceOut],
    summary="Your devices registered for push",
    operation_id="push_devices",
)
def devices(request: HttpRequest) -> list[PushDeviceOut]:
    return [_device_out(device) for device in push.devices_of(contact_of(request))]


@router.delete(
    "/devices/{device_id}",
    response={204: None},
    summary="Stop pushing to a device",
    operation_id="push_remove",
)
@can_answer("not_found")
def remove(request: HttpRequest, device_id: int) -> Status[None]:
    push.forget(contact=contact_of(request), device_id=device_id)
    return Status(204, None)
