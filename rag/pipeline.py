"""The core assembled from one Settings: embedder, store and searcher, each loaded once, on first use.

Opening a museum opens only its store: the embedder (seconds to load) comes with the first
search or question that needs it, so ``stats``, object views and sparse-only search never load a model.

The API, the CLI and the evaluation harness all go through this object, so they
measure and serve exactly the same thing.

Example::

    with MuseumRAG(Settings()) as museum:
        hits = museum.search("Calder's tribute to Man Ray")
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import TYPE_CHECKING, Any

from rag.config import Settings
from rag.models import Answer, ObjectHit, SearchFilters
from rag.store import VectorStore, open_store
from rag.store.model_record import EmbeddingModelMismatch, check_embedding_model, with_store_model

if TYPE_CHECKING:
    from rag.answer.answerer import Answerer
    from rag.embedding import Embedder
    from rag.retrieval import HybridSearcher, Mode


class MuseumRAG:
    def __init__(self, settings: Settings, store: VectorStore | None = None, embedder: "Embedder | None" = None) -> None:
        self.store = store or open_store(settings)
        # embed_model unset: the model the store records, so every part (answer processes too) loads that one
        self.settings = with_store_model(settings, self.store)
        self._embedder: Embedder | None = None
        self._searcher: HybridSearcher | None = None
        if embedder is not None:
            try:
                self._embedder = self._checked(embedder)
            except EmbeddingModelMismatch:
                if store is None:  # opened here: release it (an embedded store stays locked otherwise)
                    self.store.close()
                raise
        self._answerer: Answerer | None = None
        self._answerer_lock = threading.Lock()
        self._load_lock = threading.Lock()

    @property
    def embedder(self) -> "Embedder":
        """The dense embedder, loaded on first use (the slow part of starting up)."""
        if self._embedder is None:
            with self._load_lock:
                if self._embedder is None:
                    from rag.embedding import load_embedder

                    self._embedder = self._checked(load_embedder(self.settings))
        return self._embedder

    def _checked(self, embedder: "Embedder") -> "Embedder":
        """``embedder`` when the store was filled by its model (raises :class:`EmbeddingModelMismatch` otherwise),
        its questions embedded together when several are asked at once (``settings.query_batch_max``)."""
        check_embedding_model(self.store, embedder)
        if self.settings.query_batch_max > 1:
            from rag.query_batching import QueryBatchingEmbedder

            return QueryBatchingEmbedder(embedder, self.settings.query_batch_max)
        return embedder

    @property
    def searcher(self) -> "HybridSearcher":
        """The hybrid searcher; its embedder is loaded by the first dense or hybrid search."""
        if self._searcher is None:
            from rag.retrieval import HybridSearcher

            searcher = HybridSearcher(self.store, _LazyEmbedder(self), self.settings)
            with self._load_lock:
                if self._searcher is None:
                    self._searcher = searcher
        return self._searcher

    @property
    def models_loaded(self) -> bool:
        """Whether the embedder has been loaded yet."""
        return self._embedder is not None

    # --- staff search ------------------------------------------------------------
    def search(
        self, query: str, limit: int = 10, filters: SearchFilters | None = None, mode: "Mode" = "hybrid"
    ) -> list[ObjectHit]:
        return self.searcher.search(query, limit=limit, filters=filters, mode=mode)

    # --- visitor questions ---------------------------------------------------------------
    def ask(
        self,
        question: str,
        filters: SearchFilters | None = None,
        on_sentence: Any = None,
        lang: str | None = None,
        lang_hint: str | None = None,
    ) -> Answer:
        """Answer from the records only: ``answered`` with citations, ``corrected`` or ``abstained``.

        Example::

            answer = museum.ask("Who painted the harbour view with the red sails?")
            answer.status, answer.text, [c.record_id for c in answer.citations]
            museum.ask("Qui a peint Martha Washington ?").lang   # "fr": the answer's own sentences in French

        ``on_sentence``: see :meth:`rag.answer.answerer.Answerer.ask` (each verified sentence, for streaming).
        ``lang`` forces the answer's language; ``lang_hint`` (the page's language) decides only when the
        question is too short to tell.
        """
        return self.answerer.ask(question, filters=filters, on_sentence=on_sentence, lang=lang, lang_hint=lang_hint)

    @property
    def answerer(self) -> "Answerer":
        """The answering pipeline, built on first use (it loads the verifier and, if configured, the LLM client;
        with ``settings.answer_processes``, it starts the worker processes that answer what this process retrieves)."""
        if self._answerer is None:
            with self._answerer_lock:
                if self._answerer is None:
                    from rag.answer.answerer import Answerer

                    pool = None
                    if self.settings.answer_processes:
                        from rag.answer.pool import AnswerPool

                        pool = AnswerPool(self.settings, self.settings.answer_processes)
                        pool.warm_up()
                    self._answerer = Answerer(self.settings, self.searcher, self.store, self.embedder, pool=pool)
        return self._answerer

    def warm_up(self) -> None:
        """Ready for many questions (a server, a benchmark, an evaluation run; never a one-off command): the models
        loaded and their first-call costs paid, the store's chunk places held in memory (rag.store.places)."""
        self.embedder.embed_query("warm up")
        self.answerer  # noqa: B018 - a lazy property: builds the verifier, the answer processes, an LLM client
        self.store.hold_chunk_places()

    def get_object(self, record_id: str) -> dict[str, Any] | None:
        """The stored record and its chunks, or None when the id is unknown."""
        chunks = self.store.record_chunks(record_id)
        if not chunks:
            return None
        record = chunks[0].get("record") or {"id": record_id, "title": chunks[0].get("title")}
        hidden = ("record", "sentence_vectors")
        return {"record": record, "chunks": [{k: v for k, v in c.items() if k not in hidden} for c in chunks]}

    def stats(self) -> dict[str, Any]:
        """Records and chunks, per museum and per type (from the store alone: no model is loaded)."""
        first = SearchFilters(chunk_index=0)  # one point per record: records are written whole
        records = self.store.count(first)

        def per(key: str) -> dict[str, int]:
            counts = {str(value): n for value, n in self.store.facet(key, first, limit=100_000)}
            missing = records - sum(counts.values())
            if missing > 0:
                counts["(none)"] = missing
            return dict(Counter(counts).most_common())

        return {
            "records": records,
            "chunks": self.store.count(),
            "per_museum": per("museum"),
            "per_type": per("type"),
            "per_source": per("source"),
        }

    def close(self) -> None:
        if self._answerer is not None and self._answerer.pool is not None:
            self._answerer.pool.close()
        self.store.close()

    def __enter__(self) -> "MuseumRAG":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _LazyEmbedder:
    """Stands for the museum's embedder and loads it at the first call (a sparse search never does)."""

    def __init__(self, museum: MuseumRAG) -> None:
        self._museum = museum

    def __getattr__(self, name: str) -> Any:
        return getattr(self._museum.embedder, name)
