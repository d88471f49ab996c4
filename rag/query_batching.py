"""Questions asked at the same moment share one encoder call.

Per question, a batch is cheaper: the model's fixed cost per call (the Python around torch, the kernels'
start-up) is paid once (MiniLM on a 2-core CPU: 15.8 ms for one question, 7.5 ms a question for eight;
docs/performance.md). On a busy server, questions that arrive while the encoder is busy wait for it
anyway; this wrapper gathers them and encodes them together when it is free, so the machine answers
more questions per second under load. A question that finds the encoder idle is encoded at once:
nothing waits on purpose, and a lone visitor's question costs what it did.

Every other call (ingest, evidence sentences, token counts) goes to the wrapped embedder unchanged.

Example::

    embedder = QueryBatchingEmbedder(load_embedder(settings), max_batch=16)
    vector = embedder.embed_query("Who carved the lantern?")   # from any number of threads
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Sequence

import numpy as np

from rag.embedding import Embedder


class _Waiting:
    """One question waiting for its vector, or for its turn to encode the ones waiting with it."""

    __slots__ = ("text", "vector", "error", "done", "lead")

    def __init__(self, text: str) -> None:
        self.text = text
        self.vector: np.ndarray | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()
        self.lead = False  # set with ``done`` when this caller is to encode the next batch


class QueryBatchingEmbedder(Embedder):
    """``embedder`` whose :meth:`embed_query` encodes the questions waiting together, ``max_batch`` at most."""

    def __init__(self, embedder: Embedder, max_batch: int = 16) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, got {max_batch}")
        self.inner = embedder
        self.name = embedder.name
        self.dimension = embedder.dimension
        self.max_tokens = embedder.max_tokens
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: deque[_Waiting] = deque()
        self._busy = False  # a caller is encoding a batch
        self.batches = 0  # encoder calls made for questions, and the questions they encoded (for benchmarks)
        self.questions = 0

    def __getattr__(self, name: str) -> object:  # anything else the wrapped embedder has (a model id, its tokenizer)
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def _encode(self, texts: Sequence[str], batch_size: int, show_progress: bool) -> np.ndarray:
        return self.inner._encode(texts, batch_size, show_progress)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def embed_documents(self, texts: Sequence[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        return self.inner.embed_documents(texts, batch_size=batch_size, show_progress=show_progress)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_query(self, text: str) -> np.ndarray:
        mine = _Waiting(text)
        with self._lock:
            self._queue.append(mine)
            lead = not self._busy
            self._busy = True
        if not lead:
            mine.done.wait()
            if not mine.lead:
                return self._result(mine)
        # This caller encodes: its own question and whatever waits behind it, then hands the turn on.
        with self._lock:
            batch = [self._queue.popleft() for _ in range(min(self.max_batch, len(self._queue)))]
        try:
            vectors = self.inner.embed_queries([w.text for w in batch])
        except BaseException as error:  # every waiter of this batch gets the error, and the turn moves on
            for waiting in batch:
                waiting.error = error
        else:
            for waiting, vector in zip(batch, vectors):
                waiting.vector = vector
        with self._lock:
            self.batches += 1
            self.questions += len(batch)
            if self._queue:
                successor = self._queue[0]
                successor.lead = True
                successor.done.set()
            else:
                self._busy = False
        for waiting in batch:
            if waiting is not mine:
                waiting.done.set()
        return self._result(mine)

    @staticmethod
    def _result(waiting: _Waiting) -> np.ndarray:
        if waiting.error is not None:
            raise waiting.error
        assert waiting.vector is not None
        return waiting.vector
