"""Abstention: does the retrieved evidence answer the question, or should the system say the records don't?

The decision rests on an *answerability* score in [0, 1] built from what a reader would check:

* does the best evidence mean the same thing as the question (dense similarity)?
* are the words the question asks about (not the names that pick the object, which every
  sentence of that object "covers") found in the evidence, in one sentence or in the record at all?
* does the evidence hold the kind of answer asked for (a year for "when", a number for "how many")?
* does the record itself say the fact is unknown ("unidentified artist", "it is not known ...")?

The weights combine these features (fitted on the development questions with cross-validation,
``bench/answer_quality.py --fit``); the cut-off is ``Settings.abstain_threshold``.

Example::

    policy = AbstentionPolicy(threshold=settings.abstain_threshold)
    decision = policy.decide(question_info, ranked, pool)
    if decision.abstain:
        ...
"""

from __future__ import annotations

import math
import re

import numpy as np
from dataclasses import dataclass, field
from typing import Sequence

from rag.answer.evidence import Candidate, EvidencePool, asked_label_groups, label_group, term_weights
from rag.answer.question import QuestionInfo
from rag.answer.terms import all_stems, stem
from rag.embedding import Embedder

#: Verbs that carry little of what a question asks ("What did he *say*", "Where did it *come* from"):
#: their absence from the evidence says little.
LIGHT_VERBS = frozenset(
    """make made take took taken come came go went get got say said use used run look stand put give gave becom
    turn keep happen mean meant call called end show shown seem work feel felt do doing let""".split()
)
_LIGHT_STEMS = frozenset(stem(w) for w in LIGHT_VERBS)
#: The record itself says a fact is not known.
_UNKNOWN = re.compile(
    r"\b(not known|unknown|unidentified|undated|uncertain|unclear|no record|not recorded|remains? a mystery|"
    r"no one knows|never (?:been )?(?:identified|determined|established|found))\b",
    re.IGNORECASE,
)


@dataclass
class AnswerabilityFeatures:
    dense: float  # best dense similarity among the best candidates
    focus: float  # best single-sentence coverage of the asked-about terms
    record_focus: float  # coverage of the asked-about terms by the whole best record
    soft_focus: float  # the same, a missing term counting by its closeness in meaning to the record's sentences
    typed_focus: float  # best focus coverage among sentences holding the expected kind of answer
    unknown: float  # 1.0 when the record says the asked fact is unknown, or lacks the catalogue fact asked for
    score: float  # the best candidate's evidence score

    def as_list(self) -> list[float]:
        return [getattr(self, name) for name in FEATURE_NAMES]


FEATURE_NAMES = ("dense", "focus", "record_focus", "soft_focus", "typed_focus", "unknown", "score")


@dataclass(frozen=True)
class AnswerabilityWeights:
    """A logistic model over :class:`AnswerabilityFeatures` (same order as ``FEATURE_NAMES``)."""

    coefficients: tuple[float, ...] = (1.4, 1.1, -0.5, 1.0, 1.8, -1.2, 0.6)
    intercept: float = -2.2
    #: Cosine similarity between a missing term and a sentence under which the term counts as absent,
    #: and the span over which its credit rises to full.
    soft_floor: float = 0.25
    soft_span: float = 0.25


@dataclass
class AbstainDecision:
    abstain: bool
    answerability: float
    reason: str
    features: AnswerabilityFeatures | None = None
    record_id: str | None = None  # the record the features were read from


class AbstentionPolicy:
    """Decides whether the evidence answers the question; ``threshold`` comes from Settings.

    ``embedder`` (optional) lets a question term missing from the record count by how close
    in meaning it is to the record's sentences ("basketball" and "the NBA's Charlotte Bobcats").
    """

    def __init__(
        self,
        threshold: float,
        weights: AnswerabilityWeights | None = None,
        embedder: Embedder | None = None,
        top_k: int = 5,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"abstain threshold must be in [0, 1], got {threshold}")
        self.threshold = threshold
        self.weights = weights or AnswerabilityWeights()
        self.embedder = embedder
        self.top_k = top_k

    def features(self, question: QuestionInfo, ranked: Sequence[Candidate], pool: EvidencePool) -> AnswerabilityFeatures:
        best = ranked[0]
        top = list(ranked[: self.top_k])
        record = [c for c in ranked if c.record_id == best.record_id]
        weights = _focus_weights(question, ranked, pool.context_stems.get(best.record_id, set()))
        total = sum(weights.values())

        def coverage(stems: set[str], credit: dict[str, float] | None = None) -> float:
            if total <= 0:
                return 1.0
            credit = credit or {}
            return sum(w * (1.0 if t in stems else credit.get(t, 0.0)) for t, w in weights.items()) / total

        sentence_cov = [1.0 if c.label_cue else coverage(all_stems(c.text)) for c in top]
        record_stems: set[str] = set()
        for c in record:
            record_stems |= all_stems(c.text)
        missing = [t for t in weights if t not in record_stems]
        typed = [cov for c, cov in zip(top, sentence_cov) if c.type_match >= 0.5]
        return AnswerabilityFeatures(
            dense=max(c.dense for c in top),
            focus=max(sentence_cov),
            record_focus=coverage(record_stems),
            soft_focus=coverage(record_stems, self._soft_credit(question, missing, record)),
            typed_focus=max(typed) if typed else 0.0,
            unknown=1.0 if says_unknown(question, top[:2]) or lacks_asked_fact(question, record) else 0.0,
            score=best.score,
        )

    def _soft_credit(self, question: QuestionInfo, missing: list[str], record: Sequence[Candidate]) -> dict[str, float]:
        vectors = [c.vector for c in record if c.vector is not None]
        if not missing or self.embedder is None or not vectors:
            return {}
        surface = {stem(w): w for w in question.terms}
        terms = [surface.get(t, t) for t in missing]
        sims = self.embedder.embed_documents(terms) @ np.stack(vectors).T
        w = self.weights
        return {
            t: float(np.clip((row.max() - w.soft_floor) / w.soft_span, 0.0, 1.0)) for t, row in zip(missing, sims)
        }

    def answerability(self, features: AnswerabilityFeatures) -> float:
        z = self.weights.intercept + sum(w * x for w, x in zip(self.weights.coefficients, features.as_list()))
        return 1.0 / (1.0 + math.exp(-z))

    def decide(self, question: QuestionInfo, ranked: Sequence[Candidate], pool: EvidencePool) -> AbstainDecision:
        if not ranked:
            return AbstainDecision(True, 0.0, "nothing retrieved")
        features = self.features(question, ranked, pool)
        score = self.answerability(features)
        if score < self.threshold:
            reason = "the record says this is not known" if features.unknown else "the evidence does not answer it"
            return AbstainDecision(True, score, reason, features, ranked[0].record_id)
        return AbstainDecision(False, score, "answerable", features, ranked[0].record_id)


def _focus_weights(question: QuestionInfo, ranked: Sequence[Candidate], context: set[str]) -> dict[str, float]:
    """IDF-like weights of the question terms the object's title and names do not explain; light verbs count less."""
    weights = term_weights(question.term_stems, (c.text for c in ranked))
    focus = {t: w for t, w in weights.items() if t not in context}
    if all(t in _LIGHT_STEMS for t in focus):
        return {}  # nothing asked beyond the object itself ("What does KRS-One stand for?")
    return {t: (w * 0.3 if t in _LIGHT_STEMS else w) for t, w in focus.items()}


def says_unknown(question: QuestionInfo, candidates: Sequence[Candidate]) -> bool:
    """The best evidence states that what is asked is not known (an unidentified maker, an unknown reason).

    "Undated" only counts for a question about a date, "unidentified" only for one about a person.
    """
    for c in candidates:
        text = c.value if c.is_tombstone else c.text
        if c.is_tombstone and not c.label_cue:
            continue
        for match in _UNKNOWN.finditer(text or ""):
            word = match.group(1).lower()
            if word == "undated" and "date" not in question.answer_types:
                continue
            if word == "unidentified" and "person" not in question.answer_types:
                continue
            return True
    return False


#: Tombstone fact groups whose absence from a record means the record cannot answer a question about them.
_CHECKABLE_GROUPS = ("maker", "date", "medium")


def lacks_asked_fact(question: QuestionInfo, record: Sequence[Candidate]) -> bool:
    """The question asks for a catalogue fact (maker, date, medium) that the record does not state."""
    tombstone = [c for c in record if c.is_tombstone]
    if not tombstone:
        return False  # only part of the record was retrieved: no conclusion
    asked = asked_label_groups(question) & set(_CHECKABLE_GROUPS)
    for group in asked:
        facts = [c for c in tombstone if label_group(c) == group]
        if not facts or all(c.value and _UNKNOWN.search(c.value) for c in facts):
            return True
    return False
