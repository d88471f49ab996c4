"""False-premise candidates are generic: they work on a made-up record as on the sample collection.

No model is needed: the record is chunked with the real chunker (a word counter stands in for
the tokenizer) and the checks read its typed facts (from the catalogue profile) and sentences.
These are the *candidate* contradictions; whether one corrects the question is the learned gate's
decision (tests/test_answer_learned.py).
"""

from __future__ import annotations

import pytest

from rag.answer.candidates import EvidencePool
from rag.answer.premise import PremiseChecker, asserted_makers, creation_periods, object_materials
from rag.answer.question import analyze_question, analyze_visitor_question
from rag.chunking import Chunker
from rag.models import CollectionRecord, ObjectHit, SearchHit

RECORD = CollectionRecord(
    id="test:ada",
    title="Augusta Ada King, Countess of Lovelace",
    museum="Museum of Test Objects",
    creators=[
        {"name": "Augusta Ada King", "role": "Sitter"},
        {"name": "Margaret Sarah Carpenter", "role": "Artist", "dates": "1793 - 1872"},
    ],
    date="1836",
    date_begin=1836,
    date_end=1836,
    type="Painting",
    technique="Oil on canvas",
    description=(
        "Ada Lovelace worked with Charles Babbage on his Analytical Engine. "
        "In 1833 Lovelace was presented at court to Queen Victoria's mother, and she met Babbage the same year. "
        "Her notes on the engine, published in 1843, describe an algorithm for computing Bernoulli numbers."
    ),
)


def checker_for(record: CollectionRecord, analyze=analyze_question):
    """``check(question) -> Correction | None`` over the one retrieved ``record`` (``analyze`` reads the question)."""
    chunks = Chunker(lambda text: len(text.split()) + 2, max_tokens=200).chunk(record, source="test")
    hit = ObjectHit(
        record_id=record.id,
        title=record.title,
        score=1.0,
        chunks=[SearchHit(point_id=str(c.chunk_index), score=1.0, chunk=c) for c in chunks],
    )
    pool = EvidencePool.from_hits([hit])
    checker = PremiseChecker()

    def check(question: str):
        found = checker.candidates(analyze(question), pool)
        return found[0] if found else None

    return check


def by_artist(record_id: str, title: str, artist: str, **fields) -> CollectionRecord:
    """An invented record with one artist."""
    return CollectionRecord(id=record_id, title=title, creators=[{"name": artist, "role": "Artist"}], **fields)


@pytest.fixture(scope="module")
def checked():
    return checker_for(RECORD)


def test_a_rival_maker_is_corrected_with_the_record_maker(checked):
    correction = checked("Why did Thomas Phillips paint Ada Lovelace?")
    assert correction is not None and correction.kind == "maker"
    # the sentence comes from the message catalogue (rag/data/messages/en.json) and names the record's role
    assert correction.text == (
        "The museum's record gives Margaret Sarah Carpenter (artist) for “Augusta Ada King, Countess of Lovelace”, "
        "not Thomas Phillips."
    )
    assert correction.evidence.label == "Artist" and correction.evidence.kind == "maker"


def test_a_culture_given_instead_of_a_maker_is_the_records_attribution():
    # "Artist: Flemish" catalogues the panel as by an unnamed Flemish maker: a painter the record does not list is
    # corrected with it, in the same words as a named maker
    panel = {**RECORD.model_dump(), "id": "test:panel", "title": "Panel with a Harbour"}
    record = CollectionRecord.model_validate({**panel, "creators": [{"name": "Flemish", "role": "Artist"}]})
    correction = checker_for(record)("Why did Thomas Phillips paint the panel with a harbour?")
    assert correction is not None and correction.evidence.kind == "maker_culture"
    assert correction.text == "The museum's record gives Flemish (artist) for “Panel with a Harbour”, not Thomas Phillips."


def test_a_wrong_creation_year_is_corrected_with_the_record_date(checked):
    correction = checked("Carpenter painted Ada Lovelace in 1850, didn't she?")
    assert correction is not None and correction.kind == "date"
    assert "1836" in correction.text and "1850" in correction.text


def test_a_wrong_medium_is_corrected_with_the_record_medium(checked):
    correction = checked("Why is Carpenter's watercolor portrait of Ada Lovelace so pale?")
    assert correction is not None and correction.kind == "medium"
    assert "Oil on canvas" in correction.text and "watercolor" in correction.text


def test_a_name_the_record_replaces_is_corrected_with_its_sentence(checked):
    correction = checked("Which machine did Ada Lovelace build with Charles Darwin?")
    assert correction is None  # no sentence puts another name in Darwin's place: nothing is contradicted
    correction = checked("What did Lovelace talk about with Queen Elizabeth at court in 1833?")
    assert correction is not None and correction.kind == "name"
    assert correction.stated == "Queen Victoria" and "Queen Elizabeth" in correction.text
    assert correction.evidence.field == "description"


@pytest.mark.parametrize(
    "question",
    [
        "Why did Margaret Carpenter paint Ada Lovelace?",
        "What did Ada Lovelace's notes on the Analytical Engine describe?",
        "When did Lovelace meet Charles Babbage?",
        "Is Carpenter's oil portrait of Ada Lovelace from 1836?",
    ],
)
def test_what_the_record_does_not_contradict_is_not_corrected(checked, question):
    assert checked(question) is None


def test_question_parsing_finds_what_is_asserted():
    assert [p.text for p in asserted_makers("Why did Hendrik Mol paint the weaver Greta Lund?")] == ["Hendrik Mol"]
    assert [p.text for p in asserted_makers("Is the etching after a Pieter Claes painting?")] == ["Pieter Claes"]
    assert asserted_makers("What is the ship in the Cornelis Tromp portrait?") == []  # may be the sitter
    # a name that describes the object before "made" is not its maker
    assert asserted_makers("What is the Bremen Madonna made of?") == []
    assert asserted_makers("When was the sword guard with Mount Hiei made?") == []
    assert [p.text for p in asserted_makers("Anna Vos made it in 1820, right?")] == ["Anna Vos"]
    assert creation_periods("Hendrik Mol painted her from life in 1702, right?") == [("1702", 1702, 1702)]
    assert creation_periods("Is the photo of Lund from the 1931 regatta?") == [("1931", 1931, 1931)]
    assert creation_periods("What happened in 1931?") == []
    assert object_materials("Mol's watercolor-on-ivory miniature is tiny") == [("watercolor on ivory", {"watercolor", "ivori"})]
    assert object_materials("He collected ivory combs") == []
    assert creation_periods("Why did Anna Vos stop making vases in 1931?") == []  # other things she made
    assert creation_periods("Did Anna Vos make this vase in 1931?") == [("1931", 1931, 1931)]
    assert object_materials("Which paper printed Vos's drawing of the mayor?") == []  # a verb after it
    # a material before the object's title is the object's
    assert object_materials("How tall is Vos's bronze 'Sleeping Hound'?") == [("bronze", {"bronz"})]
    assert object_materials("Where was the marble Athena found?") == [("marble", {"marbl"})]
    assert object_materials("Did the Bronze Age smiths trade tin?") == []
    assert object_materials("What might have led Vos to carve it?") == []  # a verb, not the metal
    assert object_materials("Is the vase shaped like a bronze 'gu' Chinese?") == []  # a likeness, not its material


def test_decades_centuries_and_what_the_object_is_said_to_be_are_read_as_asserted():
    assert creation_periods("Anna Vos drew the pastel of her sister in the 1920s, didn't she?") == [("1920s", 1920, 1929)]
    assert creation_periods("Is the Mol harbour view an early 1800s print?") == [("1800s", 1800, 1833)]
    assert creation_periods("Surely the altarpiece with two donors is 15th-century?") == [("15th-century", 1401, 1500)]
    assert creation_periods("Is the tile a late 16th-century Dutch tile?") == [("16th-century", 1567, 1600)]
    assert creation_periods("What happened in the 1920s?") == []  # nothing made
    assert object_materials("The little Vos miniature is watercolor on vellum, isn't it?") == [
        ("watercolor on vellum", {"watercolor", "vellum"})
    ]
    assert object_materials("Anna Vos's print of the dunes is a woodcut, isn't it?") == [("woodcut", {"woodcut"})]
    assert object_materials("The portrait shows a man who was a silver miner.") == []  # a noun follows: his trade
    assert object_materials("What is the horned helmet made of?") == []  # "horned" is not horn
    assert object_materials("Who made the drawing of the bronze statue?") == []  # the statue it shows, not the object
    assert object_materials("Was the copper-red glaze on the vase fired twice?") == []  # part of a compound
    # a question asking whether a title is by someone asserts that maker
    assert [p.text for p in asserted_makers("Is Harbour with Boats by Anna Vos?")] == ["Anna Vos"]
    assert asserted_makers("Was the Harbour window paid for by the mayor of Delft?") == []


def test_a_decade_or_century_outside_the_record_date_is_corrected():
    fields = dict(date="late 10th century", type="Ceramics", technique="stoneware", description="Herons in cobalt.")
    vase = by_artist("test:vase", "Vase with Herons", "Anna Vos", **fields)
    correction = checker_for(vase)("The Vos vase with herons is 15th-century, isn't it?")
    assert (correction.kind, correction.stated) == ("date", "late 10th century")
    assert checker_for(vase)("The Vos vase with herons is 10th-century, isn't it?") is None
    # the record's own year range wins over its display date
    dated = vase.model_copy(update={"id": "test:vase2", "date": "made under the Song", "date_begin": 960, "date_end": 1000})
    assert checker_for(dated)("Anna Vos made this heron vase in the 1470s, didn't she?") is not None


def test_a_maker_of_the_same_family_name_with_another_given_name_is_corrected():
    panel = by_artist(
        "test:dunes", "Dunes near a Village", "Salomon van Dijk", date="1641", type="Painting", technique="oil on panel",
        description="A sandy track leads past a farmhouse towards the church tower.",
    )
    check = checker_for(panel)
    correction = check("Is Dunes near a Village by Jacob van Dijk?")
    assert correction is not None and correction.kind == "maker" and correction.stated == "Salomon van Dijk"
    assert check("Is Dunes near a Village by Salomon van Dijk?") is None
    assert check("Is Dunes near a Village by Van Dijk?") is None  # no given name: the same family, maybe him
    # a single name that is part of the record's maker's name is that maker
    assert check("Why did Salomon paint Dunes near a Village?") is None


@pytest.fixture(scope="module")
def checked_places():
    record = RECORD.model_copy(
        update={
            "id": "test:ada-places",
            "description": (
                "After her marriage Lovelace settled in Surrey, a county that had welcomed the railway in 1838. "
                "A later portrait shows her left hand resting on a book of Babbage's notes."
            ),
        }
    )
    return checker_for(record)


def test_names_end_at_a_possessive_and_surnames_skip_generational_suffixes():
    from rag.answer.premise import _surname
    from rag.answer.terms import name_phrases

    assert [p.text for p in name_phrases("Who bought Mathis' Odalisque in Paris?")] == ["Mathis", "Odalisque", "Paris"]
    assert _surname("Pieter Mol I") == _surname("Pieter Mol") == _surname("Pieter Mol the Younger")
    assert [p.text for p in name_phrases("Even Anna Vos liked it.")] == ["Anna Vos"]  # an adverb opening a sentence


def test_a_name_before_the_same_words_is_in_the_same_place(checked_places):
    correction = checked_places("Lovelace loved Kent, which had welcomed the railway in 1838. Why did she leave it?")
    assert correction is not None and correction.stated == "Surrey" and "not Kent" in correction.text


def test_an_opposite_modifier_of_the_same_noun_is_corrected(checked_places):
    correction = checked_places("Why is Lovelace's right hand resting on the book of notes?")
    assert correction is not None and correction.kind == "opposite" and correction.stated == "left hand"
    assert checked_places("Why is Lovelace's left hand resting on the book of notes?") is None


def test_a_culture_a_place_or_a_people_is_not_read_as_a_rival_maker_or_name():
    jug = by_artist(
        "test:jug", "Jug with a Hunting Scene", "Anna Vos", date="1580", type="Ceramics", technique="salt-glazed stoneware",
        description="The Dutch name for this shape is \"kruik\". A workshop in Raeren made it for export.",
    )
    check = checker_for(jug)
    assert check("Who are the riders on the Ottoman jug of the hunting scene?") is None  # a culture (the profile's)
    assert check("Which workshop in Raeren made the jug with a hunting scene?") is None  # a place, not a maker
    cup = jug.model_copy(update={"id": "test:cup", "title": "Wine Cup", "description": (
        "The Roman potters call this shape \"Calix,\" meaning \"wine cup.\" A workshop in Arezzo made it.")})
    assert checker_for(cup)("What did Romans call that wine cup?") is None  # a people: "Roman"
    assert asserted_makers("Which workshop in Raeren carved the jug?") == []


def test_after_a_painting_by_someone_else_is_corrected_with_the_maker_of_the_original_in_any_language():
    engraving = CollectionRecord(
        id="test:harbour", title="Harbour at Dawn", type="Print", technique="engraving", date="1790",
        description="Fishing boats leave the harbour as the sun rises behind the church.",
        creators=[{"name": "Piet Mol", "role": "Engraver"}, {"name": "Anna Vos", "role": "After"}],
    )
    check = checker_for(engraving, analyze=analyze_visitor_question)
    for question in (
        "Is the Harbour at Dawn engraving after a painting by Jan Lund?",
        "¿El grabado Harbour at Dawn está hecho a partir de un cuadro de Jan Lund?",
        "Is de gravure Harbour at Dawn naar een schilderij van Jan Lund?",
    ):
        correction = check(question)
        assert (correction.kind, correction.asserted, correction.stated) == ("maker", "Jan Lund", "Anna Vos"), question
    assert check("¿El grabado Harbour at Dawn está hecho a partir de un cuadro de Anna Vos?") is None
