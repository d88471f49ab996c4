"""Hybrid retrieval: dense + BM25 fused inside Qdrant (prefetch + fusion), grouped by object.

The engine fuses the two candidate lists of chunks (``settings.fusion``: distribution-based
score fusion by default, or reciprocal rank fusion with optional weights); the chunks are then
grouped by object, an object scoring its best chunk plus a small bonus for a second matching
chunk (``settings.multi_chunk_bonus``), each object keeping at most ``max_chunks_per_object``
chunks so that one object never crowds out the rest. An optional cross-encoder
(``settings.reranker_model``) rescores the best objects last.

Example::

    searcher = HybridSearcher(store, embedder, settings)
    for hit in searcher.search("a tribute to a photographer by a sculptor", limit=5):
        print(hit.record_id, hit.title, hit.score)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Literal, Sequence, TypeVar, get_args

import numpy as np

from rag.config import Settings
from rag.embedding import Embedder
from rag.models import ObjectHit, SearchFilters, SearchHit
from rag.sparse import Bm25Encoder
from rag.store import VectorStore
from rag.store.base import CHUNK_PLACE_FIELDS, ScoredPayload, SparseVec
from rag.store.payloads import read_chunk

if TYPE_CHECKING:
    from rag.rerank import Reranker

Mode = Literal["hybrid", "dense", "sparse"]
MODES: tuple[str, ...] = get_args(Mode)

Item = TypeVar("Item", SearchHit, ScoredPayload)

#: Fewest chunks asked of the engine for one object search, so that objects get their second chunk.
MIN_CHUNK_CANDIDATES = 50
#: How many times the chunks it keeps a search asks of the engine (:func:`settled`).
TIE_MARGIN = 2
#: The payload fields grouping needs of every fused chunk; the chunks it keeps are read whole afterwards.
GROUP_FIELDS = CHUNK_PLACE_FIELDS

Fetch = Callable[[list[str]], dict[str, dict]]


class HybridSearcher:
    """Finds the objects whose chunks best match a query.

    ``mode`` selects the vectors: ``hybrid`` (dense + BM25 fused in the engine), ``dense`` or
    ``sparse`` (one vector, plain engine search); all three group chunks by object the same way.
    A ``reranker`` given here wins over ``settings.reranker_model``.
    """

    def __init__(
        self, store: VectorStore, embedder: Embedder, settings: Settings, reranker: Reranker | None = None
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.bm25 = Bm25Encoder()
        if reranker is None and settings.reranker_model:
            from rag.rerank import load_reranker

            reranker = load_reranker(settings)
        self.reranker = reranker

    def search_chunks(
        self,
        query: str,
        limit: int,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
        vector: np.ndarray | None = None,
    ) -> list[SearchHit]:
        """Chunks best first, as fused by the engine (not grouped); ``vector``: the query's embedding, if already computed."""
        points = self._points(query, limit, filters, mode, vector)
        hits = ((p, read_chunk(p.payload, p.id)) for p in points)  # a damaged payload never breaks a search
        return [SearchHit(point_id=p.id, score=p.score, chunk=chunk) for p, chunk in hits if chunk is not None]

    def _points(
        self, query: str, limit: int, filters: SearchFilters | None, mode: Mode, vector: np.ndarray | None
    ) -> list[ScoredPayload]:
        """The engine's fused points with their raw payloads, best first."""
        dense, sparse = self._vectors(query, mode, vector)
        if dense is None and sparse is None:
            return []
        return engine_points(self.store, self.settings, dense, sparse, limit, filters)

    def _vectors(self, query: str, mode: Mode, vector: np.ndarray | None) -> tuple[list[float] | None, SparseVec | None]:
        """The query's dense and BM25 vectors as ``mode`` asks (both None for an empty query)."""
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
        query = " ".join(query.split())
        if not query:
            return None, None
        dense = None
        if mode in ("hybrid", "dense"):
            dense = (vector if vector is not None else self.embedder.embed_query(query)).tolist()
        sparse = self.bm25.encode_query(query, lang=_bm25_language(query)) if mode in ("hybrid", "sparse") else None
        return dense, sparse

    def search(
        self,
        query: str,
        limit: int | None = None,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
        vector: np.ndarray | None = None,
    ) -> list[ObjectHit]:
        """Objects best first; each keeps at most ``max_chunks_per_object`` chunks so none crowds out the rest.

        With a reranker, the best ``max(limit, rerank_top_n)`` objects are rescored by it and
        their ``score`` becomes the cross-encoder's score.
        """
        limit = limit or self.settings.retrieve_limit
        candidates = limit
        if self.reranker is not None:
            candidates = max(limit, getattr(self.reranker, "top_n", self.settings.rerank_top_n))
        dense, sparse = self._vectors(query, mode, vector)
        if dense is None and sparse is None:
            return []
        objects = search_objects(self.store, self.settings, dense, sparse, candidates, filters)
        if self.reranker is not None and objects:
            objects = self.reranker.rerank(query, objects)
        return objects[:limit]


def engine_points(
    store: VectorStore, settings: Settings, dense: list[float] | None, sparse: SparseVec | None, limit: int,
    filters: SearchFilters | None = None, fields: Sequence[str] | None = None,
) -> list[ScoredPayload]:
    """The engine's fused chunks for these query vectors, best first, equal scores in point-id order
    (:func:`settled`), with their payloads (only ``fields``)."""
    fusion = settings.fusion
    points = store.query(
        dense,
        sparse,
        limit=limit * TIE_MARGIN,
        prefetch_limit=max(settings.prefetch_limit, limit),
        filters=filters,
        rrf_k=settings.rrf_k,
        fusion=fusion,
        weights=settings.rrf_weights if fusion == "rrf" else None,
        with_payload=True if fields is None else fields,
    )
    return settled(points, limit)


def settled(points: list[ScoredPayload], limit: int) -> list[ScoredPayload]:
    """The best ``limit`` points, equal scores in point-id order.

    Chunks of records that share a text (a series catalogued with one description) score alike, and at
    its limit the engine returns an arbitrary subset of them: the same search gave an object different
    chunks from one run to the next. Asked for more than it keeps (``TIE_MARGIN``), a search sees every
    point tied at its limit and keeps the same ones on every run.
    """
    return sorted(points, key=lambda p: (-p.score, str(p.id)))[:limit]


def search_objects(
    store: VectorStore, settings: Settings, dense: list[float] | None, sparse: SparseVec | None, limit: int,
    filters: SearchFilters | None = None,
) -> list[ObjectHit]:
    """The best ``limit`` objects for query vectors already computed: the engine's chunks carrying the grouping
    fields only, grouped by object, and the chunks the objects keep read whole (what every search does)."""
    per_object = settings.max_chunks_per_object
    chunk_limit = max(limit * per_object * 2, MIN_CHUNK_CANDIDATES)
    points = engine_points(store, settings, dense, sparse, chunk_limit, filters, fields=GROUP_FIELDS)
    return group_points(points, limit, per_object, bonus=settings.multi_chunk_bonus, fetch=store.retrieve_payloads)


def group_by_object(hits: list[SearchHit], limit: int, per_object: int, bonus: float = 0.0) -> list[ObjectHit]:
    """Group chunk hits by record and rank the objects.

    An object scores its best chunk plus ``bonus`` times its second-best chunk (0 when it has
    one), which favours an object that several passages support over one lucky passage;
    ``bonus=0`` ranks objects by their best chunk. Each object keeps its ``per_object`` best
    chunks; ties are broken by record id and chunk index, so that every engine gives the same order.

    Example::

        objects = group_by_object(searcher.search_chunks("Calder", 40), limit=5, per_object=2, bonus=0.1)
    """
    return _group(hits, lambda h: h.chunk.record_id, lambda h: h.chunk.chunk_index, lambda h: h, limit, per_object, bonus)


def group_points(
    points: list[ScoredPayload], limit: int, per_object: int, bonus: float = 0.0, fetch: Fetch | None = None
) -> list[ObjectHit]:
    """:func:`group_by_object` over the engine's raw points, reading only the chunks the best objects keep.

    Most of the points fused by the engine belong to objects that do not make the cut, and reading a
    payload into a :class:`Chunk` (validation) is the costliest step of grouping. A damaged payload is
    skipped, as :func:`search_chunks <HybridSearcher.search_chunks>` skips it; the result is the same as
    reading every point first.

    ``fetch``: when the points carry only :data:`GROUP_FIELDS`, reads the full payloads of point ids
    (``VectorStore.retrieve_payloads``): the chunks the best objects are likely to keep in one call first,
    any other one when grouping reaches it.
    """
    full: dict[str, dict] = {}

    def record_of(point: ScoredPayload) -> str | None:
        record_id = point.payload.get("record_id") if isinstance(point.payload, dict) else None
        return record_id if isinstance(record_id, str) else None

    def prepare(likely: list[ScoredPayload]) -> None:
        if fetch is not None:
            full.update(fetch([p.id for p in likely]))

    def read(point: ScoredPayload) -> SearchHit | None:
        payload = point.payload
        if fetch is not None:
            if point.id not in full:
                full.update(fetch([point.id]))
            payload = full.get(point.id)
        chunk = read_chunk(payload, point.id) if payload is not None else None
        return SearchHit(point_id=point.id, score=point.score, chunk=chunk) if chunk is not None else None

    return _group(points, record_of, lambda p: _stored_index(p.payload), read, limit, per_object, bonus, prepare)


def _group(
    items: Sequence[Item],
    record_of: Callable[[Item], str | None],
    index_of: Callable[[Item], float],
    read: Callable[[Item], SearchHit | None],
    limit: int,
    per_object: int,
    bonus: float,
    prepare: Callable[[list[Item]], None] | None = None,
) -> list[ObjectHit]:
    """The grouping of :func:`group_by_object`, reading (``read``: None when unreadable) only what it keeps.

    Objects are ranked by the scores of all their items first. An unreadable item can only lower its
    object's score (``bonus`` >= 0), so objects are read in that order until no unread object can
    outrank the last one kept, each reading its best items until it can be scored and keep ``per_object``.
    ``prepare`` is first handed the items that reading will most likely ask for (the best items of the
    best ``limit`` objects), to read them in one batch.
    """
    if limit < 1 or per_object < 1:
        raise ValueError(f"limit and per_object must be at least 1, got {limit} and {per_object}")
    groups: dict[str, list[Item]] = {}
    for item in items:
        record_id = record_of(item)
        if record_id is not None:
            groups.setdefault(record_id, []).append(item)
    bounds = {rid: _object_score(sorted((i.score for i in g), reverse=True), bonus) for rid, g in groups.items()}
    order = sorted(bounds.items(), key=lambda item: (-item[1], item[0]))
    best_items = {rid: sorted(g, key=lambda i: (-i.score, index_of(i))) for rid, g in groups.items()}
    if prepare is not None:
        prepare([i for rid, _ in order[:limit] for i in best_items[rid][: max(per_object, 2)]])
    kept: list[ObjectHit] = []
    for record_id, upper_bound in order:
        if len(kept) >= limit and upper_bound < kept[-1].score:
            break
        hits: list[SearchHit] = []
        for item in best_items[record_id]:
            hit = read(item)
            if hit is not None:
                hits.append(hit)
            if len(hits) >= max(per_object, 2):
                break
        if hits:
            hits.sort(key=lambda h: (-h.score, h.chunk.chunk_index))
            score = _object_score([h.score for h in hits], bonus)
            kept.append(ObjectHit(record_id=record_id, title=hits[0].chunk.title, score=score, chunks=hits[:per_object]))
            kept.sort(key=lambda o: (-o.score, o.record_id))  # ties by id: the same order on every engine
            del kept[limit:]
    return kept


def _stored_index(payload: dict) -> float:
    """A point's stored chunk index, to break score ties as :func:`group_by_object` does (unreadable: last)."""
    index = payload.get("chunk_index")
    return float(index) if isinstance(index, int) and not isinstance(index, bool) else float("inf")


def _object_score(scores: list[float], bonus: float) -> float:
    """An object's score from its chunks' scores, best first: the best plus ``bonus`` times the second."""
    second = max(scores[1], 0.0) if len(scores) > 1 else 0.0
    return scores[0] + bonus * second


#: How sure the language identifier must be before a query is stemmed and stopped as that language.
BM25_LANGUAGE_CONFIDENCE = 0.9


def _bm25_language(query: str) -> str:
    """The question's language for BM25 (its stopwords and stemmer), English unless clearly another."""
    from rag.language.detect import default_detector

    detection = default_detector().detect(query)
    return detection.lang if detection.confidence >= BM25_LANGUAGE_CONFIDENCE else "en"

