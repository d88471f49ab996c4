"""The real server (uvicorn in a subprocess) against a small invented store: forwarded headers,
forged log lines, and an admin upload whose client goes away (issue 13, items 7 and 9)."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import make_settings
from tests.live_server import LiveServer
from tests.robust_api_data import ORDINARY, build_store

ADMIN = "robust-live-admin-key"
MATERIALS = ("oak", "pine", "walnut", "birch", "maple", "cedar")
KINDS = ("chair", "stool", "chest", "cabinet", "table", "bench")


@pytest.fixture(scope="module")
def small_store(tmp_path_factory, embedder) -> Path:
    data_dir = tmp_path_factory.mktemp("robust-live") / "data"
    build_store(make_settings(data_dir), embedder, ORDINARY)
    return data_dir


@pytest.fixture(scope="module")
def server(small_store):
    env = {"MUSEUM_RAG_ADMIN_KEYS": ADMIN, "MUSEUM_RAG_RATE_LIMIT_PER_MINUTE": "3", "MUSEUM_RAG_MIN_FREE_BYTES": "0",
           "MUSEUM_RAG_UPSERT_BATCH_SIZE": "4"}
    with LiveServer(small_store, env=env) as live:
        yield live


def rated(server: LiveServer, forwarded_for: str) -> int:
    body = {"answer_id": uuid.uuid4().hex, "rating": "up"}
    return httpx.post(server.url + "/v1/feedback", json=body, headers={"X-Forwarded-For": forwarded_for}).status_code


def test_a_rotating_forwarded_for_header_does_not_escape_the_rate_limit(server):
    codes = [rated(server, f"203.0.113.{i}") for i in range(5)]
    assert codes[:3] == [404, 404, 404] and codes[3:] == [429, 429], codes


def test_forwarded_for_is_trusted_from_configured_proxies(small_store, tmp_path):
    data_dir = tmp_path / "data"
    import shutil

    shutil.copytree(small_store, data_dir)
    env = {"MUSEUM_RAG_RATE_LIMIT_PER_MINUTE": "3", "MUSEUM_RAG_FORWARDED_ALLOW_IPS": "127.0.0.1",
           "MUSEUM_RAG_MIN_FREE_BYTES": "0"}
    with LiveServer(data_dir, env=env) as proxied:
        codes = [rated(proxied, f"203.0.113.{i}") for i in range(5)]
        assert codes == [404] * 5, "behind a trusted proxy, each forwarded client has its own budget"
        same = [rated(proxied, "198.51.100.7") for _ in range(4)]
        assert same[-1] == 429


def test_control_characters_in_a_path_can_not_forge_log_lines(server):
    forged = "2026-01-01 00:00:00,000 INFO [-] museum_rag.access: 10.0.0.1 POST /v1/ingest 200"
    httpx.get(server.url + "/v1/x%0D%0A" + forged.replace(" ", "%20"))
    time.sleep(0.5)
    lines = server.log().splitlines()
    assert not any(line.startswith(forged) for line in lines)
    assert any("/v1/x\\r\\n2026-01-01" in line for line in lines)


def invented_records(n: int) -> list[dict]:
    return [
        {"id": f"test:furniture-{i}", "title": f"{MATERIALS[i % 6].title()} {KINDS[i % 5]} no. {i}",
         "description": f"A {MATERIALS[i % 6]} {KINDS[i % 5]} numbered {i}, made in {1700 + i} by a joiner of the "
                        f"invented workshop, with {i % 7 + 2} carved panels and original {MATERIALS[(i + 1) % 6]} pegs.",
         "date_begin": 1700 + i}
        for i in range(n)
    ]


def multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_an_upload_whose_client_disconnects_is_cancelled_and_resending_completes_it(server):
    records = invented_records(150)
    data = "".join(json.dumps(r) + "\n" for r in records).encode()
    body, content_type = multipart("furniture.jsonl", data)
    before = httpx.get(server.url + "/readyz").json()["chunks"]

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("POST", "/v1/ingest", body=body,
                       headers={"Content-Type": content_type, "Authorization": f"Bearer {ADMIN}"})
    time.sleep(1.0)  # the upload is received and the ingest has started
    connection.close()  # the admin's client goes away

    deadline = time.monotonic() + 300
    while "ingest cancelled" not in server.log():
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.5)
    partial = httpx.get(server.url + "/readyz").json()["chunks"] - before

    resent = httpx.post(server.url + "/v1/ingest", files={"files": ("furniture.jsonl", data)},
                        headers={"Authorization": f"Bearer {ADMIN}"}, timeout=600)
    assert resent.status_code == 200, resent.text
    summary = resent.json()
    assert summary["records_replaced"] == 0, "the cancelled ingest left no partial record"
    assert summary["records_added"] + summary["records_skipped"] == len(records)
    assert summary["records_added"] > 0
    total = httpx.get(server.url + "/readyz").json()["chunks"] - before
    assert 0 <= partial < total, "the ingest stopped before the end"
