"""Question files (malformed lines are reported with their line and skipped) and release gates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.gates import check_gates, is_known_metric, known_metrics, load_gates_file, lookup, parse_gate, parse_gates
from eval.questions import QuestionFileError, check_gold_ids, load_questions, parse_questions
from eval.runner import select_questions


DEV_QUESTIONS = Path(__file__).parent / "data" / "npg_questions_dev.jsonl"


def q(**fields) -> str:
    base = {"id": "q1", "question": "Who painted it?", "answer": "Gilbert Stuart.", "object_ids": ["npg:1"], "kind": "factual"}
    base.update(fields)
    return json.dumps({k: v for k, v in base.items() if v is not ...})


def test_the_dev_set_loads_without_issues():
    questions, issues = load_questions(DEV_QUESTIONS)
    assert issues == []
    assert len(questions) == 150
    assert {x.kind for x in questions} == {"factual", "multi_object", "unanswerable", "false_premise"}
    assert questions[0].line == 1 and questions[0].expected_status == "answered"


def test_malformed_lines_are_reported_with_their_line_and_skipped(tmp_path):
    lines = [
        q(id="ok1"),
        "",  # blank lines are ignored but still counted
        "{not json",
        q(id="bad-kind", kind="opinion"),
        q(id="no-gold", object_ids=[]),
        q(id="no-answer", answer=...),
        q(id="ids-not-list", object_ids="npg:1"),
        "[1, 2]",
        q(id="ok1"),  # duplicate
        q(id="general", kind="unanswerable", object_ids=[]),  # valid: a general visitor question
        q(id="", question="x"),
    ]
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    questions, issues = load_questions(path)
    assert [x.id for x in questions] == ["ok1", "general"]
    assert [x.line for x in questions] == [1, 10]
    found = {(i.line, i.question_id): i.message for i in issues}
    assert set(found) == {(3, None), (4, "bad-kind"), (5, "no-gold"), (6, "no-answer"), (7, "ids-not-list"), (8, None), (9, "ok1"), (11, None)}
    assert "not valid JSON" in found[(3, None)]
    assert "'kind' must be one of factual" in found[(4, "bad-kind")]
    assert "duplicate id (first on line 1)" == found[(9, "ok1")]
    assert str(issues[0]).startswith(f"{path}:3: ")


def test_unknown_gold_ids_are_reported_and_skipped():
    questions, _ = parse_questions([q(id="a", object_ids=["npg:1"]), q(id="b", object_ids=["npg:1", "npg:404"])], file="f.jsonl")
    kept, issues = check_gold_ids(questions, lambda record_id: record_id != "npg:404", file="f.jsonl")
    assert [x.id for x in kept] == ["a"]
    assert [str(i) for i in issues] == ["f.jsonl:2: b: unknown object id(s) not in the store: npg:404"]


def test_a_missing_question_file_is_an_error(tmp_path):
    with pytest.raises(QuestionFileError, match="not found"):
        load_questions(tmp_path / "nope.jsonl")


def test_select_questions_per_kind_then_limit():
    questions, _ = load_questions(DEV_QUESTIONS)
    per_kind = select_questions(questions, None, 2)
    assert len(per_kind) == 8 and {x.kind for x in per_kind} == {"factual", "multi_object", "unanswerable", "false_premise"}
    assert len(select_questions(questions, 5, None)) == 5
    assert len(select_questions(questions, 3, 2)) == 3


# --- gates --------------------------------------------------------------------------
SUMMARY = {
    "overall": {"hit_at_1": 0.7, "hit_at_5": 0.9, "citation_precision": None},
    "by_kind": {"factual": {"hit_at_5": 0.95}},
    "abstention": {"recall": 0.4},
    "latency": {"p95": 2.5},
}


def test_gate_names_are_checked_before_a_run():
    assert is_known_metric("overall.hit_at_1")
    assert is_known_metric("by_kind.false_premise.behaviour_ok")
    assert is_known_metric("misinformation.corrected_rate")
    assert not is_known_metric("overall.hit_at_3")
    assert not is_known_metric("by_kind.poetry.hit_at_1")
    assert "abstention.recall" in known_metrics()
    with pytest.raises(ValueError, match="unknown metric 'overall.hit_at_3'"):
        parse_gate("overall.hit_at_3=0.5", "under")
    with pytest.raises(ValueError, match="must look like metric=value"):
        parse_gate("overall.hit_at_1", "under")
    with pytest.raises(ValueError, match="is not a number"):
        parse_gate("overall.hit_at_1=high", "under")


def test_check_gates_lists_every_failing_metric():
    gates = parse_gates(
        ["overall.hit_at_1=0.8", "overall.hit_at_5=0.9", "by_kind.factual.hit_at_5=0.9", "abstention.recall=0.5",
         "overall.citation_precision=0.1", "by_kind.unanswerable.behaviour_ok=0.5"],
        ["latency.p95=2.0"],
    )
    failures = check_gates(SUMMARY, gates)
    assert failures == [
        "overall.hit_at_1 = 0.7000 is under its floor 0.8",
        "abstention.recall = 0.4000 is under its floor 0.5",
        "overall.citation_precision has no value in this run (needs overall.citation_precision >= 0.1); was any question of that kind evaluated?",
        "by_kind.unanswerable.behaviour_ok has no value in this run (needs by_kind.unanswerable.behaviour_ok >= 0.5); was any question of that kind evaluated?",
        "latency.p95 = 2.5000 is above its ceiling 2",
    ]
    assert check_gates(SUMMARY, parse_gates(["overall.hit_at_5=0.9"], ["latency.p95=3"])) == []
    assert lookup(SUMMARY, "by_kind.factual.hit_at_5") == 0.95


def test_gates_file(tmp_path):
    path = tmp_path / "gates.json"
    path.write_text(json.dumps({"fail_under": {"overall.hit_at_5": 0.95}, "fail_above": {"latency.p95": 3}}))
    gates = load_gates_file(path)
    assert [str(g) for g in gates] == ["overall.hit_at_5 >= 0.95", "latency.p95 <= 3"]
    assert check_gates(SUMMARY, gates) == ["overall.hit_at_5 = 0.9000 is under its floor 0.95"]
    path.write_text(json.dumps({"fail_under": {"overall.hit@5": 0.9}}))
    with pytest.raises(ValueError, match="unknown metric 'overall.hit@5'"):
        load_gates_file(path)
    path.write_text(json.dumps({"floors": {}}))
    with pytest.raises(ValueError, match="expected the keys fail_under and fail_above"):
        load_gates_file(path)


def test_language_of_a_question_and_per_language_gates():
    lines = [
        json.dumps({"id": "a", "question": "Qui a peint ce portrait ?", "answer": "X.", "object_ids": ["m:1"], "kind": "factual",
                    "lang": "fr", "answer_translated": "X."}),
        json.dumps({"id": "b", "question": "Who?", "answer": "X.", "object_ids": ["m:1"], "kind": "factual"}),
        json.dumps({"id": "c", "question": "Wer?", "answer": "X.", "object_ids": ["m:1"], "kind": "factual", "lang": 7}),
    ]
    questions, issues = parse_questions(lines, file="q.jsonl")
    assert [q.lang for q in questions] == ["fr", "en"]
    assert len(issues) == 1 and "'lang'" in issues[0].message and issues[0].line == 3
    assert is_known_metric("by_language.fr.overall.hit_at_5") and is_known_metric("by_language.de.abstention.recall")
    assert is_known_metric("by_language.nl.by_kind.factual.hit_at_5")
    assert not is_known_metric("by_language.fr.latency.p50") and not is_known_metric("by_language.french!.overall.hit_at_5")
    gate = parse_gate("by_language.fr.misinformation.corrected_rate=0.5", "under")
    assert check_gates({"by_language": {"fr": {"misinformation": {"corrected_rate": 0.4}}}}, [gate])
