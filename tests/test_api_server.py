"""The real server: `museum-rag serve` in a subprocess on loopback, spoken to over HTTP with httpx."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.conftest import REPO, copy_sample_store
from tests.live_server import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory, sample_store_dir):
    data_dir = copy_sample_store(sample_store_dir, tmp_path_factory.mktemp("server"))
    with LiveServer(data_dir, env={"MUSEUM_RAG_API_KEYS": "k1,k2", "MUSEUM_RAG_RATE_LIMIT_PER_MINUTE": "1000"}) as live:
        yield live


def sse_events(response: httpx.Response) -> list[tuple[str, dict]]:
    events, name, data = [], None, []
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
        elif not line and data:
            events.append((name or "message", json.loads("\n".join(data))))
            name, data = None, []
    return events


def test_stream_over_http_sends_status_deltas_citations_done(server):
    question = {"question": "Who created the tribute to the photographer Man Ray?"}
    with httpx.stream("POST", server.url + "/v1/ask/stream", json=question, timeout=60) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-request-id"]
        events = sse_events(response)
    names = [name for name, _ in events]
    assert names[0] == "status" and names[-1] == "done" and "citations" in names
    assert names.index("citations") > max(i for i, n in enumerate(names) if n == "delta")
    done = events[-1][1]
    whole = httpx.post(server.url + "/v1/ask", json=question, timeout=60).json()
    assert "".join(data["text"] for name, data in events if name == "delta") == whole["text"]
    assert done["status"] == whole["status"] == "answered" and len(done["answer_id"]) == 32
    citations = next(data for name, data in events if name == "citations")["citations"]
    assert [c["record_id"] for c in citations] == [c["record_id"] for c in whole["citations"]]
    rated = httpx.post(server.url + "/v1/feedback", json={"answer_id": done["answer_id"], "rating": "up"})
    assert rated.status_code == 201


def test_stream_refuses_bad_input_before_streaming(server):
    response = httpx.post(server.url + "/v1/ask/stream", json={"question": "x" * 5000}, timeout=30)
    assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")


def test_a_second_server_on_the_same_store_fails_with_a_clear_message(server):
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "serve", "--port", "1"], cwd=REPO, env=server.env,
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "in use by another process" in result.stderr and "POST /v1/ingest" in result.stderr
    assert "Traceback" not in result.stderr
    assert httpx.get(server.url + "/readyz").status_code == 200, "the running server is unaffected"


def test_several_workers_need_a_store_server():
    result = CliRunner().invoke(app, ["serve", "--workers", "2"], env={"MUSEUM_RAG_STORE": "embedded"})
    assert result.exit_code == 2 and "MUSEUM_RAG_STORE=server" in result.output
