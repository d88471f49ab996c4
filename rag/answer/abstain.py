"""Abstention as a calibrated decision: does the retrieved evidence answer the question?

A logistic model over question-level features (:data:`rag.answer.features.QUESTION_FEATURES`:
the ranker's best probabilities, meaning and word coverage of the best evidence, whether the
question names the retrieved object, the retrieval scores, the kind of answer asked for) gives
the probability that the records answer the question. It was fitted on labelled answerable and
unanswerable questions (``scripts/fit_answering.py``); the cut-off is
``Settings.abstain_threshold``, calibrated there for a wrongful abstention rate of at most 6% on
the other museum's labels. Three guards come first (:func:`guard`): when the question asks who and the best
evidence is a person the museum's catalogue marks as not known (an "Unidentified Artist": the catalogue
profile's ``unknown_names``), so the records say they don't know; when no content word of the question is
in the best evidence or its object's title and the question names nothing of that object; and when the
question is a practical visitor question (opening hours, tickets, parking: the words of
``rag/data/practical_terms.json``, in the question's language and English) with a practical word that the
best evidence's record does not mention. The records are about the collection, not the visit; the model alone
answered such questions with the nearest sentence (on the training labels, the practical guard holds 48
of the 240 unanswerable questions and none of the 720 answerable ones).

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
from rag.answer.features import named_question_features, question_features
from rag.answer.model import AnsweringModel
from rag.answer.practical import PracticalTerms
from rag.answer.question import QuestionInfo


@dataclass
class AbstainDecision:
    abstain: bool
    answerability: float
    reason: str
    features: dict[str, float] | None = None
    record_id: str | None = None  # the record of the best evidence
    by_guard: bool = False  # abstained by a guard (:func:`guard`) whatever the model's score

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
        named = named_question_features(x)
        record_id = ranking.ranked[0].record_id
        reason = guard(question, pool, record_id, named)
        if reason is not None:
            return AbstainDecision(True, score, reason, named, record_id, by_guard=True)
        if score < self.threshold:
            return AbstainDecision(True, score, "the evidence does not answer it", named, record_id)
        return AbstainDecision(False, score, "answerable", named, record_id)


def guard(question: QuestionInfo, pool: EvidencePool, record_id: str, named: dict[str, float]) -> str | None:
    """Why the records cannot answer the question whatever the model's score (None: the model decides).

    ``record_id``: the record of the best evidence; ``named``: the question's features by name.
    """
    if practical_unanswered(question, pool, record_id):
        return "a practical visitor question the collection records do not answer"
    if named["top_unknown"] >= 1.0 and question.answer_type == "person":
        # asked who, and the best the records have is "Artist: Unidentified Artist": the honest answer is that the
        # record does not know (the abstention says so), not a sentence naming nobody
        return "the record says who is not known"
    if named["uncovered"] >= 1.0 and named["anchor"] == 0.0:
        # nothing the question says is in the best evidence or its object: a guess (on the training labels:
        # 12-18% of unanswerable questions, 0-6% of answerable ones, nearly all of those in another language than
        # their record, retrieved wrongly by the English-only embedder)
        return "no word of the question is in the evidence"
    return None


def practical_unanswered(question: QuestionInfo, pool: EvidencePool, record_id: str) -> bool:
    """Whether the question has practical words (its language's and English) that the record does not all mention."""
    terms = PracticalTerms.load()
    asked = terms.visitor_terms(question.asked, question.lang)
    if not asked:
        return False
    record = " ".join([pool.titles.get(record_id, ""), *(c.text for c in pool.candidates if c.record_id == record_id)])
    return not asked <= terms.visitor_terms(record, question.lang)
