"""Evidence selection: every candidate of the retrieved objects scored by the learned ranker, in one batch.

The candidates are the record sentences and the typed catalogue facts of the retrieved objects
(:mod:`rag.answer.candidates`); their features (:mod:`rag.answer.features`) are combined by a
logistic ranker fitted on labelled questions with exact evidence quotes
(``scripts/fit_answering.py``). The question's vector is the one retrieval computed, and the
sentence vectors were computed at ingest: ranking embeds nothing.

Example::

    scorer = EvidenceScorer(AnsweringModel.load())
    ranking = scorer.rank(question_info, pool)
    best = ranking.ranked[0]
    print(best.text, best.record_id, best.start, best.end, best.score)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rag.answer.candidates import Candidate, EvidencePool, looks_like_instruction
from rag.answer.features import CANDIDATE_FEATURES, candidate_features, with_cue
from rag.answer.model import AnsweringModel
from rag.answer.question import QuestionInfo


__all__ = ["Candidate", "EvidencePool", "EvidenceScorer", "Ranking", "looks_like_instruction"]


@dataclass
class Ranking:
    """The candidates best first, with the feature matrix and probabilities in the pool's order."""

    ranked: list[Candidate]
    x: np.ndarray = field(repr=False)
    probs: np.ndarray = field(repr=False)
    kind_probs: dict[str, float] = field(default_factory=dict)


class EvidenceScorer:
    """Scores candidates against a question with the fitted ranker."""

    def __init__(self, model: AnsweringModel) -> None:
        self.model = model

    def features(self, question: QuestionInfo, pool: EvidencePool) -> tuple[np.ndarray, dict[str, float]]:
        if question.vector is None:
            raise ValueError("the question's vector is needed (retrieval's query vector)")
        kind_probs = self.model.kinds.predict(question.tokens)
        raw = candidate_features(question, pool, question.vector)
        return with_cue(raw, [c.kind for c in pool.candidates], kind_probs), kind_probs

    def rank(self, question: QuestionInfo, pool: EvidencePool) -> Ranking:
        if not pool.candidates:
            return Ranking([], np.zeros((0, len(CANDIDATE_FEATURES)), np.float32), np.zeros(0, np.float32))
        x, kind_probs = self.features(question, pool)
        probs = self.model.ranker.predict(x)
        cue = CANDIDATE_FEATURES.index("cue")
        for c, row, p in zip(pool.candidates, x, probs):
            c.score = float(p)
            c.label_cue = float(row[cue]) if c.fact is not None else 0.0
        order = np.argsort(-probs, kind="stable")
        return Ranking([pool.candidates[i] for i in order], x, probs, kind_probs)
