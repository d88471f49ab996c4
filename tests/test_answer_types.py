"""The kind of answer a question asks for, against what a candidate holds (rag.answer.features.type_match).

Pure text checks on an invented record: no model, no store.
"""

import numpy as np
import pytest

from rag.answer.candidates import EvidencePool
from rag.answer.features import CANDIDATE_FEATURES, named_question_features, question_features, type_match
from rag.answer.question import analyze_question, analyze_visitor_question
from rag.answer.terms import counts
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
def pool():
    chunks = Chunker(lambda text: len(text.split()) + 2).chunk(RECORD, source="test")
    hit = ObjectHit(record_id=RECORD.id, title=RECORD.title, score=1.0,
                    chunks=[SearchHit(point_id=str(c.chunk_index), score=1.0, chunk=c) for c in chunks])
    return EvidencePool.from_hits([hit])


@pytest.fixture(scope="module")
def candidates(pool):
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


def test_a_count_question_knows_what_it_counts() -> None:
    assert "merchant" in analyze_question("How many merchants bought her cloth?").counted
    assert analyze_question("How many of the woven panels did she sell?").counted == {"woven", "panel"}
    # named only by proper names, or by the verb: nothing to look for
    assert analyze_question("How many Gildens did the cloth fetch?").counted == frozenset()
    assert analyze_question("How much did the loom cost?").counted == frozenset()
    assert analyze_question("Who bought her cloth?").counted == frozenset()


def test_a_count_is_a_number_of_the_counted_thing() -> None:
    merchants = analyze_question("How many merchants bought her cloth?").counted
    assert counts("Her brother Jonas sold her cloth to three merchants.", merchants)
    assert counts("She wove 40 panels for twelve Haarlem merchants.", merchants)
    assert not counts("She had moved to Haarlem after the flood of 1699; merchants came later.", merchants)
    assert not counts("She sold her cloth to merchants in 1702.", merchants)  # a year counts nothing
    assert not counts("Three looms stood in the workshop; merchants bought her cloth.", merchants)
    assert counts("Twenty-four merchants bought her cloth.", merchants)  # a hyphenated cardinal counts
    assert not counts("Her first-born son met the merchants.", merchants)  # an ordinal inside a word does not
    # a general noun is stated by its kinds: any number of them counts
    people = analyze_question("How many people worked in her workshop?").counted
    assert counts("Eleven weavers and two dyers worked for her.", people)
    assert not counts("She opened the workshop in 1702.", people)


def test_a_count_asked_in_the_visitors_own_words_is_not_looked_for_in_english() -> None:
    question = analyze_visitor_question("Combien de tisserands travaillaient dans l'atelier de Greta Lund ?")
    assert question.answer_type == "number"
    assert question.counted == frozenset()
    # German nouns are capitalised, and the clause ends at the comma: nothing is taken for the counted thing
    assert analyze_visitor_question("Wie viele Webstühle, sagt man, hatte Greta Lund?").counted == frozenset()


def test_answerability_knows_whether_the_best_evidence_gives_the_count(pool) -> None:
    cands = pool.candidates
    x = np.zeros((len(cands), len(CANDIDATE_FEATURES)), dtype=np.float32)
    probs = np.array([0.9 if "merchants" in c.text else 0.1 for c in cands], dtype=np.float32)

    def count_features(question):
        named = named_question_features(question_features(question, cands, x, probs, pool))
        return named["count_found"], named["count_missing"]

    assert count_features(analyze_question("How many merchants bought her cloth?")) == (1.0, 0.0)
    assert count_features(analyze_question("How many looms did Greta Lund own?")) == (0.0, 1.0)
    # not a count, or a count of something not named in English words: neither found nor missing
    assert count_features(analyze_question("Who bought her cloth?")) == (0.0, 0.0)
    assert count_features(analyze_visitor_question("Wie viele Webstühle hatte Greta Lund?")) == (0.0, 0.0)


def test_a_where_question_takes_a_place_fact(candidates) -> None:
    q = analyze_question("Where was the portrait of Greta Lund made?")
    assert type_match(q, candidates["Place of origin: Haarlem."]) == 1.0
    assert type_match(q, candidates["Date: 1702."]) == 0.0
