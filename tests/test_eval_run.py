"""`museum-rag eval run` end to end: the real pipeline, the real engine, a subprocess like CI runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).parent / "museum-rag")
DEV_QUESTIONS = REPO / "tests" / "data" / "npg_questions_dev.jsonl"
SAMPLE = REPO / "data" / "sample" / "npg_labels.jsonl"
FILES = ("results.jsonl", "summary.json", "report.md", "report.html")


def run_cli(args: list[str], data_dir: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSEUM_RAG_")}
    env.update({"MUSEUM_RAG_DATA_DIR": str(data_dir), "MUSEUM_RAG_STORE": "embedded", "HF_HUB_OFFLINE": "1"})
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=600, env=env, cwd=cwd)


def test_eval_run_on_the_sample_store(sample_data_dir, tmp_path):
    out = tmp_path / "run"
    done = run_cli(
        ["eval", "run", "--questions", str(DEV_QUESTIONS), "--limit", "10", "--out", str(out),
         "--fail-under", "overall.hit_at_10=0.5", "--fail-under", "overall.citation_integrity=1.0",
         "--fail-above", "latency.p50=0.000001"],
        sample_data_dir, tmp_path,
    )
    assert done.returncode == 1, done.stdout + done.stderr  # the impossible latency ceiling fails, nothing else
    assert "FAILED 1 of 3 gate(s)" in done.stderr
    assert "latency.p50 = " in done.stderr and "is above its ceiling 1e-06" in done.stderr
    assert "questions: 100%" in done.stderr  # the progress bar
    assert all((out / name).is_file() for name in FILES)

    summary = json.loads((out / "summary.json").read_text())
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(rows) == summary["overall"]["n"] == 10 and summary["skipped"]["count"] == 0
    assert summary["run"]["errors"] == 0
    assert summary["run"]["store"]["kind"] == "configured" and summary["run"]["store"]["records"] > 500
    assert summary["overall"]["hit_at_10"] >= 0.5
    first = rows[0]
    assert {"question", "kind", "answer", "status", "citations", "sentences", "gold_ids", "metrics", "latency"} <= set(first)
    assert first["status"] in ("answered", "abstained", "corrected")
    assert "| Retrieval hit@1 |" in (out / "report.md").read_text()
    assert "id='summary-table'" in (out / "report.html").read_text()


def test_eval_run_on_a_fresh_store_skips_bad_rows(tmp_path):
    """--collection builds a temporary store; the configured one is never created or touched."""
    questions = [json.loads(line) for line in DEV_QUESTIONS.read_text().splitlines()]
    picked = [next(q for q in questions if q["kind"] == kind) for kind in ("factual", "unanswerable", "false_premise")]
    gold = {i for q in picked for i in q["object_ids"]}
    records = [line for line in SAMPLE.read_text().splitlines() if json.loads(line)["id"] in gold]
    collection = tmp_path / "collection.jsonl"
    collection.write_text("\n".join(records) + "\n")
    bad_gold = dict(picked[0], id="bad-gold", object_ids=["npg:does-not-exist"])
    qfile = tmp_path / "questions.jsonl"
    qfile.write_text("\n".join([json.dumps(picked[0]), "{broken", json.dumps(bad_gold), *map(json.dumps, picked[1:])]) + "\n")
    configured = tmp_path / "configured-store"
    out = tmp_path / "run"

    done = run_cli(
        ["eval", "run", "--questions", str(qfile), "--collection", str(collection), "--out", str(out), "--no-progress",
         "--fail-under", "overall.citation_integrity=1.0"],
        configured, tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all 1 gate(s) passed" in done.stdout
    assert f"skipped: {qfile}:2: not valid JSON" in done.stderr
    assert f"skipped: {qfile}:3: bad-gold: unknown object id(s) not in the store: npg:does-not-exist" in done.stderr
    assert not configured.exists()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["skipped"]["count"] == 2 and [s["line"] for s in summary["skipped"]["rows"]] == [2, 3]
    assert summary["overall"]["n"] == 3
    assert summary["run"]["store"]["kind"] == "fresh" and summary["run"]["store"]["records"] == len(records)
    assert set(summary["by_kind"]) == {"factual", "unanswerable", "false_premise"}
    assert "Skipped rows (2)" in (out / "report.md").read_text()


def test_unknown_metric_names_fail_before_the_run(tmp_path):
    done = run_cli(["eval", "run", "--questions", str(DEV_QUESTIONS), "--fail-under", "overall.hit_at_3=0.5"],
                   tmp_path / "store", tmp_path)
    assert done.returncode == 2
    assert "unknown metric 'overall.hit_at_3'" in done.stderr
    assert not (tmp_path / "store").exists()


def test_eval_verifier_side_by_side(tmp_path):
    """The configured verifier and both baselines on a few labeled pairs of every origin; bad lines are skipped."""
    pairs = [json.loads(line) for line in (REPO / "tests" / "data" / "faithfulness_dev.jsonl").read_text().splitlines()]
    by_origin: dict[str, list[dict]] = {}
    for pair in pairs:
        by_origin.setdefault(pair["origin"], []).append(pair)
    picked = [p for rows in by_origin.values() for p in rows[:8]]
    data = tmp_path / "pairs.jsonl"
    data.write_text("\n".join([*map(json.dumps, picked), '{"claim": "no label"}']) + "\n")
    out = tmp_path / "verifier"
    done = run_cli(["eval", "verifier", "--data", str(data), "--out", str(out)], tmp_path / "store", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"skipped: {data}:{len(picked) + 1}: " in done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert 0.0 <= summary["balanced_accuracy"] <= 1.0
    assert {"token_overlap", "embedding_similarity", summary["configured"]} <= set(summary["verifiers"])
    assert summary["skipped"] == 1 and summary["rows"] == len(picked)
    assert set(summary["verifiers"]["token_overlap"]["by_origin"]) == set(by_origin)
