"""The kind of answer a question asks for must be in the evidence sentence (rag.answer.evidence.type_match).

Pure text checks: no model, no store.
"""

from rag.answer.evidence import type_match
from rag.answer.question import analyze_question


def test_a_day_question_needs_a_day_not_a_year() -> None:
    q = analyze_question("On what date did the portrait run on the cover of Time?")
    assert type_match(q, "The painting dates from 1961.") == 0.0
    assert type_match(q, "It ran on the cover on February 21, 1963.") == 1.0


def test_a_year_still_answers_a_when_question() -> None:
    q = analyze_question("When was the portrait painted?")
    assert type_match(q, "The painting dates from 1961.") == 1.0


def test_a_why_question_needs_a_reason() -> None:
    q = analyze_question("Why did the newspaper decide not to publish the caricature?")
    assert type_match(q, "It was commissioned but not published by the newspaper.") == 0.0
    assert type_match(q, "It was never published because the editor found it too harsh.") == 1.0


def test_a_count_question_is_not_answered_by_a_year() -> None:
    q = analyze_question("How many portraits did the artist end up painting?")
    assert type_match(q, "He began a series of portraits, this one made in 2014.") == 0.0
    assert type_match(q, "He painted three portraits of the actor in 2014.") == 1.0
    years = analyze_question("How many years did she live in Paris?")
    assert type_match(years, "She lived in Paris from 1920 to 1935.") == 1.0
