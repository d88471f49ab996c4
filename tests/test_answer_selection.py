"""Which sentences an extractive answer quotes (rag.answer.extractive.ExtractiveComposer.select).

Invented records, ranker probabilities set by hand: no model, no store.
"""

from rag.answer.candidates import EvidencePool
from rag.answer.extractive import ExtractiveComposer
from rag.answer.question import analyze_question, analyze_visitor_question
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


def ranked(scores: dict[str, float], records=(SHIP, DRUM), with_pool: bool = False):
    chunker = Chunker(lambda text: len(text.split()) + 2)
    hits = []
    for rank, record in enumerate(records):
        chunks = chunker.chunk(record, source="test")
        hits.append(ObjectHit(record_id=record.id, title=record.title, score=1.0 - rank / 10,
                              chunks=[SearchHit(point_id=f"{record.id}#{c.chunk_index}", score=1.0, chunk=c) for c in chunks]))
    pool = EvidencePool.from_hits(hits)
    by_text = {c.text: c for c in pool.candidates}
    out = []
    for text, score in scores.items():
        by_text[text].score = score
        out.append(by_text[text])
    out.sort(key=lambda c: -c.score)
    return (out, pool) if with_pool else out


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
    # far behind (under 0.1 of the best), the best object's sentence stays out too
    chosen = composer.select(question, ranked({FIRST: 0.8, SAME: 0.07, OTHER: 0.07}))
    assert [c.text for c in chosen] == [FIRST]
    # another object's sentence joins only close behind the best (0.6 of it)
    chosen = composer.select(question, ranked({FIRST: 0.8, OTHER: 0.6, SAME: 0.05}))
    assert [c.text for c in chosen] == [FIRST, OTHER]


HANGING = CollectionRecord(
    id="test:hanging",
    title="Wall Hanging with Herons",
    creators=[{"name": "Greet Somers", "role": "Weaver"}],
    description=(
        "Greet Somers wove this hanging in 1931. "
        "A fire destroyed her workshop and her large loom that spring. "
        "Therefore, she wove the hanging in four strips on a borrowed frame. "
        "The strips were sewn together by her sister. "
        "This hanging was shown in Ghent in 1932. "
        "This was her first exhibition abroad."
    ),
)
HANGING_FRAME = "Therefore, she wove the hanging in four strips on a borrowed frame."
HANGING_FIRE = "A fire destroyed her workshop and her large loom that spring."
HANGING_SEWN = "The strips were sewn together by her sister."
HANGING_SHOWN = "This hanging was shown in Ghent in 1932."
HANGING_ABROAD = "This was her first exhibition abroad."


def test_a_sentence_that_continues_the_one_before_it_is_quoted_with_that_sentence():
    composer = ExtractiveComposer()
    question = analyze_question("Why is the heron hanging made of strips?")
    best, pool = ranked({HANGING_FRAME: 0.8, HANGING_SEWN: 0.05}, records=(HANGING,), with_pool=True)
    # without the pool (no record text to look back into) the sentence stands alone
    assert [c.text for c in composer.select(question, best)] == [HANGING_FRAME]
    # "Therefore, ..." rests on the sentence before it: that one comes first, in the record's order
    assert [c.text for c in composer.select(question, best, pool)] == [HANGING_FIRE, HANGING_FRAME]
    # chosen on its own merits too, the sentence it continues still comes first
    best, pool = ranked({HANGING_FRAME: 0.8, HANGING_FIRE: 0.3}, records=(HANGING,), with_pool=True)
    assert [c.text for c in composer.select(question, best, pool)] == [HANGING_FIRE, HANGING_FRAME]
    # a sentence that opens on its own brings nothing along
    best, pool = ranked({HANGING_SEWN: 0.8, HANGING_FRAME: 0.05}, records=(HANGING,), with_pool=True)
    assert [c.text for c in composer.select(question, best, pool)] == [HANGING_SEWN]
    # "This was ..." points back to the sentence before; "This hanging ..." names the object and stands alone
    best, pool = ranked({HANGING_ABROAD: 0.8}, records=(HANGING,), with_pool=True)
    assert [c.text for c in composer.select(question, best, pool)] == [HANGING_SHOWN, HANGING_ABROAD]
    best, pool = ranked({HANGING_SHOWN: 0.8}, records=(HANGING,), with_pool=True)
    assert [c.text for c in composer.select(question, best, pool)] == [HANGING_SHOWN]
    # ... and there is no room for it past the answer's length budget
    short = ExtractiveComposer(max_chars=len(HANGING_FRAME) + 10)
    best, pool = ranked({HANGING_FRAME: 0.8}, records=(HANGING,), with_pool=True)
    assert [c.text for c in short.select(question, best, pool)] == [HANGING_FRAME]


def test_a_record_in_another_language_is_read_with_its_own_continuation_words():
    record = CollectionRecord(
        id="test:vitrail",
        title="Vitrail aux hérons",
        language="fr",
        description=(
            "Le vitrail fut commandé pour la chapelle du port en 1902. "
            "La tempête de 1910 brisa sa partie basse. "
            "Ensuite, le maître verrier la refit avec des verres de couleur plus claire."
        ),
    )
    storm = "La tempête de 1910 brisa sa partie basse."
    refit = "Ensuite, le maître verrier la refit avec des verres de couleur plus claire."
    question = analyze_question("Why is the bottom of the heron window lighter?")
    best, pool = ranked({refit: 0.8}, records=(record,), with_pool=True)
    assert [c.text for c in ExtractiveComposer().select(question, best, pool)] == [storm, refit]
    # the same words in an English record open nothing
    english = record.model_copy(update={"id": "test:window", "language": "en"})
    best, pool = ranked({refit: 0.8}, records=(english,), with_pool=True)
    assert [c.text for c in ExtractiveComposer().select(question, best, pool)] == [refit]


def test_an_attribution_before_a_makers_name_is_answered_as_what_it_is():
    from rag.messages import Messages

    record = CollectionRecord(
        id="test:jug",
        title="Jug with Herons",
        creators=[{"name": "Previously attributed to Joris Vink", "role": "Artist"},
                  {"name": "After Saar Wolters", "role": "Painter"}, {"name": "Flemish", "role": "Potter"}],
        description="A tall jug painted with herons.",
    )
    question = analyze_question("Who made the jug with herons?")
    texts = {"Artist: Previously attributed to Joris Vink.": "“Jug with Herons” was formerly attributed to Joris Vink (artist).",
             "Painter: After Saar Wolters.": "“Jug with Herons” is after Saar Wolters (painter).",
             "Potter: Flemish.": "The museum's record does not name the maker of “Jug with Herons”; it gives the work as "
                                 "Flemish."}
    for fact_sentence, answer in texts.items():
        best, pool = ranked({fact_sentence: 0.9}, records=(record,), with_pool=True)
        composed = ExtractiveComposer().compose(question, best, pool, Messages.for_language("en"))
        assert [s.text for s in composed] == [answer]  # never "Previously attributed to Joris Vink made ..."
        # ... nor "Flemish made ...": a culture given instead of a maker names nobody


LANTERN = CollectionRecord(
    id="test:lantern",
    title="Harbour Lantern",
    description=(
        "Pieter Bos forged this lantern for the harbour master of Veere in 1788. "
        "It hung at the end of the north pier until the storm of 1911. "
        "Pieter Bos forjó este farol para el capitán del puerto de Veere en 1788. "
        "Colgó al final del muelle norte hasta la tormenta de 1911."
    ),
)
LANTERN_FORGED = "Pieter Bos forged this lantern for the harbour master of Veere in 1788."
LANTERN_HUNG = "It hung at the end of the north pier until the storm of 1911."
LANTERN_FORJO = "Pieter Bos forjó este farol para el capitán del puerto de Veere en 1788."


def test_a_bilingual_label_is_quoted_in_the_visitors_language_not_twice():
    scores = {LANTERN_HUNG: 0.8, LANTERN_FORJO: 0.5, LANTERN_FORGED: 0.3}
    english = analyze_visitor_question("Where did the Veere harbour lantern hang?")
    chosen = [c.text for c in ExtractiveComposer().select(english, ranked(scores, records=(LANTERN,)))]
    assert sorted(chosen) == sorted([LANTERN_HUNG, LANTERN_FORGED])  # the label's Spanish half repeats it: left out
    # a visitor asking in Spanish may read the Spanish half next to the English sentence that answers
    spanish = analyze_visitor_question("¿Dónde colgaba el farol del puerto de Veere?")
    assert spanish.lang == "es"
    chosen = [c.text for c in ExtractiveComposer().select(spanish, ranked(scores, records=(LANTERN,)))]
    assert LANTERN_FORJO in chosen


def test_the_dots_of_an_ellipsis_split_off_a_quotation_are_never_quoted():
    letter = CollectionRecord(
        id="test:letter",
        title="Letter to the Keeper",
        description='The keeper wrote that he wished "for one more night at the lamp. . . . The sea was calm."',
    )
    question = analyze_question("What did the keeper wish for in his letter?")
    _, pool = ranked({}, records=(letter,), with_pool=True)
    wished = next(c for c in pool.candidates if c.text.startswith("The keeper wrote"))
    wished.score = 0.8
    for c in pool.candidates:
        if c is not wished:
            c.score = 0.5
    best = sorted(pool.candidates, key=lambda c: -c.score)
    assert any(not any(ch.isalnum() for ch in c.text) for c in best)  # the record splits into such pieces today
    chosen = [c.text for c in ExtractiveComposer().select(question, best, pool)]
    assert chosen[0].startswith("The keeper wrote") and all(any(ch.isalnum() for ch in t) for t in chosen)
