"""The embedded engine: Qdrant's own engine in-process (qdrant-edge), on disk.

One process owns the store at a time; a second one gets :class:`StoreLockedError`
with what to do instead.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any, Iterator

import qdrant_edge as qe

from rag.models import SearchFilters
from rag.store.base import (
    DENSE,
    INTEGER_INDEXES,
    FusionMethod,
    KEYWORD_INDEXES,
    SPARSE,
    PointData,
    ScoredPayload,
    SparseVec,
    StoreLockedError,
    VectorStore,
    check_fusion,
    point_from_vectors,
)

_META = "museum_rag.json"


def edge_filter(filters: SearchFilters | None, extra: list[Any] | None = None) -> qe.Filter | None:
    """Our filter model as a qdrant-edge filter."""
    must: list[Any] = list(extra or [])
    if filters is not None:
        for key in ("museum", "type", "record_id", "source", "chunk_index"):
            value = getattr(filters, key)
            if value is not None:
                must.append(qe.FieldCondition(key=key, match=qe.MatchValue(value)))
        if filters.creator is not None:
            must.append(qe.FieldCondition(key="creators", match=qe.MatchValue(filters.creator)))
        if filters.date_from is not None:
            must.append(qe.FieldCondition(key="date_end", range=qe.RangeFloat(gte=float(filters.date_from))))
        if filters.date_to is not None:
            must.append(qe.FieldCondition(key="date_begin", range=qe.RangeFloat(lte=float(filters.date_to))))
    return qe.Filter(must=must) if must else None


def _edge_fusion(fusion: FusionMethod, rrf_k: int, weights: tuple[float, float] | None) -> Any:
    if fusion == "dbsf":
        return qe.Fusion.Dbsf()
    return qe.Fusion.Rrf(k=rrf_k, weights=list(weights) if weights is not None else None)


class EdgeStore(VectorStore):
    """A qdrant-edge shard under ``path``.

    Example::

        with EdgeStore(Path("data/store/qdrant")) as store:
            store.ensure_collection(384)
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_file = open(self.path.parent / f"{self.path.name}.lock", "w")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            raise StoreLockedError(
                f"The embedded store at {self.path} is in use by another process (the running "
                "`museum-rag serve`, or another ingest). Only one process can open an embedded store: "
                "stop that process, send the work to the running server's API (POST /v1/ingest, "
                "/v1/search, /v1/ask), or use a Qdrant server (MUSEUM_RAG_STORE=server)."
            ) from None
        self._lock_file.write(str(os.getpid()))
        self._lock_file.flush()
        self._shard: qe.EdgeShard | None = None
        if (self.path / "edge_config.json").is_file():
            self._shard = qe.EdgeShard.load(str(self.path))

    # --- lifecycle -------------------------------------------------------------
    def ensure_collection(self, dimension: int) -> None:
        meta_path = self.path / _META
        if self._shard is not None:
            stored = json.loads(meta_path.read_text()).get("dimension") if meta_path.is_file() else None
            if stored is not None and stored != dimension:
                raise ValueError(
                    f"The store at {self.path} holds {stored}-dimensional vectors but the embedding model "
                    f"makes {dimension}-dimensional ones: use the model it was built with, or a new data dir."
                )
            return
        config = qe.EdgeConfig(
            vectors={DENSE: qe.EdgeVectorParams(size=dimension, distance=qe.Distance.Cosine)},
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
        )
        self._shard = qe.EdgeShard.create(str(self.path), config)
        for name in KEYWORD_INDEXES:
            self._shard.update(qe.UpdateOperation.create_field_index(name, qe.PayloadSchemaType.Keyword))
        for name in INTEGER_INDEXES:
            self._shard.update(qe.UpdateOperation.create_field_index(name, qe.PayloadSchemaType.Integer))
        meta_path.write_text(json.dumps({"dimension": dimension}))
        self._shard.flush()

    def close(self) -> None:
        if self._shard is not None:
            self._shard.flush()
            self._shard.close()
            self._shard = None
        if not self._lock_file.closed:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()

    @property
    def shard(self) -> qe.EdgeShard:
        if self._shard is None:
            raise RuntimeError(f"The store at {self.path} is empty: run `museum-rag ingest` first.")
        return self._shard

    @property
    def exists(self) -> bool:
        return self._shard is not None

    # --- writes ------------------------------------------------------------------
    def upsert(self, points: list[PointData]) -> None:
        if not points:
            return
        edge_points = [
            qe.Point(
                p.id,
                {DENSE: p.dense, SPARSE: qe.SparseVector(p.sparse.indices, p.sparse.values)},
                p.payload,
            )
            for p in points
        ]
        self.shard.update(qe.UpdateOperation.upsert_points(edge_points))
        self.shard.flush()

    def delete_record_chunks(self, record_id: str, from_chunk_index: int = 0) -> None:
        extra = [qe.FieldCondition(key="chunk_index", range=qe.RangeFloat(gte=float(from_chunk_index)))]
        flt = edge_filter(SearchFilters(record_id=record_id), extra)
        self.shard.update(qe.UpdateOperation.delete_points_by_filter(flt))
        self.shard.flush()

    # --- reads -------------------------------------------------------------------
    def query(
        self,
        dense: list[float] | None,
        sparse: SparseVec | None,
        limit: int,
        prefetch_limit: int,
        filters: SearchFilters | None = None,
        rrf_k: int = 60,
        fusion: FusionMethod = "rrf",
        weights: tuple[float, float] | None = None,
    ) -> list[ScoredPayload]:
        check_fusion(fusion, weights)
        if self._shard is None:
            return []
        flt = edge_filter(filters)
        queries = []
        if dense is not None:
            queries.append(qe.Query.Nearest(list(map(float, dense)), using=DENSE))
        if sparse is not None and sparse.indices:
            queries.append(qe.Query.Nearest(qe.SparseVector(sparse.indices, sparse.values), using=SPARSE))
        if not queries:
            return []
        if len(queries) == 1:
            request = qe.QueryRequest(limit=limit, query=queries[0], filter=flt, with_payload=True)
        else:
            request = qe.QueryRequest(
                limit=limit,
                prefetches=[qe.Prefetch(limit=prefetch_limit, query=q, filter=flt) for q in queries],
                query=_edge_fusion(fusion, rrf_k, weights),
                filter=flt,
                with_payload=True,
            )
        return [ScoredPayload(str(p.id), float(p.score), dict(p.payload or {})) for p in self.shard.query(request)]

    def _scroll_records(self, filters: SearchFilters | None, with_payload: Any, with_vector: bool, batch: int):
        if self._shard is None:
            return
        offset = None
        while True:
            records, offset = self.shard.scroll(
                qe.ScrollRequest(
                    offset=offset, limit=batch, filter=edge_filter(filters), with_payload=with_payload,
                    with_vector=with_vector,
                )
            )
            yield from records
            if offset is None:
                return

    def scroll(
        self, filters: SearchFilters | None = None, fields: list[str] | None = None, batch: int = 1000
    ) -> Iterator[ScoredPayload]:
        payload: Any = fields if fields is not None else True
        for record in self._scroll_records(filters, payload, False, batch):
            yield ScoredPayload(str(record.id), 0.0, dict(record.payload or {}))

    def scroll_points(self, filters: SearchFilters | None = None, batch: int = 256) -> Iterator[PointData]:
        for record in self._scroll_records(filters, True, True, batch):
            yield point_from_vectors(record.id, record.vector, record.payload)

    def records_chunks(self, record_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """All chunk payloads of several records in one filtered scroll, each record's in chunk order."""
        out: dict[str, list[dict[str, Any]]] = {record_id: [] for record_id in record_ids}
        if self._shard is None or not record_ids:
            return out
        flt = qe.Filter(must=[qe.FieldCondition(key="record_id", match=qe.MatchAny(list(record_ids)))])
        offset = None
        while True:
            records, offset = self.shard.scroll(
                qe.ScrollRequest(offset=offset, limit=256, filter=flt, with_payload=True, with_vector=False)
            )
            for record in records:
                payload = dict(record.payload or {})
                out.setdefault(payload.get("record_id"), []).append(payload)
            if offset is None:
                break
        for payloads in out.values():
            payloads.sort(key=lambda p: p.get("chunk_index", 0))
        return out

    def count(self, filters: SearchFilters | None = None) -> int:
        if self._shard is None:
            return 0
        return int(self.shard.count(qe.CountRequest(exact=True, filter=edge_filter(filters))))

    def facet(self, key: str, filters: SearchFilters | None = None, limit: int = 20) -> list[tuple[Any, int]]:
        if self._shard is None:
            return []
        response = self.shard.facet(qe.FacetRequest(key=key, limit=limit, exact=True, filter=edge_filter(filters)))
        return [(hit.value, int(hit.count)) for hit in response]
