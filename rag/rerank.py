"""Optional cross-encoder reranking of retrieved objects (none by default).

A cross-encoder reads the question and a passage together and scores how well the passage
answers it: slower than the bi-encoder, usually better at ordering the first few. Any
sentence-transformers ``CrossEncoder`` works, by Hugging Face name (from the local cache: the
system runs offline) or by local path, e.g. ``cross-encoder/ms-marco-MiniLM-L6-v2``.

Each object is scored on its best chunk, written as the chunk is embedded ("Title: text").

Example::

    settings = Settings(reranker_model="/models/ms-marco-MiniLM-L6-v2")
    reranker = load_reranker(settings)             # None when no reranker_model is set
    objects = reranker.rerank("Who painted Calder?", searcher.search("Who painted Calder?", limit=20))
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Sequence

from rag.chunking import embedding_text
from rag.config import Settings
from rag.models import ObjectHit


class Reranker(ABC):
    """Reorders objects for a query; scores replace the retrieval scores of the objects it rescored."""

    @abstractmethod
    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        """One relevance score per passage, higher is better."""

    def rerank(self, query: str, objects: list[ObjectHit]) -> list[ObjectHit]:
        """The objects sorted by the score of their best chunk; ties keep the retrieval order."""
        scored = [o for o in objects if o.chunks]
        if not scored:
            return objects
        scores = self.score(query, [passage_text(o) for o in scored])
        order = sorted(range(len(scored)), key=lambda i: (-scores[i], i))
        reranked = [scored[i].model_copy(update={"score": float(scores[i])}) for i in order]
        return reranked + [o for o in objects if not o.chunks]


def passage_text(obj: ObjectHit) -> str:
    """What the cross-encoder reads for an object: its best chunk as embedded ("Title: text")."""
    return embedding_text(obj.chunks[0].chunk)


class CrossEncoderReranker(Reranker):
    """A sentence-transformers ``CrossEncoder`` by name or path, on the CPU unless told otherwise.

    The model must have one output (a relevance score, as MS MARCO rerankers do); ``max_length``
    defaults to the model's own.

    Example::

        reranker = CrossEncoderReranker("cross-encoder/ms-marco-MiniLM-L6-v2", top_n=20)
    """

    def __init__(
        self,
        model_name_or_path: str,
        top_n: int = 20,
        batch_size: int = 16,
        device: str = "cpu",
        max_length: int | None = None,
    ) -> None:
        if top_n < 1:
            raise ValueError(f"top_n must be at least 1, got {top_n}")
        from sentence_transformers import CrossEncoder

        try:
            options = {"max_length": max_length} if max_length else {}
            self._model = CrossEncoder(model_name_or_path, device=device, **options)
        except (OSError, ValueError) as exc:
            raise RuntimeError(
                f"Could not load the reranker model {model_name_or_path!r}: {exc}. Set MUSEUM_RAG_RERANKER_MODEL "
                "to a local folder holding a cross-encoder (config, weights, tokenizer) or to a model name already "
                "in the Hugging Face cache (nothing is downloaded), or unset it to search without a reranker."
            ) from exc
        self.name = model_name_or_path
        self.top_n = top_n
        self.batch_size = batch_size

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        if not passages:
            return []
        scores = self._model.predict(
            [(query, passage) for passage in passages],
            batch_size=self.batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return [float(s) for s in scores.reshape(len(passages), -1)[:, 0]]

    def rerank(self, query: str, objects: list[ObjectHit]) -> list[ObjectHit]:
        """The first ``top_n`` objects reordered by the cross-encoder; the rest follow unchanged."""
        head, tail = objects[: self.top_n], objects[self.top_n :]
        return super().rerank(query, head) + tail


def load_reranker(settings: Settings) -> Reranker | None:
    """The reranker configured by ``settings.reranker_model``, or None when none is set."""
    if not settings.reranker_model:
        return None
    return CrossEncoderReranker(settings.reranker_model, top_n=settings.rerank_top_n)
