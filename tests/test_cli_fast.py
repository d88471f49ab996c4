"""Commands that need no model load none, and the read-only commands go through a running server.

The "no model" checks look at what the command imported (``sys.modules`` after it ran in a fresh
interpreter), never at how long it took.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.pipeline import Ingestor
from rag.store import open_store
from tests.conftest import REPO, make_settings
from tests.live_server import LiveServer

#: Invented records: two museums, two types.
RECORDS = [
    {"id": "tst:1", "title": "Harbour at Dawn", "museum": "Lakeside Museum", "type": "Painting",
     "creators": [{"name": "Ilse Marwick", "role": "Artist"}],
     "description": "Ilse Marwick painted the fishing harbour of her home town at first light, with the boats still moored."},
    {"id": "tst:2", "title": "Copper Kettle", "museum": "Lakeside Museum", "type": "Metalwork",
     "description": "A hammered copper kettle made by a village smith; its handle was replaced in the 1920s."},
    {"id": "tst:3", "title": "Portrait of a Beekeeper", "museum": "Hill Gallery", "type": "Painting",
     "creators": [{"name": "Tomas Quell", "role": "Artist"}],
     "description": "Tomas Quell portrayed his neighbour, a beekeeper, holding a frame of honeycomb."},
]

HEAVY = ("torch", "sentence_transformers", "transformers", "onnxruntime")

#: Runs the CLI in this interpreter, then reports the exit code and which heavy modules were imported.
WRAPPER = """
import json, sys
from cli.main import app
try:
    app(sys.argv[1:], prog_name="museum-rag")
    code = 0
except SystemExit as exc:
    code = exc.code or 0
print(json.dumps({"code": code, "loaded": [m for m in %r if m in sys.modules]}), file=sys.stderr)
""" % (HEAVY,)


def run_wrapped(data_dir: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    env = dict(os.environ, MUSEUM_RAG_DATA_DIR=str(data_dir), MUSEUM_RAG_STORE="embedded")
    result = subprocess.run([sys.executable, "-c", WRAPPER, *args], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=300)
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return result, report


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, embedder) -> Path:
    root = tmp_path_factory.mktemp("fastcli")
    path = root / "records.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    settings = make_settings(root / "data")
    with open_store(settings) as store:
        Ingestor(settings, store, embedder).run([path], source="invented")
    return root / "data"


def test_stats_loads_no_model(data_dir):
    result, report = run_wrapped(data_dir, "stats", "--json")
    assert report == {"code": 0, "loaded": []}, result.stderr
    stats = json.loads(result.stdout)
    assert stats["records"] == 3 and stats["chunks"] >= 6
    assert stats["per_museum"] == {"Lakeside Museum": 2, "Hill Gallery": 1}
    assert stats["per_type"] == {"Painting": 2, "Metalwork": 1}
    assert stats["per_source"] == {"invented": 3}


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("search", "--help"),
        ("search", "kettle", "--mode", "fuzzy"),
        ("search", "kettle", "--filter", "colour=red"),
        ("search", "copper kettle", "--mode", "sparse"),
        ("ask", "   "),
        ("migrate", "--help"),
    ],
)
def test_commands_that_need_no_model_load_none(data_dir, args):
    result, report = run_wrapped(data_dir, *args)
    assert report["loaded"] == [], (args, result.stderr)
    if args[-1] == "sparse":  # a BM25-only search answers without the embedder
        assert report["code"] == 0 and "tst:2" in result.stdout.splitlines()[0]
    elif "--help" not in args:
        assert report["code"] == 2 and "error:" in result.stderr


def test_a_hybrid_search_loads_only_the_embedder(data_dir):
    result, report = run_wrapped(data_dir, "search", "a painting of boats in a harbour", "--limit", "1")
    assert report["code"] == 0, result.stderr
    assert "tst:1" in result.stdout
    assert "onnxruntime" not in report["loaded"]  # the default (torch) embedder only


@pytest.mark.slow
def test_read_only_commands_through_a_running_server(data_dir, tmp_path):
    import shutil

    served = tmp_path / "served"
    shutil.copytree(data_dir, served, ignore=shutil.ignore_patterns("*.lock"))
    env = dict(os.environ, MUSEUM_RAG_DATA_DIR=str(served), MUSEUM_RAG_STORE="embedded")
    cli = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "cli.main", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    with LiveServer(served, env={"MUSEUM_RAG_API_KEYS": "staff-key"}) as server:
        locked = cli("stats")
        assert locked.returncode == 1 and "--server" in locked.stderr and "Traceback" not in locked.stderr

        stats = cli("stats", "--json", "--server", server.url, "--api-key", "staff-key")
        assert stats.returncode == 0, stats.stderr
        assert json.loads(stats.stdout)["per_museum"] == {"Lakeside Museum": 2, "Hill Gallery": 1}

        search = cli("search", "hammered copper kettle", "--limit", "2", "--server", server.url,
                     "--api-key", "staff-key", "--filter", "museum=Lakeside Museum")
        assert search.returncode == 0, search.stderr
        assert search.stdout.splitlines()[0].split()[1] == "tst:2"

        no_key = cli("search", "kettle", "--server", server.url)
        assert no_key.returncode == 1 and "401" in no_key.stderr and "--api-key" in no_key.stderr

        answer = cli("ask", "Who painted the harbour at dawn?", "--json", "--server", server.url)
        assert answer.returncode == 0, answer.stderr
        body = json.loads(answer.stdout)
        assert body["retrieved_ids"][0] == "tst:1"
        assert all(c["record_id"] in {"tst:1", "tst:2", "tst:3"} for c in body["citations"])

    down = cli("stats", "--server", server.url, "--api-key", "staff-key")
    assert down.returncode == 1 and "did not answer" in down.stderr
