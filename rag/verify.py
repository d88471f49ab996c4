"""Faithfulness verification: is a claim fully supported by the given source texts?

Shared by the answerer (unsupported sentences never reach a visitor) and the evaluation
harness. Every verifier returns a support score in [0, 1] and a label.

This module holds the interface and the two baselines (token overlap, embedding
similarity); the configured verifiers are built by :func:`load_verifier`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np

from rag.embedding import Embedder
from rag.text import words

Label = Literal["supported", "unsupported"]

_STOPWORDS = frozenset(
    """a an the and or but of in on at to for from by with as is was were are be been being it its this that these
    those he she his her him they them their we our you your i me my not no so than then there here who whom whose
    which what when where why how do does did has have had will would can could should may might also into about""".split()
)


@dataclass(frozen=True)
class Verdict:
    score: float  # support in [0, 1]
    label: Label
    source_index: int | None = None  # the source that supports the claim best


class Verifier(ABC):
    """Scores how well ``sources`` support ``claim``."""

    name: str = "verifier"
    threshold: float = 0.5

    @abstractmethod
    def score(self, claim: str, sources: Sequence[str], question: str | None = None) -> Verdict: ...

    def score_many(
        self, pairs: Sequence[tuple[str, Sequence[str]]], questions: Sequence[str | None] | None = None
    ) -> list[Verdict]:
        qs = questions or [None] * len(pairs)
        return [self.score(claim, sources, q) for (claim, sources), q in zip(pairs, qs)]

    def _verdict(self, score: float, source_index: int | None) -> Verdict:
        score = float(min(1.0, max(0.0, score)))
        return Verdict(score, "supported" if score >= self.threshold else "unsupported", source_index)


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in _STOPWORDS]


class TokenOverlapVerifier(Verifier):
    """Baseline: the share of the claim's content words found in the best source."""

    name = "token_overlap"

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold

    def score(self, claim: str, sources: Sequence[str], question: str | None = None) -> Verdict:
        claim_words = set(content_words(claim))
        if not claim_words or not sources:
            return self._verdict(0.0 if not sources else 1.0, 0 if sources else None)
        best, best_index = -1.0, None
        for index, source in enumerate(sources):
            overlap = len(claim_words & set(words(source))) / len(claim_words)
            if overlap > best:
                best, best_index = overlap, index
        return self._verdict(best, best_index)


class EmbeddingSimilarityVerifier(Verifier):
    """Baseline: the best cosine similarity between the claim and a source sentence."""

    name = "embedding_similarity"

    def __init__(self, embedder: Embedder, threshold: float = 0.5) -> None:
        from rag.text import split_sentences

        self.embedder = embedder
        self.threshold = threshold
        self._split = split_sentences

    def score(self, claim: str, sources: Sequence[str], question: str | None = None) -> Verdict:
        units: list[tuple[int, str]] = [
            (index, span.text) for index, source in enumerate(sources) for span in self._split(source)
        ]
        if not units:
            return self._verdict(0.0, None)
        vectors = self.embedder.embed_documents([claim] + [text for _, text in units])
        sims = vectors[1:] @ vectors[0]
        best = int(np.argmax(sims))
        return self._verdict(float(sims[best]), units[best][0])
