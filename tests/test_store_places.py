"""The chunk places a serving process holds in memory (rag.store.places) give the searches the engine gives,
and stay current through ingests that add, rewrite and shorten records (real MiniLM, real qdrant-edge)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import make_settings
from ingest.pipeline import Ingestor
from rag.pipeline import MuseumRAG
from rag.retrieval import GROUP_FIELDS
from rag.store.places import ChunkPlaces

LONG = " ".join(
    f"In its {n}th year the lighthouse keeper's clock was wound by hand every evening at dusk." for n in range(1, 40)
)

RECORDS = [
    {"id": "inv:clock", "title": "Lighthouse keeper's clock", "type": "Clock", "date": "1820",
     "creators": [{"name": "Willem Haan", "role": "Maker"}], "description": LONG},
    {"id": "inv:lantern", "title": "Walnut lantern with twelve owls", "type": "Lantern", "date": "1755",
     "creators": [{"name": "Greet Uil", "role": "Carver"}],
     "description": "Greet Uil carved the twelve owls of this lantern from one walnut trunk. It hung in a chapel."},
    {"id": "inv:bowl", "title": "Copper bowl with hammered stars", "type": "Bowl", "date": "1901",
     "description": "The stars were hammered into the copper from the inside. The bowl held rainwater for a garden."},
]
QUESTIONS = ["Who carved the owls of the lantern?", "When was the keeper's clock wound?", "What held rainwater?",
             "copper stars", "Willem Haan"]


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _searches(museum: MuseumRAG) -> list[list[tuple[str, float, list[int]]]]:
    return [
        [(h.record_id, round(h.score, 6), [c.chunk.chunk_index for c in h.chunks]) for h in museum.search(q, limit=5)]
        for q in QUESTIONS
    ]


def test_held_places_search_as_the_engine_does_through_rewrites(tmp_path, embedder):
    settings = make_settings(tmp_path / "data")
    museum = MuseumRAG(settings, embedder=embedder)
    try:
        Ingestor(settings, museum.store, embedder).run([_write(tmp_path / "a.jsonl", RECORDS)], source="inv")
        engine_read = _searches(museum)
        chunks = museum.store.count()
        assert museum.store.hold_chunk_places() == chunks > len(RECORDS)  # the long record has several chunks
        assert _searches(museum) == engine_read
        held = museum.store._places.payloads([p.id for p in museum.store.scroll(fields=[])], list(GROUP_FIELDS))
        assert held is not None and {p["record_id"] for p in held.values()} == {r["id"] for r in RECORDS}

        # The clock's description shrinks to one chunk, the bowl is rewritten, a new record arrives.
        changed = [
            {**RECORDS[0], "description": "The keeper wound the clock every evening."},
            {**RECORDS[2], "description": "Rainwater for the roses was kept in this copper bowl with stars."},
            {"id": "inv:bell", "title": "Ship's bell of the ferry Vlieland", "type": "Bell", "date": "1911",
             "description": "The bell rang in fog on the crossing to Vlieland."},
        ]
        Ingestor(settings, museum.store, embedder).run([_write(tmp_path / "b.jsonl", changed)], source="inv")
        assert len(museum.store._places) == museum.store.count() < chunks + 1
        after_held = _searches(museum) + [[(h.record_id, len(h.chunks)) for h in museum.search("ferry bell fog")]]
    finally:
        museum.close()

    reopened = MuseumRAG(settings, embedder=embedder)  # nothing held: every field read from the engine
    try:
        assert after_held == _searches(reopened) + [[(h.record_id, len(h.chunks)) for h in reopened.search("ferry bell fog")]]
        assert after_held[-1][0][0] == "inv:bell"
    finally:
        reopened.close()


def test_places_answer_only_for_points_they_hold():
    places = ChunkPlaces(GROUP_FIELDS)
    places.fill([("a", {"record_id": "r1", "chunk_index": 0}), ("b", {"record_id": "r1", "chunk_index": 1}),
                 ("c", {"record_id": "r2", "chunk_index": 0}), ("d", {"record_id": "r2"})])
    assert places.payloads(["a", "d"], ["record_id", "chunk_index"]) == {
        "a": {"record_id": "r1", "chunk_index": 0}, "d": {"record_id": "r2"}
    }
    assert places.payloads(["a", "zz"], ["record_id"]) is None  # not held: the caller reads the engine
    places.drop_record("r1", keep=lambda place: place["chunk_index"] < 1)
    assert places.payloads(["b"], ["record_id"]) is None and places.payloads(["a"], ["record_id"]) is not None
    places.put([("c", {"record_id": "r3", "chunk_index": 0})])  # a point rewritten under another record
    places.drop_record("r2")
    assert places.payloads(["c"], ["record_id"]) == {"c": {"record_id": "r3"}}
    assert places.covers(["record_id"]) and not places.covers(["record_id", "title"])
