"""Answering: evidence, abstention, false-premise correction, extractive and LLM answers.

The entry point is :class:`rag.answer.answerer.Answerer` (used by ``MuseumRAG.ask``).
"""

from rag.answer.answerer import Answerer

__all__ = ["Answerer"]
