"""The verifier evaluation: metrics on hand-made pairs whose right values are worked out by hand, reports, loading."""

from __future__ import annotations

import json

import pytest

from eval.verifier_eval import (
    baseline_verifiers,
    evaluate_verifier,
    load_labeled_pairs,
    metrics,
    roc_auc,
    verifiers_for,
    write_verifier_report,
)
from rag.verify import TokenOverlapVerifier
from tests.conftest import make_settings

# Token overlap scores these exactly: the share of the claim's content words found in the source.
SOURCE = "The red vase."
ROWS = [
    {"id": "r1", "source": SOURCE, "claim": "red vase", "label": "supported", "origin": "a", "kind": "tombstone"},  # 1.0
    {"id": "r2", "source": SOURCE, "claim": "blue vase", "label": "unsupported", "origin": "a", "kind": "tombstone"},  # 0.5
    {"id": "r3", "source": SOURCE, "claim": "green bowl", "label": "unsupported", "origin": "a"},  # 0.0
    {"id": "r4", "source": SOURCE, "claim": "red", "label": "supported", "origin": "b"},  # 1.0
    {"id": "r5", "sources": [SOURCE, "A plate."], "claim": "golden dish", "label": "supported", "origin": "b"},  # 0.0
]


@pytest.fixture()
def summary():
    return evaluate_verifier(ROWS, {"token_overlap": TokenOverlapVerifier(threshold=0.5)})


def test_overall_metrics_match_the_hand_computed_values(summary):
    # predicted supported: r1, r2, r4 (score >= 0.5); unsupported: r3, r5.
    # unsupported class: caught r3 (TP), let through r2 (FN), wrongly flagged r5 (FP); r1, r4 right (TN).
    overall = summary["verifiers"]["token_overlap"]["overall"]
    assert overall["n"] == 5 and overall["supported"] == 3 and overall["unsupported"] == 2
    assert overall["recall_unsupported"] == 0.5  # 1 / 2
    assert overall["recall_supported"] == pytest.approx(2 / 3, abs=1e-4)
    assert overall["balanced_accuracy"] == pytest.approx((0.5 + 2 / 3) / 2, abs=1e-4)
    assert overall["precision_unsupported"] == 0.5  # 1 / (1 + 1)
    assert overall["f1_unsupported"] == 0.5
    assert overall["accuracy"] == 0.6
    # supported scores 1, 1, 0 against unsupported 0.5, 0: 4 wins, 1 tie (0 vs 0), 1 loss out of 6 pairs.
    assert overall["roc_auc"] == 0.75
    assert summary["balanced_accuracy"] == overall["balanced_accuracy"]
    assert summary["configured"] == "token_overlap" and summary["rows"] == 5


def test_calibration_table_bins_the_scores(summary):
    table = {row["bin"]: row for row in summary["verifiers"]["token_overlap"]["overall"]["calibration"]}
    assert len(table) == 10
    assert table["0.0-0.1"] == {"bin": "0.0-0.1", "count": 2, "mean_score": 0.0, "share_supported": 0.5}  # r3, r5
    assert table["0.5-0.6"] == {"bin": "0.5-0.6", "count": 1, "mean_score": 0.5, "share_supported": 0.0}  # r2
    assert table["0.9-1.0"] == {"bin": "0.9-1.0", "count": 2, "mean_score": 1.0, "share_supported": 1.0}  # r1, r4
    assert table["0.3-0.4"]["count"] == 0 and table["0.3-0.4"]["mean_score"] is None


def test_metrics_per_origin_and_kind(summary):
    result = summary["verifiers"]["token_overlap"]
    a, b = result["by_origin"]["a"], result["by_origin"]["b"]
    # origin a: r1 right (supported), r2 missed, r3 caught -> recalls 1 and 1/2.
    assert a["balanced_accuracy"] == 0.75 and a["roc_auc"] == 1.0
    # origin b holds supported rows only: balanced accuracy is their recall, AUC is undefined.
    assert b["balanced_accuracy"] == 0.5 and b["roc_auc"] is None and b["precision_unsupported"] == 0.0
    assert set(result["by_kind"]) == {"tombstone"} and result["by_kind"]["tombstone"]["n"] == 2


def test_roc_auc_and_metrics_edge_cases():
    assert roc_auc([True, False], [0.9, 0.1]) == 1.0
    assert roc_auc([True, False], [0.1, 0.9]) == 0.0
    assert roc_auc([True, True], [0.1, 0.9]) is None
    empty = metrics([], [], [])
    assert empty["n"] == 0 and empty["balanced_accuracy"] is None and empty["roc_auc"] is None
    nothing_flagged = metrics([True, False], [0.9, 0.8], [True, True])
    assert nothing_flagged["precision_unsupported"] is None and nothing_flagged["recall_unsupported"] == 0.0


def test_report_files(summary, tmp_path):
    path = write_verifier_report(summary, tmp_path / "out")
    written = json.loads(path.read_text(encoding="utf-8"))
    assert path.name == "summary.json" and written["balanced_accuracy"] == summary["balanced_accuracy"]
    assert "predictions" not in written
    predictions = [json.loads(line) for line in (tmp_path / "out" / "predictions.jsonl").read_text().splitlines()]
    assert [p["id"] for p in predictions] == ["r1", "r2", "r3", "r4", "r5"]
    assert predictions[1]["token_overlap"] == {"score": 0.5, "label": "supported"}
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "# Faithfulness verifier report" in report and "| a | 3 | 0.750 |" in report and "0.583" in report


def test_configured_verifier_and_baselines_side_by_side(embedder, tmp_path):
    verifiers = verifiers_for(make_settings(tmp_path), embedder)
    assert list(verifiers) == ["fact_check", "token_overlap", "embedding_similarity"]
    rows = [
        {"source": "Mathew Brady photographed Ulysses S. Grant in 1864.", "claim": "Brady photographed Grant in 1864.",
         "label": "supported"},
        {"source": "Mathew Brady photographed Ulysses S. Grant in 1864.", "claim": "Brady photographed Grant in 1868.",
         "label": "unsupported"},
    ]
    summary = evaluate_verifier(rows, verifiers)
    assert summary["configured"] == "fact_check" and summary["balanced_accuracy"] == 1.0
    assert set(summary["verifiers"]) == set(verifiers) == set(baseline_verifiers(embedder)) | {"fact_check"}
    assert summary["verifiers"]["token_overlap"]["overall"]["balanced_accuracy"] == 0.5  # 3 of 4 words: both pass
    assert "by_origin" in summary["verifiers"]["fact_check"]  # rows without an origin count as "unknown"
    with pytest.raises(ValueError):
        evaluate_verifier(rows, verifiers, configured="nli")


def test_load_labeled_pairs_reports_malformed_lines(tmp_path):
    path = tmp_path / "pairs.jsonl"
    lines = [
        json.dumps({"source": "s", "claim": "c", "label": "supported", "origin": "x"}),
        "{not json",
        json.dumps({"source": "s", "label": "supported"}),
        "",
        json.dumps({"source": "s", "claim": "c", "label": "maybe"}),
        json.dumps({"claim": "c", "label": "unsupported"}),
        json.dumps(["a", "list"]),
        json.dumps({"sources": ["s1", "s2"], "claim": "c", "label": "Unsupported", "question": "q?"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows, issues = load_labeled_pairs(path)
    assert [row["_line"] for row in rows] == [1, 8] and rows[1]["label"] == "unsupported"
    assert [issue["line"] for issue in issues] == [2, 3, 5, 6, 7]
    assert "JSON" in issues[0]["error"] and "claim" in issues[1]["error"] and "label" in issues[2]["error"]
    assert "source" in issues[3]["error"] and "object" in issues[4]["error"]
