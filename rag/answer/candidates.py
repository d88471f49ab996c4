"""Evidence candidates: the sentences and the typed catalogue facts of the retrieved objects.

Every candidate is an exact span of one record field (a fact is its sentence of the tombstone
text), with offsets into that field, so an answer can quote it and a staff member can check the
quote. Sentence vectors come from the store (computed at ingest); a chunk stored without them
has its sentences embedded once, in one batch, at question time.

Example::

    pool = EvidencePool.from_hits(hits, full_chunks={"rec:1": chunks})
    pool.ensure_vectors(embedder)
    [(c.kind, c.text) for c in pool.candidates]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from rag.answer.citations import Quote
from rag.models import Chunk, Fact, ObjectHit
from rag.sentence_vectors import decode_vectors, embedding_input, sentence_spans, sentence_text


@dataclass
class Candidate:
    """One sentence or catalogue fact of one retrieved record, with its features and score."""

    record_id: str
    object_rank: int  # 0 = the best retrieved object
    object_score: float
    chunk: Chunk
    start: int  # offsets into the record field's text
    end: int
    text: str
    fact: Fact | None = None
    position: int = 0  # index of the sentence in its field
    vector: np.ndarray | None = field(default=None, repr=False)
    features: dict[str, float] = field(default_factory=dict, repr=False)
    label_cue: float = 0.0  # how strongly the question asks for this kind of fact (0 for sentences)
    score: float = 0.0

    @property
    def field(self) -> str:
        return self.chunk.field

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.record_id, self.chunk.field, self.start)

    @property
    def is_tombstone(self) -> bool:
        return self.chunk.field == "tombstone"

    @property
    def kind(self) -> str:
        """The fact's kind ("maker", "date", ...), or "text:<field>" for a sentence."""
        return self.fact.kind if self.fact is not None else f"text:{self.chunk.field}"

    @property
    def label(self) -> str | None:
        return self.fact.label if self.fact is not None else None

    @property
    def value(self) -> str | None:
        return self.fact.value if self.fact is not None else None

    @property
    def quote(self) -> Quote:
        return Quote(self.record_id, self.chunk, self.start, self.end, self.text, self.score)


@dataclass
class EvidencePool:
    """The candidates of the retrieved objects, without duplicates (chunks overlap)."""

    candidates: list[Candidate]
    objects: list[ObjectHit]
    facts: dict[str, list[Fact]] = field(default_factory=dict)  # record id -> its typed facts
    titles: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_hits(cls, hits: Sequence[ObjectHit], full_chunks: dict[str, list[Chunk]] | None = None) -> "EvidencePool":
        """Candidates of every retrieved chunk; for objects in ``full_chunks``, of all their chunks."""
        full_chunks = full_chunks or {}
        seen: set[tuple[str, str, int]] = set()
        candidates: list[Candidate] = []
        facts: dict[str, list[Fact]] = {}
        titles: dict[str, str] = {}
        for rank, hit in enumerate(hits):
            chunks = full_chunks.get(hit.record_id) or [h.chunk for h in hit.chunks]
            chunks = sorted(chunks, key=lambda c: c.chunk_index)
            if chunks:
                facts[hit.record_id] = list(chunks[0].facts)
                titles[hit.record_id] = chunks[0].title
            positions: dict[str, int] = {}
            for chunk in chunks:
                for candidate in _candidates(chunk, rank, hit.score):
                    if candidate.key in seen:
                        continue
                    seen.add(candidate.key)
                    candidate.position = positions.get(chunk.field, 0)
                    positions[chunk.field] = candidate.position + 1
                    candidates.append(candidate)
        return cls(candidates=candidates, objects=list(hits), facts=facts, titles=titles)

    def of_record(self, record_id: str) -> list[Candidate]:
        return [c for c in self.candidates if c.record_id == record_id]

    def ensure_vectors(self, embedder) -> None:
        """Embed, in one batch, the candidates whose chunk was stored without sentence vectors."""
        missing = [c for c in self.candidates if c.vector is None]
        if not missing:
            return
        vectors = embedder.embed_documents([embedding_input(c.chunk.title, c.text) for c in missing], batch_size=64)
        for c, v in zip(missing, vectors):
            c.vector = v

    def matrix(self) -> np.ndarray:
        return np.vstack([c.vector for c in self.candidates]) if self.candidates else np.zeros((0, 1), np.float32)


#: Text that addresses an AI system instead of describing an object ("ignore previous instructions ..."):
#: it is never evidence, whatever it says.
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules?|prompts?|guidelines|directions)\b"
    r"|\b(system prompt|developer message|you are now|as an ai|language model|jailbreak)\b"
    r"|\b(reveal|print|show|repeat)\b.{0,30}\b(prompt|instructions|configuration|api key|password|secret)\b",
    re.IGNORECASE,
)


def looks_like_instruction(text: str) -> bool:
    """Whether a sentence talks to an AI system (prompt injection) rather than about the collection."""
    return _INSTRUCTION.search(text) is not None


def _candidates(chunk: Chunk, rank: int, score: float) -> Iterable[Candidate]:
    spans = list(chunk.sentences) or sentence_spans(chunk)
    vectors = decode_vectors(chunk.sentence_vectors, len(spans)) if chunk.sentences else None
    facts = {(f.start, f.end): f for f in chunk.facts} if chunk.field == "tombstone" else {}
    for i, (start, end) in enumerate(spans):
        text = sentence_text(chunk, start, end)
        if not text.strip() or looks_like_instruction(text):
            continue
        fact = facts.get((start, end))
        if chunk.field == "tombstone" and fact is None:
            continue  # the title or the collection's name: no evidence
        yield Candidate(
            record_id=chunk.record_id,
            object_rank=rank,
            object_score=score,
            chunk=chunk,
            start=start,
            end=end,
            text=text,
            fact=fact,
            vector=vectors[i] if vectors is not None else None,
        )
