"""Ingestion end to end on the real engines: idempotent, replacing, pruning, resumable, locked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from ingest.pipeline import IngestError, Ingestor
from rag.models import SearchFilters
from rag.pipeline import MuseumRAG
from rag.sentence_vectors import decode_vectors
from rag.store import StoreLockedError, open_store
from rag.store.edge import EdgeStore
from tests.conftest import REPO, SAMPLE, make_settings


def _records(n: int, start: int = 0) -> list[dict]:
    with SAMPLE.open(encoding="utf-8") as handle:
        lines = handle.readlines()[start : start + n]
    return [json.loads(line) for line in lines]


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _snapshot(store) -> dict[str, dict]:
    return {p.id: p.payload for p in store.scroll()}


@pytest.fixture(params=["embedded", "memory"])
def engine_settings(request, tmp_path):
    return make_settings(tmp_path / "data", store=request.param, upsert_batch_size=64)


def test_ingest_search_reingest_change_and_prune(engine_settings, embedder, tmp_path):
    records = _records(40)
    path = _write(tmp_path / "npg.jsonl", records)
    with open_store(engine_settings) as store:
        ingestor = Ingestor(engine_settings, store, embedder)
        first = ingestor.run([path], source="npg")
        assert (first.records_read, first.records_added, first.records_invalid) == (40, 40, 0)
        assert first.chunks_added == store.count() > 40

        museum = MuseumRAG(engine_settings, store=store, embedder=embedder)
        # npg:23: "Calder created a tribute to photographer Man Ray for a suite of prints..."
        hits = museum.search("Calder's print honouring his friend the photographer, remembering their Paris days", limit=3)
        assert "npg:23" in [h.record_id for h in hits]
        filtered = museum.search("portrait", limit=10, filters=SearchFilters(type="Print"))
        assert filtered and all(h.chunks[0].chunk.type == "Print" for h in filtered)

        before = _snapshot(store)
        again = ingestor.run([path], source="npg")
        assert (again.records_skipped, again.chunks_added, again.chunks_replaced) == (40, 0, 0)
        assert _snapshot(store) == before

        # A changed record replaces its chunks: a shorter text leaves no stale chunk behind.
        changed = dict(records[0], description="A short new label. Calder and Man Ray were friends.")
        _write(path, [changed] + records[1:])
        third = ingestor.run([path], source="npg")
        assert (third.records_replaced, third.records_skipped) == (1, 39)
        chunks = store.record_chunks(changed["id"])
        assert [c["chunk_index"] for c in chunks] == list(range(len(chunks)))
        assert chunks[-1]["text"] == changed["description"] and len(chunks) == chunks[0]["chunk_count"]
        assert store.count() == len(before) - (third.chunks_deleted - third.chunks_added)

        # Prune removes records of this source that left the file, and only those.
        other = _write(tmp_path / "other.jsonl", _records(3, start=100))
        ingestor.run([other], source="other")
        _write(path, [changed] + records[1:30])
        pruned = ingestor.run([path], source="npg", prune=True)
        assert pruned.records_deleted == 10
        remaining = {p.payload["record_id"] for p in store.scroll(fields=["record_id"])}
        assert len(remaining) == 33 and {r["id"] for r in _records(3, start=100)} <= remaining


def test_records_ingested_under_another_catalogue_profile_are_ingested_again(tmp_path, embedder):
    """The profile decides the typed facts: an unchanged record read under a changed profile is written again."""
    path = _write(tmp_path / "npg.jsonl", _records(5))
    settings = make_settings(tmp_path / "data", upsert_batch_size=64)
    profile = json.loads((REPO / "rag" / "data" / "profiles" / "default.json").read_text(encoding="utf-8"))
    profile["roles"]["depicted"].append("artist")  # a museum that calls its sitters "artist"
    other = tmp_path / "other_profile.json"
    other.write_text(json.dumps(profile), encoding="utf-8")
    with open_store(settings) as store:
        Ingestor(settings, store, embedder).run([path], source="npg")
        again = Ingestor(settings, store, embedder).run([path], source="npg")
        assert (again.records_skipped, again.records_replaced) == (5, 0)
        changed = Ingestor(settings.model_copy(update={"catalogue_profile": str(other)}), store, embedder)
        third = changed.run([path], source="npg")
        assert (third.records_skipped, third.records_replaced) == (0, 5)
        artists = [f for r in _records(5) for c in store.record_chunks(r["id"])[:1] for f in c["facts"]
                   if f["label"].lower() == "artist"]
        assert artists and all(f["kind"] == "depicted" for f in artists)


def test_bad_lines_do_not_lose_stored_records_and_strict_writes_nothing(tmp_path, embedder):
    settings = make_settings(tmp_path / "data")
    good = _records(5)
    path = _write(tmp_path / "c.jsonl", good)
    with open_store(settings) as store:
        ingestor = Ingestor(settings, store, embedder)
        ingestor.run([path], source="c")
        count = store.count()
        path.write_text(json.dumps(good[0]) + "\n{broken\n", encoding="utf-8")
        with pytest.raises(IngestError, match=r"c\.jsonl:2"):
            ingestor.run([path], source="c", strict=True, prune=True)
        assert store.count() == count
        lenient = ingestor.run([path], source="c", prune=True)
        assert lenient.records_invalid == 1 and lenient.prune_skipped_reason
        assert store.count() == count  # the four records missing from a broken file are not pruned


def test_a_store_of_an_older_payload_layout_ingests_its_records_again_once(tmp_path, embedder, monkeypatch):
    """A release that splits or stores chunks otherwise raises PAYLOAD_VERSION: its first ingest of the same file
    writes every record again, with the new sentences; the next one skips them."""
    import rag.models

    record = dict(_records(1)[0], description="The chest was bought by Q.Z. Varrow in 1921. It stood in a hall.")
    path = _write(tmp_path / "c.jsonl", [record])
    settings = make_settings(tmp_path / "data")
    with open_store(settings) as store:
        current = rag.models.PAYLOAD_VERSION
        monkeypatch.setattr(rag.models, "PAYLOAD_VERSION", current - 1)
        Ingestor(settings, store, embedder).run([path], source="c")
        monkeypatch.setattr(rag.models, "PAYLOAD_VERSION", current)
        upgraded = Ingestor(settings, store, embedder).run([path], source="c")
        assert (upgraded.records_replaced, upgraded.records_skipped) == (1, 0)
        again = Ingestor(settings, store, embedder).run([path], source="c")
        assert (again.records_replaced, again.records_skipped) == (0, 1)
        chunk = next(c for c in store.record_chunks(record["id"]) if c["field"] == "description")
        assert [record["description"][s:e] for s, e in chunk["sentences"]][0] == "The chest was bought by Q.Z. Varrow in 1921."


def test_killed_ingest_resumes_to_the_same_store(tmp_path, embedder):
    path = _write(tmp_path / "c.jsonl", _records(48))
    env = dict(os.environ, MUSEUM_RAG_DATA_DIR=str(tmp_path / "killed"), MUSEUM_RAG_UPSERT_BATCH_SIZE="6")
    cmd = [sys.executable, "-m", "cli.main", "ingest", str(path), "--source", "c"]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    progress = ""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        char = proc.stderr.read(1)
        if not char:
            break
        progress += char
        if "record/s" in progress[-200:] and "| 0/" not in progress[-60:]:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"

    resumed = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert "skipped" in resumed.stdout

    reference = make_settings(tmp_path / "reference", upsert_batch_size=6)
    with open_store(reference) as store:
        Ingestor(reference, store, embedder).run([path], source="c")
        expected = _snapshot(store)
    with EdgeStore(tmp_path / "killed" / "qdrant") as store:
        _assert_same_store(_snapshot(store), expected)


def _assert_same_store(got: dict[str, dict], expected: dict[str, dict]) -> None:
    """The same points with the same payloads; sentence vectors equal to the encoder's rounding (a record
    embedded in another batch is padded differently, which moves a float in its last bits and can turn an
    int8 step)."""
    without = lambda snapshot: {i: {k: v for k, v in p.items() if k != "sentence_vectors"} for i, p in snapshot.items()}  # noqa: E731
    assert without(got) == without(expected)
    for point_id, payload in expected.items():
        n = len(payload.get("sentences") or [])
        want, have = decode_vectors(payload.get("sentence_vectors"), n), decode_vectors(got[point_id].get("sentence_vectors"), n)
        assert (want is None) == (have is None), point_id
        if want is not None:
            np.testing.assert_allclose(have, want, atol=0.02, err_msg=point_id)


def test_a_second_process_gets_a_clear_lock_error(tmp_path):
    settings = make_settings(tmp_path / "data")
    with open_store(settings) as store:
        store.ensure_collection(384)
        with pytest.raises(StoreLockedError):
            open_store(settings)  # the lock is per open file description: a second open in-process is refused too
        env = dict(os.environ, MUSEUM_RAG_DATA_DIR=str(tmp_path / "data"))
        result = subprocess.run(
            [sys.executable, "-m", "cli.main", "stats"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
        )
    assert result.returncode == 1
    assert "in use by another process" in result.stderr and "Traceback" not in result.stderr


def test_cli_ingest_of_a_second_file_in_the_same_schema(tmp_path):
    first = _write(tmp_path / "first.jsonl", _records(4))
    second = _write(tmp_path / "second.jsonl", _records(3, start=50) + [{"id": "x:1", "title": "No text"}])
    env = dict(os.environ, MUSEUM_RAG_DATA_DIR=str(tmp_path / "data"), MUSEUM_RAG_EMBED_BACKEND="onnx")
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "cli.main", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert run("ingest", str(first)).returncode == 0
    result = run("ingest", str(second), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["records_added"] == 3 and summary["records_invalid"] == 1
    assert any("second.jsonl:4" in issue and "no text" in issue for issue in summary["issues"])
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["records"] == 7 and stats["per_source"] == {"first": 4, "second": 3}
    search = run("search", "Man Ray", "--limit", "1", "--filter", "type=Print")
    assert search.returncode == 0 and "npg:23" in search.stdout
    bad_filter = run("search", "x", "--filter", "colour=red")
    assert bad_filter.returncode == 2 and "unknown filter field 'colour'" in bad_filter.stderr
