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


def test_a_where_question_needs_a_place_not_just_any_name() -> None:
    q = analyze_question("Where was Gregory Gillespie living when he drew this self-portrait?")
    assert type_match(q, "This photograph was taken in Southampton, England, after the flight.") == 1.0
    assert type_match(q, "Type: Drawing.") == 0.0
    assert type_match(q, "Such tension has metaphorical significance.") == 0.0


def test_a_who_question_is_not_answered_by_a_place_name() -> None:
    q = analyze_question("What was the name of Carmen Ghirardelli's first husband?")
    assert q.answer_type == "person" and q.asks_name
    assert type_match(q, "In 1853 Carmen joined her husband in San Francisco.") == 0.0
    assert type_match(q, "She had married Juan Martin in Lima before 1847.") == 1.0


def test_a_which_newspaper_question_needs_the_newspaper_named() -> None:
    q = analyze_question("Which newspaper printed the engraving of Gurney's Daguerrean Saloon?")
    assert q.head == "newspaper" and q.asks_name
    assert type_match(q, "The gallery was featured in an 1853 newspaper article with this illustration.") == 0.0
    assert type_match(q, "It appeared in Gleason's Pictorial newspaper in 1853.") >= 0.5  # may answer it


def test_two_part_questions_know_every_kind_they_ask() -> None:
    q = analyze_question("Where and when did Michael O'Brien photograph Don DeLillo?")
    assert q.answer_types == {"place", "date"}
    assert type_match(q, "Date: 1991 (printed 2011).", "date") == 1.0
    assert type_match(q, "Date: 1991 (printed 2011).", "place") == 0.0


def test_the_event_a_date_question_asks_about() -> None:
    from rag.answer.evidence import asked_label_groups

    cover = analyze_question("On what date did Russell Hoban's Oscar Robertson run on the cover of Time?")
    assert cover.event == "run" and "date" not in asked_label_groups(cover)  # not the catalogue date
    taken = analyze_question("When was the Dennis Chavez photograph taken?")
    assert taken.event == "take" and "date" in asked_label_groups(taken)
