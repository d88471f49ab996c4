"""A bounded schemathesis run against the served API (issue 13, item 10): no 5xx, no response
outside the documented contract (status codes, ``application/problem+json``, schemas), with
and without keys. Deterministic (derandomized) and small: a few examples per operation."""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import make_settings
from tests.live_server import LiveServer
from tests.robust_api_data import HOSTILE, ORDINARY, build_store

STAFF, ADMIN = "fuzz-staff-key-0123", "fuzz-admin-key-4567"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 4


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory, embedder):
    data_dir = tmp_path_factory.mktemp("robust-fuzz") / "data"
    build_store(make_settings(data_dir), embedder, ORDINARY + HOSTILE)
    env = {"MUSEUM_RAG_API_KEYS": STAFF, "MUSEUM_RAG_ADMIN_KEYS": ADMIN, "MUSEUM_RAG_RATE_LIMIT_PER_MINUTE": "100000",
           "MUSEUM_RAG_AUTH_FAILURES_PER_MINUTE": "100000", "MUSEUM_RAG_MIN_FREE_BYTES": "0"}
    with LiveServer(data_dir, env=env) as live:
        yield live
    shutil.rmtree(data_dir, ignore_errors=True)


BOUNDED = settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                   phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def run_every_operation(server: LiveServer, headers: dict[str, str]) -> list[str]:
    """Each documented operation, MAX_EXAMPLES generated requests; returns the operations run."""
    api = schemathesis.openapi.from_url(server.url + "/openapi.json")
    ran = []
    for result in api.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @BOUNDED
        def check(case) -> None:
            case.call_and_validate(base_url=server.url, headers=headers, checks=CHECKS, timeout=120)

        check()
        ran.append(f"{operation.method.upper()} {operation.path}")
    return ran


def test_the_api_keeps_its_contract_without_a_key(fuzz_server):
    ran = run_every_operation(fuzz_server, {})
    assert {"POST /v1/ask", "GET /v1/search", "POST /v1/ingest", "GET /readyz"} <= set(ran)


def test_the_api_keeps_its_contract_with_the_admin_key(fuzz_server):
    ran = run_every_operation(fuzz_server, {"Authorization": f"Bearer {ADMIN}"})
    assert "GET /v1/objects/{record_id}" in ran
