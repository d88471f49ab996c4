"""Abstention: does the retrieved evidence answer the question, or should the system say the records don't?

The decision rests on an *answerability* score in [0, 1] built from what a reader would check:

* does the best evidence mean the same thing as the question (dense similarity)?
* are the words the question asks about (not the names that pick the object, which every
  sentence of that object "covers") found in one evidence sentence, and in one that holds the
  kind of answer asked for (a year for "when", a number for "how many", a new name for "who",
  a located name for "where")? For a date, number, person or place that sentence must come from
  the object the question names; a two-part question ("Where and when ...?") is only as well
  answered as its worse part; "first husband" is covered only where "first" qualifies "husband".
* how good is the best evidence overall (its evidence score)?

A logistic model combines them (:class:`AnswerabilityWeights`, fitted on the factual and
unanswerable dev questions by ``bench/answer_quality.py --fit``); the cut-off is
``Settings.abstain_threshold``. One rule overrides the score: when the record itself says the
asked fact is unknown ("Artist: Unidentified Artist", "it is not known what ..."), or lacks the
catalogue fact asked for (no date for "when was it painted?"), the system abstains.

Example::

    policy = AbstentionPolicy(threshold=settings.abstain_threshold)
    decision = policy.decide(question_info, ranked, pool)
    if decision.abstain:
        ...
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

from rag.answer.evidence import (
    Candidate,
    EvidencePool,
    asked_label_groups,
    label_cue_stems,
    label_group,
    term_weights,
    type_match,
)
from rag.answer.question import QuestionInfo
from rag.answer.objects import OBJECT_STEMS
from rag.answer.terms import NAME_TITLES, STOPWORDS, all_stems, stem, stems
from rag.text import words

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
    typed_focus: float  # best focus coverage among sentences holding the expected kind of answer
    score: float  # the best candidate's evidence score
    anchor: float  # share of the question's terms naming the best object (its title, its people): 0 off topic
    unknown: float  # 1.0 when the record says the asked fact is unknown, or lacks the catalogue fact asked for

    def as_list(self) -> list[float]:
        return [getattr(self, name) for name in FEATURE_NAMES]


#: The features the logistic model weighs (``unknown`` is a rule of its own: the record says it doesn't know).
FEATURE_NAMES = ("dense", "typed_focus", "score", "anchor")


@dataclass(frozen=True)
class AnswerabilityWeights:
    """A logistic model over :class:`AnswerabilityFeatures` (same order as ``FEATURE_NAMES``).

    Fitted on the factual and unanswerable dev questions (class-balanced logistic regression,
    C=1; 5x5-fold cross-validation: bench/answer_quality.py documents the figures).
    """

    coefficients: tuple[float, ...] = (0.84, 1.72, 0.79, 1.11)
    intercept: float = -2.89


@dataclass
class AbstainDecision:
    abstain: bool
    answerability: float
    reason: str
    features: AnswerabilityFeatures | None = None
    record_id: str | None = None  # the record the features were read from


class AbstentionPolicy:
    """Decides whether the evidence answers the question; ``threshold`` comes from Settings."""

    def __init__(self, threshold: float, weights: AnswerabilityWeights | None = None, top_k: int = 5) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"abstain threshold must be in [0, 1], got {threshold}")
        self.threshold = threshold
        self.weights = weights or AnswerabilityWeights()
        self.top_k = top_k

    def features(self, question: QuestionInfo, ranked: Sequence[Candidate], pool: EvidencePool) -> AnswerabilityFeatures:
        best = ranked[0]
        top = list(ranked[: self.top_k])
        record = [c for c in ranked if c.record_id == best.record_id]
        weights = _focus_weights(question, ranked, pool.context_stems.get(best.record_id, set()))
        total = sum(weights.values())

        def coverage(stems: set[str]) -> float:
            return sum(w for t, w in weights.items() if t in stems) / total if total > 0 else 1.0

        pairs = ordinal_pairs(question.text)

        def covered(c: Candidate) -> set[str]:
            return _with_ordinals(all_stems(c.text), c.text, pairs) | label_cue_stems(c)

        sentence_cov = [coverage(covered(c)) for c in top]
        # A date, number, person or place must come from the object the question names, when one was retrieved.
        named = _anchored_records(question, ranked, pool)
        anchored = named if question.answer_type in _TYPED_KINDS else set()
        typed_pool = [c for c in ranked if c.record_id in anchored][: self.top_k] if anchored else top
        typed = [coverage(covered(c)) for c in typed_pool if c.type_match >= 0.5]
        for kind in question.answer_types - {question.answer_type}:  # "Where and when ...?": as good as its worst part
            part = [coverage(covered(c)) for c in typed_pool if type_match(question, c.text, kind) >= 0.5]
            typed = [min(max(typed, default=0.0), max(part, default=0.0))]
        return AnswerabilityFeatures(
            dense=max(c.dense for c in top),
            focus=max(sentence_cov),
            typed_focus=max(typed) if typed else 0.0,
            score=best.score,
            anchor=1.0 if named else 0.0,
            unknown=1.0 if says_unknown(question, top[:2]) or lacks_asked_fact(question, record) else 0.0,
        )

    def answerability(self, features: AnswerabilityFeatures) -> float:
        z = self.weights.intercept + sum(w * x for w, x in zip(self.weights.coefficients, features.as_list()))
        return 1.0 / (1.0 + math.exp(-z))

    def decide(self, question: QuestionInfo, ranked: Sequence[Candidate], pool: EvidencePool) -> AbstainDecision:
        if not ranked:
            return AbstainDecision(True, 0.0, "nothing retrieved")
        features = self.features(question, ranked, pool)
        score = self.answerability(features)
        if features.unknown:
            return AbstainDecision(True, 0.0, "the record says this is not known", features, ranked[0].record_id)
        if score < self.threshold:
            reason = "the record says this is not known" if features.unknown else "the evidence does not answer it"
            return AbstainDecision(True, score, reason, features, ranked[0].record_id)
        return AbstainDecision(False, score, "answerable", features, ranked[0].record_id)


#: Kinds of answer that are a fact of one object (its date, a number, a person, a place).
_TYPED_KINDS = frozenset({"date", "number", "person", "place"})


def _anchored_records(question: QuestionInfo, ranked: Sequence[Candidate], pool: EvidencePool) -> set[str]:
    """The best three objects whose title or people hold the most names of the question.

    None for a question that names nothing in the collection ("Do I need a ticket?"): the
    ``anchor`` feature is 1.0 when some object is named, else 0.0.

    A name matches on its surname, its other words as written or shortened ("Don Larsen" /
    "Donald James Larsen"), titles aside ("Colonel Elmer Ellsworth" / "Elmer Ephraim Ellsworth").
    A question typed all in lower case ("what's malcolm x selling") has no capitalised names: its
    words that are words of the objects' people's names count instead.
    """
    records = list(dict.fromkeys(c.record_id for c in ranked[:10]))[:3]
    phrases = [core for p in question.names if (core := [t for t in p.tokens if len(t) > 1 and t not in NAME_TITLES])]
    matched = {r: sum(_names_match(core, pool.context_stems.get(r, set())) for core in phrases) for r in records}
    best = max(matched.values(), default=0)
    # the object of "O'Brien's photograph of DeLillo" holds both names, not only the photographer's
    anchored = {r for r, n in matched.items() if n and n == best}
    if anchored or question.names or question.text != question.text.lower():
        return anchored
    asked = {t for t in question.term_stems if len(t) > 1} - OBJECT_STEMS
    people = {c.record_id: stems(" ".join(c.chunk.creators)) for c in ranked if c.record_id in records}
    return {r for r in records if asked & people.get(r, set())}


def _names_match(core: list[str], context: set[str]) -> bool:
    """The surname is the record's; every other word is too, or shortens one of its words ("don" / "donald")."""
    if core[-1] not in context:
        return False
    return all(t in context or any(c.startswith(t) for c in context if len(c) > len(t)) for t in core[:-1])


def _focus_weights(question: QuestionInfo, ranked: Sequence[Candidate], context: set[str]) -> dict[str, float]:
    """IDF-like weights of the question terms the object's title and names do not explain; light verbs count less."""
    weights = term_weights(question.term_stems, (c.text for c in ranked))
    focus = {t: w for t, w in weights.items() if t not in context}
    if all(t in _LIGHT_STEMS for t in focus):
        return {}  # nothing asked beyond the object itself ("What does KRS-One stand for?")
    return {t: (w * 0.3 if t in _LIGHT_STEMS else w) for t, w in focus.items()}


#: Words that pick one of several ("her *first* husband", "his *last* painting").
_ORDINALS = frozenset("first second third fourth last earliest latest eldest oldest youngest".split())


def ordinal_pairs(question: str) -> list[tuple[str, str]]:
    """The (ordinal, noun) stems a question qualifies: "her first husband" -> [("first", "husband")]."""
    tokens = words(question)
    return [
        (stem(w), stem(tokens[i + 1]))
        for i, w in enumerate(tokens[:-1])
        if w in _ORDINALS and tokens[i + 1] not in STOPWORDS
    ]


def _with_ordinals(sentence_stems: set[str], sentence: str, pairs: list[tuple[str, str]]) -> set[str]:
    """A sentence covers "first husband" only when "first" qualifies "husband" in it, not "first made its home"."""
    if not pairs:
        return sentence_stems
    tokens = [stem(w) for w in words(sentence)]
    out = set(sentence_stems)
    for ordinal, noun in pairs:
        if not any(t == ordinal and noun in tokens[i + 1 : i + 4] for i, t in enumerate(tokens)):
            out.discard(ordinal)
    return out


def says_unknown(question: QuestionInfo, candidates: Sequence[Candidate]) -> bool:
    """The best evidence states that what is asked is not known (an unidentified maker, an unknown reason).

    "Undated" only counts for a question about a date, "unidentified" only for one about a person.
    """
    for c in candidates:
        text = _strip_parenthetical(c.value or "") if c.is_tombstone else c.text
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
        if not facts or all(c.value and _UNKNOWN.search(_strip_parenthetical(c.value)) for c in facts):
            return True
    return False


def _strip_parenthetical(value: str) -> str:
    """"Francisco Passalacqua (lifedates unknown)" -> "Francisco Passalacqua": only the fact itself counts."""
    return re.sub(r"\([^)]*\)", "", value)
