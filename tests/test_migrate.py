"""`museum-rag migrate`: the embedded store copied, vectors and payloads, into a qdrant-client store."""

from __future__ import annotations

from qdrant_client import QdrantClient
from typer.testing import CliRunner

from cli.main import app
from cli.migrate_command import migrate_store
from rag.models import SearchFilters
from rag.retrieval import HybridSearcher
from rag.store.client import ClientStore
from rag.store.edge import EdgeStore
from tests.conftest import make_settings


def test_migrated_store_holds_the_same_points_and_answers_searches_the_same(sample_data_dir, embedder):
    settings = make_settings(sample_data_dir)
    source = EdgeStore(settings.store_path)
    target = ClientStore(QdrantClient(":memory:"), "museum")
    try:
        summary = migrate_store(source, target, batch=300)
        assert summary.points == summary.target_points == source.count() > 500
        assert summary.dimension == embedder.dimension

        originals = {p.id: p for p in source.scroll_points(SearchFilters(record_id="npg:23"))}
        copies = {p.id: p for p in target.scroll_points(SearchFilters(record_id="npg:23"))}
        assert originals.keys() == copies.keys() and originals
        for point_id, original in originals.items():
            copy = copies[point_id]
            assert copy.payload == original.payload
            assert copy.sparse == original.sparse and copy.sparse.indices
            assert max(abs(a - b) for a, b in zip(copy.dense, original.dense)) < 1e-6

        for query in ("Calder's tribute to his friend the photographer", "a Civil War general on horseback"):
            before = HybridSearcher(source, embedder, settings).search(query, limit=5)
            after = HybridSearcher(target, embedder, settings).search(query, limit=5)
            assert [h.record_id for h in after] == [h.record_id for h in before]
        assert target.facet("type", SearchFilters(chunk_index=0)) == source.facet("type", SearchFilters(chunk_index=0))

        again = migrate_store(source, target)
        assert again.target_points == summary.points, "migrating again overwrites, never duplicates"
    finally:
        source.close()
        target.close()


def test_migrate_command(sample_data_dir):
    runner = CliRunner()
    env = {"MUSEUM_RAG_DATA_DIR": str(sample_data_dir), "MUSEUM_RAG_STORE": "embedded"}
    result = runner.invoke(app, ["migrate", "--to", ":memory:", "--collection", "copy"], env=env)
    assert result.exit_code == 0, result.output
    assert "points (384-dimensional) into collection 'copy'" in result.output

    owner = EdgeStore(make_settings(sample_data_dir).store_path)  # e.g. a running `museum-rag serve`
    try:
        locked = runner.invoke(app, ["migrate", "--to", ":memory:"], env=env)
    finally:
        owner.close()
    assert locked.exit_code == 1 and "in use by another process" in locked.output

    empty = runner.invoke(app, ["migrate", "--to", ":memory:"], env={**env, "MUSEUM_RAG_DATA_DIR": str(sample_data_dir / "nothing")})
    assert empty.exit_code == 1 and "empty" in empty.output
