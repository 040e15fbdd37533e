"""Signed bundles: what the deployment hands out as evidence or as someone's archive.

A bundle is one ZIP file: the files given, ``manifest.json`` and ``manifest.sig``. The
manifest names each file with its size and SHA-256, says what the bundle is (``kind`` and
``about``), when it was made and by whom, and the audit chain's head at that moment (the
last sealed event's place and hash); ``manifest.sig`` is the deployment's export key's
Ed25519 signature of the manifest's bytes. Writing a bundle records an audit event holding
the manifest's SHA-256, in the caller's transaction.

``verify`` checks a bundle against this deployment: the signature with the deployment's
public key (never a key the bundle brings), every file's hash, no file added, and the audit
log's record of the manifest. Editing a file and recomputing the manifest breaks the
signature; signing again needs the private key; a bundle nobody exported has no record.

The key: ``EXPORT_SIGNING_KEY`` (a PEM private key, or a path to one). Without it, outside
production, a key is made on first use in ``var/export-signing-key.pem`` (readable by its
owner only), so a development deployment signs and verifies its own bundles.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from homeward.core import audit, clock
from homeward.core.models import AuditChainHead, AuditEvent

FORMAT = "homeward-bundle/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"


def signing_key() -> Ed25519PrivateKey:
    """The deployment's export key (see the module's note)."""
    configured = getattr(settings, "EXPORT_SIGNING_KEY", "")
    if configured:
        pem = configured.encode()
        if not pem.lstrip().startswith(b"-----BEGIN"):
            pem = Path(configured).read_bytes()
    else:
        if getattr(settings, "HOMEWARD_PRODUCTION", False):
            raise ImproperlyConfigured(
                "EXPORT_SIGNING_KEY must be set when HOMEWARD_PRODUCTION is on"
            )
        path = Path(settings.VAR_DIR) / "export-signing-key.pem"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            made = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as out:
                out.write(made)
        pem = path.read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("EXPORT_SIGNING_KEY is not an Ed25519 private key")
    return key


def key_id(key: Ed25519PrivateKey) -> str:
    """A short name for the key: its public key's SHA-256, first 16 digits."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Written:
    data: bytes  # the ZIP
    manifest_sha256: str
    event: AuditEvent


def write(
    *,
    kind: str,
    about: dict[str, Any],
    files: dict[str, bytes],
    actor: audit.Actor | str,
    facility_id: int | None = None,
) -> Written:
    """The bundle of ``files``, signed, and its audit event ("<kind>.exported")."""
    if MANIFEST in files or SIGNATURE in files:
        raise ValueError("a bundle's own files cannot be given")
    key = signing_key()
    head = AuditChainHead.objects.filter(pk=1).first()
    manifest = {
        "format": FORMAT,
        "kind": kind,
        "about": about,
        "created_at": clock.now().isoformat(),
        "created_by": audit.actor_label(actor),
        "files": [
            {"name": name, "bytes": len(data), "sha256": sha256(data)}
            for name, data in sorted(files.items())
        ],
        "audit_head": {
            "seq": head.last_seq if head else 0,
            "hash": head.last_hash if head else audit.GENESIS,
        },
        "key_id": key_id(key),
    }
    manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode()
    digest = sha256(manifest_bytes)
    event = audit.record(
        actor=actor,
        action=f"{kind}.exported",
        facility_id=facility_id,
        data={"manifest_sha256": digest, "about": about, "files": sorted(files)},
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in sorted(files.items()):
            bundle.writestr(name, data)
        bundle.writestr(MANIFEST, manifest_bytes)
        bundle.writestr(SIGNATURE, base64.b64encode(key.sign(manifest_bytes)) + b"\n")
    return Written(out.getvalue(), digest, event)


def verify(data: bytes) -> list[str]:
    """What is wrong with a bundle, in sentences; an empty list when it is sound."""
    try:
        bundle = zipfile.ZipFile(io.BytesIO(data))
        listed_names = bundle.namelist()
        names = set(listed_names)
        if len(names) != len(listed_names):
            return ["A file appears twice in the bundle: a reader could see either copy."]
        if any(name.startswith("/") or ".." in name.split("/") for name in names):
            return ["A file name points outside the bundle."]
        if MANIFEST not in names or SIGNATURE not in names:
            return ["Not a bundle: manifest.json or manifest.sig is missing."]
        manifest_bytes = bundle.read(MANIFEST)
        signature = base64.b64decode(bundle.read(SIGNATURE).strip(), validate=True)
        contents = {name: bundle.read(name) for name in names - {MANIFEST, SIGNATURE}}
    except (zipfile.BadZipFile, ValueError, KeyError, OSError) as error:
        return [f"Not a readable bundle ({error})."]
    problems = []
    key = signing_key()
    try:
        key.public_key().verify(signature, manifest_bytes)
    except InvalidSignature:
        problems.append(
            "The signature does not match the manifest: it was changed or signed elsewhere."
        )
    try:
        manifest = json.loads(manifest_bytes)
        listed = {entry["name"]: entry for entry in manifest["files"]}
    except (ValueError, KeyError, TypeError):
        return [*problems, "The manifest cannot be read."]
    for name, entry in sorted(listed.items()):
        if name not in contents:
            problems.append(f"{name} is listed but missing.")
        elif sha256(contents[name]) != entry.get("sha256"):
            problems.append(f"{name} was changed: its SHA-256 is not the manifest's.")
    for name in sorted(set(contents) - set(listed)):
        problems.append(f"{name} is not in the manifest.")
    digest = sha256(manifest_bytes)
    event = AuditEvent.objects.filter(data__manifest_sha256=digest).first()
    if event is None:
        problems.append("The audit log has no record of this manifest being exported.")
    elif event.hash is not None and event.compute_hash() != event.hash:
        problems.append(f"The audit event that recorded the export ({event.pk}) was altered.")
    return problems
