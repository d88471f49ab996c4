"""The kind of answer a question asks for, against what a candidate holds (rag.answer.features.type_match).

Pure text checks on an invented record: no model, no store.
"""

import pytest

from rag.answer.candidates import EvidencePool
from rag.answer.features import type_match
from rag.answer.question import analyze_question
from rag.chunking import Chunker
from rag.models import CollectionRecord, ObjectHit, SearchHit

RECORD = CollectionRecord(
    id="test:loom",
    title="Greta Lund at her Loom",
    creators=[{"name": "Greta Lund", "role": "Sitter"}, {"name": "Hendrik Mol", "role": "Painter", "dates": "1671-1733"}],
    date="1702",
    technique="Oil on panel",
    place_of_origin="Haarlem",
    description=(
        "Hendrik Mol painted the weaver in her workshop. "
        "She had moved to Haarlem after the flood of 1699. "
        "Her brother Jonas sold her cloth to three merchants."
    ),
)


@pytest.fixture(scope="module")
def candidates():
    chunks = Chunker(lambda text: len(text.split()) + 2).chunk(RECORD, source="test")
    hit = ObjectHit(record_id=RECORD.id, title=RECORD.title, score=1.0,
                    chunks=[SearchHit(point_id=str(c.chunk_index), score=1.0, chunk=c) for c in chunks])
    pool = EvidencePool.from_hits([hit])
    return {c.text: c for c in pool.candidates}


def test_a_when_question_needs_a_date(candidates) -> None:
    q = analyze_question("When did the weaver move to Haarlem?")
    assert type_match(q, candidates["She had moved to Haarlem after the flood of 1699."]) == 1.0
    assert type_match(q, candidates["Hendrik Mol painted the weaver in her workshop."]) == 0.0
    assert type_match(q, candidates["Date: 1702."]) == 1.0


def test_a_who_question_needs_a_person_fact_or_a_new_name(candidates) -> None:
    q = analyze_question("Who painted Greta Lund?")
    assert type_match(q, candidates["Painter: Hendrik Mol (1671-1733)."]) == 1.0
    assert type_match(q, candidates["Medium: Oil on panel."]) == 0.0
    assert type_match(q, candidates["Her brother Jonas sold her cloth to three merchants."]) == 1.0


def test_a_count_question_needs_a_number(candidates) -> None:
    q = analyze_question("How many merchants bought her cloth?")
    assert q.answer_type == "number"
    assert type_match(q, candidates["Her brother Jonas sold her cloth to three merchants."]) == 1.0
    assert type_match(q, candidates["Hendrik Mol painted the weaver in her workshop."]) == 0.0


def test_a_where_question_takes_a_place_fact(candidates) -> None:
    q = analyze_question("Where was the portrait of Greta Lund made?")
    assert type_match(q, candidates["Place of origin: Haarlem."]) == 1.0
    assert type_match(q, candidates["Date: 1702."]) == 0.0
