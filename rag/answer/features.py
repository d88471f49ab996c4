"""Features of evidence candidates and of questions, for the learned ranker, abstention and premise gate.

Every feature is generic (no word list of one museum, no rule of one question): the meaning match
of question and sentence (MiniLM cosine, from vectors computed at ingest), shared words weighted by
rarity, the kind of answer the question expects against what the sentence holds, the kind of
catalogue fact a question asks for (a naive Bayes model of question words, learned from the
labels: :class:`rag.answer.model.KindModel`), the object's retrieval rank and the sentence's place
in its record. The weights that combine them are fitted by ``scripts/fit_answering.py``.

Example::

    raw = candidate_features(info, pool, query_vector)    # (n, len(RAW_FEATURES))
    x = with_cue(raw, pool.candidates, kind_model.predict(info.tokens))
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from rag.answer.candidates import Candidate, EvidencePool
from rag.answer.question import ANSWER_TYPES, QuestionInfo
from rag.answer.terms import all_stems, counts, has_date, has_number, name_phrases

#: Candidate features that do not depend on a fitted model, in matrix order.
RAW_FEATURES = (
    "dense",
    "dense_gap",
    "dense_rank",
    "lexical",
    "context",
    "focus",
    "type_match",
    "is_fact",
    "text_description",
    "text_provenance",
    "text_inscriptions",
    "text_other",
    "object_prior",
    "object_top",
    "object_score_rel",
    "position",
    "first",
    "length",
    "fact_person",
    "fact_unknown",
    *(f"fact_x_{t}" for t in ANSWER_TYPES),
)
#: Added once the kind model is known: how much the question asks for this candidate's kind.
CUE_FEATURES = ("cue", "cue_log", "cue_top")
CANDIDATE_FEATURES = RAW_FEATURES + CUE_FEATURES

PERSON_FACTS = frozenset(
    {"maker", "maker_uncertain", "maker_culture", "former_maker", "source_maker", "depicted", "author", "publisher",
     "owner", "associated"}
)


#: Fact kinds a question asks for as another kind: "who painted it?" is answered by an attributed maker
#: ("Attributed to ...") or by the culture the record gives instead of a maker ("Egyptian") as by a maker, so the
#: kind model learns them as one.
_ASKED_AS = {"maker_uncertain": "maker", "maker_culture": "maker"}


def cue_kind(kind: str) -> str:
    """The kind the kind model predicts: "unknown_maker", "maker_uncertain" and "maker_culture" are asked for as
    "maker"."""
    kind = kind.removeprefix("unknown_")
    return _ASKED_AS.get(kind, kind)


def term_weights(term_stems: Sequence[str], docs: Sequence[set[str]]) -> dict[str, float]:
    """IDF-like weight of each question term over the candidate sentences: rare terms count more."""
    n = len(docs)
    return {t: math.log(1.0 + (n + 1) / (sum(1 for d in docs if t in d) + 1)) for t in term_stems}


def type_match(question: QuestionInfo, candidate: Candidate) -> float:
    """1.0 when the candidate holds the kind of answer the question expects, else 0.0 (0.5 when unsure)."""
    kind = question.answer_type
    text = candidate.text
    if kind == "date":
        return 1.0 if has_date(text) or candidate.kind in ("date", "period") else 0.0
    if kind == "number":
        return 1.0 if has_number(text) else 0.0
    if kind == "person":
        if candidate.fact is not None:
            return 1.0 if candidate.kind in PERSON_FACTS else 0.0
        asked = {t for p in question.names for t in p.tokens}
        return 1.0 if any(not set(p.tokens) <= asked for p in name_phrases(text)) else 0.0
    if kind == "place":
        if candidate.fact is not None:
            return 1.0 if candidate.kind in ("place", "culture") else 0.0
        asked = {t for p in question.names for t in p.tokens}
        return 1.0 if any(not set(p.tokens) <= asked for p in name_phrases(text)) else 0.0
    return 0.5


def candidate_features(question: QuestionInfo, pool: EvidencePool, query_vector: np.ndarray) -> np.ndarray:
    """The (n, len(RAW_FEATURES)) matrix of the pool's candidates, in one batched pass."""
    candidates = pool.candidates
    n = len(candidates)
    x = np.zeros((n, len(RAW_FEATURES)), dtype=np.float32)
    if n == 0:
        return x
    col = {name: i for i, name in enumerate(RAW_FEATURES)}
    dense = pool.matrix() @ np.asarray(query_vector, dtype=np.float32)
    order = np.argsort(-dense)
    rank = np.empty(n, dtype=np.float32)
    rank[order] = np.arange(n, dtype=np.float32)
    x[:, col["dense"]] = dense
    x[:, col["dense_gap"]] = dense - dense.max()
    x[:, col["dense_rank"]] = 1.0 / (1.0 + rank)

    docs = [all_stems(c.text) for c in candidates]
    weights = term_weights(question.term_stems, docs)
    total = sum(weights.values()) or 1.0
    context_of: dict[str, set[str]] = {}
    for record_id, title in pool.titles.items():
        names = [f.value for f in pool.facts.get(record_id, []) if f.kind in PERSON_FACTS]
        context_of[record_id] = all_stems(" ".join([title, *names]))
    best_score = max((o.score for o in pool.objects), default=1.0)
    for i, (c, sentence) in enumerate(zip(candidates, docs)):
        ctx = context_of.get(c.record_id, set())
        x[i, col["lexical"]] = sum(w for t, w in weights.items() if t in sentence) / total
        x[i, col["context"]] = sum(w for t, w in weights.items() if t in sentence or t in ctx) / total
        focus = {t: w for t, w in weights.items() if t not in ctx}
        focus_total = sum(focus.values())
        x[i, col["focus"]] = (
            sum(w for t, w in focus.items() if t in sentence) / focus_total if focus_total else x[i, col["lexical"]]
        )
        x[i, col["type_match"]] = type_match(question, c)
        is_fact = c.fact is not None
        x[i, col["is_fact"]] = float(is_fact)
        if not is_fact:
            name = f"text_{c.field}"
            x[i, col[name] if name in col else col["text_other"]] = 1.0
        x[i, col["object_prior"]] = 1.0 / (1.0 + c.object_rank)
        x[i, col["object_top"]] = float(c.object_rank == 0)
        x[i, col["object_score_rel"]] = c.object_score / best_score if best_score > 0 else 0.0
        x[i, col["position"]] = 1.0 / (1.0 + c.position)
        x[i, col["first"]] = float(c.position == 0 and not is_fact)
        x[i, col["length"]] = min(len(c.text) / 300.0, 1.0)
        x[i, col["fact_person"]] = float(cue_kind(c.kind) in PERSON_FACTS)
        x[i, col["fact_unknown"]] = float(c.kind.startswith("unknown_"))
        if is_fact:
            x[i, col[f"fact_x_{question.answer_type}"]] = 1.0
    return x


def with_cue(raw: np.ndarray, kinds: Sequence[str], kind_probs: dict[str, float]) -> np.ndarray:
    """``raw`` with the cue features: the kind model's probability that the question asks for each candidate's kind."""
    top = max(kind_probs.values(), default=0.0) or 1.0
    cue = np.array([kind_probs.get(cue_kind(k), 0.0) for k in kinds], dtype=np.float32)
    extra = np.stack([cue, np.log(cue + 1e-3), cue / top], axis=1) if len(kinds) else np.zeros((0, 3), np.float32)
    return np.hstack([raw, extra]).astype(np.float32)


#: Question-level features of the answerability model, in order.
QUESTION_FEATURES = (
    "top",
    "second",
    "top_record_max",
    "top_dense",
    "max_dense",
    "top_focus",
    "max_focus",
    "top_type_match",
    "top_is_fact",
    "top_cue",
    "anchor",
    "object_score",
    "object_gap",
    "top_unknown",
    "uncovered",
    "no_terms",
    "count_found",
    "count_missing",
    *(f"asks_{t}" for t in ANSWER_TYPES),
)


def question_features(
    question: QuestionInfo, candidates: Sequence[Candidate], x: np.ndarray, probs: np.ndarray, pool: EvidencePool
) -> np.ndarray:
    """Features of the whole question from its scored candidates (``x``: candidate features, ``probs``: ranker)."""
    f = {name: 0.0 for name in QUESTION_FEATURES}
    col = {name: i for i, name in enumerate(CANDIDATE_FEATURES)}
    f[f"asks_{question.answer_type}"] = 1.0
    f["no_terms"] = float(not question.term_stems)
    f["anchor"] = anchor(question, pool)
    objects = pool.objects
    if objects:
        f["object_score"] = objects[0].score
        f["object_gap"] = objects[0].score - (objects[1].score if len(objects) > 1 else 0.0)
    if len(candidates) == 0:
        return np.array([f[n] for n in QUESTION_FEATURES], dtype=np.float32)
    order = np.argsort(-probs)
    best = order[0]
    f["top"] = float(probs[best])
    f["second"] = float(probs[order[1]]) if len(order) > 1 else 0.0
    top_record = candidates[best].record_id
    f["top_record_max"] = float(max(p for c, p in zip(candidates, probs) if c.record_id == top_record))
    f["top_dense"] = float(x[best, col["dense"]])
    f["max_dense"] = float(x[:, col["dense"]].max())
    f["top_focus"] = float(x[best, col["focus"]])
    top5 = order[:5]
    f["max_focus"] = float(x[top5, col["focus"]].max())
    f["top_type_match"] = float(x[best, col["type_match"]])
    f["top_is_fact"] = float(x[best, col["is_fact"]])
    f["top_cue"] = float(x[best, col["cue"]]) if "cue" in col and x.shape[1] > col["cue"] else 0.0
    f["top_unknown"] = float(x[best, col["fact_unknown"]])
    covered: set[str] = set()
    for i in top5:
        covered |= all_stems(candidates[i].text)
    covered |= all_stems(pool.titles.get(top_record, ""))
    terms = set(question.term_stems)
    f["uncovered"] = len(terms - covered) / len(terms) if terms else 0.0
    if question.counted:  # "how many bells ...?": does a best candidate give a number of bells?
        # both stay 0 when the question does not name what it counts in English words: unknown, not found
        found = any(counts(candidates[i].text, question.counted) for i in top5)
        f["count_found" if found else "count_missing"] = 1.0
    return np.array([f[n] for n in QUESTION_FEATURES], dtype=np.float32)


def named_question_features(x: np.ndarray) -> dict[str, float]:
    """A question's features (:func:`question_features`) by name, rounded as the guards and explanations read them."""
    return {name: round(float(v), 4) for name, v in zip(QUESTION_FEATURES, x)}


def anchor(question: QuestionInfo, pool: EvidencePool) -> float:
    """Share of the question's name words found in the best object's title or people (0 when it names nothing)."""
    if not pool.objects:
        return 0.0
    tokens = {t for p in question.names for t in p.tokens if len(t) > 1}
    if not tokens:
        return 0.0
    record_id = pool.objects[0].record_id
    names = [f.value for f in pool.facts.get(record_id, []) if cue_kind(f.kind) in PERSON_FACTS]
    context = all_stems(" ".join([pool.titles.get(record_id, ""), *names]))
    return len(tokens & context) / len(tokens)
