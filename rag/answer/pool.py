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
    answer = pool.answer(answerer.retrieve("Who carved the lantern?"))
    pool.close()
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from rag.config import Settings

if TYPE_CHECKING:
    from rag.answer.answerer import Answerer, Retrieved
    from rag.models import Answer

_answerer: "Answerer | None" = None  # the worker's own, built by _start_worker


def _start_worker(settings: Settings) -> None:
    global _answerer
    from rag.answer.answerer import Answerer
    from rag.embedding import load_embedder

    # Loaded now, not on the first claim that needs it: a visitor's question must never wait for a model to load.
    _answerer = Answerer(settings, None, None, load_embedder(settings))


def _answer(retrieved: "Retrieved") -> "Answer":
    assert _answerer is not None, "the worker was not started by AnswerPool"
    return _answerer.answer_retrieved(retrieved)[0]


def _ready() -> bool:
    return _answerer is not None


class AnswerPool:
    """``processes`` worker processes that turn a :class:`Retrieved` into an :class:`Answer`."""

    def __init__(self, settings: Settings, processes: int) -> None:
        if processes < 1:
            raise ValueError(f"an answer pool needs at least one process, got {processes}")
        # spawn, not fork: the owner has encoder and engine threads running, which a fork would copy mid-flight.
        self._executor = ProcessPoolExecutor(
            processes, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker, initargs=(settings,)
        )
        self.processes = processes

    def warm_up(self) -> None:
        """Start every worker now (each loads the answering models), not on a visitor's question."""
        for future in [self._executor.submit(_ready) for _ in range(self.processes)]:
            future.result()

    def answer(self, retrieved: "Retrieved") -> "Answer":
        return self._executor.submit(_answer, retrieved).result()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
