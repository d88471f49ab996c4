"""The vector store: one interface, two engines (see :mod:`rag.store.base`)."""

from __future__ import annotations

from rag.config import Settings
from rag.store.base import (
    PointData,
    ScoredPayload,
    SparseVec,
    StoreCorruptError,
    StoreLockedError,
    VectorStore,
    point_id,
)

__all__ = [
    "PointData", "ScoredPayload", "SparseVec", "StoreCorruptError", "StoreLockedError", "VectorStore", "open_store",
    "point_id",
]  # fmt: skip


def open_store(settings: Settings) -> VectorStore:
    """Open the configured engine: ``embedded`` (qdrant-edge on disk), ``server`` or ``memory`` (qdrant-client)."""
    if settings.store == "embedded":
        from rag.store.edge import EdgeStore

        return EdgeStore(settings.store_path)

    from qdrant_client import QdrantClient

    from rag.store.client import ClientStore

    if settings.store == "memory":
        return ClientStore(QdrantClient(":memory:"), settings.collection)
    if not settings.qdrant_url:
        raise ValueError("MUSEUM_RAG_STORE=server needs MUSEUM_RAG_QDRANT_URL (e.g. http://localhost:6333)")
    api_key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
    return ClientStore(QdrantClient(url=settings.qdrant_url, api_key=api_key), settings.collection)
