"""Every metric on small hand-made cases whose right values are known."""

from __future__ import annotations

import pytest

from eval.metrics import (
    abstention_metrics,
    citation_integrity,
    citation_precision,
    citation_problems,
    citation_recall,
    content_words,
    cosine,
    gold_recall_at_k,
    group_metrics,
    hit_at_k,
    misinformation_metrics,
    outcome,
    percentile,
    question_metrics,
    reciprocal_rank,
    sentence_support,
    strip_markers,
    summarize,
    token_scores,
)

RETRIEVED = ["npg:5", "npg:9", "npg:1", "npg:7", "npg:3", "npg:8"]


# --- retrieval ----------------------------------------------------------------------
def test_hit_at_k_uses_the_first_gold_object():
    assert hit_at_k(RETRIEVED, ["npg:1"], 1) == 0.0
    assert hit_at_k(RETRIEVED, ["npg:1"], 3) == 1.0
    assert hit_at_k(RETRIEVED, ["npg:1", "npg:5"], 1) == 1.0  # any gold object counts
    assert hit_at_k(RETRIEVED, ["npg:404"], 10) == 0.0
    assert hit_at_k(RETRIEVED, [], 5) is None  # no gold: not applicable


def test_reciprocal_rank():
    assert reciprocal_rank(RETRIEVED, ["npg:1"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(RETRIEVED, ["npg:7", "npg:9"]) == 0.5
    assert reciprocal_rank(RETRIEVED, ["npg:404"]) == 0.0
    assert reciprocal_rank([], ["npg:1"]) == 0.0
    assert reciprocal_rank(RETRIEVED, []) is None


def test_gold_recall_at_k():
    assert gold_recall_at_k(RETRIEVED, ["npg:1", "npg:404"], 10) == 0.5
    assert gold_recall_at_k(RETRIEVED, ["npg:1", "npg:8"], 5) == 0.5  # npg:8 is 6th
    assert gold_recall_at_k(RETRIEVED, [], 10) is None


# --- citations ----------------------------------------------------------------------
def test_citation_precision_and_recall_count_distinct_objects():
    cited = ["npg:1", "npg:1", "npg:5"]  # two quotes of npg:1, one of a non-gold object
    assert citation_precision(cited, ["npg:1", "npg:2"]) == 0.5
    assert citation_recall(cited, ["npg:1", "npg:2"]) == 0.5
    assert citation_precision(["npg:1"], ["npg:1"]) == 1.0
    assert citation_precision([], ["npg:1"]) is None
    assert citation_recall(["npg:1"], []) is None


def test_citation_integrity_needs_retrieved_records_and_resolvable_markers():
    citations = [(1, "npg:1"), (2, "npg:5")]
    assert citation_integrity(citations, [[1], [2]], RETRIEVED) == 1.0
    assert citation_integrity([(1, "npg:404")], [[1]], RETRIEVED) == 0.0
    assert citation_problems([(1, "npg:404")], [[1]], RETRIEVED) == ["citation [1] points at npg:404, which was not retrieved"]
    assert citation_integrity(citations, [[1], [3]], RETRIEVED) == 0.0
    assert citation_problems(citations, [[3]], RETRIEVED) == ["marker [3] names no citation"]
    assert citation_integrity([], [[]], RETRIEVED) is None


# --- faithfulness -------------------------------------------------------------------
def test_sentence_support():
    assert sentence_support([True, False, True, True]) == {"sentences": 4.0, "supported": 3.0, "share": 0.75, "fully": 0.0}
    assert sentence_support([True])["fully"] == 1.0
    assert sentence_support([]) is None


# --- correctness --------------------------------------------------------------------
def test_markers_and_stop_words_are_not_content():
    assert strip_markers("Benton was a senator [1]. He voted [1, 2].") == "Benton was a senator. He voted."
    assert content_words("The senator [2] was Thomas Hart Benton.") == ["senator", "thomas", "hart", "benton"]


def test_token_scores_known_values():
    # reference content words: missouri, senator, thomas, hart, benton (5)
    # answer content words: thomas, hart, benton, senator, from, missouri? -> "from" is a stop word
    scores = token_scores("Thomas Hart Benton [1].", "Missouri senator Thomas Hart Benton.")
    assert scores["recall"] == pytest.approx(3 / 5)
    assert scores["precision"] == 1.0
    assert scores["f1"] == pytest.approx(2 * 1.0 * 0.6 / 1.6)
    assert token_scores("Nothing relevant here.", "Missouri senator")["f1"] == 0.0
    assert token_scores("", "Missouri senator") == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert token_scores("anything", "the of and") is None  # no content in the reference


def test_token_scores_count_repeated_words_once_per_occurrence():
    scores = token_scores("portrait portrait portrait", "portrait painted")
    assert scores["precision"] == pytest.approx(1 / 3)
    assert scores["recall"] == 0.5


def test_cosine():
    assert cosine([1, 0], [1, 0]) == 1.0
    assert cosine([1, 0], [0, 2]) == 0.0
    assert cosine([1, 1], [1, 0]) == pytest.approx(2**-0.5)
    assert cosine([0, 0], [1, 0]) == 0.0


# --- latency ------------------------------------------------------------------------
def test_percentile_interpolates_like_numpy():
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile(list(range(1, 21)), 95) == pytest.approx(19.05)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


# --- per question and aggregates ----------------------------------------------------
def row(kind, status, gold=(), retrieved=(), citations=(), sentences=(), answer="", reference="", latency=1.0, sim=None):
    data = {
        "id": f"{kind}-{status}-{len(gold)}",
        "question": f"a {kind} question?",
        "kind": kind,
        "status": status,
        "gold_ids": list(gold),
        "retrieved_ids": list(retrieved),
        "citations": [{"n": n, "record_id": rid, "quote_exact": True} for n, rid in citations],
        "sentences": [{"text": "s", "citation_ids": list(ids), "supported": ok, "reported_supported": True} for ids, ok in sentences],
        "answer": answer,
        "reference": reference,
        "latency": latency,
        "embedding_similarity": sim,
    }
    data["metrics"] = question_metrics(data)
    data["outcome"] = outcome(data, data["metrics"])
    return data


def test_question_metrics_of_a_good_factual_answer():
    r = row(
        "factual",
        "answered",
        gold=["npg:1"],
        retrieved=["npg:1", "npg:2"],
        citations=[(1, "npg:1"), (2, "npg:2")],
        sentences=[([1], True), ([2], False)],
        answer="Thomas Hart Benton [1].",
        reference="Missouri senator Thomas Hart Benton.",
        sim=0.8,
    )
    m = r["metrics"]
    assert (m["hit_at_1"], m["mrr"], m["citation_precision"], m["citation_recall"]) == (1.0, 1.0, 0.5, 1.0)
    assert (m["citation_integrity"], m["quote_exact"], m["supported_sentences"], m["fully_supported_answers"]) == (1.0, 1.0, 0.5, 0.0)
    assert m["token_recall"] == pytest.approx(0.6)
    assert m["embedding_similarity"] == 0.8
    assert m["behaviour_ok"] == 1.0
    assert r["outcome"] == "unsupported_sentence"


def test_abstentions_have_no_citation_or_faithfulness_metrics():
    r = row("unanswerable", "abstained", gold=["npg:1"], retrieved=["npg:2", "npg:1"], reference="Not known.", sim=0.3)
    m = r["metrics"]
    assert m["mrr"] == 0.5  # retrieval still measured: the object the question is about
    assert m["citation_precision"] is None and m["supported_sentences"] is None
    assert m["token_f1"] is None and m["embedding_similarity"] is None  # correctness does not apply
    assert r["outcome"] == "ok"


@pytest.mark.parametrize(
    ("kind", "status", "expected"),
    [
        ("factual", "abstained", "wrongful_abstention"),
        ("multi_object", "corrected", "false_correction"),
        ("unanswerable", "answered", "answered_unanswerable"),
        ("false_premise", "answered", "repeated_false_premise"),
        ("false_premise", "abstained", "abstained_on_false_premise"),
        ("false_premise", "error", "error"),
    ],
)
def test_outcome_of_a_wrong_status(kind, status, expected):
    assert row(kind, status, gold=["npg:1"], retrieved=["npg:1"])["outcome"] == expected


def test_outcome_flags_bad_citations_and_missed_gold_records():
    bad = row("factual", "answered", gold=["npg:1"], retrieved=["npg:1"], citations=[(1, "npg:9")], sentences=[([1], True)])
    assert bad["outcome"] == "bad_citation"
    missed = row("factual", "answered", gold=["npg:1"], retrieved=["npg:1", "npg:2"], citations=[(1, "npg:2")], sentences=[([1], True)])
    assert missed["outcome"] == "gold_not_cited"


def test_abstention_metrics_known_values():
    rows = [
        row("unanswerable", "abstained"),
        row("unanswerable", "abstained"),
        row("unanswerable", "answered"),
        row("factual", "abstained", gold=["a"]),
        row("factual", "answered", gold=["a"]),
        row("factual", "answered", gold=["a"]),
        row("multi_object", "answered", gold=["a", "b"]),
        row("false_premise", "abstained", gold=["a"]),
    ]
    ab = abstention_metrics(rows)
    assert ab["precision"] == pytest.approx(2 / 4)  # 4 abstentions, 2 on unanswerable questions
    assert ab["recall"] == pytest.approx(2 / 3)
    assert ab["f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert ab["wrongful_abstention_rate"] == pytest.approx(1 / 4)  # 1 of 4 factual/multi_object
    assert abstention_metrics([row("factual", "answered", gold=["a"])])["precision"] is None


def test_misinformation_metrics_known_values():
    rows = [
        row("false_premise", "corrected", gold=["a"]),
        row("false_premise", "corrected", gold=["a"]),
        row("false_premise", "answered", gold=["a"]),
        row("false_premise", "abstained", gold=["a"]),
        row("factual", "corrected", gold=["a"]),
        row("factual", "answered", gold=["a"]),
    ]
    mis = misinformation_metrics(rows)
    assert (mis["n"], mis["corrected_rate"], mis["repeated_premise_rate"], mis["abstained_rate"]) == (4, 0.5, 0.25, 0.25)
    assert mis["false_correction_rate"] == 0.5
    assert misinformation_metrics([row("factual", "answered", gold=["a"])])["corrected_rate"] is None


def test_group_metrics_average_only_where_a_metric_applies():
    rows = [
        row("factual", "answered", gold=["a"], retrieved=["a"], citations=[(1, "a")], sentences=[([1], True), ([1], True), ([1], False)], latency=1.0),
        row("factual", "answered", gold=["a"], retrieved=["b", "c", "a"], citations=[(1, "b")], sentences=[([1], True)], latency=3.0),
        row("factual", "abstained", gold=["a"], retrieved=[], latency=2.0),
    ]
    g = group_metrics(rows)
    assert g["n"] == 3 and g["status"] == {"answered": 2, "abstained": 1}
    assert g["hit_at_1"] == pytest.approx(1 / 3)
    assert g["hit_at_5"] == pytest.approx(2 / 3)
    assert g["mrr"] == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert g["citation_precision"] == 0.5  # over the two answers, not the abstention
    assert g["supported_sentences"] == pytest.approx(3 / 4)  # micro: 3 of 4 sentences
    assert g["reported_supported_sentences"] == 1.0  # the pipeline claimed support for all 4
    assert g["fully_supported_answers"] == 0.5
    assert g["behaviour_ok"] == pytest.approx(2 / 3)
    assert (g["latency_p50"], g["latency_p95"]) == (2.0, pytest.approx(2.9))


def test_summarize_splits_by_kind_in_format_order():
    rows = [row("false_premise", "corrected", gold=["a"]), row("factual", "answered", gold=["a"], retrieved=["a"])]
    summary = summarize(rows)
    assert list(summary["by_kind"]) == ["factual", "false_premise"]
    assert summary["overall"]["n"] == 2
    assert summary["by_kind"]["factual"]["hit_at_1"] == 1.0
    assert summary["outcomes"] == {"gold_not_cited": 2}  # answers citing nothing


def test_every_metric_is_reported_per_language():
    rows = [row("factual", "answered", ["m:1"], ["m:1"]), row("unanswerable", "abstained"), row("factual", "abstained", ["m:1"], ["m:1"])]
    rows[1]["lang"] = rows[2]["lang"] = "fr"
    summary = summarize(rows)
    by_language = summary["by_language"]
    assert list(by_language) == ["en", "fr"]
    assert by_language["en"]["overall"]["n"] == 1 and by_language["fr"]["overall"]["n"] == 2
    assert by_language["fr"]["abstention"]["recall"] == 1.0
    assert by_language["fr"]["abstention"]["wrongful_abstention_rate"] == 1.0
    assert by_language["fr"]["by_kind"]["factual"]["n"] == 1
    assert by_language["en"]["overall"]["hit_at_1"] == 1.0


def test_the_registry_names_every_summary_metric_once():
    from eval.registry import GROUP, direction, format_value, group_metric_names, label

    names = group_metric_names()
    assert len(names) == len(set(names)) == len(GROUP)
    summary = summarize([row("factual", "answered", ["m:1"], ["m:1"])])
    assert set(names) <= set(summary["overall"])
    assert direction("by_language.fr.abstention.recall") is True
    assert direction("abstention.wrongful_abstention_rate") is False
    assert direction("misinformation.n") is None
    assert label("latency.p95") == "Latency p95" and format_value("latency.p95", 1.5) == "1.50 s"
