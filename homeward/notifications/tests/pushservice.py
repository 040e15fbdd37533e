"""A Web Push service the tests run locally, and a browser's subscription to it.

The service takes pushes over real HTTP as a push service would; the subscription holds the
keys only the browser has, so a test can decrypt what reached it (RFC 8291) and check the
VAPID signature (RFC 8292) with the deployment's public key, as a push service does.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # by lower-case name
    body: bytes


@dataclass
class PushService:
    origin: str = ""
    received: list[Received] = field(default_factory=list)
    # What the service answers for a path (201 unless set): 410 for a forgotten device.
    answers: dict[str, int] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)

    def at(self, path: str) -> list[Received]:
        return [push for push in self.received if push.path == path]


@dataclass
class Subscription:
    """A browser's subscription: the endpoint and the keys it gives the app."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls, endpoint: str) -> Subscription:
        return cls(endpoint, ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    def keys(self) -> dict[str, str]:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"p256dh": b64(point), "auth": b64(self.auth)}

    def as_registered(self, name: str = "Ana's phone") -> dict[str, Any]:
        return {"kind": "webpush", "endpoint": self.endpoint, "keys": self.keys(), "name": name}

    def read(self, push: Received) -> dict[str, Any]:
        """What the push says, decrypted as only this browser can."""
        assert push.headers["content-encoding"] == "aes128gcm"
        plain = http_ece.decrypt(
            push.body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


def vapid_claims(push: Received, application_server_key: str) -> dict[str, Any]:
    """The VAPID token's claims, after checking it is signed with the deployment's key and
    names that key, as the push service does before taking a push."""
    scheme, _, credentials = push.headers["authorization"].partition(" ")
    assert scheme == "vapid"
    parts = dict(part.strip().split("=", 1) for part in credentials.split(","))
    assert parts["k"] == application_server_key
    header, claims, signature = parts["t"].split(".")
    raw = unb64(signature)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(parts["k"]))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    assert json.loads(unb64(header)) == {"typ": "JWT", "alg": "ES256"}
    return json.loads(unb64(claims))


def serve() -> tuple[PushService, ThreadingHTTPServer]:
    service = PushService()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            service.received.append(Received(self.path, headers, body))
            if self.path in service.redirects:
                self.send_response(302)
                self.send_header("Location", service.redirects[self.path])
            else:
                self.send_response(service.answers.get(self.path, 201))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:  # only a redirect followed would ask this
            service.received.append(Received(self.path, {}, b""))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.origin = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return service, server
