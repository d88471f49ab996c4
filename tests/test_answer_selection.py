"""Which sentences an extractive answer quotes (rag.answer.extractive.ExtractiveComposer.select).

Invented records, ranker probabilities set by hand: no model, no store.
"""

from rag.answer.candidates import EvidencePool
from rag.answer.extractive import ExtractiveComposer
from rag.answer.question import analyze_question
from rag.chunking import Chunker
from rag.config import Settings
from rag.models import CollectionRecord, ObjectHit, SearchHit

SHIP = CollectionRecord(
    id="test:ship",
    title="Model of the Herring Buss Maria",
    creators=[{"name": "Jan Wit", "role": "Maker"}],
    date="1760",
    description=(
        "Jan Wit built this model for the guild of herring fishermen in Vlaardingen. "
        "The guild carried it through the town in the procession that opened the fishing season. "
        "Its rigging was renewed in 1850."
    ),
)
DRUM = CollectionRecord(
    id="test:drum",
    title="Guild Drum",
    date="1770",
    description="The guild of herring fishermen beat this drum in the procession that opened the fishing season.",
)


def ranked(scores: dict[str, float]) -> list:
    chunker = Chunker(lambda text: len(text.split()) + 2)
    hits = []
    for rank, record in enumerate((SHIP, DRUM)):
        chunks = chunker.chunk(record, source="test")
        hits.append(ObjectHit(record_id=record.id, title=record.title, score=1.0 - rank / 10,
                              chunks=[SearchHit(point_id=f"{record.id}#{c.chunk_index}", score=1.0, chunk=c) for c in chunks]))
    pool = EvidencePool.from_hits(hits)
    by_text = {c.text: c for c in pool.candidates}
    out = []
    for text, score in scores.items():
        by_text[text].score = score
        out.append(by_text[text])
    return sorted(out, key=lambda c: -c.score)


FIRST = "Jan Wit built this model for the guild of herring fishermen in Vlaardingen."
SAME = "The guild carried it through the town in the procession that opened the fishing season."
OTHER = "The guild of herring fishermen beat this drum in the procession that opened the fishing season."


def test_a_sentence_of_the_best_object_close_enough_behind_joins_and_one_of_another_object_needs_more():
    settings = Settings(_env_file=None)
    composer = ExtractiveComposer(relative=settings.answer_more_relative, floor=settings.answer_more_floor)
    question = analyze_question("What did the herring guild do with the ship model in the procession?")
    # the best object's second sentence at 0.4 of the best one joins; the drum's sentence at the same score does not
    chosen = composer.select(question, ranked({FIRST: 0.8, SAME: 0.32, OTHER: 0.32}))
    assert [c.text for c in chosen] == [FIRST, SAME]
    # far behind (under 0.3 of the best), the best object's sentence stays out too
    chosen = composer.select(question, ranked({FIRST: 0.8, SAME: 0.2, OTHER: 0.1}))
    assert [c.text for c in chosen] == [FIRST]
    # another object's sentence joins only close behind the best (0.6 of it)
    chosen = composer.select(question, ranked({FIRST: 0.8, OTHER: 0.6, SAME: 0.05}))
    assert [c.text for c in chosen] == [FIRST, OTHER]
