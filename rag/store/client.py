"""The server engine: qdrant-client against a Qdrant server (``url``), or its ``:memory:`` local mode.

Local mode runs the same client code path as a server, so tests of this engine
exercise what production runs.
"""

from __future__ import annotations

import warnings
from typing import Any, Iterator, Sequence

from qdrant_client import QdrantClient, models

from rag.models import SearchFilters
from rag.names import name_tokens
from rag.store.base import (
    DENSE,
    INTEGER_INDEXES,
    FusionMethod,
    KEYWORD_INDEXES,
    SPARSE,
    PointData,
    ScoredPayload,
    SparseVec,
    VectorStore,
    check_fusion,
    point_from_vectors,
)


def client_filter(filters: SearchFilters | None, extra: list[Any] | None = None) -> models.Filter | None:
    """Our filter model as a qdrant-client filter."""
    must: list[Any] = list(extra or [])
    if filters is not None:
        for key in ("museum", "type", "record_id", "source", "chunk_index"):
            value = getattr(filters, key)
            if value is not None:
                must.append(models.FieldCondition(key=key, match=models.MatchValue(value=value)))
        if filters.creator is not None:
            # the exact name (stores built before creator_tokens existed), or every word of it, folded
            exact = models.FieldCondition(key="creators", match=models.MatchValue(value=filters.creator))
            tokens = [models.FieldCondition(key="creator_tokens", match=models.MatchValue(value=t))
                      for t in name_tokens(filters.creator)]
            must.append(models.Filter(should=[exact, models.Filter(must=tokens)]) if tokens else exact)
        if filters.date_from is not None:
            must.append(models.FieldCondition(key="date_end", range=models.Range(gte=filters.date_from)))
        if filters.date_to is not None:
            must.append(models.FieldCondition(key="date_begin", range=models.Range(lte=filters.date_to)))
    return models.Filter(must=must) if must else None


def _client_fusion(fusion: FusionMethod, rrf_k: int, weights: tuple[float, float] | None) -> models.Query:
    if fusion == "dbsf":
        return models.FusionQuery(fusion=models.Fusion.DBSF)
    return models.RrfQuery(rrf=models.Rrf(k=rrf_k, weights=list(weights) if weights is not None else None))


class ClientStore(VectorStore):
    """A collection reached through qdrant-client.

    Example::

        store = ClientStore(QdrantClient(":memory:"), "museum")
        store = ClientStore(QdrantClient(url="http://qdrant:6333", api_key="..."), "museum")
    """

    def __init__(self, client: QdrantClient, collection: str) -> None:
        self.client = client
        self.collection = collection

    def ensure_collection(self, dimension: int) -> None:
        if self.client.collection_exists(self.collection):
            info = self.client.get_collection(self.collection)
            vectors = info.config.params.vectors
            stored = vectors[DENSE].size if isinstance(vectors, dict) and DENSE in vectors else None
            if stored is not None and stored != dimension:
                raise ValueError(
                    f"Collection {self.collection!r} holds {stored}-dimensional vectors but the embedding model "
                    f"makes {dimension}-dimensional ones."
                )
            return
        self.client.create_collection(
            self.collection,
            vectors_config={DENSE: models.VectorParams(size=dimension, distance=models.Distance.COSINE)},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        )
        with warnings.catch_warnings():
            # qdrant-client's local mode says indexes have no effect there; a server uses them.
            warnings.filterwarnings("ignore", message="Payload indexes have no effect")
            for name in KEYWORD_INDEXES:
                self.client.create_payload_index(self.collection, name, models.PayloadSchemaType.KEYWORD)
            for name in INTEGER_INDEXES:
                self.client.create_payload_index(self.collection, name, models.PayloadSchemaType.INTEGER)

    def _exists(self) -> bool:
        return self.client.collection_exists(self.collection)

    def embedding_model(self) -> dict[str, Any] | None:
        if not self._exists():
            return None
        metadata = self.client.get_collection(self.collection).config.metadata or {}
        model = metadata.get("embedding_model")
        return dict(model) if isinstance(model, dict) else None

    def set_embedding_model(self, name: str, dimension: int) -> None:
        self.client.update_collection(
            self.collection, metadata={"embedding_model": {"name": name, "dimension": dimension}}
        )

    def upsert(self, points: list[PointData]) -> None:
        if not points:
            return
        structs = [
            models.PointStruct(
                id=p.id,
                vector={DENSE: p.dense, SPARSE: models.SparseVector(indices=p.sparse.indices, values=p.sparse.values)},
                payload=p.payload,
            )
            for p in points
        ]
        self.client.upsert(self.collection, structs, wait=True)

    def delete_record_chunks(self, record_id: str, from_chunk_index: int = 0) -> None:
        extra = [models.FieldCondition(key="chunk_index", range=models.Range(gte=from_chunk_index))]
        flt = client_filter(SearchFilters(record_id=record_id), extra)
        self.client.delete(self.collection, models.FilterSelector(filter=flt), wait=True)

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
        if not self._exists():
            return []
        flt = client_filter(filters)
        prefetch = []
        if dense is not None:
            prefetch.append(models.Prefetch(
                query=list(map(float, dense)), using=DENSE, limit=prefetch_limit, filter=flt,
                params=models.SearchParams(exact=True) if exact else None,
            ))
        if sparse is not None and sparse.indices:
            vector = models.SparseVector(indices=sparse.indices, values=sparse.values)
            prefetch.append(models.Prefetch(query=vector, using=SPARSE, limit=prefetch_limit, filter=flt))
        if not prefetch:
            return []
        if len(prefetch) == 1:
            only = prefetch[0]
            response = self.client.query_points(
                self.collection, query=only.query, using=only.using, limit=limit, query_filter=flt,
                with_payload=_selector(with_payload), search_params=only.params,
            )
        else:
            response = self.client.query_points(
                self.collection,
                prefetch=prefetch,
                query=_client_fusion(fusion, rrf_k, weights),
                limit=limit,
                query_filter=flt,
                with_payload=_selector(with_payload),
            )
        return [ScoredPayload(str(p.id), float(p.score), dict(p.payload or {})) for p in response.points]

    def _scroll_records(
        self, filters: SearchFilters | None, with_payload: Any, with_vectors: bool, batch: int
    ) -> Iterator[models.Record]:
        if not self._exists():
            return
        offset = None
        while True:
            records, offset = self.client.scroll(
                self.collection,
                scroll_filter=client_filter(filters),
                limit=batch,
                offset=offset,
                with_payload=with_payload,
                with_vectors=with_vectors,
            )
            yield from records
            if offset is None:
                return

    def scroll(
        self, filters: SearchFilters | None = None, fields: list[str] | None = None, batch: int = 1000
    ) -> Iterator[ScoredPayload]:
        payload = fields if fields is not None else True
        for record in self._scroll_records(filters, payload, False, batch):
            yield ScoredPayload(str(record.id), 0.0, dict(record.payload or {}))

    def scroll_points(self, filters: SearchFilters | None = None, batch: int = 256) -> Iterator[PointData]:
        for record in self._scroll_records(filters, True, True, batch):
            vectors = record.vector if isinstance(record.vector, dict) else None
            yield point_from_vectors(record.id, vectors, record.payload)

    def count(self, filters: SearchFilters | None = None) -> int:
        if not self._exists():
            return 0
        return int(self.client.count(self.collection, count_filter=client_filter(filters), exact=True).count)

    def facet(self, key: str, filters: SearchFilters | None = None, limit: int = 20) -> list[tuple[Any, int]]:
        if not self._exists():
            return []
        response = self.client.facet(self.collection, key, facet_filter=client_filter(filters), limit=limit, exact=True)
        return [(hit.value, int(hit.count)) for hit in response.hits]

    def close(self) -> None:
        self.client.close()

    def iter_point_ids(self, batch: int = 1000) -> Iterator[str]:
        for record in self._scroll_records(None, False, False, batch):
            yield str(record.id)

    def retrieve_payloads(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        if not ids or not self._exists():
            return {}
        return {str(r.id): dict(r.payload or {}) for r in self.client.retrieve(self.collection, ids, with_payload=True)}


def _selector(with_payload: bool | Sequence[str]) -> bool | list[str]:
    """qdrant-client's ``with_payload``: all, nothing, or the listed fields."""
    return with_payload if isinstance(with_payload, bool) else list(with_payload)
