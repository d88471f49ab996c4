"""Abstention as a calibrated decision: does the retrieved evidence answer the question?

A logistic model over question-level features (:data:`rag.answer.features.QUESTION_FEATURES`:
the ranker's best probabilities, meaning and word coverage of the best evidence, whether the
question names the retrieved object, the retrieval scores, the kind of answer asked for) gives
the probability that the records answer the question. It was fitted on labelled answerable and
unanswerable questions (``scripts/fit_answering.py``); the cut-off is
``Settings.abstain_threshold``, calibrated there for a wrongful abstention rate of at most 6% on
the other museum's labels. One guard comes first: when no content word of the question is in the
best evidence or its object's title and the question names nothing of that object, the system
abstains (the model alone let a "What is the X of the Y?" question about the museum's services
through as a catalogue-fact question).

Example::

    policy = AbstentionPolicy(model, threshold=settings.abstain_threshold)
    decision = policy.decide(question_info, pool, ranking)
    decision.abstain, decision.answerability
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.answer.candidates import EvidencePool
from rag.answer.evidence import Ranking
from rag.answer.features import QUESTION_FEATURES, question_features
from rag.answer.model import AnsweringModel
from rag.answer.question import QuestionInfo


@dataclass
class AbstainDecision:
    abstain: bool
    answerability: float
    reason: str
    features: dict[str, float] | None = None
    record_id: str | None = None  # the record of the best evidence

    @property
    def unknown(self) -> bool:
        return bool(self.features and self.features.get("top_unknown"))


class AbstentionPolicy:
    """Decides whether the evidence answers the question; ``threshold`` comes from Settings."""

    def __init__(self, model: AnsweringModel, threshold: float) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"abstain threshold must be in [0, 1], got {threshold}")
        self.model = model
        self.threshold = threshold

    def features(self, question: QuestionInfo, pool: EvidencePool, ranking: Ranking) -> np.ndarray:
        return question_features(question, pool.candidates, ranking.x, ranking.probs, pool)

    def decide(self, question: QuestionInfo, pool: EvidencePool, ranking: Ranking) -> AbstainDecision:
        if not ranking.ranked:
            return AbstainDecision(True, 0.0, "nothing retrieved")
        x = self.features(question, pool, ranking)
        score = float(self.model.answerability.predict(x[None, :])[0])
        named = {name: round(float(v), 4) for name, v in zip(QUESTION_FEATURES, x)}
        record_id = ranking.ranked[0].record_id
        if named["uncovered"] >= 1.0 and named["anchor"] == 0.0:
            # nothing the question says is in the best evidence or its object: a guess, whatever the model's score
            # (on the training labels: 12-18% of unanswerable questions, 0-3.8% of answerable ones)
            return AbstainDecision(True, score, "no word of the question is in the evidence", named, record_id)
        if score < self.threshold:
            return AbstainDecision(True, score, "the evidence does not answer it", named, record_id)
        return AbstainDecision(False, score, "answerable", named, record_id)
