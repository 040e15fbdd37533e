"""Schemathesis over /api/v1/openapi.json, as a signed-in contact: no input gives a 500.

Every operation in the published spec gets generated requests, valid and invalid ones,
from a fixed seed and a bounded number of examples, so a run is the same every time and
takes well under a minute (``SCHEMATHESIS_EXAMPLES=500`` digs deeper by hand). It runs on
PostgreSQL only: that is where bad characters used to become 500s (PostgreSQL refuses NUL
in text and lone surrogates), and a second run on SQLite would double the time for nothing
it could add.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from homeward.api.api import api
from homeward.personas import key_for

SPEC = "/api/v1/openapi.json"
EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "50"))
# No 5xx; every status that comes back is one the spec lists for the operation; and what
# comes back is what the spec says (its media type and its schema).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Every operation of the published spec, read from the same API object that serves it.
OPERATIONS = [
    (method.upper(), path)
    for path, methods in api.get_openapi_schema(path_prefix="/api/v1/")["paths"].items()
    for method in methods
]


@pytest.fixture
def api_schema(db) -> Iterator[schemathesis.BaseSchema]:
    if connection.vendor != "postgresql":
        pytest.skip(
            "schemathesis runs on one database, PostgreSQL (where bad input used to give "
            "500s); run the suite with DATABASE_URL=postgres://... to include it"
        )
    # Requests go straight to the WSGI application, whose end-of-request signal would close
    # the test's database connection (and roll back its transaction); Django's own test
    # client unhooks it in the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(SPEC, get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_request_gives_a_server_error(api_schema, world, method, path):
    operation = api_schema[path][method]
    # schemathesis's WSGI client asks for gzip but does not unzip what comes back: ask for
    # the plain JSON it checks (test_sync.py checks the gzipped answers).
    signed_in = {
        "Authorization": f"Bearer {key_for(world.contact_a)}",
        "Accept-Encoding": "identity",
    }
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,  # a fixed seed: the same requests on every run
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure shows its request
        suppress_health_check=list(HealthCheck),
    )
    def each_request(case: schemathesis.Case) -> None:
        response = case.call(headers=signed_in)
        case.validate_response(response, checks=CHECKS, headers=signed_in)

    each_request()
