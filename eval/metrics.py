"""Pure metric functions: per question, then aggregated overall and per kind.

Nothing here loads a model or opens a store; the runner computes the inputs (support
verdicts, embedding similarities, quote checks) and this module only counts. Every metric
is ``None`` when it does not apply (no gold objects, no citations, no sentences), and
aggregates skip ``None`` values, so "not applicable" never reads as 0 or 1.

Definitions (also written into report.md):

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

#: Summary metrics: name -> (description, higher is better). Order is the report's order.
METRICS: dict[str, tuple[str, bool]] = {
    "behaviour_ok": ("status is the one the kind calls for", True),
    "hit_at_1": ("a gold object retrieved first", True),
    "hit_at_5": ("a gold object in the first 5 retrieved", True),
    "hit_at_10": ("a gold object in the first 10 retrieved", True),
    "mrr": ("mean reciprocal rank of the first gold object", True),
    "gold_recall_at_10": ("share of gold objects in the first 10 retrieved", True),
    "citation_precision": ("cited objects that are gold", True),
    "citation_recall": ("gold objects that are cited", True),
    "citation_integrity": ("answers whose citations all point at retrieved records", True),
    "quote_exact": ("citations whose quote is the record's exact text", True),
    "supported_sentences": ("answer sentences supported by what they cite", True),
    "fully_supported_answers": ("answers with every sentence supported", True),
    "reported_supported_sentences": ("sentences whose self-reported support reaches the threshold", True),
    "token_f1": ("content-word F1 against the reference answer", True),
    "token_recall": ("reference content words found in the answer", True),
    "embedding_similarity": ("cosine similarity to the reference answer", True),
    "answer_language_ok": ("answers whose own sentences are in the question's language", True),
    "latency_p50": ("median seconds per question", False),
    "latency_p95": ("95th percentile seconds per question", False),
}


#: Plain-language definitions, written into report.md and report.html.
DEFINITIONS: list[tuple[str, str]] = [
    ("Expected behaviour", "the status is the one the question's kind calls for: factual and multi_object questions "
     "answered, unanswerable ones abstained on, false_premise ones corrected."),
    ("Retrieval (hit@k, MRR)", "object level, from the records the pipeline retrieved (best first), for questions "
     "with gold objects: hit@k is 1 when any gold object is among the first k; MRR is 1 / the rank of the first gold "
     "object (0 when none was retrieved). Gold recall@10 is the share of the gold objects in the first 10. Only as "
     "many records as the pipeline retrieves can be seen, so hit@10 equals hit@n when it retrieves n < 10."),
    ("Citation precision and recall", "for answers (not abstentions) to factual, multi_object and false_premise "
     "questions: precision is the share of distinct cited records that are gold, recall the share of gold records "
     "cited."),
    ("Citation integrity", "an answer passes when every citation points at a record that was retrieved for this "
     "question and every [n] marker names a citation. Quote exact: the share of citations whose quoted text is "
     "exactly the record's text at the cited offsets."),
    ("Faithfulness", "for answered and corrected answers: each sentence is checked against the quotes of the "
     "citations it carries, each prefixed with its object's title as a visitor sees it (see the judge above); a "
     "sentence citing nothing is unsupported. Supported sentences is the share of all answer sentences supported; "
     "fully supported answers the share of answers with every sentence supported. Reported supported sentences: the "
     "share of sentences whose support score, as the pipeline reported it, reaches the verifier threshold (a sentence "
     "under it should never have been served)."),
    ("Correctness", "against the reference answer, for every kind but unanswerable: token F1 and token recall over "
     "content words (lower-cased words without stop words and [n] markers); embedding similarity is the cosine "
     "between the embeddings of the answer and the reference, with the pipeline's embedder."),
    ("Abstention", "an abstained answer is a positive and an unanswerable question the truth: precision is the "
     "share of abstentions that were on unanswerable questions, recall the share of unanswerable questions "
     "abstained on. Wrongful abstention rate: the share of factual and multi_object questions abstained on."),
    ("Misinformation", "over false_premise questions: corrected rate is the share answered with status corrected. "
     "Repeated premise rate is the share answered with status answered, i.e. the system answered as if the false "
     "premise held instead of correcting it or abstaining. False correction rate: the share of the other questions "
     "answered with status corrected (a valid question wrongly corrected)."),
    ("Latency", "wall-clock seconds of one MuseumRAG.ask call per question, as the API would spend; p50 and p95 by "
     "linear interpolation."),
    ("Averages", "every rate is a mean over the questions it applies to (the supported-sentence share is over all "
     "sentences); a dash means no question in that group had the metric."),
]


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
def question_metrics(row: Mapping[str, Any]) -> dict[str, float | None]:
    """All per-question metrics of one results.jsonl row (see :mod:`eval.runner` for its fields).

    The row's sentences carry ``supported`` (bool) and may carry ``embedding_similarity``
    (computed by the runner); citations may carry ``quote_exact`` (bool or None).
    """
    kind = row["kind"]
    status = row["status"]
    gold = list(row.get("gold_ids") or [])
    retrieved = list(row.get("retrieved_ids") or [])
    citations = row.get("citations") or []
    sentences = row.get("sentences") or []
    out: dict[str, float | None] = {
        "behaviour_ok": 1.0 if EXPECTED_STATUS.get(kind) == status else 0.0,
        "hit_at_1": hit_at_k(retrieved, gold, 1),
        "hit_at_5": hit_at_k(retrieved, gold, 5),
        "hit_at_10": hit_at_k(retrieved, gold, 10),
        "mrr": reciprocal_rank(retrieved, gold),
        "gold_recall_at_10": gold_recall_at_k(retrieved, gold, 10),
    }
    cited = [c["record_id"] for c in citations]
    gives_answer = status in ("answered", "corrected")
    citing_applies = gives_answer and kind in GOLD_CITING_KINDS and bool(gold)
    out["citation_precision"] = citation_precision(cited, gold) if citing_applies else None
    out["citation_recall"] = citation_recall(cited, gold) if citing_applies else None
    out["citation_integrity"] = citation_integrity(
        [(c["n"], c["record_id"]) for c in citations], [s.get("citation_ids") or [] for s in sentences], retrieved
    )
    checks = [c.get("quote_exact") for c in citations if c.get("quote_exact") is not None]
    out["quote_exact"] = sum(1 for c in checks if c) / len(checks) if checks else None
    support = sentence_support([bool(s.get("supported")) for s in sentences]) if gives_answer else None
    out["sentences"] = support["sentences"] if support else None
    out["sentences_supported"] = support["supported"] if support else None
    reported = [s.get("reported_supported") for s in sentences] if gives_answer else []
    out["sentences_reported_ok"] = (
        float(sum(1 for r in reported if r)) if reported and all(r is not None for r in reported) else None
    )
    out["supported_sentences"] = support["share"] if support else None
    out["fully_supported_answers"] = support["fully"] if support else None
    scores = token_scores(row.get("answer") or "", row.get("reference") or "") if kind != "unanswerable" else None
    out["token_f1"] = scores["f1"] if scores else None
    out["token_recall"] = scores["recall"] if scores else None
    out["embedding_similarity"] = row.get("embedding_similarity") if kind != "unanswerable" else None
    answer_lang = row.get("answer_lang")
    out["answer_language_ok"] = None if answer_lang is None else float(answer_lang == (row.get("lang") or "en"))
    out["latency"] = row.get("latency")
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


def outcome(row: Mapping[str, Any], metrics: Mapping[str, float | None]) -> str:
    """One word for what happened to a question (a key of :data:`OUTCOME_SEVERITY`)."""
    kind, status = row["kind"], row["status"]
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


def group_metrics(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Aggregates of rows that carry ``metrics`` (from :func:`question_metrics`) and ``status``."""
    metrics = [r["metrics"] for r in rows]
    out: dict[str, Any] = {"n": len(rows)}
    out["status"] = dict(Counter(r["status"] for r in rows).most_common())
    for name in METRICS:
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


def abstention_metrics(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Precision/recall/F1 of ``abstained`` against ``kind == unanswerable``, and wrongful abstention."""
    tp = sum(1 for r in rows if r["status"] == "abstained" and r["kind"] == "unanswerable")
    predicted = sum(1 for r in rows if r["status"] == "abstained")
    actual = sum(1 for r in rows if r["kind"] == "unanswerable")
    precision = tp / predicted if predicted else None
    recall = tp / actual if actual else None
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall > 0
        else (0.0 if precision is not None and recall is not None else None)
    )
    answerable = [r for r in rows if r["kind"] in ANSWERABLE_KINDS]
    wrongful = sum(1 for r in answerable if r["status"] == "abstained")
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


def misinformation_metrics(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """How false premises are handled, and how often valid questions are wrongly "corrected"."""
    premise = [r for r in rows if r["kind"] == "false_premise"]
    others = [r for r in rows if r["kind"] != "false_premise"]
    n = len(premise)

    def share(items: Sequence[Mapping[str, Any]], status: str) -> float | None:
        return sum(1 for r in items if r["status"] == status) / len(items) if items else None

    return {
        "n": n,
        "corrected_rate": share(premise, "corrected"),
        "repeated_premise_rate": share(premise, "answered"),
        "abstained_rate": share(premise, "abstained"),
        "false_correction_rate": share(others, "corrected"),
    }


def summarize(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """``overall``, ``by_kind``, ``abstention``, ``misinformation`` and ``latency`` of evaluated rows."""
    kinds = [k for k in EXPECTED_STATUS if any(r["kind"] == k for r in rows)]
    latencies = [r["metrics"].get("latency") for r in rows if r["metrics"].get("latency") is not None]
    return {
        "overall": group_metrics(rows),
        "by_kind": {kind: group_metrics([r for r in rows if r["kind"] == kind]) for kind in kinds},
        "abstention": abstention_metrics(rows),
        "misinformation": misinformation_metrics(rows),
        "latency": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "mean": mean(latencies),
            "max": max(latencies) if latencies else None,
        },
        "outcomes": dict(Counter(r.get("outcome", "ok") for r in rows).most_common()),
        "by_language": by_language(rows),
    }


def by_language(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Every summary metric again for the questions of each language (``lang`` of the question, default en)."""
    langs = sorted({r.get("lang") or "en" for r in rows}, key=lambda lang: (lang != "en", lang))
    out: dict[str, Any] = {}
    for lang in langs:
        group = [r for r in rows if (r.get("lang") or "en") == lang]
        kinds = [k for k in EXPECTED_STATUS if any(r["kind"] == k for r in group)]
        out[lang] = {
            "overall": group_metrics(group),
            "by_kind": {kind: group_metrics([r for r in group if r["kind"] == kind]) for kind in kinds},
            "abstention": abstention_metrics(group),
            "misinformation": misinformation_metrics(group),
        }
    return out
