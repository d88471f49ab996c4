"""The museum search as a llama-index retriever, for query engines, agents and evaluations built on llama-index.

``retrieve`` (llama-index's public method) does the bookkeeping (callbacks, events); this class
implements only ``_retrieve``: :meth:`HybridSearcher.search` (hybrid, filters, grouping by
object, optional reranker), then one ``NodeWithScore`` per retrieved chunk, objects best first.

Each node carries:

- ``node.node_id``: the chunk's point id (stable across re-ingests);
- ``node.ref_doc_id`` (the SOURCE relationship) and ``metadata["record_id"]``: the record id;
- ``metadata``: the chunk's citation payload (title, museum, url, field, start, end, creators, date,
  ...) plus ``object_rank`` (0 = best object) and ``object_score``;
- ``node.start_char_idx`` / ``end_char_idx``: the chunk's offsets into its field's text;
- ``score``: the chunk's retrieval score; the object's score (with a reranker, the cross-encoder's)
  is ``metadata["object_score"]``, and the node order follows the objects.

Example::

    retriever = MuseumRetriever(museum.searcher, limit=5, filters=SearchFilters(type="Painting"))
    for node in retriever.retrieve("Who painted Pocahontas?"):
        print(node.node.ref_doc_id, node.score, node.node.metadata["title"])
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode

from rag.models import ObjectHit, SearchFilters
from rag.retrieval import MODES, HybridSearcher, Mode

#: Metadata an LLM prompt built by llama-index shows next to a chunk's text; the rest stays hidden.
LLM_METADATA_KEYS = ("record_id", "title", "museum", "date", "creators")


class MuseumRetriever(BaseRetriever):
    """A llama-index ``BaseRetriever`` over :class:`HybridSearcher` (see the module docstring)."""

    def __init__(
        self,
        searcher: HybridSearcher,
        limit: int | None = None,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
        **kwargs: Any,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
        if limit is not None and limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        super().__init__(**kwargs)
        self.searcher = searcher
        self.limit = limit
        self.filters = filters
        self.mode: Mode = mode

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        objects = self.searcher.search(query_bundle.query_str, limit=self.limit, filters=self.filters, mode=self.mode)
        return nodes_from_objects(objects)


def nodes_from_objects(objects: list[ObjectHit]) -> list[NodeWithScore]:
    """One node per chunk of each object, in object order, then chunk order within an object."""
    nodes: list[NodeWithScore] = []
    for rank, obj in enumerate(objects):
        for hit in obj.chunks:
            metadata = hit.chunk.payload()
            metadata.update(object_rank=rank, object_score=obj.score)
            node = TextNode(
                id_=hit.point_id,
                text=hit.chunk.text,
                metadata=metadata,
                start_char_idx=hit.chunk.start,
                end_char_idx=hit.chunk.end,
                excluded_llm_metadata_keys=[k for k in metadata if k not in LLM_METADATA_KEYS],
                excluded_embed_metadata_keys=list(metadata),
                relationships={
                    NodeRelationship.SOURCE: RelatedNodeInfo(node_id=obj.record_id, metadata={"title": obj.title})
                },
            )
            nodes.append(NodeWithScore(node=node, score=hit.score))
    return nodes
