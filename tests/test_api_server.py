"""The real server: `museum-rag serve` in a subprocess on loopback, spoken to over HTTP with httpx."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.conftest import REPO, copy_sample_store
from tests.live_server import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory, sample_store_dir):
    data_dir = copy_sample_store(sample_store_dir, tmp_path_factory.mktemp("server"))
    with LiveServer(data_dir, env={"MUSEUM_RAG_API_KEYS": "k1,k2", "MUSEUM_RAG_RATE_LIMIT_PER_MINUTE": "1000"},
                    answer_processes=None) as live:  # the server's default: answers in answer processes
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


def _answer_processes(pid: int) -> list[int]:
    """The spawned multiprocessing workers among ``pid``'s children (not its resource tracker)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if parent == pid and b"spawn_main" in command:
            children.append(int(entry.name))
    return children


def test_the_server_answers_in_one_process_per_core_and_streams_from_them(server):
    """`serve` on its defaults starts one answer process per core (at most 4): concurrent questions use every core;
    the widget's streamed answers come from them too, sentence by sentence, and equal the whole answer."""
    cores = os.cpu_count() or 1
    assert len(_answer_processes(server.process.pid)) == (min(cores, 4) if cores > 1 else 0)
    questions = ["Who painted the portrait of Martha Washington?", "Who made the print of Man Ray?",
                 "Which portraits show jazz musicians?", "When was the portrait of Frederick Douglass made?"]
    with ThreadPoolExecutor(4) as pool:
        streamed = list(pool.map(lambda q: _stream(server.url, q), questions))
    for question, events in zip(questions, streamed):
        whole = httpx.post(server.url + "/v1/ask", json={"question": question}, timeout=60).json()
        assert "".join(data["text"] for name, data in events if name == "delta") == whole["text"], question
        assert events[-1][1]["status"] == whole["status"]


def _stream(url: str, question: str) -> list[tuple[str, dict]]:
    with httpx.stream("POST", url + "/v1/ask/stream", json={"question": question}, timeout=60) as response:
        return sse_events(response)


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
