"""OAI-PMH harvesting against a real HTTP server on loopback serving fixture pages (tests/data/formats/oai/):
resumption tokens, a record without a title, a malformed page, a later incremental harvest with a deleted and a
changed record, and the remembered harvest date. The first harvest runs the real `museum-rag harvest` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import REPO, make_settings

PAGES = Path(__file__).parent / "data" / "formats" / "oai"


class OaiServer:
    """A tiny OAI-PMH repository: ListRecords pages chosen by resumption token and ``from`` date."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                owner.requests.append(query)
                body = (PAGES / owner.page_for(query)).read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/oai"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @staticmethod
    def page_for(query: dict[str, str]) -> str:
        token = query.get("resumptionToken")
        if token == "page-2":
            return "page2.xml"
        if token == "page-3":
            return "page3_malformed.xml"
        if "from" in query:
            return "no_records.xml" if query["from"] >= "2026-04-15" else "incremental.xml"
        return "page1.xml"

    def __enter__(self) -> "OaiServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def oai_server():
    with OaiServer() as server:
        yield server


def stored(store, record_id: str) -> list[dict]:
    return store.record_chunks(record_id)


def test_harvest_pages_deletes_and_remembers_the_date(oai_server, tmp_path, embedder):
    from ingest.harvest import Harvester, source_name
    from rag.store import open_store

    data_dir = tmp_path / "data"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "MUSEUM_RAG_DATA_DIR": str(data_dir), "MUSEUM_RAG_STORE": "embedded"}
    first = subprocess.run(
        [sys.executable, "-m", "cli.main", "harvest", oai_server.url, "--metadata-prefix", "oai_dc", "--json"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )
    assert first.returncode == 1, "an incomplete harvest is an exit code\n" + first.stderr
    summary = json.loads(first.stdout)
    assert summary["pages"] == 2 and summary["pages_skipped"] == 1 and summary["complete"] is False
    assert summary["records_added"] == 3 and summary["records_invalid"] == 1
    issues = "\n".join(summary["issues"])
    assert "(page 2)" in issues and "oai:harbour.example.org:HTM-H-004" in issues and "dc:title" in issues
    assert "(page 3)" in issues and "not well-formed" in issues and "page skipped" in issues
    assert [r.get("resumptionToken") for r in oai_server.requests] == [None, "page-2", "page-3"]
    state = json.loads((data_dir / "harvest_state.json").read_text())
    (entry,) = state.values()
    assert entry["last_harvest"] is None, "an incomplete harvest does not advance the date"

    prefix = source_name(oai_server.url, "oai_dc")
    settings = make_settings(data_dir)
    with open_store(settings) as store:
        assert {c["title"] for c in stored(store, f"{prefix}:HTM-H-001")} == {"Brass Ship's Lantern"}
        first_chunk = stored(store, f"{prefix}:HTM-H-001")[0]
        assert first_chunk["rights"]["metadata"]["label"].startswith("Rights not stated")
        assert first_chunk["rights"]["image"]["uri"] == "https://creativecommons.org/publicdomain/zero/1.0/"
        assert stored(store, f"{prefix}:HTM-H-002")

        harvester = Harvester(settings, store, embedder)
        try:
            second = harvester.run(oai_server.url, "oai_dc", from_date="2026-04-01")
            assert second.complete and second.records_deleted == 1 and second.records_replaced == 1
            assert stored(store, f"{prefix}:HTM-H-002") == [], "a deleted record leaves the store"
            clock = stored(store, f"{prefix}:HTM-H-003")
            assert any("restored in 2026" in c["text"] for c in clock), "a changed record is replaced"
            assert stored(store, f"{prefix}:HTM-H-001"), "records not in the incremental harvest stay"
            assert second.harvest_date == "2026-04-15"

            third = harvester.run(oai_server.url, "oai_dc")
        finally:
            harvester.close()
    assert oai_server.requests[-1]["from"] == "2026-04-15", "the next harvest asks only for what changed since"
    assert third.complete and third.records_seen == 0
