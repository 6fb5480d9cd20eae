"""OpenAPI fuzz of the whole API (schemathesis) with a manager's and a station clerk's token:
no request may answer a server error, and every answer must match the published schema.

Short and deterministic in ``make test`` (a few derandomised examples per operation); set
``FUZZ_EXAMPLES`` (e.g. ``FUZZ_EXAMPLES=60`` in ``.ci/run``) for a longer run.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "") or 4)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Like Django's test client: a request must not close the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _load_schema():
    from powerexpress.api import api
    from powerexpress.wsgi import application

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
    loaded.app = application
    return loaded


schema = _load_schema()


FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def call_and_check(case, token: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


@schema.parametrize()
@FUZZ
def test_no_request_with_a_managers_token_answers_a_server_error_or_leaves_the_schema(case, world):
    call_and_check(case, world.tokens["manager"])


@schema.parametrize()
@FUZZ
def test_no_request_with_a_station_clerks_token_answers_a_server_error_or_leaves_the_schema(case, world):
    call_and_check(case, world.tokens["clerk_a"])
