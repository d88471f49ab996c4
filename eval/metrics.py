"""Pure metric functions: per question, then aggregated overall and per kind.

Nothing here loads a model or opens a store; the runner computes the inputs (support
verdicts, embedding similarities, quote checks) and this module only counts. Every metric
is ``None`` when it does not apply (no gold objects, no citations, no sentences), and
aggregates skip ``None`` values, so "not applicable" never reads as 0 or 1.

Definitions (also written into report.md, from :data:`eval.registry.DEFINITIONS`):

* retrieval, from ``Answer.retrieved_ids`` (object level, best first), for questions with gold
  objects: ``hit_at_k`` = 1 when any gold object is in the first k; ``mrr`` = 1 / rank of the
  first gold object (0 when none); ``gold_recall_at_10`` = share of the gold objects in the first 10.
* citations, for answers that are not abstentions to questions whose kind names gold objects
  (factual, multi_object, false_premise): ``citation_precision`` = share of the distinct cited
  objects that are gold; ``citation_recall`` = share of the gold objects cited.
  ``citation_integrity`` (every answer with citations): 1 when every citation points at a
  retrieved record and every [n] marker of a sentence resolves to a citation, else 0;
  ``quote_exact``: share of citations whose quote is exactly the record's text at its offsets.
* faithfulness, for answered and corrected answers: ``supported_sentences`` = share of all
  answer sentences judged supported by the quotes they cite, each with its object's title (a
  sentence citing nothing is unsupported); ``fully_supported_answers`` = share of answers whose
  every sentence is supported; ``reported_supported_sentences`` = share of sentences whose support,
  as the pipeline itself reported it, reaches the verifier threshold (sentences under it should
  never be served).
* correctness, for every kind but unanswerable, against the reference answer: ``token_f1`` and
  ``token_recall`` over content words (lower-cased words minus stop words, [n] markers removed);
  ``embedding_similarity`` = cosine of the answer's and the reference's embeddings.
* ``behaviour_ok``: the status is the one the kind calls for (factual and multi_object: answered,
  unanswerable: abstained, false_premise: corrected).
* abstention: positives are ``abstained`` answers, the truth is ``kind == unanswerable``;
  ``wrongful_abstention_rate`` = share of factual and multi_object questions abstained on.
* misinformation, over false_premise questions: ``corrected_rate`` = status corrected;
  ``repeated_premise_rate`` = status answered, i.e. the system answered as if the false premise
  held instead of correcting it or abstaining; ``abstained_rate``. ``false_correction_rate`` =
  share of the other kinds answered with status corrected (a valid question "corrected").
* latency: wall-clock seconds of ``MuseumRAG.ask`` per question; p50/p95 by linear interpolation.

Example::

    hit_at_k(["npg:2", "npg:1"], ["npg:1"], 1)   # 0.0
    reciprocal_rank(["npg:2", "npg:1"], ["npg:1"])  # 0.5
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any, Iterable, Mapping, Sequence

from eval.questions import EXPECTED_STATUS
from eval.registry import group_metric_names
from eval.rows import ResultRow, as_row
from rag.text import words

ANSWERABLE_KINDS = frozenset({"factual", "multi_object"})
GOLD_CITING_KINDS = frozenset({"factual", "multi_object", "false_premise"})

#: Frozen here on purpose: metric definitions must not move when the answerer or verifier is tuned.
STOPWORDS = frozenset(
    """a an the and or but of in on at to for from by with as is was were are be been being it its it's this that
    these those he she his her him they them their we our you your i me my not no so than then there here who whom
    whose which what when where why how do does did has have had will would can could should may might also into
    about only both one after before over under up out s""".split()
)

_MARKER = re.compile(r"\s*\[\d+(?:\s*[,;–-]\s*\d+)*\]")

# --- text -------------------------------------------------------------------------
def strip_markers(text: str) -> str:
    """Remove citation markers such as ``[1]`` or ``[1, 2]`` from answer text."""
    return _MARKER.sub("", text or "")


def content_words(text: str) -> list[str]:
    """Lower-cased words of ``text`` without stop words or citation markers."""
    return [w for w in words(strip_markers(text)) if w not in STOPWORDS]


def token_scores(answer: str, reference: str) -> dict[str, float] | None:
    """Content-word precision, recall and F1 of ``answer`` against ``reference`` (multiset overlap).

    ``None`` when the reference has no content words.
    """
    ref = Counter(content_words(reference))
    if not ref:
        return None
    got = Counter(content_words(answer))
    common = sum((ref & got).values())
    recall = common / sum(ref.values())
    precision = common / sum(got.values()) if got else 0.0
    f1 = 0.0 if common == 0 else 2 * precision * recall / (precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1}


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two vectors (0.0 when either is all zeros)."""
    dot = sum(x * y for x, y in zip(a, b))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return 0.0 if na == 0 or nb == 0 else dot / (na * nb)


# --- retrieval ----------------------------------------------------------------------
def first_gold_rank(retrieved: Sequence[str], gold: Iterable[str]) -> int | None:
    """1-based rank of the first gold object in ``retrieved``; None when none is retrieved."""
    gold_set = set(gold)
    for rank, record_id in enumerate(retrieved, start=1):
        if record_id in gold_set:
            return rank
    return None


def hit_at_k(retrieved: Sequence[str], gold: Sequence[str], k: int) -> float | None:
    """1.0 when a gold object is among the first ``k`` retrieved, else 0.0; None without gold."""
    if not gold:
        return None
    rank = first_gold_rank(retrieved, gold)
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(retrieved: Sequence[str], gold: Sequence[str]) -> float | None:
    """1 / rank of the first gold object (0.0 when none is retrieved); None without gold."""
    if not gold:
        return None
    rank = first_gold_rank(retrieved, gold)
    return 0.0 if rank is None else 1.0 / rank


def gold_recall_at_k(retrieved: Sequence[str], gold: Sequence[str], k: int) -> float | None:
    """Share of the gold objects among the first ``k`` retrieved; None without gold."""
    if not gold:
        return None
    top = set(retrieved[:k])
    return sum(1 for g in set(gold) if g in top) / len(set(gold))


# --- citations ----------------------------------------------------------------------
def citation_precision(cited: Sequence[str], gold: Sequence[str]) -> float | None:
    """Share of the distinct cited objects that are gold; None when nothing is cited."""
    distinct = set(cited)
    if not distinct:
        return None
    return len(distinct & set(gold)) / len(distinct)


def citation_recall(cited: Sequence[str], gold: Sequence[str]) -> float | None:
    """Share of the gold objects that are cited; None without gold."""
    gold_set = set(gold)
    if not gold_set:
        return None
    return len(gold_set & set(cited)) / len(gold_set)


def citation_problems(
    citations: Sequence[tuple[int, str]], sentence_markers: Sequence[Sequence[int]], retrieved: Sequence[str]
) -> list[str]:
    """What is wrong with an answer's citations: ``citations`` are ``(n, record_id)`` pairs.

    A citation must point at a retrieved record, and every [n] marker of a sentence must name a citation.
    """
    problems: list[str] = []
    retrieved_set = set(retrieved)
    numbers = {n for n, _ in citations}
    for n, record_id in citations:
        if record_id not in retrieved_set:
            problems.append(f"citation [{n}] points at {record_id}, which was not retrieved")
    for markers in sentence_markers:
        for n in markers:
            if n not in numbers:
                problems.append(f"marker [{n}] names no citation")
    return list(dict.fromkeys(problems))


def citation_integrity(
    citations: Sequence[tuple[int, str]], sentence_markers: Sequence[Sequence[int]], retrieved: Sequence[str]
) -> float | None:
    """1.0 when :func:`citation_problems` finds nothing, else 0.0; None for an answer without citations or markers."""
    if not citations and not any(sentence_markers):
        return None
    return 0.0 if citation_problems(citations, sentence_markers, retrieved) else 1.0


# --- faithfulness -------------------------------------------------------------------
def sentence_support(supported: Sequence[bool]) -> dict[str, float] | None:
    """Supported sentences of one answer: ``{"sentences", "supported", "share", "fully"}``; None without sentences."""
    if not supported:
        return None
    count = sum(1 for s in supported if s)
    return {
        "sentences": float(len(supported)),
        "supported": float(count),
        "share": count / len(supported),
        "fully": 1.0 if count == len(supported) else 0.0,
    }


# --- one question -------------------------------------------------------------------
def question_metrics(row: ResultRow | Mapping[str, Any]) -> dict[str, float | None]:
    """All per-question metrics of one row (see :class:`eval.rows.ResultRow`).

    The row's sentences carry ``supported`` and its ``embedding_similarity`` is computed by the
    runner; citations may carry ``quote_exact`` (bool or None).
    """
    row = as_row(row)
    kind, status = row.kind, row.status
    gold, retrieved = list(row.gold_ids), list(row.retrieved_ids)
    out: dict[str, float | None] = {
        "behaviour_ok": 1.0 if EXPECTED_STATUS.get(kind) == status else 0.0,
        "hit_at_1": hit_at_k(retrieved, gold, 1),
        "hit_at_5": hit_at_k(retrieved, gold, 5),
        "hit_at_10": hit_at_k(retrieved, gold, 10),
        "mrr": reciprocal_rank(retrieved, gold),
        "gold_recall_at_10": gold_recall_at_k(retrieved, gold, 10),
    }
    cited = [c.record_id for c in row.citations]
    gives_answer = status in ("answered", "corrected")
    citing_applies = gives_answer and kind in GOLD_CITING_KINDS and bool(gold)
    out["citation_precision"] = citation_precision(cited, gold) if citing_applies else None
    out["citation_recall"] = citation_recall(cited, gold) if citing_applies else None
    out["citation_integrity"] = citation_integrity(
        [(c.n, c.record_id) for c in row.citations], [s.citation_ids for s in row.sentences], retrieved
    )
    checks = [c.quote_exact for c in row.citations if c.quote_exact is not None]
    out["quote_exact"] = sum(1 for c in checks if c) / len(checks) if checks else None
    support = sentence_support([s.supported for s in row.sentences]) if gives_answer else None
    out["sentences"] = support["sentences"] if support else None
    out["sentences_supported"] = support["supported"] if support else None
    reported = [s.reported_supported for s in row.sentences] if gives_answer else []
    out["sentences_reported_ok"] = (
        float(sum(1 for r in reported if r)) if reported and all(r is not None for r in reported) else None
    )
    out["supported_sentences"] = support["share"] if support else None
    out["fully_supported_answers"] = support["fully"] if support else None
    scores = token_scores(row.answer, row.reference) if kind != "unanswerable" else None
    out["token_f1"] = scores["f1"] if scores else None
    out["token_recall"] = scores["recall"] if scores else None
    out["embedding_similarity"] = row.embedding_similarity if kind != "unanswerable" else None
    out["answer_language_ok"] = None if row.answer_lang is None else float(row.answer_lang == row.lang)
    out["latency"] = row.latency
    return out


#: Failure kinds of one question, worst first, with their weight in "the worst failures".
OUTCOME_SEVERITY: dict[str, int] = {
    "error": 7,
    "bad_citation": 6,
    "repeated_false_premise": 5,
    "answered_unanswerable": 5,
    "unsupported_sentence": 4,
    "false_correction": 3,
    "gold_not_cited": 3,
    "wrongful_abstention": 2,
    "abstained_on_false_premise": 2,
    "ok": 0,
}


def outcome(row: ResultRow | Mapping[str, Any], metrics: Mapping[str, float | None]) -> str:
    """One word for what happened to a question (a key of :data:`OUTCOME_SEVERITY`)."""
    row = as_row(row)
    kind, status = row.kind, row.status
    if status == "error":
        return "error"
    if metrics.get("citation_integrity") == 0.0:
        return "bad_citation"
    expected = EXPECTED_STATUS.get(kind)
    if status != expected:
        if kind in ANSWERABLE_KINDS:
            return "wrongful_abstention" if status == "abstained" else "false_correction"
        if kind == "unanswerable":
            return "answered_unanswerable"
        return "repeated_false_premise" if status == "answered" else "abstained_on_false_premise"
    if status == "abstained":
        return "ok"
    if metrics.get("fully_supported_answers") == 0.0:
        return "unsupported_sentence"
    if metrics.get("citation_recall") == 0.0:
        return "gold_not_cited"
    return "ok"


# --- aggregates ---------------------------------------------------------------------
def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the values that are not None; None when there are none."""
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) with linear interpolation between closest ranks (numpy's default)."""
    data = sorted(float(v) for v in values if v is not None)
    if not data:
        return None
    if len(data) == 1:
        return data[0]
    pos = (len(data) - 1) * q / 100.0
    low = math.floor(pos)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (pos - low)


#: Sentence-level shares: metric -> the per-question count of good sentences it sums.
_MICRO = {"supported_sentences": "sentences_supported", "reported_supported_sentences": "sentences_reported_ok"}


def group_metrics(rows: Sequence[ResultRow | Mapping[str, Any]]) -> dict[str, Any]:
    """Aggregates of rows that carry ``metrics`` (from :func:`question_metrics`) and ``status``."""
    rows = [as_row(r) for r in rows]
    metrics = [r.metrics for r in rows]
    out: dict[str, Any] = {"n": len(rows)}
    out["status"] = dict(Counter(r.status for r in rows).most_common())
    for name in group_metric_names():
        if name.startswith("latency_"):
            continue
        if name in _MICRO:  # a share of all sentences, not a mean of shares
            counted = [m for m in metrics if m.get("sentences") is not None and m.get(_MICRO[name]) is not None]
            total = sum(m["sentences"] for m in counted)
            out[name] = sum(m[_MICRO[name]] for m in counted) / total if total else None
            continue
        out[name] = mean(m.get(name) for m in metrics)
    latencies = [m["latency"] for m in metrics if m.get("latency") is not None]
    out["latency_p50"] = percentile(latencies, 50)
    out["latency_p95"] = percentile(latencies, 95)
    return out


def abstention_metrics(rows: Sequence[ResultRow | Mapping[str, Any]]) -> dict[str, Any]:
    """Precision/recall/F1 of ``abstained`` against ``kind == unanswerable``, and wrongful abstention."""
    rows = [as_row(r) for r in rows]
    tp = sum(1 for r in rows if r.status == "abstained" and r.kind == "unanswerable")
    predicted = sum(1 for r in rows if r.status == "abstained")
    actual = sum(1 for r in rows if r.kind == "unanswerable")
    precision = tp / predicted if predicted else None
    recall = tp / actual if actual else None
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall > 0
        else (0.0 if precision is not None and recall is not None else None)
    )
    answerable = [r for r in rows if r.kind in ANSWERABLE_KINDS]
    wrongful = sum(1 for r in answerable if r.status == "abstained")
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "wrongful_abstention_rate": wrongful / len(answerable) if answerable else None,
        "abstained": predicted,
        "unanswerable": actual,
        "true_abstentions": tp,
        "wrongful_abstentions": wrongful,
    }


def misinformation_metrics(rows: Sequence[ResultRow | Mapping[str, Any]]) -> dict[str, Any]:
    """How false premises are handled, and how often valid questions are wrongly "corrected"."""
    rows = [as_row(r) for r in rows]
    premise = [r for r in rows if r.kind == "false_premise"]
    others = [r for r in rows if r.kind != "false_premise"]

    def share(items: Sequence[ResultRow], status: str) -> float | None:
        return sum(1 for r in items if r.status == status) / len(items) if items else None

    return {
        "n": len(premise),
        "corrected_rate": share(premise, "corrected"),
        "repeated_premise_rate": share(premise, "answered"),
        "abstained_rate": share(premise, "abstained"),
        "false_correction_rate": share(others, "corrected"),
    }


def latency_summary(rows: Sequence[ResultRow]) -> dict[str, float | None]:
    latencies = [r.metrics.get("latency") for r in rows if r.metrics.get("latency") is not None]
    return {
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "mean": mean(latencies),
        "max": max(latencies) if latencies else None,
    }


def by_language(rows: Sequence[ResultRow]) -> dict[str, Any]:
    """Every summary section again for the questions of each language (the question's ``lang``), English first."""
    langs = sorted({r.lang for r in rows}, key=lambda lang: (lang != "en", lang))
    out: dict[str, Any] = {}
    for lang in langs:
        group = [r for r in rows if r.lang == lang]
        kinds = [k for k in EXPECTED_STATUS if any(r.kind == k for r in group)]
        out[lang] = {
            "overall": group_metrics(group),
            "by_kind": {kind: group_metrics([r for r in group if r.kind == kind]) for kind in kinds},
            "abstention": abstention_metrics(group),
            "misinformation": misinformation_metrics(group),
        }
    return out


def summarize(rows: Sequence[ResultRow | Mapping[str, Any]]) -> dict[str, Any]:
    """``overall``, ``by_kind``, ``by_language``, ``abstention``, ``misinformation`` and ``latency`` of evaluated rows."""
    rows = [as_row(r) for r in rows]
    kinds = [k for k in EXPECTED_STATUS if any(r.kind == k for r in rows)]
    return {
        "overall": group_metrics(rows),
        "by_kind": {kind: group_metrics([r for r in rows if r.kind == kind]) for kind in kinds},
        "by_language": by_language(rows),
        "abstention": abstention_metrics(rows),
        "misinformation": misinformation_metrics(rows),
        "latency": latency_summary(rows),
        "outcomes": dict(Counter(r.outcome for r in rows).most_common()),
    }
