"""Answering in worker processes, so that concurrent questions use every core.

An answer's rules (ranking features, premise checks, composing, the verifier's checks) are Python
and hold the GIL: in one process, threads answer one question at a time whatever the number of
cores, and only the encoder and the engine run beside them. The process that owns the store keeps
what needs the store, embedding the question and retrieving (:meth:`Answerer.retrieve`); the rest
(:meth:`Answerer.answer_retrieved`) runs in ``Settings.answer_processes`` worker processes, each
with its own answering models, verifier and embedder (for a chunk stored without sentence vectors, or
a claim the verifier must embed): about 350 MB of memory each.

Example::

    pool = AnswerPool(settings, processes=2)
    answer, _ = pool.answer(answerer.retrieve("Who carved the lantern?"))
    pool.close()
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from rag.config import Settings

if TYPE_CHECKING:
    from rag.answer.answerer import Answerer, Retrieved, SentenceReady
    from rag.models import Answer

log = logging.getLogger(__name__)

_answerer: "Answerer | None" = None  # the worker's own, built by _start_worker


def _start_worker(settings: Settings) -> None:
    global _answerer
    from rag.answer.answerer import Answerer
    from rag.embedding import load_embedder

    # Loaded now, not on the first claim that needs it: a visitor's question must never wait for a model to load.
    _answerer = Answerer(settings, None, None, load_embedder(settings))


def _answer(retrieved: "Retrieved", sentences: bool) -> "tuple[Answer, list[SentenceReady]]":
    assert _answerer is not None, "the worker was not started by AnswerPool"
    if not sentences:
        return _answerer.answer_retrieved(retrieved)[0], []
    ready: list["SentenceReady"] = []
    return _answerer.answer_retrieved(retrieved, ready.append)[0], ready


def _ready() -> bool:
    return _answerer is not None


class AnswerPool:
    """``processes`` worker processes that turn a :class:`Retrieved` into an :class:`Answer`.

    A worker that dies (killed for memory, a crash in native code) breaks the whole executor; the pool
    then starts a new one and answers the question again, so one lost worker costs one slow answer,
    not every answer after it.
    """

    def __init__(self, settings: Settings, processes: int) -> None:
        if processes < 1:
            raise ValueError(f"an answer pool needs at least one process, got {processes}")
        self.settings = settings
        self.processes = processes
        self._lock = threading.Lock()
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: the owner has encoder and engine threads running, which a fork would copy mid-flight.
        return ProcessPoolExecutor(
            self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.settings,),
        )

    def warm_up(self) -> None:
        """Start every worker now (each loads the answering models), not on a visitor's question."""
        for future in [self._executor.submit(_ready) for _ in range(self.processes)]:
            future.result()

    def answer(self, retrieved: "Retrieved", sentences: bool = False) -> "tuple[Answer, list[SentenceReady]]":
        """The answer, and with ``sentences`` each of its verified sentences as a stream would have handed them out."""
        executor = self._executor
        try:
            return executor.submit(_answer, retrieved, sentences).result()
        except BrokenProcessPool:
            log.error("an answer worker process died; starting the answer pool again")
            with self._lock:
                if self._executor is executor:  # another thread may have restarted it already
                    self._executor = self._start()
                    executor.shutdown(wait=False, cancel_futures=True)
            return self._executor.submit(_answer, retrieved, sentences).result()

    def worker_pids(self) -> list[int]:
        """The process ids of the running workers (for an operator, or a test that kills one)."""
        return [p.pid for p in list((self._executor._processes or {}).values()) if p.pid is not None]

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
