"""`museum-rag ingest` on inputs that are missing, unreadable or partly broken: clear messages and
an exit status a script can act on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

GOOD = {"id": "lowmere:1", "title": "Lantern on a quay", "description": "A brass lantern from the north quay."}


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MUSEUM_RAG_DATA_DIR": str(data_dir), "MUSEUM_RAG_STORE": "embedded", "MUSEUM_RAG_EMBED_BACKEND": "onnx"}
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )


def test_a_missing_input_exits_non_zero_before_anything_loads(tmp_path):
    done = _cli(tmp_path / "data", "ingest", str(tmp_path / "missing.jsonl"))
    assert done.returncode == 2
    assert f"{tmp_path / 'missing.jsonl'}: no such file or folder" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "data" / "qdrant").exists()


def test_an_unreadable_file_in_a_folder_exits_non_zero_after_storing_the_rest(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "good.jsonl").write_text(
        json.dumps(GOOD) + "\n" + '{"id": "lowmere:2", "title": "Cut short"\n' + json.dumps(GOOD | {"id": "4711"}) + "\n",
        encoding="utf-8",
    )
    (folder / "latin1.json").write_bytes(json.dumps([GOOD | {"id": "lowmere:3", "title": "Caf\u00e9"}], ensure_ascii=False).encode("latin-1"))
    done = _cli(tmp_path / "data", "ingest", str(folder))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "2 added" in done.stdout
    assert f"skipped: {folder / 'good.jsonl'}:2: malformed JSON at column 41: Expecting ',' delimiter" in done.stderr
    assert f"warning: {folder / 'good.jsonl'}:3: record 4711 field 'id': " in done.stderr
    assert f"{folder / 'latin1.json'}:1: not UTF-8: byte 0xE9" in done.stderr
    assert "1 input file(s) could not be read" in done.stderr and "Traceback" not in done.stderr
