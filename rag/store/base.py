"""The store interface: one collection of chunk points with a dense and a BM25 sparse vector.

Two engines implement it: :class:`rag.store.edge.EdgeStore` (Qdrant's engine in-process,
the default) and :class:`rag.store.client.ClientStore` (qdrant-client: a Qdrant server, or
its ``:memory:`` local mode). Callers never see engine types.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Iterator, Literal, Sequence

from rag.models import SearchFilters

DENSE = "dense"
SPARSE = "bm25"

#: Payload fields with an index, and the index kind.
KEYWORD_INDEXES = ("record_id", "museum", "type", "creators", "creator_tokens", "creator_roles", "source", "field")
INTEGER_INDEXES = ("date_begin", "date_end", "chunk_index")
#: Which record and which chunk of it a point is: what grouping reads of every fused chunk (rag.store.places).
CHUNK_PLACE_FIELDS = ("record_id", "chunk_index")

#: How the dense and the BM25 candidate lists are fused inside the engine: reciprocal rank fusion
#: (ranks only, optionally weighted) or distribution-based score fusion (each list's scores scaled
#: by its mean +- 3 standard deviations, then summed).
FusionMethod = Literal["rrf", "dbsf"]
FUSIONS: tuple[str, ...] = ("rrf", "dbsf")

_POINT_NAMESPACE = uuid.UUID("6f1e6f0c-2b1a-4d9e-9a57-6d757365756d")  # fixed: ids must never change


def point_id(record_id: str, chunk_index: int) -> str:
    """Deterministic point id: re-ingesting the same chunk overwrites, never duplicates."""
    return str(uuid.uuid5(_POINT_NAMESPACE, f"{record_id}#{chunk_index}"))


@dataclass(frozen=True)
class SparseVec:
    indices: list[int]
    values: list[float]


@dataclass
class PointData:
    id: str
    dense: list[float]
    sparse: SparseVec
    payload: dict[str, Any]


@dataclass
class ScoredPayload:
    id: str
    score: float
    payload: dict[str, Any] = field(default_factory=dict)


def _chunk_order(payload: dict[str, Any]) -> tuple[int, int]:
    index = payload.get("chunk_index")
    return (0, index) if isinstance(index, int) and not isinstance(index, bool) else (1, 0)


def check_fusion(fusion: str, weights: tuple[float, float] | None) -> None:
    """Reject a fusion the engines do not implement, with a message saying what is accepted."""
    if fusion not in FUSIONS:
        raise ValueError(f"unknown fusion {fusion!r}: use one of {', '.join(FUSIONS)}")
    if weights is not None:
        if fusion != "rrf":
            raise ValueError("fusion weights are only supported with fusion='rrf' (the engine's DBSF has none)")
        if len(weights) != 2 or min(weights) < 0 or max(weights) <= 0:
            raise ValueError(f"weights must be two non-negative numbers (dense, sparse), not both 0; got {weights!r}")


def point_from_vectors(point_id: Any, vectors: dict[str, Any] | None, payload: dict[str, Any] | None) -> PointData:
    """A stored point read back with its named vectors (either engine's sparse type has indices and values)."""
    vectors = vectors or {}
    sparse = vectors.get(SPARSE)
    return PointData(
        id=str(point_id),
        dense=list(vectors.get(DENSE) or []),
        sparse=SparseVec(list(sparse.indices), list(sparse.values)) if sparse is not None else SparseVec([], []),
        payload=dict(payload or {}),
    )


class StoreLockedError(RuntimeError):
    """Another process owns the embedded store."""


class StoreCorruptError(RuntimeError):
    """The store's files cannot be opened: damaged on disk."""


class EmbeddingModelMismatch(ValueError):
    """The store was filled by another embedding model than the configured one (rag.store.model_record)."""


class VectorStore(ABC):
    """Engine-neutral operations on the museum collection."""

    @abstractmethod
    def ensure_collection(self, dimension: int) -> None:
        """Create the collection and its payload indexes if missing; check the dimension otherwise."""

    @abstractmethod
    def upsert(self, points: list[PointData]) -> None: ...

    @abstractmethod
    def delete_record_chunks(self, record_id: str, from_chunk_index: int = 0) -> None:
        """Delete the record's chunks whose index is >= ``from_chunk_index``."""

    @abstractmethod
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
        """Hybrid search fused in the engine; with one of the vectors only, a plain search.

        ``fusion`` is ``"rrf"`` (with ``rrf_k`` and optional ``weights`` = (dense, sparse)) or
        ``"dbsf"`` (unweighted). Both engines compute the same fusion, so they rank alike.
        ``exact`` searches the dense vectors by brute force instead of the HNSW index (to measure
        the index's recall). ``with_payload=False`` returns ids and scores only (empty payloads), to
        time the search apart from reading the payloads (``bench/scale.py``); a list of field names returns
        those fields of each payload only (grouping reads the rest of the chunks it keeps afterwards).
        """

    @abstractmethod
    def scroll(
        self, filters: SearchFilters | None = None, fields: list[str] | None = None, batch: int = 1000
    ) -> Iterator[ScoredPayload]:
        """Every matching point with the payload fields asked for (all when ``fields`` is None)."""

    @abstractmethod
    def scroll_points(self, filters: SearchFilters | None = None, batch: int = 256) -> Iterator[PointData]:
        """Every matching point with its dense and sparse vectors and full payload (for copying a store).

        Example::

            target.upsert(list(itertools.islice(source.scroll_points(), 256)))
        """

    @abstractmethod
    def count(self, filters: SearchFilters | None = None) -> int: ...

    @abstractmethod
    def facet(self, key: str, filters: SearchFilters | None = None, limit: int = 20) -> list[tuple[Any, int]]:
        """Counts of points per value of an indexed payload field."""

    @abstractmethod
    def close(self) -> None: ...

    def hold_chunk_places(self) -> int:
        """Hold :data:`CHUNK_PLACE_FIELDS` of every point in memory, so that searches read them there; returns how
        many points are held (0: this engine reads them with the search, as a Qdrant server does)."""
        return 0

    def optimize(self) -> bool:
        """Build the engine's search indexes (HNSW) for what was written; True when anything changed.

        Engines that optimise by themselves (a Qdrant server) do nothing here.
        """
        return False

    # --- which embedding model filled the store (see rag.store.model_record) ------------
    def embedding_model(self) -> dict[str, Any] | None:
        """``{"name", "dimension"}`` of the model that filled the store, or None when not recorded."""
        return None

    def set_embedding_model(self, name: str, dimension: int) -> None:
        """Record the model that fills the store (after :meth:`ensure_collection`)."""

    def record_chunks(self, record_id: str) -> list[dict[str, Any]]:
        """All chunk payloads of one record, in chunk order (a damaged chunk_index sorts last)."""
        payloads = [p.payload for p in self.scroll(SearchFilters(record_id=record_id))]
        return sorted(payloads, key=_chunk_order)

    # --- health (rag.store.health) ---------------------------------------------------
    def iter_point_ids(self, batch: int = 1000) -> Iterator[str]:
        """Every point id, without payloads (readable even when payload storage is damaged)."""
        for point in self.scroll(fields=[], batch=batch):
            yield point.id

    @abstractmethod
    def retrieve_payloads(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Full payloads of the points with these ids (raises when the engine cannot read one)."""

    def recorded_state(self) -> dict[str, Any] | None:
        """What the store recorded at its last clean close (points, records, sources), if it keeps that."""
        return None

    def written_since_open(self) -> bool:
        """Whether this process has written to the store (then counts may differ from the record)."""
        return False

    def records_chunks(self, record_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """All chunk payloads of several records, in chunk order (engines override this with one call)."""
        return {record_id: self.record_chunks(record_id) for record_id in record_ids}

    def __enter__(self) -> "VectorStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
