"""Domain errors carry a machine-readable code, a sentence for people and an HTTP status.

Surfaces render them; services raise them. A code never changes once published.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


class DomainError(Exception):
    status = 400
    # For a refusal that passes with time (429): how many seconds until it is worth trying
    # again, sent as Retry-After.
    retry_after: int | None = None

    def __init__(self, code: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status


class NotFound(DomainError):
    """The thing does not exist, or the person asking may not know that it does."""

    status = 404

    def __init__(self, message: str | None = None, code: str = "not_found") -> None:
        # The default is said in the language of the request that raised it.
        super().__init__(code, _("Not found.") if message is None else message)


class PermissionDenied(DomainError):
    status = 403

    def __init__(self, message: str, code: str = "forbidden") -> None:
        super().__init__(code, message)


class Conflict(DomainError):
    """The request is well-formed but the current state does not allow it."""

    status = 409
