"""Evidence: the sentences of the retrieved records, each scored for how well it answers the question.

Every candidate is an exact span of one record field (tombstone facts included), with offsets
into that field's text, so an answer can quote it and a staff member can check the quote.

Example::

    pool = EvidencePool.from_hits(hits, full_chunks={"npg:65309": chunks})
    ranked = EvidenceScorer(embedder).rank(analyze_question(question), pool)
    best = ranked[0]
    print(best.text, best.record_id, best.start, best.end, best.score)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from rag.answer.question import QuestionInfo
from rag.answer.terms import all_stems, has_date, has_number, name_phrases, stem, stems
from rag.embedding import Embedder
from rag.models import Chunk, ObjectHit
from rag.text import split_sentences

#: Tombstone sentences that only repeat the title or name the collection say nothing about a question.
_SKIP_TOMBSTONE_LABELS = frozenset({"collection", "accession number"})


@dataclass
class Candidate:
    """One sentence of one retrieved record, with its relevance features."""

    record_id: str
    object_rank: int  # 0 = the best retrieved object
    object_score: float
    chunk: Chunk
    start: int  # offsets into the record field's text
    end: int
    text: str
    label: str | None = None  # for tombstone facts: "Artist", "Date", "Medium", ...
    value: str | None = None  # for tombstone facts: the value after the label
    lexical: float = 0.0  # weighted share of the question's terms found in the sentence
    context: float = 0.0  # ... in the sentence or its object's title and names
    focus: float = 0.0  # ... of the terms the object's title and names do not already explain
    dense: float = 0.0  # cosine similarity of question and sentence
    type_match: float = 0.0  # the sentence holds the kind of answer asked for (a year, a number, a name)
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


@dataclass
class EvidencePool:
    """The candidate sentences of the retrieved objects, without duplicates (chunks overlap)."""

    candidates: list[Candidate]
    objects: list[ObjectHit]
    context_stems: dict[str, set[str]] = field(default_factory=dict)  # record id -> stems of title and names

    @classmethod
    def from_hits(
        cls, hits: Sequence[ObjectHit], full_chunks: dict[str, list[Chunk]] | None = None
    ) -> "EvidencePool":
        """Sentences of every retrieved chunk; for objects in ``full_chunks``, of all their chunks."""
        full_chunks = full_chunks or {}
        seen: set[tuple[str, str, int]] = set()
        candidates: list[Candidate] = []
        context: dict[str, set[str]] = {}
        for rank, hit in enumerate(hits):
            chunks = full_chunks.get(hit.record_id) or [h.chunk for h in hit.chunks]
            if chunks:
                first = chunks[0]
                context[hit.record_id] = stems(" ".join([first.title, *first.creators]))
            for chunk in chunks:
                for candidate in _sentences(chunk, rank, hit.score):
                    if candidate.key in seen:
                        continue
                    seen.add(candidate.key)
                    candidates.append(candidate)
        return cls(candidates=candidates, objects=list(hits), context_stems=context)

    def of_record(self, record_id: str) -> list[Candidate]:
        return [c for c in self.candidates if c.record_id == record_id]


def _sentences(chunk: Chunk, rank: int, score: float) -> Iterable[Candidate]:
    for span in split_sentences(chunk.text):
        text = span.text.strip()
        if not text:
            continue
        label = value = None
        if chunk.field == "tombstone":
            label, value = _tombstone_fact(text)
            if label is None and span.start == 0:
                continue  # the title sentence
            if label is not None and label.lower() in _SKIP_TOMBSTONE_LABELS:
                continue
        yield Candidate(
            record_id=chunk.record_id,
            object_rank=rank,
            object_score=score,
            chunk=chunk,
            start=chunk.start + span.start,
            end=chunk.start + span.start + len(text),
            text=text,
            label=label,
            value=value,
        )


def _tombstone_fact(sentence: str) -> tuple[str | None, str | None]:
    """"Artist: Betsy Graves Reyneau (1888 - 1964)." -> ("Artist", "Betsy Graves Reyneau (1888 - 1964)")."""
    label, sep, value = sentence.partition(": ")
    if not sep or len(label) > 40 or not label[:1].isupper():
        return None, None
    return label.strip(), value.strip().rstrip(".").strip()


@dataclass(frozen=True)
class EvidenceWeights:
    """How the features combine into one relevance score (fitted on the dev questions)."""

    dense: float = 0.45
    lexical: float = 0.25
    focus: float = 0.2
    type_match: float = 0.1
    object_prior: float = 0.1  # bonus for the best retrieved objects, decaying with rank


class EvidenceScorer:
    """Scores candidate sentences against a question: meaning, shared terms, expected answer type."""

    def __init__(self, embedder: Embedder, weights: EvidenceWeights | None = None) -> None:
        self.embedder = embedder
        self.weights = weights or EvidenceWeights()

    def rank(self, question: QuestionInfo, pool: EvidencePool, query_vector: np.ndarray | None = None) -> list[Candidate]:
        """The pool's candidates with their features and scores, best first."""
        candidates = pool.candidates
        if not candidates:
            return []
        weights = term_weights(question.term_stems, (c.text for c in candidates))
        total = sum(weights.values()) or 1.0
        for c in candidates:
            sentence = all_stems(c.text)
            ctx = pool.context_stems.get(c.record_id, set())
            c.lexical = sum(w for t, w in weights.items() if t in sentence) / total
            c.context = sum(w for t, w in weights.items() if t in sentence or t in ctx) / total
            focus = {t: w for t, w in weights.items() if t not in ctx}
            focus_total = sum(focus.values())
            c.focus = sum(w for t, w in focus.items() if t in sentence) / focus_total if focus_total else c.lexical
            c.type_match = type_match(question, c.text)
        self._dense(question, candidates, query_vector)
        w = self.weights
        for c in candidates:
            prior = 1.0 / (1.0 + c.object_rank)
            c.score = (
                w.dense * c.dense
                + w.lexical * c.context
                + w.focus * c.focus
                + w.type_match * c.type_match
                + w.object_prior * prior
            )
        return sorted(candidates, key=lambda c: c.score, reverse=True)

    def _dense(self, question: QuestionInfo, candidates: list[Candidate], query_vector: np.ndarray | None) -> None:
        texts = [f"{c.chunk.title}: {c.text}" for c in candidates]
        vectors = self.embedder.embed_documents(texts, batch_size=64)
        q = query_vector if query_vector is not None else self.embedder.embed_query(question.text)
        sims = vectors @ q
        for c, s in zip(candidates, sims):
            c.dense = float(s)


def term_weights(term_stems: Sequence[str], texts: Iterable[str]) -> dict[str, float]:
    """IDF-like weight of each question term over the candidate sentences: rare terms count more."""
    docs = [all_stems(t) for t in texts]
    n = len(docs)
    weights = {}
    for t in term_stems:
        df = sum(1 for d in docs if t in d)
        weights[t] = math.log(1.0 + (n + 1) / (df + 1))
    return weights


def type_match(question: QuestionInfo, sentence: str) -> float:
    """1.0 when the sentence holds the kind of answer the question expects, else 0.0 (0.5 when unsure)."""
    kind = question.answer_type
    if kind == "date":
        return 1.0 if has_date(sentence) else 0.0
    if kind == "number":
        return 1.0 if has_number(sentence) else 0.0
    if kind in ("person", "place"):
        asked = {stem(w) for p in question.names for w in p.text.split()}
        fresh = [p for p in name_phrases(sentence) if not set(p.tokens) <= asked]
        return 1.0 if fresh else 0.0
    return 0.5
