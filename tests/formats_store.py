"""A small store built from the format fixtures (Linked Art and LIDO records with rights), for API and browser tests."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_settings

FORMATS_DIR = Path(__file__).parent / "data" / "formats"
FIXTURES = [FORMATS_DIR / "linked_art_painting.json", FORMATS_DIR / "lido_export.xml", FORMATS_DIR / "iiif_v3_manifest.json"]


def build_formats_store(data_dir: Path, embedder) -> Path:
    """An embedded store under ``data_dir`` holding the fixtures' records (source "harbour"); closed on return."""
    from ingest.pipeline import Ingestor
    from rag.store import open_store

    settings = make_settings(data_dir)
    with open_store(settings) as store:
        summary = Ingestor(settings, store, embedder).run(FIXTURES, source="harbour")
    assert summary.records_added == 4, summary.describe()
    return data_dir
