"""Push: a contact's devices told of events the moment they happen (Web Push).

A device registers the endpoint its push service gave it, with its keys; each event a
contact is told of by email (and has not turned off) is also queued once as a push row
(``Notification.Channel.PUSH``), which the worker sends to each of the contact's devices:
encrypted for that device (RFC 8291, aes128gcm) and signed with the deployment's VAPID key
(RFC 8292), so the push service can neither read it nor pass off another's.

What a push says is the event and its subject line, never a message's words. Endpoints are
accepted only at the push services in ``settings.WEB_PUSH_SERVICES``. A push service down
or busy (5xx, 408, 429, unreachable) fails the job, which tries again (a device may then
be told twice); any other refusal (404 or 410: it forgot the device; 403 after a key
change; 400, 413, a redirect) forgets the device, which registers again if it can.

FCM and APNs are kinds of device a deployment could add behind ``deliver`` with its own
credentials; none is offered, and registering one is refused.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import logging
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from homeward.core import audit, clock
from homeward.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from homeward.notifications.models import PushDevice, PushKey
from homeward.people.models import Contact, User

log = logging.getLogger(__name__)
Kind = PushDevice.Kind
OFFERED = frozenset({Kind.WEB_PUSH})
# How long a push service keeps a push for a device that is off (seconds), and how long
# Homeward waits for it to answer.
TTL_SECONDS = 24 * 3600
TIMEOUT_SECONDS = 10
# A contact's devices: a phone, a tablet, a few browsers.
DEVICES_PER_CONTACT = 10
# Answers of a push service worth asking again for (besides 5xx): a timeout, too many.
TRY_AGAIN = frozenset({408, 429})
# What a VAPID signature is good for (the services accept at most a day).
VAPID_HOURS = 12


class PushFailed(Exception):
    """The push service did not take the push; the job tries again."""


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- the deployment's VAPID key --------------------------------------------------------


def _private_key() -> ec.EllipticCurvePrivateKey:
    """The VAPID private key: the setting's, or the one kept in the database (made on
    first use; two processes making it at once keep the first)."""
    text = settings.WEB_PUSH_PRIVATE_KEY
    if not text:
        row = PushKey.objects.filter(pk=1).first()
        if row is None:
            made = ec.generate_private_key(ec.SECP256R1())
            number = made.private_numbers().private_value.to_bytes(32, "big")
            try:
                with transaction.atomic():
                    row = PushKey.objects.create(
                        pk=1, private_key=b64(number), created_at=clock.now()
                    )
            except IntegrityError:
                row = PushKey.objects.get(pk=1)
        text = row.private_key
    return ec.derive_private_key(int.from_bytes(unb64(text), "big"), ec.SECP256R1())


def _public_bytes(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def application_server_key() -> str:
    """The VAPID public key a browser subscribes with (``applicationServerKey``)."""
    return b64(_public_bytes(_private_key().public_key()))


def _vapid_header(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    claims = {
        "aud": f"{parts.scheme}://{parts.netloc}",
        "exp": int(time.time()) + VAPID_HOURS * 3600,
        "sub": settings.WEB_PUSH_SUBJECT,
    }
    header = {"typ": "JWT", "alg": "ES256"}
    signing_input = ".".join(
        b64(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    key = _private_key()
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    public = b64(_public_bytes(key.public_key()))
    return f"vapid t={signing_input}.{b64(signature)}, k={public}"


# --- devices -------------------------------------------------------------------------------


def _check_endpoint(endpoint: str) -> None:
    try:
        parts = urlsplit(endpoint)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        named = bool(parts.hostname) and not (parts.username or parts.password)
    except ValueError:  # not a URL ("https://[::1")
        named, origin = False, ""
    services = settings.WEB_PUSH_SERVICES
    allowed = any(fnmatch.fnmatchcase(origin, service.lower()) for service in services)
    if not named or not allowed:
        raise DomainError(
            "push_endpoint_refused",
            _("This push service is not one Homeward sends to."),
        )


def _check_keys(p256dh: str, auth: str) -> None:
    try:
        point = unb64(p256dh)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        secret = unb64(auth)
    except (ValueError, TypeError):
        secret = b""
    if len(secret) != 16:
        raise DomainError("push_keys_invalid", _("The device's push keys are not valid."))


def register(
    *,
    contact: Contact,
    kind: str,
    endpoint: str,
    p256dh: str,
    auth: str,
    name: str = "",
    token_id: int | None = None,
) -> tuple[PushDevice, bool]:
    """Register (or, for an endpoint registered before, renew) a device of ``contact``'s;
    ``created`` False for a renewal. An endpoint another account registered passes to this
    one (the browser now signs in as this contact)."""
    if kind not in OFFERED:
        raise PermissionDenied(
            _("This kind of push is not offered here. Web Push is."), "push_not_offered"
        )
    _check_endpoint(endpoint)
    _check_keys(p256dh, auth)
    fields = {"contact": contact, "kind": kind, "p256dh": p256dh, "auth": auth}
    fields |= {"name": name.strip()[:100], "token_id": token_id}
    with transaction.atomic():
        Contact.objects.select_for_update().filter(pk=contact.pk).first()  # one at a time
        existing = PushDevice.objects.select_for_update().filter(endpoint=endpoint).first()
        others = PushDevice.objects.filter(contact=contact).exclude(endpoint=endpoint)
        if others.count() >= DEVICES_PER_CONTACT:
            raise Conflict(
                "too_many_devices",
                _("Your account has as many devices as it may. Remove one first."),
            )
        if existing is None:
            try:
                with transaction.atomic():
                    device = PushDevice.objects.create(
                        endpoint=endpoint, created_at=clock.now(), **fields
                    )
            except IntegrityError:  # another account registered it this very moment
                existing = PushDevice.objects.select_for_update().get(endpoint=endpoint)
            else:
                audit.record(actor=contact.user, action="push.device_registered", obj=device)
                return device, True
        if existing.contact_id != contact.pk:  # the browser now signs in as another
            audit.record(
                actor=contact.user,
                action="push.device_taken_over",
                obj=existing,
                data={"from_contact": existing.contact_id},
            )
        for field, value in fields.items():
            setattr(existing, field, value)
        existing.save()
    return existing, False


def devices_of(contact: Contact) -> list[PushDevice]:
    return list(PushDevice.objects.filter(contact=contact).order_by("-created_at", "-pk"))


def forget(*, contact: Contact, device_id: int) -> None:
    """Stop pushing to one of the contact's devices; anyone else's (or none) is 404."""
    deleted, _count = PushDevice.objects.filter(contact=contact, pk=device_id).delete()
    if not deleted:
        raise NotFound()


def forget_tokens(token_ids: list[int]) -> None:
    """The devices registered with these API tokens (revoked) are told nothing more."""
    if token_ids:
        PushDevice.objects.filter(token_id__in=token_ids).delete()


def forget_devices_of(user: User) -> None:
    """A new password or a closed account: none of the person's devices is told more."""
    PushDevice.objects.filter(contact__user=user).delete()


def move_tokens(old_ids: list[int], new_id: int) -> None:
    """A token refreshed: the devices of the old ones now belong to the new one."""
    PushDevice.objects.filter(token_id__in=old_ids).update(token_id=new_id)


# --- sending -----------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A push service answers; it does not send Homeward elsewhere (a redirect would let
    an endpoint reach an address outside WEB_PUSH_SERVICES)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def send(device: PushDevice, payload: dict[str, Any], *, urgent: bool = False) -> bool:
    """Send ``payload`` (JSON) to one device. False: the push service has forgotten the
    device, and so has Homeward. Raises PushFailed for anything to try again."""
    try:  # the services allowed may have changed since it registered
        _check_endpoint(device.endpoint)
    except DomainError:
        PushDevice.objects.filter(pk=device.pk).delete()
        return False
    body = http_ece.encrypt(
        json.dumps(payload).encode(),
        private_key=ec.generate_private_key(ec.SECP256R1()),
        dh=unb64(device.p256dh),
        auth_secret=unb64(device.auth),
        version="aes128gcm",
    )
    # An http(s) endpoint at an allowed push service: checked just above.
    request = urllib.request.Request(  # noqa: S310
        device.endpoint,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/octet-stream",
            "Content-Encoding": "aes128gcm",
            "TTL": str(TTL_SECONDS),
            "Urgency": "high" if urgent else "normal",
            "Authorization": _vapid_header(device.endpoint),
        },
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as answer:
            answer.read()
    except urllib.error.HTTPError as error:
        if error.code in TRY_AGAIN or error.code >= 500:
            raise PushFailed(f"push service answered {error.code}") from None
        # Any other refusal will not change by asking again: gone (404, 410), signed with
        # another key than the one the browser subscribed with (403), refused (400, 413)
        # or a redirect. The device is forgotten; the app registers again if it can.
        log.info("a push service refused a device (%s); it is forgotten", error.code)
        PushDevice.objects.filter(pk=device.pk).delete()
        return False
    except OSError as error:
        raise PushFailed(f"push service unreachable: {error}") from None
    PushDevice.objects.filter(pk=device.pk).update(last_sent_at=clock.now())
    return True
