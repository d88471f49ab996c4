"""Any museum-rag :class:`~rag.embedding.Embedder` as a llama-index embedding model.

llama-index distinguishes query and text (document) embeddings; so does this adapter, so an
asymmetric model such as multilingual-e5-small gets its ``query:`` prefix for questions and its
``passage:`` prefix for the texts it indexes, exactly as museum-rag's own ingest and search do.

Example::

    from llama_index.core import Settings as LlamaSettings
    LlamaSettings.embed_model = MuseumEmbedding(load_embedder(Settings(embed_model="multilingual-e5-small")))
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from pydantic import PrivateAttr

from rag.embedding import Embedder


class MuseumEmbedding(BaseEmbedding):
    """A llama-index ``BaseEmbedding`` over a museum-rag embedder (see the module docstring)."""

    _embedder: Embedder = PrivateAttr()

    def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", embedder.name)
        super().__init__(**kwargs)
        self._embedder = embedder

    @classmethod
    def class_name(cls) -> str:
        return "MuseumEmbedding"

    @property
    def dimension(self) -> int:
        return self._embedder.dimension

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._embedder.embed_query(query).tolist()

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._embedder.embed_documents([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return self._embedder.embed_documents(texts, batch_size=self.embed_batch_size).tolist()
