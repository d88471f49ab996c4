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

if TYPE_CHECKING:
    from rag.answer.answerer import Answerer


class MuseumRAG:
    def __init__(self, settings: Settings, store: VectorStore | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or load_embedder(settings)
        self.store = store or open_store(settings)
        self.searcher = HybridSearcher(self.store, self.embedder, settings)
        self._answerer: Answerer | None = None
        self._answerer_lock = threading.Lock()

    # --- staff search ------------------------------------------------------------
    def search(
        self, query: str, limit: int = 10, filters: SearchFilters | None = None, mode: Mode = "hybrid"
    ) -> list[ObjectHit]:
        return self.searcher.search(query, limit=limit, filters=filters, mode=mode)

    # --- visitor questions ---------------------------------------------------------------
    def ask(self, question: str, filters: SearchFilters | None = None, lang: str | None = None) -> Answer:
        """Answer from the records only: ``answered`` with citations, ``corrected`` or ``abstained``.

        Example::

            answer = museum.ask("Who painted the harbour view with the red sails?")
            answer.status, answer.text, [c.record_id for c in answer.citations]
        """
        return self.answerer.ask(question, filters=filters, lang=lang)

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
        hidden = ("record", "sentence_vectors")
        return {"record": record, "chunks": [{k: v for k, v in c.items() if k not in hidden} for c in chunks]}

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
