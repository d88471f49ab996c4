"""The HTTP API in-process (FastAPI's TestClient) over a copy of the sample store, real models and engine.

Answering (/v1/ask) is covered in tests/test_api_ask.py; the real uvicorn server in
tests/test_api_server.py; the pages in a browser in tests/test_browser.py.
"""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.observability import RequestIdFilter
from api.security import TokenBucketLimiter, key_matches
from rag.models import SearchFilters
from rag.pipeline import MuseumRAG
from tests.conftest import copy_sample_store, make_settings

STAFF = "staff-key-0123456789"
ADMIN = "admin-key-9876543210"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def api_museum(tmp_path_factory, sample_store_dir, embedder):
    data_dir = copy_sample_store(sample_store_dir, tmp_path_factory.mktemp("api"))
    museum = MuseumRAG(make_settings(data_dir), embedder=embedder)
    yield museum
    museum.close()


def make_client(museum: MuseumRAG, **overrides) -> TestClient:
    values = dict(api_keys=[STAFF], admin_keys=[ADMIN], rate_limit_per_minute=10_000, cors_origins=["https://museum.example"])
    values.update(overrides)
    settings = make_settings(museum.settings.data_dir, **values)
    return TestClient(create_app(settings, museum=museum, close_museum=False))


@pytest.fixture(scope="module")
def client(api_museum):
    with make_client(api_museum) as test_client:
        yield test_client


def staff(key: str = STAFF) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"]
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text and "/work/" not in response.text and ".py" not in response.text
    return body


# --- operations ----------------------------------------------------------------------------------


def test_health_ready_and_metrics(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["store"] == "embedded" and ready["chunks"] > 500
    client.get("/v1/objects/npg:23", headers=staff())
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    assert 'museum_rag_http_requests_total{method="GET",route="/v1/objects/{record_id}",status="200"}' in metrics.text


def test_pages_and_widget_are_served_with_security_headers(client):
    for path, kind in (("/", "text/html"), ("/staff", "text/html"), ("/static/widget.js", "javascript"),
                       ("/static/widget.css", "text/css"), ("/static/staff.js", "javascript")):
        response = client.get(path)
        assert response.status_code == 200 and kind in response.headers["content-type"], path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "script-src 'self'" in response.headers["content-security-policy"]
    assert 'src="/static/widget.js"' in client.get("/").text
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/ask", "/v1/ask/stream", "/v1/search", "/v1/objects/{record_id}", "/v1/feedback", "/v1/ingest",
                 "/v1/reports/unanswered", "/healthz", "/readyz"):
        assert path in paths


# --- errors --------------------------------------------------------------------------------------


def test_unknown_route_and_method_are_problems(client):
    assert_problem(client.get("/v1/nothing-here"), 404)
    assert_problem(client.delete("/v1/feedback"), 405)


def test_validation_errors_are_problems_that_do_not_echo_the_input(client):
    secret_input = "<script>echo-me-back</script>"
    body = assert_problem(client.post("/v1/feedback", json={"answer_id": secret_input, "rating": "meh"}), 422)
    assert {tuple(e["loc"]) for e in body["errors"]} == {("body", "answer_id"), ("body", "rating")}
    assert "echo-me-back" not in json.dumps(body)
    body = assert_problem(client.post("/v1/ask", content=b"{not json", headers={"content-type": "application/json"}), 422)
    assert body["errors"]


def test_unexpected_errors_are_problems_without_internals(api_museum, caplog):
    app = create_app(make_settings(api_museum.settings.data_dir), museum=api_museum, close_museum=False)

    def boom() -> None:
        raise RuntimeError("secret detail at /srv/app/internal.py")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as test_client, caplog.at_level(logging.ERROR):
        response = test_client.get("/boom")
    body = assert_problem(response, 500)
    assert "secret detail" not in response.text and body["request_id"] in body["detail"]
    assert "secret detail" in caplog.text  # the details go to the log, with the traceback


def test_body_and_question_limits(client, api_museum):
    big = json.dumps({"question": "x" * 70_000})
    body = assert_problem(client.post("/v1/ask", content=big, headers={"content-type": "application/json"}), 413)
    assert "65536" in body["detail"]

    def chunks():  # no Content-Length: the limit holds while the body streams in
        for _ in range(80):
            yield b" " * 1024

    assert_problem(client.post("/v1/feedback", content=chunks(), headers={"content-type": "application/json"}), 413)
    limit = api_museum.settings.max_question_chars
    body = assert_problem(client.post("/v1/ask", json={"question": "why " * limit}), 422)
    assert str(limit) in body["detail"]
    assert_problem(client.post("/v1/ask", json={"question": "   "}), 422)
    assert_problem(client.get("/v1/search", params={"q": "x" * (limit + 1)}, headers=staff()), 422)


# --- security ------------------------------------------------------------------------------------


def test_staff_and_admin_routes_need_the_right_key(client):
    for path in ("/v1/search?q=portrait", "/v1/objects/npg:23", "/v1/reports/unanswered"):
        missing = client.get(path)
        assert_problem(missing, 401)
        assert missing.headers["www-authenticate"].startswith("Bearer")
        assert_problem(client.get(path, headers=staff("wrong-key")), 401)
        assert_problem(client.get(path, headers={"Authorization": f"Basic {STAFF}"}), 401)
        assert client.get(path, headers=staff()).status_code == 200
        assert client.get(path, headers=staff(ADMIN)).status_code == 200, "admin keys work on staff routes"
    upload = {"files": ("r.jsonl", b"", "application/octet-stream")}
    assert_problem(client.post("/v1/ingest", files=upload, headers=staff()), 401)  # a staff key is not an admin key


def test_routes_are_closed_when_no_keys_are_configured(api_museum):
    with make_client(api_museum, api_keys=[], admin_keys=[]) as open_client:
        body = assert_problem(open_client.get("/v1/search?q=x", headers=staff()), 403)
        assert "MUSEUM_RAG_API_KEYS" in body["detail"]
        assert_problem(open_client.post("/v1/ingest", headers=staff(ADMIN)), 403)


def test_key_comparison():
    assert key_matches("abc", ["zzz", "abc"])
    assert not key_matches("abd", ["abc"]) and not key_matches("ab", ["abc"]) and not key_matches("abcd", ["abc"])
    assert not key_matches("", ["abc"]) and not key_matches("abc", [])
    assert key_matches("clé-ü", ["clé-ü"])


def test_rate_limit_is_per_client_with_retry_after(api_museum):
    with make_client(api_museum, rate_limit_per_minute=3) as limited:
        payload = {"answer_id": "0" * 32, "rating": "up"}
        codes = [limited.post("/v1/feedback", json=payload).status_code for _ in range(3)]
        assert codes == [404, 404, 404]  # unknown answer id, but allowed
        refused = limited.post("/v1/feedback", json=payload)
        body = assert_problem(refused, 429)
        assert int(refused.headers["retry-after"]) >= 1 and body["retry_after"] == int(refused.headers["retry-after"])
        assert "3 a minute" in body["detail"]
        assert limited.get("/v1/search?q=x", headers=staff()).status_code == 200, "staff routes are not rate-limited"
        assert "museum_rag_rate_limited_total 1.0" in limited.get("/metrics").text


def test_token_bucket_refills_and_keeps_clients_apart():
    now = [1000.0]
    limiter = TokenBucketLimiter(rate_per_minute=2, clock=lambda: now[0])
    assert limiter.acquire("a") == 0 and limiter.acquire("a") == 0
    assert limiter.acquire("a") == pytest.approx(30.0)
    assert limiter.acquire("b") == 0, "another client has its own bucket"
    now[0] += 30.0
    assert limiter.acquire("a") == 0
    small = TokenBucketLimiter(rate_per_minute=1, max_clients=2, clock=lambda: now[0])
    for name in ("x", "y", "z"):
        small.acquire(name)
    assert small.acquire("x") == 0, "the least recently seen client was evicted (bounded memory)"


def test_cors_allowlist(client):
    allowed = client.options(
        "/v1/ask/stream",
        headers={"Origin": "https://museum.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://museum.example"
    denied = client.options(
        "/v1/ask/stream", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in denied.headers
    simple = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_request_ids_are_in_headers_and_logs_and_keys_never_are(client, caplog):
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO):
        response = client.get("/v1/objects/npg:23", headers={**staff(), "X-Request-ID": "trace-abc-12345"})
        fresh = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert response.headers["x-request-id"] == "trace-abc-12345"
    assert fresh.headers["x-request-id"] != "bad id with spaces" and len(fresh.headers["x-request-id"]) == 32
    access = [r for r in caplog.records if r.name == "museum_rag.access"]
    assert any(r.request_id == "trace-abc-12345" and "/v1/objects/npg:23" in r.getMessage() for r in access)
    assert STAFF not in caplog.text


# --- staff search and objects --------------------------------------------------------------------


def test_search_finds_the_object_with_snippets_terms_and_record_facets(client, api_museum):
    response = client.get("/v1/search", params={"q": "Calder's tribute to the photographer Man Ray", "limit": 5}, headers=staff())
    assert response.status_code == 200
    data = response.json()
    assert data["results"][0]["record_id"] == "npg:23"
    first = data["results"][0]
    assert first["url"].startswith("http") and first["snippets"] and "Calder" in " ".join(s["text"] for s in first["snippets"])
    assert {"calder", "tribute", "photographer"} <= set(data["terms"]) and "the" not in data["terms"]
    records = api_museum.store.count(SearchFilters(chunk_index=0))
    assert data["total_records"] == records
    assert sum(f["count"] for f in data["facets"]["museum"]) == records, "facet counts are of records, not chunks"
    assert {f["value"] for f in data["facets"]["type"]} >= {"Painting", "Photograph"}


def test_search_filters_narrow_results_and_facets(client):
    params = {"q": "portrait of a writer", "type": "Painting", "date_from": 1900, "date_to": 1950, "limit": 10}
    data = client.get("/v1/search", params=params, headers=staff()).json()
    assert data["results"], data
    for result in data["results"]:
        assert result["type"] == "Painting"
    assert [f["value"] for f in data["facets"]["type"]] == ["Painting"]
    assert data["total_records"] == data["facets"]["type"][0]["count"] < 200
    creator = data["facets"]["creators"][0]["value"]
    by_creator = client.get("/v1/search", params={"q": "portrait", "creator": creator}, headers=staff()).json()
    assert by_creator["results"] and all(creator in r["creators"] for r in by_creator["results"])
    assert_problem(client.get("/v1/search", params={"q": "x", "date_from": 1950, "date_to": 1900}, headers=staff()), 422)
    facets_only = client.get("/v1/search", headers=staff()).json()
    assert facets_only["results"] == [] and facets_only["facets"]["museum"]


def test_object_view_and_unknown_object(client):
    data = client.get("/v1/objects/npg:23", headers=staff()).json()
    assert data["record"]["id"] == "npg:23" and data["record"]["title"] == "Man Ray"
    assert [c["chunk_index"] for c in data["chunks"]] == list(range(len(data["chunks"])))
    assert data["chunks"][0]["field"] == "tombstone"
    body = assert_problem(client.get("/v1/objects/npg:does-not-exist", headers=staff()), 404)
    assert "npg:does-not-exist" in body["detail"]


# --- admin ingest --------------------------------------------------------------------------------


def test_admin_ingest_uploads_and_reports_problems_by_uploaded_name(client):
    records = [
        {"id": "test:upload-1", "title": "The Lighthouse Keeper's Daughter", "museum": "Test Museum", "type": "Painting",
         "description": "A portrait of Ida Lewis, who rowed out to rescue sailors off Newport in a storm in 1869."},
        {"id": "test:upload-2", "title": "Untitled", "museum": "Test Museum"},  # no text: invalid, reported
    ]
    body = "\n".join(json.dumps(r) for r in records).encode()
    response = client.post(
        "/v1/ingest", files={"files": ("../../etc/new records.jsonl", body, "application/x-ndjson")},
        data={"source": "uploads"}, headers=staff(ADMIN),
    )
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["records_added"] == 1 and summary["records_invalid"] == 1
    assert summary["issues"] and all(i.startswith("new_records.jsonl") for i in summary["issues"]), summary["issues"]
    assert "/tmp" not in response.text and "uploads/ingest-" not in response.text
    found = client.get("/v1/search", params={"q": "Ida Lewis rowed out to rescue sailors", "limit": 3}, headers=staff()).json()
    assert found["results"][0]["record_id"] == "test:upload-1"
    assert client.get("/v1/objects/test:upload-1", headers=staff()).json()["record"]["museum"] == "Test Museum"

    again = client.post("/v1/ingest", files={"files": ("new records.jsonl", body)}, data={"source": "uploads"},
                        headers=staff(ADMIN)).json()
    assert again["records_skipped"] == 1 and again["records_added"] == 0, "re-uploading is idempotent"
    unsupported = client.post("/v1/ingest", files={"files": ("payload.exe", b"MZ")}, headers=staff(ADMIN))
    assert_problem(unsupported, 415)
    strict = client.post("/v1/ingest", files={"files": ("bad.jsonl", b'{"id": "x:1"}\n')}, data={"strict": "true"},
                         headers=staff(ADMIN))
    assert "bad.jsonl" in assert_problem(strict, 422)["detail"]
