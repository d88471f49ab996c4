"""Invented records for the robustness tests of the API: ordinary ones and hostile ones.

The hostile records carry what an attacker (or a careless export) puts in a record: script
tags, event-handler attributes, attribute break-outs and ``javascript:``/``data:`` URLs. They
are written straight into the store (as a store written by an older release or another tool
would hold them), so the tests check the API's own response boundary, not ingest.
"""

from __future__ import annotations

import json
from pathlib import Path

from rag.config import Settings

ORDINARY = [
    {
        "id": "test:kettle", "title": "Copper kettle", "museum": "Invented Museum", "type": "Metalwork",
        "date": "1820", "date_begin": 1820, "date_end": 1820,
        "creators": [{"name": "Ada Brightsmith", "role": "Maker"}],
        "description": "A hammered copper kettle with a brass handle, made by Ada Brightsmith in Sheffield in 1820.",
        "url": "https://museum.example/objects/kettle", "image_url": "https://museum.example/images/kettle.jpg",
    },
    {
        "id": "test:quilt", "title": "Star quilt", "museum": "Invented Museum", "type": "Textile",
        "date": "1901", "date_begin": 1901, "date_end": 1901,
        "creators": [{"name": "Mabel Ostrander", "role": "Maker"}],
        "description": "A cotton quilt in an eight-pointed star pattern, pieced by Mabel Ostrander in Ohio in 1901.",
        "url": "https://museum.example/objects/quilt",
    },
    {
        "id": "test:globe", "title": "Celestial globe", "museum": "Invented Museum", "type": "Instrument",
        "date": "1750", "date_begin": 1750, "date_end": 1750,
        "creators": [{"name": "Pieter Voskuyl", "role": "Maker"}],
        "description": "A celestial globe of papier-mache and brass showing the constellations, made by Pieter Voskuyl.",
    },
]

HOSTILE = [
    {
        "id": "test:lantern", "title": "Tin lantern <script>alert('title')</script>", "museum": "Invented Museum",
        "type": "Metalwork", "date": "1790",
        "creators": [{"name": "Josiah Pennywhistle <img src=x onerror=alert(1)>", "role": "Maker"}],
        "description": "A pierced tin lantern made by Josiah Pennywhistle in Boston in 1790. "
        "<script>alert('xss')</script><img src=x onerror=alert(document.cookie)> The lantern held one candle.",
        "url": "javascript:alert('url')",
        "image_url": "https://museum.example/images/lantern.jpg\"><script>alert(1)</script>",
    },
    {
        "id": "test:teapot", "title": "Silver teapot \"><svg onload=alert(2)>", "museum": "Invented Museum",
        "type": "Silver", "date": "1760",
        "creators": [{"name": "Hester Goldwin", "role": "Maker"}],
        "description": "A silver teapot with a pear-shaped body, made by Hester Goldwin in London in 1760. "
        "&lt;script&gt;alert('entity')&lt;/script&gt; It has a wooden handle.",
        "url": "data:text/html,<script>alert(3)</script>",
        "image_url": "JaVaScRiPt:alert(4)",
    },
]


def record_file(path: Path, records: list[dict]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def build_store(settings: Settings, embedder, records: list[dict]) -> None:
    """Write ``records`` as they are (markup and all) through the chunker and the engine, bypassing the loaders."""
    from ingest.loaders import LoadedRecord
    from ingest.pipeline import Ingestor
    from rag.models import CollectionRecord
    from rag.store import open_store

    with open_store(settings) as store:
        ingestor = Ingestor(settings, store, embedder)
        store.ensure_collection(embedder.dimension)
        pending = []
        for raw in records:
            record = CollectionRecord.model_validate(raw)
            loaded = LoadedRecord(record=record, file="invented.jsonl", line=None, source="test")
            pending.append((loaded, ingestor.chunker.chunk(record, "test"), None))
        from ingest.pipeline import IngestSummary

        ingestor._write(pending, IngestSummary(files=0, records_read=len(pending)))
