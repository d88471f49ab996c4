"""The core assembled from one Settings: embedder, store and searcher, loaded once.

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
from rag.embedding import Embedder, load_embedder
from rag.models import Answer, ObjectHit, SearchFilters
from rag.retrieval import HybridSearcher, Mode
from rag.store import VectorStore, open_store
from rag.store.model_record import EmbeddingModelMismatch, check_embedding_model

if TYPE_CHECKING:
    from rag.answer.answerer import Answerer


class MuseumRAG:
    def __init__(self, settings: Settings, store: VectorStore | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or load_embedder(settings)
        self.store = store or open_store(settings)
        try:
            check_embedding_model(self.store, self.embedder)
        except EmbeddingModelMismatch:
            if store is None:  # opened here: release it (an embedded store stays locked otherwise)
                self.store.close()
            raise
        self.searcher = HybridSearcher(self.store, self.embedder, settings)
        self._answerer: Answerer | None = None
        self._answerer_lock = threading.Lock()

    # --- staff search ------------------------------------------------------------
    def search(
        self, query: str, limit: int = 10, filters: SearchFilters | None = None, mode: Mode = "hybrid"
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

            answer = museum.ask("Who nominated Thurgood Marshall to the Supreme Court?")
            answer.status, answer.text, [c.record_id for c in answer.citations]
            museum.ask("Qui a peint Martha Washington ?").lang   # "fr": the answer's own sentences in French

        ``on_sentence``: see :meth:`rag.answer.answerer.Answerer.ask` (each verified sentence, for streaming).
        ``lang`` forces the answer's language; ``lang_hint`` (the page's language) decides only when the
        question is too short to tell.
        """
        return self.answerer.ask(question, filters=filters, on_sentence=on_sentence, lang=lang, lang_hint=lang_hint)

    @property
    def answerer(self) -> "Answerer":
        """The answering pipeline, built on first use (it loads the verifier and, if configured, the LLM client)."""
        if self._answerer is None:
            with self._answerer_lock:
                if self._answerer is None:
                    from rag.answer.answerer import Answerer

                    self._answerer = Answerer(self.settings, self.searcher, self.store, self.embedder)
        return self._answerer

    def get_object(self, record_id: str) -> dict[str, Any] | None:
        """The stored record and its chunks, or None when the id is unknown."""
        chunks = self.store.record_chunks(record_id)
        if not chunks:
            return None
        record = chunks[0].get("record") or {"id": record_id, "title": chunks[0].get("title")}
        return {"record": record, "chunks": [{k: v for k, v in c.items() if k != "record"} for c in chunks]}

    def stats(self) -> dict[str, Any]:
        """Records and chunks, per museum and per type."""
        records: dict[str, dict[str, Any]] = {}
        chunks = 0
        for point in self.store.scroll(fields=["record_id", "museum", "type", "source"]):
            chunks += 1
            records.setdefault(point.payload.get("record_id"), point.payload)
        return {
            "records": len(records),
            "chunks": chunks,
            "per_museum": dict(Counter(p.get("museum") or "(none)" for p in records.values()).most_common()),
            "per_type": dict(Counter(p.get("type") or "(none)" for p in records.values()).most_common()),
            "per_source": dict(Counter(p.get("source") or "(none)" for p in records.values()).most_common()),
        }

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "MuseumRAG":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
