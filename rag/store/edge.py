"""The embedded engine: Qdrant's own engine in-process (qdrant-edge), on disk.

One process owns the store at a time; a second one gets :class:`StoreLockedError`
with what to do instead.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from pathlib import Path
from typing import Any, Iterator, Sequence

import qdrant_edge as qe

from rag.models import SearchFilters
from rag.names import name_tokens
from rag.store.base import (
    CHUNK_PLACE_FIELDS,
    DENSE,
    INTEGER_INDEXES,
    FusionMethod,
    KEYWORD_INDEXES,
    SPARSE,
    PointData,
    ScoredPayload,
    SparseVec,
    StoreCorruptError,
    StoreLockedError,
    VectorStore,
    check_fusion,
    point_from_vectors,
)
from rag.store.manifest import read_manifest, write_manifest
from rag.store.places import ChunkPlaces
from rag.store.space import DiskSpaceError, bytes_to_open, ensure_free_space

log = logging.getLogger(__name__)
_MODEL = "embedding_model.json"  # which embedding model filled the store (rag.store.model_record)


def edge_filter(filters: SearchFilters | None, extra: list[Any] | None = None) -> qe.Filter | None:
    """Our filter model as a qdrant-edge filter."""
    must: list[Any] = list(extra or [])
    if filters is not None:
        for key in ("museum", "type", "record_id", "source", "chunk_index"):
            value = getattr(filters, key)
            if value is not None:
                must.append(qe.FieldCondition(key=key, match=qe.MatchValue(value)))
        if filters.creator is not None:
            # the exact name (stores built before creator_tokens existed), or every word of it, folded
            exact = qe.FieldCondition(key="creators", match=qe.MatchValue(filters.creator))
            tokens = [qe.FieldCondition(key="creator_tokens", match=qe.MatchValue(t)) for t in name_tokens(filters.creator)]
            must.append(qe.Filter(should=[exact, qe.Filter(must=tokens)]) if tokens else exact)
        if filters.date_from is not None:
            must.append(qe.FieldCondition(key="date_end", range=qe.RangeFloat(gte=float(filters.date_from))))
        if filters.date_to is not None:
            must.append(qe.FieldCondition(key="date_begin", range=qe.RangeFloat(lte=float(filters.date_to))))
    return qe.Filter(must=must) if must else None


def _edge_fusion(fusion: FusionMethod, rrf_k: int, weights: tuple[float, float] | None) -> Any:
    if fusion == "dbsf":
        return qe.Fusion.Dbsf()
    return qe.Fusion.Rrf(k=rrf_k, weights=list(weights) if weights is not None else None)


def _at_or_after(index: Any, start: int) -> bool:
    """Whether the engine's range condition ``chunk_index >= start`` matches this stored value."""
    return isinstance(index, (int, float)) and not isinstance(index, bool) and index >= start


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
                "query the running server instead (`museum-rag ask|search|stats --server http://127.0.0.1:8000`, "
                "or its API: POST /v1/ask, GET /v1/search, GET /v1/stats, POST /v1/ingest), stop that process, "
                "or use a Qdrant server (MUSEUM_RAG_STORE=server)."
            ) from None
        self._lock_file.write(str(os.getpid()))
        self._lock_file.flush()
        self._shard: qe.EdgeShard | None = None
        self._manifest = read_manifest(self.path)
        self._written = False
        self._places: ChunkPlaces | None = None  # held only when asked (hold_chunk_places)
        if (self.path / "edge_config.json").is_file():
            try:
                ensure_free_space(self.path, 0, bytes_to_open(self.path), action="opening the store")
            except DiskSpaceError:
                fcntl.flock(self._lock_file, fcntl.LOCK_UN)
                self._lock_file.close()
                raise
            try:
                self._shard = qe.EdgeShard.load(str(self.path))
            except BaseException as exc:  # the engine's panics are BaseExceptions too
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                fcntl.flock(self._lock_file, fcntl.LOCK_UN)
                self._lock_file.close()
                raise StoreCorruptError(
                    f"The embedded store at {self.path} cannot be opened: {exc}. Its files are damaged (a full disk, "
                    "a crash during a write, or a copy in progress). Run `museum-rag check` for details; to recover, "
                    "move that folder aside and run `museum-rag ingest` again on the collection files."
                ) from None

    # --- lifecycle -------------------------------------------------------------
    def ensure_collection(self, dimension: int) -> None:
        if self._shard is not None:
            stored = self._manifest.get("dimension")
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
        self._manifest = {"dimension": dimension}
        self._mark_written()
        self._shard.flush()

    def hold_chunk_places(self) -> int:
        if self._places is None:
            places = ChunkPlaces(CHUNK_PLACE_FIELDS)
            started = time.perf_counter()
            try:
                held = places.fill((p.id, p.payload) for p in self.scroll(fields=list(CHUNK_PLACE_FIELDS)))
            except BaseException as exc:  # damaged payloads (the engine's panics are BaseExceptions too): searches
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):  # read each point from the engine, as before
                    raise
                log.warning("the chunk places could not be read (%s); searches read them from the store", exc)
                return 0
            log.info("holding the places of %d chunks in memory (read in %.1f s)", held, time.perf_counter() - started)
            self._places = places
        return len(self._places)

    def optimize(self) -> bool:
        """Merge segments and build the HNSW index of the dense vectors (blocking).

        Until this runs, everything written stays in unindexed segments and dense search is brute
        force, whose cost grows linearly with the store. Qdrant indexes a segment once its vectors pass
        the indexing threshold (10 MB, about 6,500 384-dimensional vectors); smaller stores stay brute
        force, which is faster at that size. The ingest pipeline calls this after writing.
        """
        if self._shard is None:
            return False
        changed = bool(self._shard.optimize())
        self._shard.flush()
        return changed

    def index_info(self) -> dict[str, int]:
        """Segments, points and indexed vectors of the shard (what :meth:`optimize` changed)."""
        if self._shard is None:
            return {"segments": 0, "points": 0, "indexed_vectors": 0}
        info = self._shard.info()
        return {"segments": int(info.segments_count), "points": int(info.points_count),
                "indexed_vectors": int(info.indexed_vectors_count)}

    def close(self) -> None:
        if self._shard is not None:
            try:
                self._shard.flush()
                if self._written:
                    self._record_clean_close()
            finally:
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

    # --- the manifest: what the store held at its last clean close ---------------------
    def recorded_state(self) -> dict[str, Any] | None:
        return dict(self._manifest) if self._manifest else None

    def written_since_open(self) -> bool:
        return self._written

    def _mark_written(self) -> None:
        """Before the first write of this process: the manifest says the store is open for writing."""
        if self._written:
            return
        self._written = True
        self._manifest = {**self._manifest, "clean": False, "writer_pid": os.getpid()}
        write_manifest(self.path, self._manifest)

    def _record_clean_close(self) -> None:
        sources: dict[str, set[str]] = {}
        points = 0
        try:
            for point in self.scroll(fields=["record_id", "source"]):
                points += 1
                sources.setdefault(str(point.payload.get("source")), set()).add(str(point.payload.get("record_id")))
        except Exception as exc:  # damaged payloads: the manifest keeps saying "not closed cleanly"
            log.error("the store at %s could not be read back at close (%s); run `museum-rag check`", self.path, exc)
            return
        manifest = {k: v for k, v in self._manifest.items() if k != "writer_pid"}
        manifest.update(
            clean=True,
            points=points,
            records=sum(len(ids) for ids in sources.values()),
            sources={name: len(ids) for name, ids in sorted(sources.items())},
            closed_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        )
        if write_manifest(self.path, manifest):
            self._manifest = manifest

    def embedding_model(self) -> dict[str, Any] | None:
        path = self.path / _MODEL
        if self._shard is None or not path.is_file():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    def set_embedding_model(self, name: str, dimension: int) -> None:
        path = self.path / _MODEL
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"name": name, "dimension": dimension}), encoding="utf-8")
        tmp.replace(path)

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
        self._mark_written()
        self.shard.update(qe.UpdateOperation.upsert_points(edge_points))
        self.shard.flush()
        if self._places is not None:
            self._places.put((p.id, p.payload) for p in points)

    def delete_record_chunks(self, record_id: str, from_chunk_index: int = 0) -> None:
        extra = [qe.FieldCondition(key="chunk_index", range=qe.RangeFloat(gte=float(from_chunk_index)))]
        flt = edge_filter(SearchFilters(record_id=record_id), extra)
        self._mark_written()
        self.shard.update(qe.UpdateOperation.delete_points_by_filter(flt))
        self.shard.flush()
        if self._places is not None:  # the engine keeps the chunks before the index, and any without a numeric one
            self._places.drop_record(
                record_id, keep=lambda place: not _at_or_after(place.get("chunk_index"), from_chunk_index)
            )

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
        exact: bool = False,
        with_payload: bool | Sequence[str] = True,
    ) -> list[ScoredPayload]:
        check_fusion(fusion, weights)
        if self._shard is None:
            return []
        flt = edge_filter(filters)
        queries = []
        params = qe.SearchParams(exact=True) if exact else None
        if dense is not None:
            queries.append((qe.Query.Nearest(list(map(float, dense)), using=DENSE), params))
        if sparse is not None and sparse.indices:
            queries.append((qe.Query.Nearest(qe.SparseVector(sparse.indices, sparse.values), using=SPARSE), None))
        if not queries:
            return []
        if len(queries) == 1:
            query, params = queries[0]
            request = qe.QueryRequest(limit=limit, query=query, filter=flt, with_payload=False, params=params)
        else:
            request = qe.QueryRequest(
                limit=limit,
                prefetches=[qe.Prefetch(limit=prefetch_limit, query=q, filter=flt, params=p) for q, p in queries],
                query=_edge_fusion(fusion, rrf_k, weights),
                filter=flt,
                with_payload=False,
            )
        scored = self.shard.query(request)
        if not with_payload:
            return [ScoredPayload(str(p.id), float(p.score)) for p in scored]
        if not isinstance(with_payload, bool) and self._places is not None and self._places.covers(with_payload):
            held = self._places.payloads([str(p.id) for p in scored], list(with_payload))
            if held is not None:
                return [ScoredPayload(str(p.id), float(p.score), held[str(p.id)]) for p in scored]
        # The payloads are read by id in a second call: the engine's query returned them at about 1.6x the
        # cost of a retrieve of the same points (50 points per dev question, on the full NPG store).
        selector = with_payload if isinstance(with_payload, bool) else qe.PayloadSelector.Include(list(with_payload))
        read = self.shard.retrieve([p.id for p in scored], with_payload=selector, with_vector=False)
        payloads = {str(r.id): dict(r.payload or {}) for r in read}
        return [ScoredPayload(str(p.id), float(p.score), payloads[str(p.id)]) for p in scored if str(p.id) in payloads]

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

    def iter_point_ids(self, batch: int = 1000) -> Iterator[str]:
        for record in self._scroll_records(None, False, False, batch):
            yield str(record.id)

    def retrieve_payloads(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        if self._shard is None or not ids:
            return {}
        return {str(r.id): dict(r.payload or {}) for r in self.shard.retrieve(ids, True, False)}
