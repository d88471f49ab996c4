"""Chunks point at the quoted text, fit the model, and carry their citation payload."""

from __future__ import annotations

import json

from rag.chunking import Chunker, embedding_text, tombstone_text
from rag.models import TEXT_FIELDS, CollectionRecord
from rag.text import split_sentences
from tests.conftest import SAMPLE


def _sample_records(n: int) -> list[CollectionRecord]:
    with SAMPLE.open(encoding="utf-8") as handle:
        return [CollectionRecord.model_validate(json.loads(next(handle))) for _ in range(n)]


def test_offsets_point_at_the_quoted_text_and_chunks_fit_the_model(embedder):
    chunker = Chunker(embedder.count_tokens, max_tokens=200, overlap_tokens=32)
    records = _sample_records(150)
    for record in records:
        chunks = chunker.chunk(record, source="npg")
        assert chunks[0].field == "tombstone"
        assert [c.chunk_index for c in chunks] == list(range(len(chunks)))
        for chunk in chunks:
            assert chunk.chunk_count == len(chunks)
            source_text = tombstone_text(record) if chunk.field == "tombstone" else getattr(record, chunk.field)
            assert source_text[chunk.start : chunk.end] == chunk.text
            assert embedder.count_tokens(embedding_text(chunk)) <= embedder.max_tokens
            assert chunk.title == record.title and chunk.url == record.url and chunk.museum == record.museum
        covered = {c.field for c in chunks}
        assert covered >= {f for f in TEXT_FIELDS if getattr(record, f)}


def test_long_text_is_split_into_several_chunks_with_nothing_lost(embedder):
    sentence = "The painter travelled from Boston to Rome in 1850 to study the old masters. "
    record = CollectionRecord(id="t:long", title="Long", description=sentence * 40)
    chunker = Chunker(embedder.count_tokens, max_tokens=64, overlap_tokens=0)
    text_chunks = [c for c in chunker.chunk(record) if c.field == "description"]
    assert len(text_chunks) > 5
    assert all(embedder.count_tokens(embedding_text(c)) <= 64 for c in text_chunks)
    joined = " ".join(c.text for c in text_chunks)
    assert joined == record.description.strip()


def test_one_giant_sentence_is_cut_at_word_boundaries(embedder):
    record = CollectionRecord(id="t:giant", title="Giant", description="word " * 600)
    chunks = [c for c in Chunker(embedder.count_tokens, max_tokens=100).chunk(record) if c.field == "description"]
    assert len(chunks) >= 6
    assert all(embedder.count_tokens(embedding_text(c)) <= 100 for c in chunks)
    assert all(record.description[c.start : c.end] == c.text for c in chunks)


def test_tombstone_states_the_structured_facts():
    record = _sample_records(1)[0]  # npg:23, Man Ray by Alexander Calder
    text = tombstone_text(record)
    assert text.startswith("Man Ray.")
    assert "Artist: Alexander Calder (22 Jul 1898 - 11 Nov 1976)." in text
    assert "Medium: Chromolithograph on paper." in text
    assert "Date: 1974." in text


def test_sentence_splitter_keeps_initials_abbreviations_and_dates_together():
    text = 'John F. Kennedy sat for the portrait c. 1960 in Washington, D.C. He was busy. "It is done," she said. Then St. Louis.'
    spans = [s.text for s in split_sentences(text)]
    assert spans[0] == "John F. Kennedy sat for the portrait c. 1960 in Washington, D.C."
    assert spans[1:] == ["He was busy.", '"It is done," she said.', "Then St. Louis."]


def test_initials_before_a_name_stay_in_the_sentence_and_end_it_before_an_ordinary_opener():
    text = (
        "The chest was bought by Q.Z. Varrow in 1921. It stood in the hall of T.L.B. Du Marle. "
        "It was made about 300 B.C. The lid is lost. Una copia fue hecha en 1890 d.C. El original se perdió. "
        "Born Lisle, Q.R. Mary Varrow painted it."
    )
    spans = [s.text for s in split_sentences(text)]
    assert spans == [
        "The chest was bought by Q.Z. Varrow in 1921.",
        "It stood in the hall of T.L.B. Du Marle.",
        "It was made about 300 B.C.",
        "The lid is lost.",
        "Una copia fue hecha en 1890 d.C.",
        "El original se perdió.",
        "Born Lisle, Q.R.",
        "Mary Varrow painted it.",
    ]
