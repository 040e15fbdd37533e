"""Deprecated aliases: an old address kept for one release after a rename, answering as
the new one does, with headers that say so (RFC 9745 ``Deprecation``, RFC 8288 ``Link``
to the successor) and ``deprecated: true`` in the spec. docs/api-changelog.md lists them and
the release that removes them."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse

# When the aliases of this release were deprecated (their new addresses were published).
DEPRECATED_ON = dt.datetime(2026, 12, 4, tzinfo=dt.UTC)


def mark(response: HttpResponse, *, successor: str) -> None:
    response["Deprecation"] = f"@{int(DEPRECATED_ON.timestamp())}"
    response["Link"] = f'<{successor}>; rel="successor-version"'
