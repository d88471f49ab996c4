"""BM25 sparse vectors, computed by Qdrant's own BM25 model (from qdrant-edge) for both engines.

Documents get term-frequency weights (k, b, avg_len); queries get weight 1 per unique
token; the collection's IDF modifier supplies the inverse document frequency inside the
engine. Nothing is downloaded.
"""

from __future__ import annotations

import qdrant_edge as qe

from rag.store.base import SparseVec


class Bm25Encoder:
    """Example::

    bm25 = Bm25Encoder()
    bm25.encode_document("Chromolithograph on paper")
    """

    def __init__(self, avg_len: float = 60.0) -> None:
        self._model = qe.Bm25(qe.Bm25Config(avg_len=avg_len, language="english"))

    def encode_document(self, text: str) -> SparseVec:
        vec = self._model.embed_document(text)
        return SparseVec(list(vec.indices), list(vec.values))

    def encode_query(self, text: str) -> SparseVec:
        vec = self._model.embed_query(text)
        return SparseVec(list(vec.indices), list(vec.values))
