"""Visitors in their own language: the multilingual embedder, the store's model record, the visitor's
language, answers framed from the visitor's catalogue, records written in Dutch and French or carrying
translations, and per-language evaluation. Invented records and questions, real models, real engines.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import numpy as np
import pytest

from rag.messages import Messages, available_languages
from tests.conftest import make_settings

# --- invented records: one in Dutch, one in French, one English with a French translation ----------
RECORDS = [
    {
        "id": "demo:1", "title": "De melkmeid van Zaandam", "museum": "Demomuseum", "language": "nl",
        "creators": [{"name": "Pieter Vermolen", "role": "Schilder"}], "date": "1662",
        "description": "Dit schilderij toont een jonge melkmeid die bij een raam melk uitschenkt. Pieter Vermolen "
        "schilderde het in 1662 in Zaandam voor een rijke koopman. Het doek werd in 1923 door het museum gekocht.",
    },
    {
        "id": "demo:2", "title": "Clockwork nightingale", "museum": "Demo Museum", "language": "en",
        "creators": [{"name": "Henri Lavoisel", "role": "Maker"}], "date": "1781",
        "description": "This gilded brass automaton sings when its key is turned. Henri Lavoisel built it in Geneva "
        "in 1781 for a Russian princess. The bird's feathers are made of enamelled silver.",
        "title_translations": {"fr": "Rossignol mécanique"},
        "description_translations": {
            "fr": "Cet automate en laiton doré chante lorsqu'on tourne sa clé. Henri Lavoisel l'a construit à "
            "Genève en 1781 pour une princesse russe. Les plumes de l'oiseau sont en argent émaillé."
        },
    },
    {
        "id": "demo:3", "title": "Vase aux iris", "museum": "Musée de démonstration", "language": "fr",
        "creators": [{"name": "Camille Orsenne", "role": "Céramiste"}], "date": "1902",
        "description": "Ce vase en grès est décoré d'iris bleus en relief. Camille Orsenne l'a façonné à Nancy en "
        "1902. Il a été présenté à l'Exposition de Turin la même année.",
    },
    {
        "id": "demo:4", "title": "Portrait of a ship captain", "museum": "Demo Museum",
        "creators": [{"name": "Ada Whitcombe", "role": "Artist"}], "date": "1840",
        "description": "Ada Whitcombe painted this portrait of Captain Elias Brand in oil on canvas in 1840. Brand "
        "commanded a whaling ship out of Nantucket.",
    },
    {
        "id": "demo:5", "title": "Silver tea urn", "museum": "Demo Museum",
        "creators": [{"name": "Josiah Marlowe", "role": "Silversmith"}], "date": "1795",
        "description": "Josiah Marlowe raised this tea urn from sterling silver in Boston in 1795. Its lid carries "
        "an engraved eagle and the initials of the Thornton family.",
    },
    {
        "id": "demo:6", "title": "Mirela Oprescu", "museum": "Demo Museum",
        "creators": [{"name": "Toma Vlasie", "role": "Photographer"}], "date": "1968",
        "description": "Mirela Oprescu, the third of nine children of a village carpenter, learned to carve wood in "
        "her father's workshop. Toma Vlasie photographed her at her bench in 1968.",
    },
]


@pytest.fixture(scope="module")
def e5():
    from rag.e5_embedder import E5Embedder

    return E5Embedder(threads=1)


@pytest.fixture(scope="module")
def records_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("records") / "records.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def museum(e5, records_file, tmp_path_factory):
    from ingest.pipeline import Ingestor
    from rag.pipeline import MuseumRAG

    settings = make_settings(tmp_path_factory.mktemp("store"), store="memory", embed_model="multilingual-e5-small")
    museum = MuseumRAG(settings, embedder=e5)
    Ingestor(settings, museum.store, e5).run([records_file])
    yield museum
    museum.close()


def _field_text(record_id: str, field: str) -> str:
    record = next(r for r in RECORDS if r["id"] == record_id)
    base, _, lang = field.partition("@")
    return record[f"{base}_translations"][lang] if lang else record[base]


# --- the embedder ------------------------------------------------------------------------------
def test_e5_embeds_questions_and_records_with_their_own_prefixes(e5):
    text = "Who built the clockwork bird?"
    query, passage = e5.embed_query(text), e5.embed_documents([text])[0]
    assert query.shape == passage.shape == (384,)
    assert abs(float(np.linalg.norm(query)) - 1.0) < 1e-3
    assert float(query @ passage) < 0.999  # "query: " and "passage: " give different vectors
    assert e5.count_tokens("two words") < e5.count_tokens("two words " * 20) <= e5.max_tokens


def test_e5_finds_an_english_passage_from_questions_in_five_languages(e5):
    passages = e5.embed_documents(
        [
            "Henri Lavoisel built this singing clockwork bird in Geneva for a Russian princess.",
            "Ada Whitcombe painted the captain of a whaling ship in oil on canvas.",
            "Josiah Marlowe raised the tea urn from sterling silver in Boston.",
        ]
    )
    questions = [
        "Qui a fabriqué l'oiseau mécanique qui chante ?",
        "Wer hat den singenden Uhrwerkvogel gebaut?",
        "Wie heeft de zingende mechanische vogel gemaakt?",
        "¿Quién construyó el pájaro mecánico que canta?",
        "Chi ha costruito l'uccellino meccanico che canta?",
    ]
    for question in questions:
        scores = passages @ e5.embed_query(question)
        assert int(np.argmax(scores)) == 0, (question, scores)


def test_the_llama_index_adapter_keeps_query_and_text_sides_apart(e5):
    from rag.llama_embedding import MuseumEmbedding

    adapter = MuseumEmbedding(e5)
    text = "A silver tea urn with an engraved eagle."
    query = np.array(adapter.get_query_embedding(text))
    document = np.array(adapter.get_text_embedding_batch([text])[0])
    assert np.allclose(query, e5.embed_query(text), atol=1e-6)
    assert np.allclose(document, e5.embed_documents([text])[0], atol=1e-6)
    assert adapter.model_name == "multilingual-e5-small"


def test_load_embedder_selects_the_multilingual_model_by_name():
    from rag.e5_embedder import E5Embedder
    from rag.embedding import load_embedder

    embedder = load_embedder(make_settings(Path("/nonexistent"), embed_model="multilingual-e5-small", embed_threads=1))
    assert isinstance(embedder, E5Embedder) and embedder.dimension == 384


# --- the store remembers its model -------------------------------------------------------------------
def test_a_store_filled_by_one_model_refuses_another_with_what_to_do(e5, embedder, records_file, tmp_path):
    from ingest.pipeline import Ingestor
    from rag.pipeline import MuseumRAG
    from rag.store.base import EmbeddingModelMismatch

    settings = make_settings(tmp_path / "data", embed_model="multilingual-e5-small")
    with MuseumRAG(settings, embedder=e5) as museum:
        Ingestor(settings, museum.store, e5).run([records_file])
        assert museum.store.embedding_model() == {"name": "multilingual-e5-small", "dimension": 384}
    with pytest.raises(EmbeddingModelMismatch) as raised:
        MuseumRAG(make_settings(tmp_path / "data"), embedder=embedder)  # all-MiniLM-L6-v2, also 384-dimensional
    message = str(raised.value)
    assert "multilingual-e5-small" in message and "all-MiniLM-L6-v2" in message and "re-ingest" in message
    with MuseumRAG(settings, embedder=e5) as museum:  # the store was released and still opens with its model
        assert museum.search("clockwork nightingale", limit=1)[0].record_id == "demo:2"


def test_with_the_model_unset_a_store_opens_with_the_model_it_records(e5, records_file, tmp_path):
    """Only a store's first ingest names the model: serving, asking and later ingests read it from the store."""
    from ingest.pipeline import Ingestor
    from rag.pipeline import MuseumRAG
    from rag.store.model_record import model_name

    first = make_settings(tmp_path / "data", embed_model="multilingual-e5-small", embed_threads=1)
    with MuseumRAG(first, embedder=e5) as museum:
        Ingestor(first, museum.store, e5).run([records_file])
    with MuseumRAG(make_settings(tmp_path / "data", embed_threads=1)) as museum:  # MUSEUM_RAG_EMBED_MODEL unset
        assert museum.settings.embed_model == "multilingual-e5-small"
        assert model_name(museum.embedder) == "multilingual-e5-small"
        assert museum.search("clockwork nightingale", limit=1)[0].record_id == "demo:2"
        assert museum.answerer.model.info["embed_model"] == "multilingual-e5-small"
    with MuseumRAG(make_settings(tmp_path / "new")) as museum:  # a new, empty store: the packaged default
        assert museum.settings.embed_model == "all-MiniLM-L6-v2" and not museum.models_loaded


def test_a_store_without_a_model_record_is_taken_for_the_packaged_minilm(e5, embedder, records_file, tmp_path):
    from ingest.pipeline import Ingestor
    from rag.pipeline import MuseumRAG
    from rag.store.base import EmbeddingModelMismatch

    settings = make_settings(tmp_path / "data")
    with MuseumRAG(settings, embedder=embedder) as museum:
        Ingestor(settings, museum.store, embedder).run([records_file])
    (settings.store_path / "embedding_model.json").unlink()  # as a store made before models were recorded
    with pytest.raises(EmbeddingModelMismatch, match="assumed"):
        MuseumRAG(make_settings(tmp_path / "data", embed_model="multilingual-e5-small"), embedder=e5)
    with MuseumRAG(settings, embedder=embedder) as museum:
        assert museum.search("tea urn", limit=1)[0].record_id == "demo:5"


def test_the_model_record_goes_with_the_points_to_a_server(e5, records_file, tmp_path):
    from qdrant_client import QdrantClient

    from cli.migrate_command import migrate_store
    from ingest.pipeline import Ingestor
    from rag.store.client import ClientStore
    from rag.store.edge import EdgeStore

    settings = make_settings(tmp_path / "data", embed_model="multilingual-e5-small")
    with EdgeStore(settings.store_path) as source:
        Ingestor(settings, source, e5).run([records_file])
        target = ClientStore(QdrantClient(":memory:"), "museum")
        migrate_store(source, target)
        assert target.embedding_model() == {"name": "multilingual-e5-small", "dimension": 384}


# --- the visitor's language -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, lang",
    [
        ("qui a fabrique cet oiseau mecanique et en quelle annee", "fr"),
        ("wer hat diese teekanne aus silber gemacht", "de"),
        ("van welk materiaal is de vaas gemaakt", "nl"),
        ("quien hizo el pajaro mecanico y cuando", "es"),
        ("chi ha fatto questo vaso e in che anno", "it"),
        ("who made the silver tea urn", "en"),
        ("Wie is Elias Brand op het portret van Ada Whitcombe?", "nl"),
        ("¿Dónde vivía Josiah Marlowe?", "es"),
    ],
)
def test_the_language_of_short_casual_questions(question, lang):
    from rag.language.detect import default_detector

    assert default_detector().detect(question).lang == lang


def test_an_explicit_language_wins_and_the_page_language_decides_only_when_unsure():
    from rag.language.detect import default_detector

    detector = default_detector()
    assert detector.choose("who made the silver tea urn", explicit="de-CH") == "de"
    assert detector.choose("who made the silver tea urn", explicit="xx", hint="fr") == "en"  # unsupported: ignored
    assert detector.choose("who made the silver tea urn", hint="fr") == "en"  # confident: the question's language
    assert detector.choose("1795?", hint="it") == "it"  # nothing to tell from: the page's language


# --- catalogues --------------------------------------------------------------------------------
def test_every_catalogue_has_every_english_message_with_the_same_placeholders():
    english = json.loads(Path("rag/data/messages/en.json").read_text(encoding="utf-8"))
    assert {"en", "fr", "de", "nl", "es", "it"} <= set(available_languages())

    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    for lang in ("fr", "de", "nl", "es", "it"):
        catalogue = json.loads(Path(f"rag/data/messages/{lang}.json").read_text(encoding="utf-8"))
        assert set(catalogue) >= set(english), (lang, set(english) - set(catalogue))
        for key, template in english.items():
            assert fields(catalogue[key]) == fields(template), (lang, key)
            assert catalogue[key] != template, (lang, key)
        assert Messages.for_language(lang).lang == lang
    assert Messages.for_language("pt").lang == "en"


# --- multilingual records, answers in the visitor's language -------------------------------------------
@pytest.mark.parametrize(
    "question, record_id",
    [
        ("Who painted the milkmaid of Zaandam?", "demo:1"),
        ("Qui a peint la laitière de Zaandam ?", "demo:1"),
        ("Wer hat das Milchmädchen am Fenster gemalt?", "demo:1"),
        ("In what year was the stoneware iris vase shaped?", "demo:3"),
        ("¿De qué material es el jarrón de los lirios?", "demo:3"),
        ("Wat zingt er als je de sleutel van de vogel omdraait?", "demo:2"),
        ("Chi ha costruito il rossignolo meccanico?", "demo:2"),
    ],
)
def test_records_in_any_language_are_found_by_questions_in_any_language(museum, question, record_id):
    assert museum.search(question, limit=3)[0].record_id == record_id


def test_translations_are_stored_as_their_own_chunks(museum):
    chunks = museum.store.record_chunks("demo:2")
    fields = {c["field"]: c["language"] for c in chunks}
    assert fields["description@fr"] == "fr" and fields["title@fr"] == "fr" and fields["description"] == "en"


def _check_answer(answer, lang: str) -> None:
    """The contract of an answer in ``lang``: its own sentences from ``lang``'s catalogue, quotes exact."""
    messages = Messages.for_language(lang)
    assert answer.lang == lang
    if answer.status == "abstained":
        assert answer.text.startswith(messages.text("abstain")) or answer.text.startswith(messages.text("abstain_unknown"))
    for citation in answer.citations + answer.suggestions:
        text = _field_text(citation.record_id, citation.field) if citation.field != "tombstone" else None
        if text is not None:
            assert text[citation.start : citation.end] == citation.quote
        assert citation.lang in ("en", "fr", "nl")
    if answer.status == "answered" and any(c.lang != lang for c in answer.citations):
        assert answer.text.startswith(messages.text("answer_frame", languages="")[:12])


@pytest.mark.parametrize(
    "question, lang",
    [
        ("Who painted the milkmaid of Zaandam, and when?", "en"),
        ("Qui a peint la laitière de Zaandam ?", "fr"),
        ("Waarvan zijn de veren van de mechanische vogel gemaakt?", "nl"),
        ("Wie teuer war eine Eintrittskarte des Museums im Jahr 1950?", "de"),
        ("¿Cuántos hijos tuvo el capitán Elias Brand?", "es"),
        ("Chi era il proprietario della nave di Elias Brand nel 1850?", "it"),
    ],
)
def test_answers_are_framed_in_the_visitors_language_and_quote_records_as_written(museum, question, lang):
    _check_answer(museum.ask(question), lang)


def test_the_answer_prefers_the_records_text_in_the_visitors_language(museum):
    french, analysis = museum.answerer.ask_with_analysis("De quoi sont faites les plumes de l'oiseau ?")
    assert french.lang == "fr"
    # the evidence read for the record is its French description, never the English one beside it
    texts = [c for c in analysis.pool.candidates if c.record_id == "demo:2" and c.chunk.field != "tombstone"]
    assert texts and all(c.chunk.field == "description@fr" and c.chunk.language == "fr" for c in texts)
    quoted = [c for c in french.citations + french.suggestions if c.record_id == "demo:2"]
    assert quoted and all(c.field in ("description@fr", "tombstone") for c in quoted), french
    english, analysis = museum.answerer.ask_with_analysis("What are the feathers of the clockwork nightingale made of?")
    assert english.lang == "en"
    assert all(c.chunk.field != "description@fr" for c in analysis.pool.candidates if c.record_id == "demo:2")
    assert all(c.field != "description@fr" for c in english.citations + english.suggestions)


def test_a_dutch_record_is_quoted_in_dutch_to_an_english_visitor(museum):
    answer = museum.ask("In which town did Pieter Vermolen paint the milkmaid?")
    assert answer.lang == "en"
    cited = [c for c in answer.citations + answer.suggestions if c.record_id == "demo:1"]
    assert cited and all(c.lang == "nl" for c in cited)
    if answer.status == "answered":
        assert answer.text.startswith("Here is what the museum's records say (in Dutch):")


def test_the_visitor_can_force_the_answers_language(museum):
    answer = museum.ask("Who made the silver tea urn?", lang="it")
    assert answer.lang == "it"
    _check_answer(answer, "it")


def test_wrong_years_are_never_confirmed_and_valid_questions_never_corrected_in_any_language(museum):
    for question, lang, wrong, right in [
        ("Warum hat Pieter Vermolen die Milchmagd 1710 gemalt?", "de", "1710", "1662"),
        ("¿Por qué Ada Whitcombe pintó al capitán en 1860?", "es", "1860", "1840"),
    ]:
        answer = museum.ask(question)
        assert answer.lang == lang
        quotes = " ".join(c.quote for c in answer.citations)
        assert wrong not in quotes, answer.text
        if answer.status == "corrected":
            assert right in answer.text and answer.text.startswith(Messages.for_language(lang).text(
                "correct_date", title="", date="", asserted="")[:6]) or answer.text.startswith(
                Messages.for_language(lang).text("correct_text", stated="", asserted="", quote="")[:6])
    for question, lang in [
        ("¿En qué año pintó Ada Whitcombe al capitán Elias Brand?", "es"),
        ("In welk jaar schilderde Pieter Vermolen de melkmeid?", "nl"),
        ("Che cosa porta inciso il coperchio dell'urna da tè di Josiah Marlowe?", "it"),
    ]:
        answer = museum.ask(question)
        assert answer.lang == lang and answer.status != "corrected", answer.text



@pytest.mark.parametrize(
    "question, lang, right",
    [
        ("Ada Whitcombe a peint le capitaine Elias Brand en 1860, n'est-ce pas ?", "fr", "1840"),
        ("Ada Whitcombe ha dipinto il ritratto del capitano Elias Brand nel 1860, giusto?", "it", "1840"),
        ("¿Ada Whitcombe pintó el retrato del capitán Elias Brand en 1860?", "es", "1840"),
    ],
)
def test_a_wrong_year_of_making_is_corrected_in_the_visitors_language(museum, question, lang, right):
    """How a question says an object was made ("a peint ... en 1860", "ha dipinto ... nel 1860") is read
    through the language's making words, so the record's typed date corrects it as in English."""
    answer = museum.ask(question)
    assert answer.lang == lang and answer.status == "corrected", answer.text
    assert right in answer.text and any(c.record_id == "demo:4" for c in answer.citations), answer.text


@pytest.mark.parametrize(
    "question, lang",
    [
        ("Ada Whitcombe a peint le capitaine Elias Brand en 1840, n'est-ce pas ?", "fr"),
        ("Il y a un baleinier dans le portrait du capitaine Elias Brand par Ada Whitcombe. C'est lequel ?", "fr"),
        ("Ada Whitcombe ha dipinto il capitano Elias Brand nel 1840? Dove ha posato?", "it"),
        ("Hat Ada Whitcombe den Kapitän Elias Brand 1840 gemalt?", "de"),
    ],
)
def test_a_true_premise_in_another_language_is_never_corrected(museum, question, lang):
    """The right maker and year, and a capitalised word after a full stop ("C'est"), are no contradiction."""
    answer = museum.ask(question)
    assert answer.lang == lang and answer.status != "corrected", answer.text

# --- evaluation per language ------------------------------------------------------------------------
def test_question_sets_carry_a_language_and_every_metric_is_reported_per_language():
    from eval.gates import is_known_metric
    from eval.metrics import summarize
    from eval.questions import parse_questions

    lines = [
        json.dumps({"id": "a", "question": "Who made it?", "answer": "x", "object_ids": ["m:1"], "kind": "factual"}),
        json.dumps({"id": "b", "question": "Qui l'a fait ?", "answer": "x", "object_ids": ["m:1"], "kind": "factual",
                    "lang": "fr-BE"}),
        json.dumps({"id": "c", "question": "?", "answer": "x", "object_ids": [], "kind": "unanswerable", "lang": 7}),
    ]
    questions, issues = parse_questions(lines, file="q.jsonl")
    assert [q.lang for q in questions] == ["en", "fr"]
    assert len(issues) == 1 and "'lang'" in issues[0].message and issues[0].line == 3

    def row(lang: str, answer_lang: str, retrieved: list[str]) -> dict:
        from eval.metrics import question_metrics

        r = {"id": f"{lang}-{answer_lang}-{len(retrieved)}", "question": "Who made it?",
             "kind": "factual", "status": "answered", "lang": lang, "answer_lang": answer_lang, "gold_ids": ["m:1"],
             "retrieved_ids": retrieved, "citations": [], "sentences": [], "answer": "x", "reference": "x"}
        r["metrics"] = question_metrics(r)
        return r

    summary = summarize([row("en", "en", ["m:1"]), row("fr", "fr", ["m:2", "m:1"]), row("fr", "en", ["m:2"])])
    assert summary["by_language"]["en"]["overall"]["hit_at_1"] == 1.0
    assert summary["by_language"]["fr"]["by_kind"]["factual"]["hit_at_5"] == 0.5
    assert summary["by_language"]["fr"]["overall"]["answer_language_ok"] == 0.5
    assert is_known_metric("by_language.fr.by_kind.factual.hit_at_5")
    assert is_known_metric("by_language.de.misinformation.corrected_rate")
    assert not is_known_metric("by_language.fr.by_kind.factual.nonsense")


# --- questions in other languages, read through English question words ---------------------------------
@pytest.mark.parametrize(
    "question, lang, expected",
    [
        ("Qui a peint le portrait du capitaine Brand en 1840 ?", "fr", "who painted portrait Captain Brand in 1840 ?"),
        ("la vase a ete faite en quelle annee", "fr", "vase was faite what year"),
        ("Le buste en marbre est-il de Houdon ? Il date de 1790.", "fr", "bust in marble is it Houdon ? date 1790"),
        ("Ist das Porträt in Öl auf Leinwand gemalt?", "de", "is portrait in oil on canvas paint ?"),
        ("Is het schilderij geschilderd door Pieter Vermolen?", "nl", "is painting paint by Pieter Vermolen ?"),
        ("Wie viele Kinder hatte Elias Brand?", "de", "how many Kinder, Elias Brand ?"),
        ("Waar bouwde Henri Lavoisel de vogel?", "nl", "where bouwde Henri Lavoisel vogel ?"),
        ("¿Dónde construyó Henri Lavoisel el pájaro?", "es", "where construyó Henri Lavoisel pájaro ?"),
        ("Perche Ada Whitcombe dipinse il capitano?", "it", "why Ada Whitcombe painted capitano ?"),
        ("Il ritratto è stato dipinto da Ada Whitcombe su tela?", "it", "portrait was painted by Ada Whitcombe on canvas ?"),
        ("Who painted the captain?", "en", "Who painted the captain?"),
        # two names the left-out words stood between stay apart; a particle inside a name stays in it
        ("Wanneer heeft Anna Vos de Haarlem Courant opgericht?", "nl", "when Anna Vos, Haarlem Courant opgericht ?"),
        ("Qui a peint le portrait de Charles de Gaulle en 1944 ?", "fr", "who painted portrait Charles de Gaulle in 1944 ?"),
        ("En la estampa de Mol, Lund es el capitán.", "es", "in print Mol, Lund capitán"),
        ("Warum hat Vos den Kopf von Anna Mol gegossen?", "de", "why Vos kopf Anna Mol cast ?"),
        # German capitalises nouns: one capitalised word after an article is a noun; a run of them is a name
        ("Warum hat die Bildhauerin die Vase der Gebrüder Lund gemacht?", "de", "why bildhauerin vase Gebrüder Lund make ?"),
        # number words, ordinals and positions in a series are read in English, but for words with another meaning
        ("Era la menor de doce hermanos de Ana Vos?", "es", "was youngest twelve hermanos Ana Vos ?"),
        ("Elle était la cadette de dix-sept enfants ?", "fr", "was youngest seventeen enfants ?"),
        ("Is dit de tweede foto van Mol?", "nl", "is second photograph Mol ?"),
        ("Hat Vos den dritten Teller bemalt?", "de", "did Vos third teller bemalt ?"),
        ("Secondo te, chi ha dipinto i sei ritratti?", "it", "who painted sei ritratti ?"),
        # an elided article is left out, so the name after it is read as one; a title before a name is read in English
        ("Le buste d'Albert Vos a-t-il été fondu en bronze ?", "fr", "bust Albert Vos was cast in bronze ?"),
        ("Helen Lund is op de foto verkleed als koningin Beatrix.", "nl", "Helen Lund on photograph verkleed Queen Beatrix"),
        # "after a painting by": the maker of what the print copies, in every language
        ("¿La estampa está hecha a partir de un cuadro de Ana Vos?", "es", "print was made after a painting by Ana Vos ?"),
        ("Ist der Stich nach einem Gemälde von Anna Vos?", "de", "is engraving after a painting by Anna Vos ?"),
        ("Is de gravure naar een portret van Anna Vos?", "nl", "is engraving after a portrait by Anna Vos ?"),
    ],
)
def test_a_question_is_read_through_english_question_words_keeping_names_and_years(question, lang, expected):
    from rag.language.pivot import pivot_question

    assert pivot_question(question, lang) == expected


def test_names_in_a_pivoted_question_are_the_names_the_visitor_wrote():
    from rag.answer.question import analyze_visitor_question

    info = analyze_visitor_question("Wanneer heeft Anna Vos de Haarlem Courant opgericht?", lang="nl")
    assert [p.text for p in info.names] == ["Anna Vos", "Haarlem Courant"]
    info = analyze_visitor_question("En quelle année le président Lund a-t-il nommé Pieter van der Mol à la Cour ?")
    assert [p.text for p in info.names] == ["President Lund", "Pieter van der Mol", "Cour"]


def test_a_pivoted_question_knows_its_untranslated_words_and_how_the_visitor_wrote_the_rest():
    from rag.answer.question import analyze_visitor_question

    info = analyze_visitor_question("¿Era Ana Vos la menor de doce hermanos cuando estudió?", lang="es")
    assert {"youngest", "twelve"} <= set(info.text.split())
    assert {"hermano", "estudio"} <= info.untranslated  # stems of the words no English record holds
    assert info.as_written("youngest") == "menor"
    info = analyze_visitor_question("Ist die Vase von Anna Mol aus Marmor auf Holz?", lang="de")
    assert info.as_written("marble on wood") == "Marmor auf Holz"
    english = analyze_visitor_question("Was Ana Vos the youngest of twelve?")
    assert english.untranslated == frozenset() and english.as_written("youngest") == "youngest"


def test_a_changed_number_is_caught_in_another_language_and_named_as_the_visitor_wrote_it(museum):
    from rag.messages import Messages

    _, analysis = museum.answerer.ask_with_analysis("Mirela Oprescu, la menor de nueve hijos, ¿dónde aprendió a tallar?")
    numbers = [c for c in analysis.corrections if c.kind == "number"]
    assert [(c.asserted, c.stated) for c in numbers] == [("youngest", "third")]
    assert numbers[0].written == "menor"  # the visitor's word, in what the visitor reads
    assert "menor" in numbers[0].text and "youngest" not in numbers[0].text
    assert "menor" in numbers[0].worded(Messages.for_language("es"))
    # the same question with the record's own position is no candidate
    _, analysis = museum.answerer.ask_with_analysis("Mirela Oprescu, la tercera de nueve hijos, ¿dónde aprendió a tallar?")
    assert not [c for c in analysis.corrections if c.kind == "number"]


# --- the API ----------------------------------------------------------------------------------------------
def test_the_api_answers_in_the_questions_language_unless_told_otherwise(museum):
    from fastapi.testclient import TestClient

    from api.main import create_app

    with TestClient(create_app(museum.settings, museum=museum, close_museum=False)) as client:
        french = client.post("/v1/ask", json={"question": "Qui a construit le rossignol mécanique ?", "page_lang": "en"})
        assert french.status_code == 200 and french.json()["lang"] == "fr"
        forced = client.post("/v1/ask", json={"question": "Qui a construit le rossignol mécanique ?", "lang": "nl-BE"})
        assert forced.json()["lang"] == "nl"
        assert forced.json()["text"].startswith(("Het spijt me", "Dit staat", "Het record"))
        short = client.post("/v1/ask", json={"question": "Lavoisel 1781", "page_lang": "it"})
        assert short.json()["lang"] == "it"
        too_long = client.post("/v1/ask", json={"question": "Lavoisel", "lang": "x" * 40})
        assert too_long.status_code == 422
