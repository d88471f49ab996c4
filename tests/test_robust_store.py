"""The store side: values the engine cannot read back never reach it, a bad stored value never
breaks a reader, and damaged store files are found by `museum-rag check` (real qdrant-edge files)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.pipeline import Ingestor
from rag.models import SearchFilters
from rag.pipeline import MuseumRAG
from rag.retrieval import HybridSearcher
from rag.store import StoreCorruptError, open_store
from rag.store.base import PointData
from rag.store.edge import EdgeStore
from rag.store.health import check_store, quick_check
from tests.conftest import REPO, make_settings
from tests.invented_export import write_export

RECORDS = 30


@pytest.fixture(scope="module")
def invented_store(tmp_path_factory, embedder) -> Path:
    """A data dir holding a closed embedded store of an invented export (copy it before opening)."""
    root = tmp_path_factory.mktemp("robust-store")
    export = write_export(root / "lowmere.jsonl", count=RECORDS)
    settings = make_settings(root / "data", upsert_batch_size=32)
    with open_store(settings) as store:
        summary = Ingestor(settings, store, embedder).run([export], source="lowmere")
    assert summary.records_added == RECORDS and summary.records_invalid == 0
    return root / "data"


@pytest.fixture
def data_dir(invented_store, tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(invented_store, target)
    return target


def _segment(data_dir: Path) -> Path:
    return next((data_dir / "qdrant" / "segments").iterdir())


def _check(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MUSEUM_RAG_DATA_DIR": str(data_dir), "MUSEUM_RAG_STORE": "embedded"}
    env["MUSEUM_RAG_EMBED_MODEL"] = "/nonexistent/model"  # check must not load the embedding model
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "check", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def test_out_of_range_values_are_dropped_at_ingest_and_the_record_is_searchable(tmp_path, embedder):
    record = {
        "id": "lowmere:9001",
        "title": "Weathervane in the shape of a heron",
        "description": "A copper weathervane shaped like a heron, taken down from the old ferry house.",
        "date_begin": 1e30,
        "date_end": 2**70,
        "culture": "Lowmerian",
    }
    path = tmp_path / "vane.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    settings = make_settings(tmp_path / "data")
    with open_store(settings) as store:
        summary = Ingestor(settings, store, embedder).run([path], source="vane")
        assert summary.records_added == 1
        assert {(i.field, i.severity) for i in summary.issues} == {("date_begin", "warning"), ("date_end", "warning")}
        hits = HybridSearcher(store, embedder, settings).search("copper heron weathervane", limit=3)
        assert hits[0].record_id == "lowmere:9001"
        assert hits[0].chunks[0].chunk.date_begin is None
        assert check_store(store).ok


def test_a_bad_stored_value_never_breaks_search_or_reading_a_record(data_dir, embedder):
    settings = make_settings(data_dir)
    with EdgeStore(settings.store_path) as store:
        points = list(store.scroll_points(SearchFilters(record_id="lowmere:1004")))
        assert points
        damaged = []
        for point in points:  # values an older version or a hand edit could have left in the store
            payload = dict(point.payload, date_begin=1e30, creators="not a list", museum=["a", "list"])
            damaged.append(PointData(point.id, point.dense, point.sparse, payload))
        unusable = dict(points[0].payload, chunk_index="first", record_id="lowmere:1004")
        damaged.append(PointData("00000000-0000-4000-8000-000000000001", points[0].dense, points[0].sparse, unusable))
        store.upsert(damaged)

        searcher = HybridSearcher(store, embedder, settings)
        title = points[0].payload["title"]
        hits = searcher.search(title, limit=5)
        found = [h for h in hits if h.record_id == "lowmere:1004"]
        assert found, [h.record_id for h in hits]
        chunk = found[0].chunks[0].chunk
        assert chunk.date_begin is None and chunk.creators == [] and chunk.museum is None
        chunks = store.record_chunks("lowmere:1004")  # sorts a damaged chunk_index last, without raising
        assert len(chunks) == len(points) + 1

        report = check_store(store)
        assert not report.ok
        assert [r.record_id for r in report.records_to_reingest] == ["lowmere:1004"]


def test_a_clean_store_checks_ok_without_loading_the_model(data_dir):
    manifest = json.loads((data_dir / "qdrant" / "museum_rag.json").read_text())
    assert manifest["clean"] is True and manifest["records"] == RECORDS and manifest["sources"] == {"lowmere": RECORDS}
    done = _check(data_dir)
    assert done.returncode == 0, done.stderr
    assert "store OK" in done.stdout and f"records: {RECORDS}" in done.stdout
    with EdgeStore(data_dir / "qdrant") as store:
        assert quick_check(store).ok


def test_a_truncated_id_tracker_is_reported_with_what_to_reingest(data_dir, embedder, tmp_path):
    mappings = _segment(data_dir) / "mutable_id_tracker.mappings"
    os.truncate(mappings, mappings.stat().st_size // 3)
    with EdgeStore(data_dir / "qdrant") as store:
        quick = quick_check(store)
        assert not quick.ok and "lost" in " ".join(quick.problems)
    done = _check(data_dir, "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is False and report["points"] < report["expected_points"]
    assert report["sources_to_reingest"] == ["lowmere"]
    assert "Traceback" not in done.stderr

    # re-ingesting the named source repairs the store
    settings = make_settings(data_dir, upsert_batch_size=32)
    with open_store(settings) as store:
        Ingestor(settings, store, embedder).run([write_export(tmp_path / "lowmere.jsonl", count=RECORDS)], source="lowmere")
    again = _check(data_dir)
    assert again.returncode == 0, again.stdout + again.stderr


def test_a_damaged_payload_page_names_the_records_to_reingest_and_ingest_repairs_it(data_dir, embedder, tmp_path):
    page = _segment(data_dir) / "payload_storage" / "page_0.dat"
    with page.open("r+b") as handle:
        handle.seek(256)
        handle.write(b"\0" * 2048)
    done = _check(data_dir)
    assert done.returncode == 1
    assert "cannot be read" in done.stdout and "lowmere:" in done.stdout and "re-ingest" in done.stdout
    assert "Traceback" not in done.stderr

    settings = make_settings(data_dir, upsert_batch_size=32)
    with MuseumRAG(settings, embedder=embedder) as museum:  # a server still starts on it: the places stay unheld
        assert museum.store.hold_chunk_places() == 0 < museum.store.count()
    with open_store(settings) as store:
        summary = Ingestor(settings, store, embedder).run(
            [write_export(tmp_path / "lowmere.jsonl", count=RECORDS)], source="lowmere"
        )
    assert summary.records_added + summary.records_replaced >= 1
    again = _check(data_dir)
    assert again.returncode == 0, again.stdout + again.stderr


def test_a_store_that_cannot_open_fails_with_a_clear_message(data_dir):
    tracker = _segment(data_dir) / "payload_storage" / "tracker.dat"
    os.truncate(tracker, 0)
    with pytest.raises(StoreCorruptError, match="cannot be opened"):
        EdgeStore(data_dir / "qdrant")
    done = _check(data_dir)
    assert done.returncode == 1
    assert "cannot be opened" in done.stderr and str(data_dir / "qdrant") in done.stderr
    assert "Traceback" not in done.stderr
    EdgeStore(data_dir / "other").close()  # the failed open released its lock: the process can go on


def test_a_store_left_open_by_a_killed_writer_is_flagged(data_dir):
    code = (
        "import os, sys; from rag.store.edge import EdgeStore; "
        "s = EdgeStore(sys.argv[1]); p = next(s.scroll_points()); s.upsert([p]); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, str(data_dir / "qdrant")], cwd=REPO, check=True, timeout=120)
    done = _check(data_dir)
    assert done.returncode == 0  # every record is still complete
    assert "did not close it cleanly" in done.stdout
