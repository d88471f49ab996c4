"""Retrieval: hybrid search finds objects from paraphrases, filters hold on both engines, objects are
grouped so none crowds out the rest, and the llama-index retriever hands out record ids.

The sample store (``museum``) holds the dev questions' gold objects among about 400 other
records; the filter tests ingest a small slice of the sample into each engine, with a third of
it relabelled as a second museum so that the museum filter has something to exclude.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from llama_index.core.schema import NodeWithScore, QueryBundle

from ingest.pipeline import Ingestor
from rag.chunking import tombstone_text
from rag.models import Chunk, CollectionRecord, SearchFilters, SearchHit
from rag.names import name_tokens
from rag import retrieval
from rag.retrieval import GROUP_FIELDS, HybridSearcher, group_by_object, group_points
from rag.retriever import MuseumRetriever
from rag.store import open_store
from rag.store.base import ScoredPayload
from tests.conftest import DEV_QUESTIONS, SAMPLE, make_settings

SECOND_MUSEUM = "Museum of Test Objects"

# A visitor's description of an object in their own words (no title, no sitter name) -> the object.
PARAPHRASES = {
    "an unpublished magazine cover painting of an urban crime scene rather than a person, from when "
    "photography was replacing illustration on news covers": "npg:111141",
    "the first Black woman admitted to the University of Georgia, whose dorm window was smashed by "
    "rioting students": "npg:123801",
    "a Scottish-born naturalist who founded a conservation club and fought to protect Yosemite and the "
    "Grand Canyon": "npg:22112",
    "the dictionary maker who wanted a distinctly American language and standardized spelling with his "
    "schoolbooks": "npg:38320",
}


# --- the sample store --------------------------------------------------------------------------


@pytest.mark.parametrize("description", list(PARAPHRASES))
def test_a_paraphrased_description_finds_its_object_in_the_top_3(museum, description):
    top = [hit.record_id for hit in museum.search(description, limit=3)]
    assert PARAPHRASES[description] in top, f"{description!r} -> {top}"


def test_hybrid_ranks_the_gold_object_of_factual_dev_questions_first(museum):
    """A regression guard on ranking quality (the full measurement is bench/retrieval.py)."""
    rows = [json.loads(line) for line in DEV_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    factual = [r for r in rows if r["kind"] == "factual"]
    ranks = []
    for row in factual:
        returned = [hit.record_id for hit in museum.search(row["question"], limit=5)]
        ranks.append(next((i for i, rid in enumerate(returned) if rid in row["object_ids"]), None))
    hit1 = sum(r == 0 for r in ranks) / len(ranks)
    hit5 = sum(r is not None for r in ranks) / len(ranks)
    assert hit1 >= 0.85 and hit5 >= 0.95, (hit1, hit5)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "sparse"])
def test_every_mode_finds_an_object_by_its_subject(museum, mode):
    top = [hit.record_id for hit in museum.search("naturalist John Muir and the Sierra Club", limit=3, mode=mode)]
    assert "npg:22112" in top


def test_an_unknown_mode_is_refused_and_an_empty_query_finds_nothing(museum):
    with pytest.raises(ValueError, match="unknown search mode"):
        museum.search("Muir", mode="fuzzy")  # type: ignore[arg-type]
    assert museum.search("   ") == []


def test_search_groups_chunks_so_one_object_does_not_crowd_out_the_rest(museum):
    per_object = museum.settings.max_chunks_per_object
    hits = museum.search("Pocahontas painted in England after an engraving", limit=6)
    ids = [h.record_id for h in hits]
    assert len(hits) == 6 and len(set(ids)) == 6
    assert all(1 <= len(h.chunks) <= per_object for h in hits)
    assert all(c.chunk.record_id == h.record_id for h in hits for c in h.chunks)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for h in hits:
        assert [c.score for c in h.chunks] == sorted((c.score for c in h.chunks), reverse=True)
    # the engine's own chunk list is dominated by the best object: grouping makes room for others
    chunks = museum.searcher.search_chunks("Pocahontas painted in England after an engraving", limit=6)
    assert len({c.chunk.record_id for c in chunks}) < 6


def _hit(record_id: str, index: int, score: float) -> SearchHit:
    chunk = Chunk(
        record_id=record_id, chunk_index=index, chunk_count=9, field="description", start=0, end=4, text="text",
        title=f"Title of {record_id}",
    )
    return SearchHit(point_id=f"{record_id}#{index}", score=score, chunk=chunk)


def test_group_by_object_caps_chunks_ranks_objects_and_rewards_a_second_matching_chunk():
    hits = [_hit("a", 0, 1.00), _hit("a", 1, 0.99), _hit("a", 2, 0.98), _hit("a", 3, 0.97),
            _hit("b", 0, 0.96), _hit("b", 1, 0.90), _hit("c", 0, 0.97)]  # fmt: skip
    plain = group_by_object(hits, limit=2, per_object=2)
    assert [o.record_id for o in plain] == ["a", "c"]
    assert [c.point_id for c in plain[0].chunks] == ["a#0", "a#1"]
    assert plain[0].score == 1.00
    # with the bonus, b's two good chunks outweigh c's single one: 0.96 + 0.2 * 0.90 > 0.97
    rewarded = group_by_object(hits, limit=3, per_object=1, bonus=0.2)
    assert [o.record_id for o in rewarded] == ["a", "b", "c"]
    assert rewarded[1].score == pytest.approx(0.96 + 0.2 * 0.90)
    assert all(len(o.chunks) == 1 for o in rewarded)
    with pytest.raises(ValueError):
        group_by_object(hits, limit=0, per_object=1)


def test_grouping_raw_points_reads_only_what_the_best_objects_keep_and_ranks_as_reading_all(monkeypatch):
    hits = [_hit("a", 0, 1.00), _hit("a", 1, 0.99), _hit("a", 2, 0.98), _hit("b", 0, 0.96), _hit("b", 1, 0.90),
            _hit("c", 0, 0.97), _hit("d", 0, 0.50), _hit("d", 1, 0.49), _hit("e", 0, 0.95)]  # fmt: skip
    points = [ScoredPayload(h.point_id, h.score, h.chunk.payload()) for h in hits]
    points[0].payload["chunk_index"] = "first"  # a damaged payload: a's best chunk cannot be read
    readable = [h for h in hits if h.point_id != "a#0"]
    for limit, per_object, bonus in ((2, 2, 0.0), (3, 1, 0.2), (5, 3, 0.1), (1, 1, 1.0)):
        expected = group_by_object(readable, limit, per_object, bonus=bonus)
        got = group_points(points, limit, per_object, bonus=bonus)
        assert [(o.record_id, o.score, [c.point_id for c in o.chunks]) for o in got] == [
            (o.record_id, o.score, [c.point_id for c in o.chunks]) for o in expected
        ]
    read: list[str] = []
    original = retrieval.read_chunk
    monkeypatch.setattr(retrieval, "read_chunk", lambda payload, point_id=None: read.append(point_id) or original(payload, point_id))
    group_points(points[1:], limit=1, per_object=1)
    assert set(read) <= {"a#1", "a#2"}  # object "a" wins on its raw scores: nothing else is read
    with pytest.raises(ValueError):
        group_points(points, limit=1, per_object=0)


def test_grouping_points_that_carry_only_the_grouping_fields_reads_the_rest_by_id_and_ranks_the_same():
    hits = [_hit("a", 0, 1.00), _hit("a", 1, 0.99), _hit("a", 2, 0.98), _hit("b", 0, 0.96), _hit("b", 1, 0.90),
            _hit("c", 0, 0.97), _hit("d", 0, 0.50), _hit("d", 1, 0.49), _hit("e", 0, 0.95)]  # fmt: skip
    stored = {h.point_id: h.chunk.payload() for h in hits}
    stored["a#0"]["text"] = 42  # damaged beyond the grouping fields: read whole, it is skipped
    del stored["e#0"]  # deleted between the search and the read
    points = [ScoredPayload(h.point_id, h.score, h.chunk.payload()) for h in hits]
    light = [ScoredPayload(p.id, p.score, {k: p.payload[k] for k in GROUP_FIELDS}) for p in points]
    calls: list[list[str]] = []

    def fetch(ids: list[str]) -> dict[str, dict]:
        calls.append(list(ids))
        return {i: dict(stored[i]) for i in ids if i in stored}

    whole = [ScoredPayload(p.id, p.score, stored[p.id]) for p in points if p.id in stored]
    for limit, per_object, bonus in ((2, 2, 0.0), (3, 1, 0.2), (5, 3, 0.1), (1, 1, 1.0)):
        calls.clear()
        got = group_points(light, limit, per_object, bonus=bonus, fetch=fetch)
        expected = group_points(whole, limit, per_object, bonus=bonus)
        assert [(o.record_id, o.score, [c.point_id for c in o.chunks]) for o in got] == [
            (o.record_id, o.score, [c.point_id for c in o.chunks]) for o in expected
        ]
        assert len(calls[0]) > 1  # the likely chunks in one call, any other one when grouping reaches it
    calls.clear()
    group_points(light, limit=1, per_object=1, fetch=fetch)
    assert {i for ids in calls for i in ids} <= {"a#0", "a#1", "a#2"}  # "a" wins on its raw scores: only it is read


def test_the_llama_index_retriever_returns_nodes_with_record_ids(museum):
    retriever = MuseumRetriever(museum.searcher, limit=4)
    nodes = retriever.retrieve("naturalist who founded the Sierra Club")
    assert nodes and all(isinstance(n, NodeWithScore) for n in nodes)
    assert nodes[0].node.ref_doc_id == "npg:22112"
    record_ids = [n.node.metadata["record_id"] for n in nodes]
    assert all(n.node.ref_doc_id == n.node.metadata["record_id"] for n in nodes)
    assert len(set(record_ids)) == 4
    ranks = [n.node.metadata["object_rank"] for n in nodes]
    assert ranks == sorted(ranks)
    assert len({n.node.node_id for n in nodes}) == len(nodes)
    for n in nodes:
        payload = Chunk.model_validate(n.node.metadata)  # the whole citation payload rides along
        assert n.node.get_content() == payload.text
        assert (n.node.start_char_idx, n.node.end_char_idx) == (payload.start, payload.end)
        assert isinstance(n.score, float)
    filtered = MuseumRetriever(museum.searcher, limit=3, filters=SearchFilters(type="Photograph"))
    nodes = filtered.retrieve(QueryBundle("naturalist who founded the Sierra Club"))
    assert nodes and all(n.node.metadata["type"] == "Photograph" for n in nodes)
    with pytest.raises(ValueError, match="unknown search mode"):
        MuseumRetriever(museum.searcher, mode="fuzzy")  # type: ignore[arg-type]


# --- filters on both engines ----------------------------------------------------------------------


def _filter_collection() -> list[dict]:
    """The first 36 sample records; every third one moved to a second museum under its own id prefix."""
    records = []
    with SAMPLE.open(encoding="utf-8") as handle:
        for i, line in zip(range(36), handle):
            record = json.loads(line)
            if i % 3 == 0:
                record["museum"] = SECOND_MUSEUM
                record["id"] = "mto:" + record["id"].split(":", 1)[1]
            records.append(record)
    return records


@pytest.fixture(scope="module")
def filter_records() -> list[CollectionRecord]:
    return [CollectionRecord.model_validate(r) for r in _filter_collection()]


@pytest.fixture(scope="module")
def filter_collection_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("filters") / "collection.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _filter_collection()), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def engines(tmp_path_factory, embedder, filter_collection_file):
    """The same small collection in each engine: {"embedded": searcher, "memory": searcher}.

    The Ingestor fills qdrant-client's engine; the embedded one gets a copy of the same points.
    """
    memory_settings = make_settings(tmp_path_factory.mktemp("filters-memory"), store="memory")
    memory = open_store(memory_settings)
    summary = Ingestor(memory_settings, memory, embedder).run([filter_collection_file], source="test")
    assert summary.records_added == 36
    embedded_settings = make_settings(tmp_path_factory.mktemp("filters-embedded"))
    embedded = open_store(embedded_settings)
    embedded.ensure_collection(embedder.dimension)
    embedded.upsert(list(memory.scroll_points()))
    assert embedded.count() == memory.count() == summary.chunks_added
    yield {
        "embedded": HybridSearcher(embedded, embedder, embedded_settings),
        "memory": HybridSearcher(memory, embedder, memory_settings),
    }
    embedded.close()
    memory.close()


@pytest.fixture(params=["embedded", "memory"])
def engine_searcher(request, engines) -> HybridSearcher:
    return engines[request.param]


def _matching(records: list[CollectionRecord], filters: SearchFilters) -> set[str]:
    def keep(r: CollectionRecord) -> bool:
        if filters.museum is not None and r.museum != filters.museum:
            return False
        if filters.type is not None and r.type != filters.type:
            return False
        if filters.creator is not None and filters.creator not in r.creator_names() and not (
            set(name_tokens(filters.creator)) <= set(name_tokens(*r.creator_names()))
        ):  # the exact name, or every word of it (folded) among the creators' names
            return False
        if filters.date_from is not None and (r.date_end is None or r.date_end < filters.date_from):
            return False
        if filters.date_to is not None and (r.date_begin is None or r.date_begin > filters.date_to):
            return False
        return True

    return {r.id for r in records if keep(r)}


FILTERS = [
    SearchFilters(museum=SECOND_MUSEUM),
    SearchFilters(type="Painting"),
    SearchFilters(creator="Gilbert Stuart"),
    SearchFilters(creator="STUART"),  # any part of the name, case aside
    SearchFilters(date_from=1840, date_to=1860),
    SearchFilters(museum="National Portrait Gallery, Smithsonian Institution", type="Photograph", date_from=1950),
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.model_dump().items() if v))
def test_filters_select_exactly_the_matching_objects_on_both_engines(engine_searcher, filter_records, filters):
    expected = _matching(filter_records, filters)
    assert 0 < len(expected) < len(filter_records)
    # dense search with a limit above the collection size reaches every matching object
    found = {h.record_id for h in engine_searcher.search("a portrait of an American", limit=40, filters=filters, mode="dense")}
    assert found == expected
    for mode in ("hybrid", "sparse"):
        hits = engine_searcher.search("portrait photograph painting of an American", limit=40, filters=filters, mode=mode)
        assert hits and {h.record_id for h in hits} <= expected


def test_a_filter_nothing_matches_returns_nothing(engine_searcher):
    assert engine_searcher.search("Calder", filters=SearchFilters(museum="No Such Museum")) == []
    assert engine_searcher.search("Calder", filters=SearchFilters(date_from=2100)) == []


def test_a_query_without_payloads_returns_the_same_points_on_both_engines(engine_searcher, embedder):
    """``with_payload=False`` (how bench/scale.py times the search alone) returns the same ids and scores, no payloads."""
    query = "a daguerreotype of a senator"
    dense, sparse = embedder.embed_query(query).tolist(), engine_searcher.bm25.encode_query(query)
    full = engine_searcher.store.query(dense, sparse, limit=10, prefetch_limit=50, fusion="rrf")
    bare = engine_searcher.store.query(dense, sparse, limit=10, prefetch_limit=50, fusion="rrf", with_payload=False)
    # the same scores in the same order; points tied on a score may come in either order
    assert full and [round(p.score, 6) for p in bare] == [round(p.score, 6) for p in full]
    tied_last = round(full[-1].score, 6)
    assert {p.id for p in bare if round(p.score, 6) != tied_last} == {p.id for p in full if round(p.score, 6) != tied_last}
    assert all(p.payload.get("record_id") for p in full) and not any(p.payload for p in bare)
    # the fields grouping needs only, as the object search asks them
    light = engine_searcher.store.query(dense, sparse, limit=10, prefetch_limit=50, fusion="rrf", with_payload=GROUP_FIELDS)
    assert [round(p.score, 6) for p in light] == [round(p.score, 6) for p in full]
    by_id = {p.id: p.payload for p in full}
    assert all(set(p.payload) == set(GROUP_FIELDS) for p in light)
    assert all(p.payload[k] == by_id[p.id][k] for p in light if p.id in by_id for k in GROUP_FIELDS)


def test_both_engines_rank_alike(engines, filter_records):
    """The embedded engine and qdrant-client's engine fuse the same way: same objects, same order."""
    rankings = {
        engine: [
            [(h.record_id, round(h.score, 4)) for h in searcher.search(query, limit=5, mode=mode)]
            for query in ("Calder's tribute to Man Ray", "a daguerreotype of a senator")
            for mode in ("hybrid", "dense", "sparse")
        ]
        for engine, searcher in engines.items()
    }
    assert rankings["embedded"] == rankings["memory"]
    # a record's own label (its tombstone text) brings it back first on both
    record = filter_records[1]
    for searcher in engines.values():
        assert searcher.search(tombstone_text(record), limit=1)[0].record_id == record.id


# --- records that share a text ------------------------------------------------------------------------
def test_points_tied_on_a_score_are_kept_in_point_id_order_whatever_order_the_engine_gives():
    points = [ScoredPayload(id=f"p{i}", score=s) for i, s in enumerate([0.9, 0.5, 0.5, 0.5, 0.7, 0.5, 0.1])]
    kept = retrieval.settled(points, 4)
    assert [p.id for p in kept] == ["p0", "p4", "p1", "p2"]
    assert [p.id for p in retrieval.settled(list(reversed(points)), 4)] == ["p0", "p4", "p1", "p2"]


def test_a_series_catalogued_with_one_description_is_searched_the_same_every_time(tmp_path, embedder):
    """Twenty prints of one invented series share a title and a long description, so their chunks score alike and
    the engine's candidate limit falls among tied chunks: the search keeps, of those, the ones first in point-id
    order, so every search keeps the same objects with the same chunks, on both engines."""
    shared = " ".join(
        f"Sheet {n} of the harbour survey shows the tide gauges at the mouth of the Vellmar estuary, drawn by the "
        f"survey's draughtsmen from soundings taken in the winter of 18{40 + n}." for n in range(1, 13)
    )
    path = tmp_path / "series.jsonl"
    path.write_text("".join(json.dumps({
        "id": f"hs:{n}", "title": "Harbour Survey", "type": "Print", "museum": SECOND_MUSEUM,
        "description": shared, "creators": [{"name": "Anna Vos", "role": "engraver"}],
    }) + "\n" for n in range(1, 21)), encoding="utf-8")
    query = "tide gauges in winter"
    for store in ("embedded", "memory"):
        settings = make_settings(tmp_path / store, store=store)
        with open_store(settings) as opened:
            Ingestor(settings, opened, embedder).run([path], source="hs")
            searcher = HybridSearcher(opened, embedder, settings)
            runs = [
                [(h.record_id, [c.chunk.chunk_index for c in h.chunks]) for h in searcher.search(query, limit=8)]
                for _ in range(3)
            ]
            chunk_limit = max(8 * settings.max_chunks_per_object * 2, retrieval.MIN_CHUNK_CANDIDATES)
            dense, sparse = embedder.embed_query(query).tolist(), searcher.bm25.encode_query(query)
            every = opened.query(dense, sparse, limit=1000, prefetch_limit=max(settings.prefetch_limit, chunk_limit),
                                 rrf_k=settings.rrf_k, fusion=settings.fusion, with_payload=list(GROUP_FIELDS))
        assert len(every) > chunk_limit and every[chunk_limit - 1].score == every[chunk_limit].score  # a tie at the limit
        candidates = {(p.payload["record_id"], p.payload["chunk_index"]) for p in retrieval.settled(every, chunk_limit)}
        kept = {(record_id, index) for record_id, indexes in runs[0] for index in indexes}
        assert len(runs[0]) == 8 and kept <= candidates, (store, kept - candidates)
        assert all(run == runs[0] for run in runs), (store, runs)
