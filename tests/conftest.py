"""Shared fixtures: real models, a real engine, real sample data.

The sample store is built once per test session (the dev questions' gold objects plus a
deterministic slice of other records as distractors) with the default embedder, then
copied for every test that needs its own embedded store, since one process owns a store.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from rag.config import Settings  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample" / "npg_labels.jsonl"
SHARED = REPO.parent / "shared" / "data"
DEV_QUESTIONS = REPO / "tests" / "data" / "npg_questions_dev.jsonl"
FAITHFULNESS = REPO / "tests" / "data" / "faithfulness_dev.jsonl"
DISTRACTORS = 400


def make_settings(data_dir: Path, **overrides) -> Settings:
    """Settings for a test: never reads the developer's .env or environment."""
    values = {"data_dir": data_dir, "store": "embedded"}
    values.update(overrides)
    return Settings(_env_file=None, **values)


def sample_subset_records(distractors: int = DISTRACTORS) -> list[dict]:
    """Gold objects of the dev questions plus the first ``distractors`` other records, in file order."""
    gold = set()
    for line in DEV_QUESTIONS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            gold.update(json.loads(line)["object_ids"])
    records, others = [], 0
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["id"] in gold:
            records.append(record)
        elif others < distractors:
            records.append(record)
            others += 1
    return records


def copy_sample_store(sample_store_dir: Path, parent: Path) -> Path:
    """A private copy of the sample store's data dir, as ``parent/data`` (one process owns a store)."""
    target = parent / "data"
    shutil.copytree(sample_store_dir, target)
    return target


@pytest.fixture(scope="session")
def embedder():
    from rag.embedding import load_embedder

    return load_embedder(make_settings(Path("/nonexistent")))


@pytest.fixture(scope="session")
def sample_subset_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "npg_subset.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for record in sample_subset_records():
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="session")
def sample_store_dir(tmp_path_factory, embedder, sample_subset_file) -> Path:
    """A data dir holding the embedded store of the sample subset (closed; copy it before opening)."""
    from ingest.pipeline import Ingestor
    from rag.store import open_store

    data_dir = tmp_path_factory.mktemp("sample-store")
    settings = make_settings(data_dir)
    with open_store(settings) as store:
        summary = Ingestor(settings, store, embedder).run([sample_subset_file], source="npg")
    assert summary.records_invalid == 0 and summary.records_added > 0
    return data_dir


@pytest.fixture
def sample_data_dir(sample_store_dir, tmp_path) -> Path:
    """A private copy of the sample store's data dir, for one test."""
    return copy_sample_store(sample_store_dir, tmp_path)


@pytest.fixture(scope="session")
def museum(tmp_path_factory, sample_store_dir, embedder):
    """A session-wide MuseumRAG over a copy of the sample store (read-only use)."""
    from rag.pipeline import MuseumRAG

    target = copy_sample_store(sample_store_dir, tmp_path_factory.mktemp("museum"))
    rag = MuseumRAG(make_settings(target), embedder=embedder)
    yield rag
    rag.close()


#: Other records next to the dev questions' gold objects in the multilingual store (small: its model is slower).
MULTILINGUAL_DISTRACTORS = 62


@pytest.fixture
def multilingual_data_dir(tmp_path_factory, tmp_path) -> Path:
    """A private copy of a store of the dev questions' gold objects and MULTILINGUAL_DISTRACTORS other records,
    embedded by multilingual-e5-small, for questions in other languages."""
    return copy_sample_store(_multilingual_store(tmp_path_factory), tmp_path)


_STORES: dict[str, Path] = {}


def _multilingual_store(tmp_path_factory) -> Path:
    """The multilingual store, ingested once per session (closed; copy it before opening)."""
    if "e5" not in _STORES:
        from ingest.pipeline import Ingestor
        from rag.e5_embedder import E5Embedder
        from rag.store import open_store

        folder = tmp_path_factory.mktemp("multilingual-store")
        records = folder / "npg_small.jsonl"
        records.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in sample_subset_records(MULTILINGUAL_DISTRACTORS)),
            encoding="utf-8",
        )
        settings = make_settings(folder / "data", embed_model="multilingual-e5-small")
        with open_store(settings) as store:
            summary = Ingestor(settings, store, E5Embedder()).run([records], source="npg")
        assert summary.records_invalid == 0 and summary.records_added > 0
        _STORES["e5"] = folder / "data"
    return _STORES["e5"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, headless and offline (one per test module)."""
    from playwright.sync_api import sync_playwright

    from tests.browser_pages import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
