"""Typed facts at ingest: the catalogue profile (a data file) reads roles and fields; vectors ride with chunks."""

from __future__ import annotations

import json

import numpy as np

from rag.catalogue import CatalogueProfile
from rag.chunking import Chunker, tombstone_text
from rag.models import Chunk, CollectionRecord
from rag.sentence_vectors import attach_sentence_vectors, decode_vectors, encode_vectors

RECORD = CollectionRecord(
    id="test:print",
    title="The Harbour Master",
    museum="Museum of Test Objects",
    creators=[
        {"name": "Jonas Lund", "role": "Sitter"},
        {"name": "Maria Bos", "role": "Engraver", "dates": "1700-1785"},
        {"name": "Anna Vos", "role": "Copy after"},
        {"name": "Unidentified Artist", "role": "Former attribution"},
        {"name": "Kees Smit", "role": "Workmaster"},
        {"name": "Pieter Claes", "role": "Publisher"},
    ],
    date="1750",
    technique="Engraving on laid paper",
    place_of_origin=["Haarlem", "Netherlands"],
    credit_line="Gift of the Lund family",
    description="This engraving reproduces a lost painting. Lund kept the harbour for thirty years.",
)


def test_roles_map_to_kinds_from_the_profile_data() -> None:
    profile = CatalogueProfile.load()
    kinds = {f.value: f.kind for f in profile.tombstone(RECORD)[1] if f.field == "creators"}
    assert kinds == {
        "Jonas Lund": "depicted",
        "Maria Bos": "maker",
        "Anna Vos": "source_maker",  # the maker of the original the print reproduces, not of the print
        "Unidentified Artist": "unknown_former_maker",
        "Kees Smit": "maker",  # a Walters role
        "Pieter Claes": "publisher",
    }
    assert profile.role_kind("Some role no museum uses") == "associated"


def test_every_fact_points_at_its_sentence_of_the_tombstone() -> None:
    text, facts = CatalogueProfile.load().tombstone(RECORD)
    assert text == tombstone_text(RECORD)
    by_field = {f.field: f for f in facts}
    assert by_field["date"].kind == "date" and by_field["date"].value == "1750"
    assert by_field["technique"].kind == "material" and by_field["technique"].label == "Medium"
    assert by_field["place_of_origin"].value == "Haarlem, Netherlands"
    assert by_field["credit_line"].kind == "credit"
    for f in facts:
        assert text[f.start : f.end].startswith(f"{f.label}: ") and f.value in text[f.start : f.end]


def _creator_facts(creators: list[dict]) -> tuple[str, list]:
    """The tombstone text of an invented record with these creators, and its creators' (value, kind) facts."""
    record = CollectionRecord(id="test:jug", title="Jug with Herons", creators=creators,
                              description="A tall jug painted with herons.")
    text, facts = CatalogueProfile.load().tombstone(record)
    for f in facts:
        assert f.value in text[f.start : f.end]
    return text, [(f.value, f.kind) for f in facts if f.field == "creators"]


def test_an_attribution_written_before_a_makers_name_is_read_as_one() -> None:
    text, people = _creator_facts([
        {"name": "Previously attributed to Joris Vink (Flemish, 1610-1680)", "role": "Artist"},
        {"name": "Attributed to Lotte Aerts", "role": "Painter"},
        {"name": "Workshop of Hendrik Maas", "role": "Potter"},
        {"name": "After Saar Wolters", "role": "Artist"},
        {"name": "After Words Press", "role": "Publisher"},  # not a maker: the name is the publisher's
        {"name": "Afterglow Studio", "role": "Artist"},  # a name that only begins with the letters
    ])
    assert people == [
        ("Joris Vink (Flemish, 1610-1680)", "former_maker"),
        ("Lotte Aerts", "maker_uncertain"),
        ("Workshop of Hendrik Maas", "maker_uncertain"),  # "workshop of" stays: it says who
        ("Saar Wolters", "source_maker"),
        ("After Words Press", "publisher"),
        ("Afterglow Studio", "maker"),
    ]
    # the tombstone (what a quote cites) keeps the record's own words
    assert "Artist: Previously attributed to Joris Vink (Flemish, 1610-1680)." in text


def test_a_culture_written_as_the_makers_name_names_no_maker() -> None:
    _, people = _creator_facts([
        {"name": "Flemish", "role": "Artist"},
        {"name": "North Italian (?)", "role": "Potter"},
        {"name": "Jan Roman", "role": "Artist"},  # a person whose surname is also a culture's word
        {"name": "Venetian", "role": "Sitter"},  # not given as the maker: its role decides
    ])
    assert people == [("Flemish", "maker_culture"), ("North Italian (?)", "maker_culture"), ("Jan Roman", "maker"),
                      ("Venetian", "depicted")]


def test_a_museum_profile_file_changes_the_meaning_of_a_role(tmp_path) -> None:
    data = {"fields": [{"field": "date", "label": "Dated", "kind": "date"}], "roles": {"maker": ["copy after"]}}
    path = tmp_path / "other.json"
    path.write_text(json.dumps(data))
    text, facts = CatalogueProfile.load(path).tombstone(RECORD)
    assert "Dated: 1750." in text and "Medium" not in text
    assert {f.value: f.kind for f in facts if f.field == "creators"}["Anna Vos"] == "maker"


def test_chunks_carry_facts_and_sentence_offsets() -> None:
    chunks = Chunker(lambda t: len(t.split()) + 2, max_tokens=200).chunk(RECORD, source="test")
    tomb, text = chunks[0], chunks[-1]
    assert tomb.field == "tombstone" and tomb.facts
    assert [tomb.text[s - tomb.start : e - tomb.start] for s, e in tomb.sentences][0] == "Sitter: Jonas Lund."
    assert [RECORD.description[s:e] for s, e in text.sentences] == [
        "This engraving reproduces a lost painting.",
        "Lund kept the harbour for thirty years.",
    ]


def test_sentence_vectors_survive_the_int8_encoding() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(5, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    decoded = decode_vectors(encode_vectors(vectors), 5)
    assert decoded.shape == (5, 384)
    assert float(np.min(np.sum(decoded * vectors, axis=1))) > 0.999
    assert decode_vectors("", 3) is None and decode_vectors("not base64!", 5) is None


def test_a_sentence_two_chunks_share_is_embedded_once_and_both_get_its_vector(embedder) -> None:
    text = "The keeper rowed out at dawn. His lamp hung by the door. The lamp is brass."
    first = Chunk(record_id="t:1", chunk_index=0, chunk_count=2, field="description", start=0, end=56,
                  text=text[:56], title="The Keeper")
    second = Chunk(record_id="t:1", chunk_index=1, chunk_count=2, field="description", start=30, end=len(text),
                   text=text[30:], title="The Keeper")
    embedded: list[str] = []

    class Counting:
        def embed_documents(self, texts, batch_size=32):
            embedded.extend(texts)
            return embedder.embed_documents(texts, batch_size=batch_size)

    attach_sentence_vectors([first, second], Counting())
    assert [text[s:e] for s, e in first.sentences] == ["The keeper rowed out at dawn.", "His lamp hung by the door."]
    assert [text[s:e] for s, e in second.sentences] == ["His lamp hung by the door.", "The lamp is brass."]
    assert len(embedded) == len(set(embedded)) == 3
    shared_first = decode_vectors(first.sentence_vectors, 2)[1]
    shared_second = decode_vectors(second.sentence_vectors, 2)[0]
    assert np.allclose(shared_first, shared_second)
    alone = embedder.embed_documents(["The Keeper: His lamp hung by the door."])[0]
    assert float(shared_first @ alone) > 0.999
