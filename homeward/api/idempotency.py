"""One idempotency key per create, the contact's own.

Every request that creates something takes ``idempotency_key``: the same key with the same
request answers 200 with what the first one made; with another request, 409
idempotency_key_reused; 201 only when this request made something. The services decide
which, under their locks; this module only makes a client's key the contact's own.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from homeward.core.errors import DomainError
from homeward.people.models import Contact


def scoped_key(prefix: str, contact: Contact, given: str) -> str:
    """``given`` made the contact's own: one contact can never reach another's request by
    its key. An empty key is 400 key_required."""
    given = given.strip()
    if not given:
        raise DomainError("key_required", _("Send an idempotency_key: any new unique string."))
    return f"{prefix}:{contact.pk}:{given}"
