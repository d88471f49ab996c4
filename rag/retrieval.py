"""Hybrid retrieval: dense + BM25 fused inside Qdrant (prefetch + RRF), grouped by object.

Example::

    searcher = HybridSearcher(store, embedder, settings)
    for hit in searcher.search("a tribute to a photographer by a sculptor", limit=5):
        print(hit.record_id, hit.title, hit.score)
"""

from __future__ import annotations

from typing import Literal

from rag.config import Settings
from rag.embedding import Embedder
from rag.models import Chunk, ObjectHit, SearchFilters, SearchHit
from rag.sparse import Bm25Encoder
from rag.store import VectorStore

Mode = Literal["hybrid", "dense", "sparse"]


class HybridSearcher:
    """Finds the objects whose chunks best match a query."""

    def __init__(self, store: VectorStore, embedder: Embedder, settings: Settings) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.bm25 = Bm25Encoder()

    def search_chunks(
        self, query: str, limit: int, filters: SearchFilters | None = None, mode: Mode = "hybrid"
    ) -> list[SearchHit]:
        if not query.strip():
            return []
        dense = self.embedder.embed_query(query).tolist() if mode in ("hybrid", "dense") else None
        sparse = self.bm25.encode_query(query) if mode in ("hybrid", "sparse") else None
        points = self.store.query(
            dense,
            sparse,
            limit=limit,
            prefetch_limit=max(self.settings.prefetch_limit, limit),
            filters=filters,
            rrf_k=self.settings.rrf_k,
        )
        return [SearchHit(point_id=p.id, score=p.score, chunk=Chunk.model_validate(p.payload)) for p in points]

    def search(
        self,
        query: str,
        limit: int | None = None,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
    ) -> list[ObjectHit]:
        """Objects best first; each keeps at most ``max_chunks_per_object`` chunks so none crowds out the rest."""
        limit = limit or self.settings.retrieve_limit
        per_object = self.settings.max_chunks_per_object
        hits = self.search_chunks(query, limit=max(limit * per_object * 2, 20), filters=filters, mode=mode)
        return group_by_object(hits, limit, per_object)


def group_by_object(hits: list[SearchHit], limit: int, per_object: int) -> list[ObjectHit]:
    """Group chunk hits by record, ranking objects by their best chunk."""
    groups: dict[str, ObjectHit] = {}
    for hit in hits:
        group = groups.get(hit.chunk.record_id)
        if group is None:
            if len(groups) >= limit:
                continue
            group = groups[hit.chunk.record_id] = ObjectHit(
                record_id=hit.chunk.record_id, title=hit.chunk.title, score=hit.score, chunks=[]
            )
        if len(group.chunks) < per_object:
            group.chunks.append(hit)
    return list(groups.values())
