"""Answering: each status on real dev questions, the citation contract, and ``museum-rag ask --json``.

The sample store (``museum``) holds the dev questions' gold objects among about 400 other
records. Every answered or corrected answer must keep the citation contract: each sentence has
>= 1 citation, each citation is a record retrieved for the question, and each quote is the exact
span of that record's field at the cited offsets.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from rag.chunking import tombstone_text
from rag.models import Answer, CollectionRecord, SearchFilters
from tests.conftest import REPO

FACTUAL = {
    'How much land did Robert "King" Carter own when he died?': ("npg:29324", "300,000 acres"),
    "What name was Yusef Komunyakaa born with?": ("npg:116375", "James Willie Brown"),
    "What's the medium of Russell Hoban's Oscar Robertson portrait?": ("npg:22763", "Casein on Masonite"),
}
FALSE_PREMISES = {
    # question: (record, what the record says instead, what the question wrongly asserts)
    "What year did President Kennedy put Thurgood Marshall on the Supreme Court?": (
        "npg:65309",
        "Lyndon Johnson",
        "Kennedy",
    ),
    "Copley's watercolor-on-ivory miniature of Lydia Hancock is tiny — how did he manage the detail?": (
        "npg:49343",
        "Oil on copper",
        "watercolor on ivory",
    ),
    "Why did John Hoppner paint the American sculptor Patience Wright?": ("npg:49771", "Robert Edge Pine", "Hoppner"),
}
OFF_TOPIC = ["What time does the Portrait Gallery open on Sundays?", "what's the closest metro station to the museum"]
UNKNOWN_IN_RECORD = "Who painted the portrait of William Gilmore Simms, and when?"


def contract_problems(answer: Answer, museum) -> list[str]:
    """Why an answer breaks the citation contract (empty when it keeps it)."""
    problems = []
    numbers = {c.n for c in answer.citations}
    if not answer.sentences:
        problems.append("no sentences")
    for sentence in answer.sentences:
        if not sentence.citation_ids:
            problems.append(f"uncited sentence {sentence.text!r}")
        if not set(sentence.citation_ids) <= numbers:
            problems.append(f"sentence cites a missing citation: {sentence.citation_ids}")
        if not 0.0 <= sentence.support <= 1.0:
            problems.append(f"support out of range: {sentence.support}")
    for n in map(int, re.findall(r"\[(\d+)\]", answer.text)):
        if n not in numbers:
            problems.append(f"marker [{n}] without citation")
    for citation in answer.citations:
        if citation.record_id not in answer.retrieved_ids:
            problems.append(f"cites {citation.record_id}, which was not retrieved")
        stored = museum.get_object(citation.record_id)
        record = CollectionRecord.model_validate(stored["record"])
        text = tombstone_text(record) if citation.field == "tombstone" else getattr(record, citation.field)
        if text[citation.start : citation.end] != citation.quote:
            problems.append(f"quote [{citation.n}] is not {citation.record_id}.{citation.field}[{citation.start}:{citation.end}]")
    return problems


@pytest.fixture(scope="module")
def answers(museum) -> dict[str, Answer]:
    """Each question of this module asked once (asking costs about a second each on a busy machine)."""
    questions = [*FACTUAL, *FALSE_PREMISES, *OFF_TOPIC, UNKNOWN_IN_RECORD]
    return {q: museum.ask(q) for q in questions}


@pytest.mark.parametrize("question", list(FACTUAL))
def test_factual_question_is_answered_from_the_gold_record(answers, museum, question):
    answer = answers[question]
    record_id, fact = FACTUAL[question]
    assert answer.status == "answered", answer.text
    assert answer.mode == "extractive"
    assert record_id in {c.record_id for c in answer.citations}
    assert fact.lower() in answer.text.lower()
    assert 1 <= len(answer.sentences) <= 3
    assert contract_problems(answer, museum) == []


@pytest.mark.parametrize("question", list(FALSE_PREMISES))
def test_false_premise_is_corrected_with_a_citation(answers, museum, question):
    answer = answers[question]
    record_id, stated, asserted = FALSE_PREMISES[question]
    assert answer.status == "corrected", answer.text
    assert stated.lower() in answer.text.lower() and asserted.lower() in answer.text.lower()
    assert [c.record_id for c in answer.citations] == [record_id]
    assert contract_problems(answer, museum) == []


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_off_topic_question_abstains_with_suggestions(answers, question):
    answer = answers[question]
    assert answer.status == "abstained", answer.text
    assert "don't contain" in answer.text
    assert answer.citations == [] and answer.sentences == []
    assert answer.suggestions and all(s.record_id in answer.retrieved_ids for s in answer.suggestions)


def test_abstains_when_the_record_does_not_know(answers):
    answer = answers[UNKNOWN_IN_RECORD]
    assert answer.status == "abstained", answer.text
    assert "npg:15373" in {s.record_id for s in answer.suggestions}


def test_timings_cover_every_stage(answers):
    for answer in answers.values():
        assert set(answer.timings) >= {"retrieve", "answer", "verify", "total"}
        assert answer.timings["total"] >= answer.timings["retrieve"] >= 0.0


def test_answer_is_not_a_correction_when_the_record_agrees(museum):
    """A question naming the right people and facts is answered, not "corrected"."""
    answer = museum.ask("Which newspaper did Anne Catharine Green take over after her husband died?")
    assert answer.status == "answered", answer.text
    assert "npg:11864" in {c.record_id for c in answer.citations}
    assert contract_problems(answer, museum) == []


def test_filters_limit_what_can_be_cited(museum):
    answer = museum.ask("How much land did he own when he died?", filters=SearchFilters(record_id="npg:29324"))
    assert answer.retrieved_ids == ["npg:29324"]
    assert {c.record_id for c in answer.citations} <= {"npg:29324"}
    assert {s.record_id for s in answer.suggestions} <= {"npg:29324"}


@pytest.mark.parametrize("question", ["", "   ", "x" * 600])
def test_empty_or_overlong_question_is_refused(museum, question):
    with pytest.raises(ValueError):
        museum.ask(question)


def test_cli_ask_json_prints_the_answer_object(sample_data_dir):
    env = {**os.environ, "MUSEUM_RAG_DATA_DIR": str(sample_data_dir), "HF_HUB_OFFLINE": "1"}
    env.pop("MUSEUM_RAG_LLM_BASE_URL", None)
    question = "What year did President Kennedy put Thurgood Marshall on the Supreme Court?"
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "ask", question, "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    answer = Answer.model_validate(json.loads(result.stdout))
    assert answer.question == question
    assert answer.status == "corrected"
    assert answer.citations and all(c.record_id == "npg:65309" for c in answer.citations)
    assert set(json.loads(result.stdout)) == set(Answer.model_fields)
