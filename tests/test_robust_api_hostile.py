"""Hostile requests and hostile records against the API (in-process, real models and engine).

The store holds invented records, two of them hostile (script tags, event handlers,
attribute break-outs, ``javascript:``/``data:`` URLs) written past the loaders, as a store
from an older release could hold them: no response may carry their markup or URLs.
Every hostile request ends in a 4xx problem+json naming the field, never a 500.
"""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.observability import ControlCharFilter
from api.sanitize import safe_url
from rag.pipeline import MuseumRAG
from tests.conftest import make_settings
from tests.robust_api_data import HOSTILE, ORDINARY, build_store, record_file

STAFF, ADMIN = "robust-staff-key-0123", "robust-admin-key-4567"
PROBLEM = "application/problem+json"
TAG = re.compile(r"<[A-Za-z/!?]|[\"']\s*>|on\w+\s*=", flags=re.IGNORECASE)


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory, embedder) -> Path:
    data_dir = tmp_path_factory.mktemp("robust-hostile") / "data"
    build_store(make_settings(data_dir), embedder, ORDINARY + HOSTILE)
    return data_dir


def make_app(data_dir: Path, embedder, **overrides):
    values = dict(api_keys=[STAFF], admin_keys=[ADMIN], rate_limit_per_minute=10_000, min_free_bytes=0,
                  max_body_bytes=2 * 1024 * 1024)
    values.update(overrides)
    settings = make_settings(data_dir, **values)
    museum = MuseumRAG(settings, embedder=embedder)
    return create_app(settings, museum=museum, close_museum=True)


@pytest.fixture(scope="module")
def client(hostile_dir, embedder):
    with TestClient(make_app(hostile_dir, embedder)) as test_client:
        yield test_client


def private_copy(data_dir: Path, tmp_path: Path) -> Path:
    """A copy of the store for a test that opens its own app (one opener per store)."""
    target = tmp_path / "data"
    shutil.copytree(data_dir, target)
    return target


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and "Traceback" not in response.text
    return body


def strings(value, key=None):
    """Every (key, string) pair in a JSON value."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, key)


def assert_clean(data) -> int:
    """No markup in any string, no URL field that is not a safe http(s) URL; returns the strings checked."""
    checked = 0
    for key, text in strings(data):
        checked += 1
        assert not TAG.search(text) and "<" not in text and ">" not in text, (key, text)
        if key and key.lower().endswith(("url", "uri")):
            assert safe_url(text) == text, (key, text)
    return checked


# --- markup and unsafe URLs (issue 13, item 8) ---------------------------------------------------


@pytest.mark.parametrize("question", ["Who made the tin lantern?", "Who made the silver teapot?"])
def test_answers_carry_no_markup_or_unsafe_url_from_hostile_records(client, question):
    answer = client.post("/v1/ask", json={"question": question}).json()
    assert answer["status"] in ("answered", "corrected"), answer["text"]
    record_ids = [c["record_id"] for c in answer["citations"] + answer["suggestions"]]
    assert {"test:lantern", "test:teapot"} & set(record_ids), "the hostile record is what answers"
    assert assert_clean(answer) > 10


def test_stream_search_and_object_view_carry_no_markup_or_unsafe_url(client):
    with client.stream("POST", "/v1/ask/stream", json={"question": "Who made the tin lantern?"}) as response:
        events = [json.loads(line[5:]) for line in response.iter_lines() if line.startswith("data:")]
    assert any("citations" in e for e in events)
    assert_clean(events)
    found = client.get("/v1/search", params={"q": "lantern teapot"}, headers=bearer(STAFF)).json()
    assert {r["record_id"] for r in found["results"]} >= {"test:lantern", "test:teapot"}
    assert_clean(found)
    for record_id in ("test:lantern", "test:teapot"):
        view = client.get(f"/v1/objects/{record_id}", headers=bearer(STAFF)).json()
        assert view["record"]["id"] == record_id and view["record"]["url"] is None
        assert_clean(view)
    kettle = client.get("/v1/objects/test:kettle", headers=bearer(STAFF)).json()
    assert kettle["record"]["url"] == "https://museum.example/objects/kettle", "safe URLs are kept"


def test_markup_in_a_question_is_stripped_before_answering(client):
    answer = client.post(
        "/v1/ask", json={"question": "Who made the <b>copper kettle</b>?<script>alert('q')</script><img src=x onerror=alert(1)>"}
    ).json()
    assert answer["question"] == "Who made the copper kettle?"
    assert answer["status"] == "answered" and answer["citations"][0]["record_id"] == "test:kettle"
    assert_clean(answer)
    only_markup = client.post("/v1/ask", json={"question": "<script>alert(1)</script>"})
    assert assert_problem(only_markup, 422)["detail"] == "The question is empty."


# --- hostile requests (item 6) ---------------------------------------------------------------------


def test_internal_filters_are_not_part_of_the_public_ask_request(client):
    for value in (2**63, 0, False):
        body = assert_problem(client.post("/v1/ask", json={"question": "kettle", "filters": {"chunk_index": value}}), 422)
        assert body["errors"][0]["loc"][-1] == "chunk_index"
    schema = client.get("/openapi.json").json()["components"]["schemas"]["AskFilters"]
    assert "chunk_index" not in schema["properties"]


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**30, True, 1e30])
def test_years_are_bounded_integers(client, value):
    body = assert_problem(client.post("/v1/ask", json={"question": "kettle", "filters": {"date_from": value}}), 422)
    assert body["errors"][0]["loc"][-1] == "date_from"
    found = client.get("/v1/search", params={"q": "kettle", "date_to": str(value)}, headers=bearer(STAFF))
    assert_problem(found, 422)


def test_json_nested_100000_deep_is_a_400_naming_the_depth(client):
    deep = b"[" * 100_000 + b"]" * 100_000
    response = client.post("/v1/ask", content=b'{"question": "kettle", "filters": ' + deep + b"}",
                           headers={"content-type": "application/json"})
    assert "nested 100001 levels deep" in assert_problem(response, 400)["detail"]
    response = client.post("/v1/feedback", content=deep, headers={"content-type": "application/json"})
    assert_problem(response, 400)


def test_a_lone_surrogate_in_a_request_is_a_422_naming_the_field(client):
    response = client.post("/v1/ask", content=b'{"question": "Who made \\ud800 it?"}',
                           headers={"content-type": "application/json"})
    body = assert_problem(response, 422)
    assert body["errors"][0]["loc"] == ["body", "question"]
    response = client.post("/v1/ask", content=b'{"question": "kettle", "filters": {"museum": "\\udfff"}}',
                           headers={"content-type": "application/json"})
    assert assert_problem(response, 422)["errors"][0]["loc"] == ["body", "filters", "museum"]


def test_an_upload_with_a_lone_surrogate_id_reports_exactly_what_was_written(hostile_dir, embedder, tmp_path):
    upload = (
        '{"id": "test:bad\\ud800", "title": "Broken id", "description": "A record whose id is not valid Unicode."}\n'
        '{"id": "test:spoon", "title": "Pewter spoon", "description": "A pewter spoon cast by Amos Tindall in 1805."}\n'
    )
    with TestClient(make_app(private_copy(hostile_dir, tmp_path), embedder)) as c:
        before = c.get("/readyz").json()["chunks"]
        response = c.post("/v1/ingest", files={"files": ("surrogate.jsonl", upload.encode())}, headers=bearer(ADMIN))
        assert response.status_code == 200, response.text
        summary = response.json()
        assert summary["records_invalid"] == 1 and summary["records_added"] == 1
        assert any("surrogate.jsonl:1" in issue and "surrogate" in issue.split(":1")[1] for issue in summary["issues"])
        after = c.get("/readyz").json()
        assert after["chunks"] == before + summary["chunks_added"], "the summary is exactly what was written"
        assert c.get("/v1/objects/test:spoon", headers=bearer(STAFF)).status_code == 200


# --- unbounded uploads (item 7 of the brief) -------------------------------------------------------------


def test_a_record_over_the_size_cap_is_refused_before_anything_is_written(hostile_dir, embedder, tmp_path):
    big = dict(ORDINARY[0], id="test:big", description="A very long label. " * 400)
    path = record_file(tmp_path / "big.jsonl", [dict(ORDINARY[1], id="test:small"), big])
    with TestClient(make_app(private_copy(hostile_dir, tmp_path), embedder, max_record_bytes=4096)) as c:
        before = c.get("/readyz").json()["chunks"]
        response = c.post("/v1/ingest", files={"files": ("big.jsonl", path.read_bytes())}, headers=bearer(ADMIN))
        body = assert_problem(response, 413)
        assert "big.jsonl line 2" in body["detail"] and "MUSEUM_RAG_MAX_RECORD_BYTES" in body["detail"]
        assert c.get("/readyz").json()["chunks"] == before
        assert c.get("/v1/objects/test:small", headers=bearer(STAFF)).status_code == 404


def test_temporary_folders_of_crashed_uploads_are_removed_at_start_up(hostile_dir, embedder, tmp_path):
    data_dir = private_copy(hostile_dir, tmp_path)
    stale = data_dir / "uploads" / "ingest-crashed"
    stale.mkdir(parents=True, exist_ok=True)
    (stale / "half.jsonl").write_text('{"id": "x"', encoding="utf-8")
    with TestClient(make_app(data_dir, embedder)):
        assert not stale.exists()


# --- keys and logs (item 9) ------------------------------------------------------------------------------


def test_failed_key_attempts_are_throttled_per_client(hostile_dir, embedder, tmp_path):
    with TestClient(make_app(private_copy(hostile_dir, tmp_path), embedder, auth_failures_per_minute=3)) as c:
        codes = [c.get("/v1/objects/test:kettle", headers=bearer(f"guess-{i}")).status_code for i in range(5)]
        assert codes == [401, 401, 401, 429, 429]
        throttled = c.get("/v1/objects/test:kettle", headers=bearer(STAFF))
        body = assert_problem(throttled, 429)
        assert int(throttled.headers["retry-after"]) >= 1 and body["retry_after"] >= 1
        assert c.post("/v1/ask", json={"question": "Who made the copper kettle?"}).status_code == 200, \
            "public routes are not affected"


def test_control_characters_in_logged_values_are_escaped(client, caplog):
    with caplog.at_level(logging.INFO, logger="museum_rag.access"):
        client.get("/v1/nothing%0D%0A2026-01-01 INFO [-] forged: admin logged in")
    lines = [r.getMessage() for r in caplog.records if r.name == "museum_rag.access"]
    assert lines and all("\n" not in line and "\r" not in line for line in lines)
    assert any("\\r\\n2026-01-01" in line for line in lines)

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ControlCharFilter())
    logger = logging.getLogger("robust-api-test")
    logger.addHandler(handler)
    try:
        logger.warning("question=%s", "kettle\r\nERROR forged line\x1b[31m")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == "question=kettle\\r\\nERROR forged line\\x1b[31m\n"
