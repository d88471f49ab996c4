"""`eval compare` on two hand-made runs: metric deltas and the questions whose outcome changed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eval.compare import compare_runs, higher_is_better, metric_deltas, render_comparison
from eval.metrics import outcome, question_metrics, summarize
from eval.runner import EvalRun, load_run, write_run


def make_row(qid, kind, status, gold, retrieved, cited=(), supported=(), latency=1.0):
    row = {
        "id": qid,
        "line": int(qid[1:]),
        "kind": kind,
        "question": f"question {qid}?",
        "reference": "Gilbert Stuart painted it.",
        "gold_ids": list(gold),
        "expected_status": "?",
        "status": status,
        "answer": "Gilbert Stuart painted it [1]." if status != "abstained" else "The records do not say.",
        "citations": [
            {"n": n, "record_id": rid, "title": f"Title of {rid}", "field": "description", "quote": "Gilbert Stuart painted it.",
             "start": 0, "end": 26, "url": f"https://example.org/{rid}", "quote_exact": True}
            for n, rid in enumerate(cited, start=1)
        ],
        "sentences": [{"text": "Gilbert Stuart painted it [1].", "citation_ids": [1], "support": 0.9, "supported": ok} for ok in supported],
        "suggestions": [],
        "retrieved_ids": list(retrieved),
        "latency": latency,
        "error": None,
    }
    row["metrics"] = question_metrics(row)
    row["outcome"] = outcome(row, row["metrics"])
    return row


def run_a():
    return [
        make_row("q1", "factual", "answered", ["a"], ["a", "b"], ["a"], [True], 1.0),
        make_row("q2", "factual", "answered", ["c"], ["b", "c"], ["c"], [True], 1.0),
        make_row("q3", "unanswerable", "abstained", [], ["b"], latency=1.0),
        make_row("q4", "false_premise", "answered", ["d"], ["d"], ["d"], [True], 1.0),
    ]


def run_b():
    return [
        make_row("q1", "factual", "answered", ["a"], ["a", "b"], ["a"], [True], 2.0),  # unchanged
        make_row("q2", "factual", "abstained", ["c"], ["b", "e"], latency=2.0),  # regressed: wrongful abstention
        make_row("q3", "unanswerable", "abstained", [], ["b"], latency=2.0),  # unchanged
        make_row("q4", "false_premise", "corrected", ["d"], ["d"], ["d"], [True], 2.0),  # improved
        make_row("q5", "factual", "answered", ["a"], ["a"], ["a"], [True], 2.0),  # new
    ]


def test_compare_two_hand_made_runs(tmp_path):
    a, b = run_a(), run_b()
    for name, rows in (("a", a), ("b", b)):
        write_run(EvalRun(rows=rows, summary=summarize(rows) | {"skipped": {"count": 0, "rows": []}}), tmp_path / name)
    result = compare_runs(load_run(tmp_path / "a"), load_run(tmp_path / "b"))

    deltas = {d["metric"]: d for d in result["metrics"]}
    # hit@1: A = (1 + 0 + 1) / 3 over q1, q2, q4; B = (1 + 0 + 1 + 1) / 4 over q1, q2, q4, q5
    assert deltas["overall.hit_at_1"]["a"] == pytest.approx(2 / 3)
    assert deltas["overall.hit_at_1"]["delta"] == pytest.approx(3 / 4 - 2 / 3)
    assert deltas["overall.hit_at_1"]["verdict"] == "better"
    assert deltas["misinformation.corrected_rate"]["delta"] == 1.0
    assert deltas["abstention.wrongful_abstention_rate"]["b"] == pytest.approx(1 / 3)
    assert deltas["abstention.wrongful_abstention_rate"]["verdict"] == "worse"  # lower is better
    assert deltas["latency.p50"]["delta"] == 1.0 and deltas["latency.p50"]["verdict"] == "worse"
    assert deltas["overall.n"]["verdict"] == "changed"  # counts have no direction
    assert deltas["by_kind.unanswerable.behaviour_ok"]["verdict"] == "same"

    changed = {c["id"]: c for c in result["changed"]}
    assert set(changed) == {"q2", "q4"}
    assert result["changed"][0]["id"] == "q2"  # regressions first
    assert (changed["q2"]["direction"], changed["q2"]["outcome_b"]) == ("regressed", "wrongful_abstention")
    assert (changed["q4"]["direction"], changed["q4"]["outcome_a"], changed["q4"]["outcome_b"]) == (
        "improved", "repeated_false_premise", "ok")
    assert result["only_in_b"] == ["q5"] and result["only_in_a"] == []
    assert result["counts"]["questions_regressed"] == 1 and result["counts"]["questions_improved"] == 1

    text = render_comparison(result)
    assert "regressed q2 [factual] answered/ok -> abstained/wrongful_abstention" in text
    assert "only in B: q5" in text


def test_metric_directions():
    assert higher_is_better("overall.hit_at_5") is True
    assert higher_is_better("by_kind.factual.latency_p95") is False
    assert higher_is_better("misinformation.repeated_premise_rate") is False
    assert higher_is_better("abstention.recall") is True
    assert higher_is_better("overall.n") is None
    same = summarize(run_a())
    assert all(d["verdict"] == "same" for d in metric_deltas(same, same) if d["a"] is not None)


def test_compare_command(tmp_path):
    for name, rows in (("a", run_a()), ("b", run_b())):
        write_run(EvalRun(rows=rows, summary=summarize(rows) | {"skipped": {"count": 0, "rows": []}}), tmp_path / name)
    cli = [str(Path(sys.executable).parent / "museum-rag"), "eval", "compare"]
    done = subprocess.run(cli + [str(tmp_path / "a"), str(tmp_path / "b"), "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["counts"]["questions_regressed"] == 1
    missing = subprocess.run(cli + [str(tmp_path / "a"), str(tmp_path / "nope")], capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2
    assert "is not an evaluation run" in missing.stderr
