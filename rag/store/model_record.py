"""Which embedding model filled a store, and a clear error when another one opens it.

Vectors from two models cannot be compared, even when they have the same dimension
(all-MiniLM-L6-v2 and multilingual-e5-small both make 384-dimensional vectors): a question
embedded by one model searched against vectors of the other returns confident nonsense.
So the store records ``{"name", "dimension"}`` of the model that filled it (the embedded
store in ``embedding_model.json`` inside its folder, a Qdrant server in the collection's
metadata), ingest writes the record, and opening a store with another model raises
:class:`EmbeddingModelMismatch`, which says how to fix it.

Stores made before the record existed hold no record; they were filled by the packaged
all-MiniLM-L6-v2 unless configured otherwise, so that is what they are assumed to hold.

When ``Settings.embed_model`` is unset, a store is opened with the model it records
(:func:`with_store_model`), so only the first ingest of a store needs the setting.

Example::

    settings = with_store_model(settings, store)         # embed_model unset: the store's own
    check_embedding_model(store, embedder)               # on open: raises on a mismatch
    check_embedding_model(store, embedder, record=True)  # on ingest: also records the model
"""

from __future__ import annotations

import logging

from rag.config import NEW_STORE_EMBED_MODEL, PACKAGED_EMBED_MODEL, Settings
from rag.embedding import Embedder
from rag.store.base import EmbeddingModelMismatch, VectorStore

__all__ = ["EmbeddingModelMismatch", "LEGACY_MODEL", "check_embedding_model", "model_name", "with_store_model"]

log = logging.getLogger(__name__)

#: What a store without a record is assumed to hold (every store before models were recorded).
LEGACY_MODEL = PACKAGED_EMBED_MODEL


def with_store_model(settings: Settings, store: VectorStore) -> Settings:
    """``settings`` with ``embed_model`` set: as configured, else the model ``store`` records (a store without a
    record: :data:`LEGACY_MODEL` when it holds points, ``rag.config.NEW_STORE_EMBED_MODEL`` when it is empty)."""
    if settings.embed_model:
        return settings
    try:
        recorded = store.embedding_model()
        filled = not recorded and store.count() > 0
    except Exception as exc:  # an unreadable store fails where it is used, with that call's own error
        log.warning("could not read which model filled the store (%s); assuming %s", exc, LEGACY_MODEL)
        recorded, filled = None, True
    if recorded and recorded.get("name"):
        name = str(recorded["name"])
    else:
        name = LEGACY_MODEL if filled else NEW_STORE_EMBED_MODEL
    return settings.model_copy(update={"embed_model": name})


def model_name(embedder: Embedder) -> str:
    """The name a store records for ``embedder``: the same model under any backend gets one name."""
    name = getattr(embedder, "model_id", None) or embedder.name
    name = name.strip()
    if name.startswith("sentence-transformers/"):
        name = name[len("sentence-transformers/") :]
    if name.startswith("onnx:") or name.rstrip("/").endswith(PACKAGED_EMBED_MODEL) or _is_packaged_dir(name):
        # The int8 ONNX export is the packaged all-MiniLM-L6-v2, quantised: its vectors match.
        return PACKAGED_EMBED_MODEL
    return name


def _is_packaged_dir(name: str) -> bool:
    try:
        from rag.embedding import packaged_model_dir

        return name == str(packaged_model_dir())
    except Exception:  # the package is optional when another model is configured
        return False


def check_embedding_model(store: VectorStore, embedder: Embedder, record: bool = False) -> None:
    """Raise :class:`EmbeddingModelMismatch` when ``store`` holds another model's vectors.

    With ``record`` (ingest, after ``ensure_collection``), the model is written to the store when
    the store has no record yet.
    """
    name, dimension = model_name(embedder), int(embedder.dimension)
    stored = store.embedding_model()
    if stored is None:
        if store.count() == 0:
            if record:
                store.set_embedding_model(name, dimension)
            return
        stored = {"name": LEGACY_MODEL, "dimension": dimension, "assumed": True}
    if stored.get("name") != name or int(stored.get("dimension") or dimension) != dimension:
        assumed = (
            " (the store has no record of its model: stores made before models were recorded are assumed to "
            f"hold {LEGACY_MODEL})"
            if stored.get("assumed")
            else ""
        )
        raise EmbeddingModelMismatch(
            f"The store was filled by the embedding model {stored.get('name')!r} "
            f"({stored.get('dimension')} dimensions){assumed}, but the configured model is {name!r} "
            f"({dimension} dimensions); vectors of two models cannot be searched together. Either leave "
            f"MUSEUM_RAG_EMBED_MODEL unset (a store is opened with the model it records) or set it to "
            f"{stored.get('name')} to use the store as it is, or re-ingest the collection "
            f"with {name!r} into a new data dir (MUSEUM_RAG_DATA_DIR, or another MUSEUM_RAG_COLLECTION on a "
            "server) and point the server at it; `museum-rag migrate` copies vectors, it does not re-embed them."
        )
    if record and stored.get("assumed"):
        store.set_embedding_model(name, dimension)
