"""What a screening hit's source is called where staff read it: one place for the review
page, the rule test box and the statistics."""

from __future__ import annotations

from collections.abc import Mapping

from homeward.screening import layers

DETECTOR_LABELS = {
    "phone": "Phone numbers",
    "address": "Street addresses",
    "email": "Email addresses",
    "url": "Web addresses (links)",
    "payment": "Payment handles and apps (Cash App, Venmo, Zelle…)",
    "digits": "Long strings of digits",
    "cipher": "Cipher-like text (encoded or scrambled letters)",
    "mixed_script": "Words mixing alphabets (Latin with Cyrillic or Greek)",
    "code_words": "Everyday words in quotation marks, three or more (agreed code words)",
}


def source_label(key: object) -> str:
    """What a hit's rule key means to a person: "Detector: Phone numbers", "Slang: toolie",
    "Classifier (second opinion)", or the key itself (a rule's id)."""
    key = str(key)
    layer, _, name = key.partition(":")
    if layer == "detector":
        return f"Detector: {DETECTOR_LABELS.get(name, name)}"
    if layer in layers.WHOLE_MESSAGE:
        return layers.LABELS[layer]
    if name and layer in layers.LABELS:
        return f"{layers.LABELS[layer]}: {name}"
    return key


def found_by(hit: Mapping[str, object]) -> str:
    """The same for a stored hit, whose rule key may be a rule's id: "Rule 12"."""
    key = str(hit.get("rule", ""))
    return f"Rule {key}" if layers.layer_of(hit) == "rule" else source_label(key)
