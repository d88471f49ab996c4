"""The faithfulness verifiers: the offline fact checker on museum claims, the cross-encoder path, the weights."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FAITHFULNESS, make_settings

from rag.nli import CrossEncoderVerifier, support_index
from rag.verification import align, analyse_claim, analyse_source, is_answer_phrase, lexical_features, tokenize
from rag.verification.attachment import displaced_facts
from rag.verification.dates_numbers import extract_numbers, implied_years
from rag.verification.lexical import DOCUMENT_GATED_LEXICAL, EMBEDDING_FEATURES, FEATURES, PHRASE_GATED
from rag.verification.names_roles import name_roles
from rag.verification.negation_voice import voice_swaps
from rag.verify import (
    WEIGHTS_FILE,
    EmbeddingSimilarityVerifier,
    FactCheckVerifier,
    TokenOverlapVerifier,
    VerifierWeights,
    load_verifier,
)

TOMBSTONE = (
    "Frederick Douglass. Artist: George Kendall Warren (1834-1884). Sitter: Frederick Douglass. Date: c. 1879. "
    "Type: Photograph. Medium: Albumen silver print. Credit line: National Portrait Gallery, Smithsonian Institution. "
    "Collection: National Portrait Gallery."
)
LABEL = (
    "Born into slavery in Talbot County, Maryland, Frederick Douglass escaped to freedom in 1838 and became the most "
    "famous abolitionist of his day. His autobiography, published in 1845, was an immediate success. Warren "
    "photographed him in Boston, where Douglass was lecturing."
)
SOURCES = [TOMBSTONE, LABEL]


@pytest.fixture(scope="module")
def fact_check(embedder) -> FactCheckVerifier:
    return FactCheckVerifier(embedder)


@pytest.mark.parametrize(
    "claim, source_index",
    [
        ("George Kendall Warren photographed Douglass in Boston while Douglass was lecturing there.", 1),
        ("Douglass escaped from slavery in 1838.", 1),
        ("The portrait is an albumen silver print.", 0),
    ],
)
def test_faithful_paraphrases_are_supported(fact_check, claim, source_index):
    verdict = fact_check.score(claim, SOURCES)
    assert verdict.label == "supported", verdict
    assert verdict.source_index == source_index


@pytest.mark.parametrize(
    "what, claim",
    [
        ("changed name", "Mathew Brady photographed Douglass in Boston while Douglass was lecturing there."),
        ("changed year", "Douglass escaped from slavery in 1848."),
        ("changed medium", "The portrait is an oil on canvas."),
        ("changed place", "Warren photographed him in Philadelphia, where Douglass was lecturing."),
        ("changed number", "Douglass wrote three autobiographies."),
        ("negation", "Douglass did not escape to freedom in 1838."),
    ],
)
def test_one_changed_fact_is_unsupported(fact_check, what, claim):
    verdict = fact_check.score(claim, SOURCES)
    assert verdict.label == "unsupported", (what, verdict)
    assert verdict.score < fact_check.score("Douglass escaped from slavery in 1838.", SOURCES).score


def test_short_answer_is_read_with_its_question(fact_check):
    question = "Who photographed Frederick Douglass in Boston?"
    right = fact_check.score("George Kendall Warren", SOURCES, question=question)
    wrong = fact_check.score("Mathew Brady", SOURCES, question=question)
    assert right.label == "supported" and wrong.label == "unsupported"


def test_no_sources_means_unsupported(fact_check):
    verdict = fact_check.score("Douglass escaped in 1838.", [])
    assert verdict == type(verdict)(0.0, "unsupported", None)
    assert fact_check.score("Douglass escaped in 1838.", ["", "  "]).label == "unsupported"


def test_score_many_matches_score_and_keeps_order(fact_check):
    claims = ["Douglass escaped from slavery in 1838.", "Douglass escaped from slavery in 1848."]
    many = fact_check.score_many([(c, SOURCES) for c in claims])
    assert [v.label for v in many] == ["supported", "unsupported"]
    assert many[1].score == pytest.approx(fact_check.score(claims[1], SOURCES).score, abs=1e-6)


def test_numbers_are_read_in_words_digits_and_decades():
    assert extract_numbers(tokenize("his three children, 2,000 men, the 19th century, twenty-five years")) == {
        3.0, 2000.0, 19.0, 25.0
    }
    assert extract_numbers(tokenize("nearly two million votes")) == {2_000_000.0}
    assert extract_numbers(tokenize("the two of them, one of his friends")) == set()
    source = analyse_source("He made a small group of self-portraits in the 1960s.").whole
    assert 1965.0 not in source.numbers and any(d <= 1965 < d + 10 for d in source.decades)


def test_names_are_capitalised_words_not_sentence_openers():
    claim = analyse_claim("Drawn for Vanity Fair, it shows Mathew Brady's studio.")
    assert {"vaniti", "fair", "mathew", "bradi"} <= set(claim.names)
    assert "drawn" not in claim.names


def test_claim_form_features_tell_answer_phrases_from_sentences():
    # A short answer phrase (no verb-like word, <= 4 content words) vs full sentences.
    assert is_answer_phrase(analyse_claim("Albumen silver print"))
    assert is_answer_phrase(analyse_claim("Alfred Stieglitz"))  # a name ending in "ed" is no verb
    assert not is_answer_phrase(analyse_claim("Warren photographed him."))
    assert not is_answer_phrase(analyse_claim("He was born into slavery in Talbot County, Maryland, in 1818."))
    sources = [analyse_source(text) for text in SOURCES]
    question = analyse_claim("What kind of photograph is the Douglass portrait?")
    copied = analyse_claim("Albumen silver print")
    values = lexical_features(copied, sources, align(copied, sources), question)
    assert values["answer_phrase"] == 1.0 and values["verbatim_copy"] == 1.0 and values["in_question"] == 0.0
    assert all(values[f"phrase_{name}"] == values[name] for name in PHRASE_GATED)
    restated = analyse_claim("Douglass portrait photograph")
    values = lexical_features(restated, sources, align(restated, sources), question)
    assert values["in_question"] == 1.0 and values["verbatim_copy"] == 0.0
    sentence = analyse_claim("Warren photographed Douglass in Boston.")
    values = lexical_features(sentence, sources, align(sentence, sources), None)
    assert values["answer_phrase"] == 0.0 and all(values[f"phrase_{name}"] == 0.0 for name in PHRASE_GATED)
    assert set(values) | set(EMBEDDING_FEATURES) == set(FEATURES)


# ----------------------------------------------------------------------------- museum misinformation checks

BIO = (
    "Born in Vienna, the painter Anna Keller moved to New York in 1921 and opened a studio on Tenth Street. "
    "Her early clients were musicians; in 1925 she painted the violinist Paul Brandt, and the next year the "
    "conductor Otto Lenz. Critics praised her portraits rather than her landscapes. She never married."
)


def _features(claim: str, sources: list[str], question: str | None = None) -> dict[str, float]:
    facts = analyse_claim(claim)
    analysed = [analyse_source(text) for text in sources]
    return lexical_features(facts, analysed, align(facts, analysed), analyse_claim(question) if question else None)


def test_relative_years_are_resolved_from_the_last_year_written():
    assert implied_years(tokenize("Captured in 1863, he was released the next year."))[0] == [(7, 1864.0)]
    source = analyse_source("The union was founded in 1963. Four years later, a magazine put him on its cover.")
    assert {1963.0, 1967.0} <= source.whole.numbers
    label = "Captured in mid-1863, he was released early the next year."
    assert _features("He was taken prisoner in mid-1863 and freed in 1864.", [label])["numbers_missing"] == 0.0
    assert _features("He was taken prisoner in mid-1863 and freed in 1865.", [label])["numbers_missing"] > 0.0


def test_a_fact_of_the_record_attached_to_something_else_is_displaced():
    where = analyse_source(BIO).whole
    right = analyse_claim("Keller painted Paul Brandt in 1925 and Otto Lenz in 1926.")
    swapped = analyse_claim("Keller painted Paul Brandt in 1926 and Otto Lenz in 1925.")
    assert displaced_facts(right, where) == ([], [])
    assert "#1926.0" in displaced_facts(swapped, where)[0]
    # Vienna is where she was born; New York is in the record, but where she moved to.
    assert displaced_facts(analyse_claim("Keller moved to Vienna in 1921."), where)[1] == ["vienna"]
    assert displaced_facts(analyse_claim("Keller moved to New York in 1921."), where) == ([], [])
    # A person the source names only by a pronoun there ("Warren photographed him") is not displaced.
    assert displaced_facts(analyse_claim("Warren photographed Frederick Douglass."), analyse_source(LABEL).whole)[1] == []


def test_a_turned_round_voice_is_a_role_swap():
    source = analyse_source("In 1777 the rebels were defeated by the royal army near the river.").whole
    assert voice_swaps(analyse_claim("The rebels defeated the royal army near the river."), source) == 1
    assert voice_swaps(analyse_claim("The royal army defeated the rebels near the river."), source) == 0
    assert voice_swaps(analyse_claim("The rebels were defeated by the royal army."), source) == 0


def test_maker_and_sitter_roles_are_read_from_fields_and_prose():
    tokens = tokenize("A bust of Lincoln, modeled by Leonard Volk.")
    flags = [t.capitalised and i > 0 and t.norm not in ("a",) for i, t in enumerate(tokens)]
    assert name_roles(tokens, flags) == {"lincoln": {"sitter"}, "leonard": {"creator"}, "volk": {"creator"}}
    analysed = analyse_source(TOMBSTONE).whole
    assert analysed.roles["warren"] == {"creator"} and analysed.roles["douglass"] == {"sitter"}
    assert analyse_claim("Mathew Brady photographed Grant.").roles == {
        "mathew": {"creator"}, "bradi": {"creator"}, "grant": {"sitter"}
    }
    assert _features("The portrait was photographed by Frederick Douglass.", SOURCES)["role_conflict"] == 1.0
    assert _features("The portrait was photographed by George Kendall Warren.", SOURCES)["role_conflict"] == 0.0


@pytest.mark.parametrize(
    "what, right, wrong, sources",
    [
        ("swapped years", "Keller painted Paul Brandt in 1925 and Otto Lenz in 1926.",
         "Keller painted Paul Brandt in 1926 and Otto Lenz in 1925.", [BIO]),
        ("place from elsewhere in the record", "Anna Keller was born in Vienna.", "Anna Keller was born in New York.", [BIO]),
        ("sitter named as the maker", "Warren photographed Douglass in Boston.", "Douglass photographed Warren in Boston.", SOURCES),
        ("maker role", "The portrait was photographed by George Kendall Warren.",
         "The portrait was photographed by Frederick Douglass.", SOURCES),
        ("negation dropped", "Keller never married.", "Keller married.", [BIO]),
    ],
)
def test_facts_swapped_within_the_record_are_unsupported(fact_check, what, right, wrong, sources):
    good, bad = fact_check.score(right, sources), fact_check.score(wrong, sources)
    assert good.label == "supported" and bad.label == "unsupported", (what, good, bad)


def test_rather_than_is_a_negation_in_other_words():
    source = ["Manship's bust depicts Rockefeller as a generous benefactor rather than a ruthless industrialist."]
    assert _features("It shows him as a generous benefactor, not a ruthless industrialist.", source)[
        "negation_mismatch"
    ] == 0.0
    assert _features("It shows him as a generous benefactor, not a ruthless industrialist.", [TOMBSTONE])[
        "negation_mismatch"
    ] == 1.0


def test_document_regime_gates_its_own_weights():
    long_values = _features("Keller moved to New York in 1921.", [BIO])
    assert long_values["document"] == 1.0
    assert all(long_values[f"doc_{name}"] == long_values[name] for name in DOCUMENT_GATED_LEXICAL)
    short_values = _features("Keller moved to New York in 1921.", ["Anna Keller moved to New York in 1921."])
    assert short_values["document"] == 0.0 and all(short_values[f"doc_{n}"] == 0.0 for n in DOCUMENT_GATED_LEXICAL)
    assert _features("New York", [BIO], "Where did Keller move?")["document"] == 0.0  # an answer phrase


def test_baselines_still_work(embedder):
    overlap = TokenOverlapVerifier().score("Warren photographed Douglass", SOURCES)
    assert overlap.label == "supported" and overlap.score == 1.0
    similarity = EmbeddingSimilarityVerifier(embedder)
    single = similarity.score("Douglass escaped to freedom in 1838.", SOURCES)
    batch = similarity.score_many([("Douglass escaped to freedom in 1838.", SOURCES)])[0]
    assert single.source_index == 1 and batch.score == pytest.approx(single.score, abs=1e-5)


# ----------------------------------------------------------------------------- configured verifiers


def test_load_verifier_defaults_to_the_offline_fact_checker(embedder, tmp_path):
    verifier = load_verifier(make_settings(tmp_path, verifier_threshold=0.4), embedder)
    assert isinstance(verifier, FactCheckVerifier) and verifier.threshold == 0.4


WORDS = "the a portrait bust of by in is was painted photographed bronze oil douglass warren brady boston 1879".split()


def _tiny_cross_encoder(folder: Path, num_labels: int, id2label: dict[int, str] | None) -> Path:
    """A 2-layer BERT classifier and its word-level tokenizer, built and saved locally (nothing downloaded)."""
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    folder.mkdir(parents=True)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab), do_lower_case=True, model_max_length=64)
    labels = {"id2label": id2label, "label2id": {v: k for k, v in id2label.items()}} if id2label else {}
    config = BertConfig(
        vocab_size=len(WORDS) + 5, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=64, num_labels=num_labels, **labels,
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.mark.parametrize(
    "num_labels, id2label, support",
    [
        (3, {0: "contradiction", 1: "entailment", 2: "neutral"}, 1),
        (1, None, None),
    ],
)
def test_load_verifier_loads_a_cross_encoder_by_path(embedder, tmp_path, num_labels, id2label, support):
    model_dir = _tiny_cross_encoder(tmp_path / "tiny-nli", num_labels, id2label)
    verifier = load_verifier(make_settings(tmp_path, verifier_model=str(model_dir), verifier_threshold=0.5), embedder)
    assert isinstance(verifier, CrossEncoderVerifier)
    assert verifier.support_index == support
    long_source = " ".join(["Douglass was photographed in Boston by Warren."] * 20)  # longer than the 64-token window
    verdicts = verifier.score_many(
        [("Warren photographed Douglass.", ["A bronze bust of Douglass.", long_source]), ("Brady painted it.", [])],
        questions=["Who photographed Douglass?", None],
    )
    assert 0.0 <= verdicts[0].score <= 1.0 and verdicts[0].source_index in (0, 1)
    assert verdicts[0].label == ("supported" if verdicts[0].score >= 0.5 else "unsupported")
    assert verdicts[1].score == 0.0 and verdicts[1].source_index is None
    assert verifier.score("Warren photographed Douglass.", ["A bronze bust."]).score == pytest.approx(
        verifier.score_many([("Warren photographed Douglass.", ["A bronze bust."])])[0].score
    )


def test_support_index_reads_the_label_names():
    assert support_index({0: "ENTAILMENT", 1: "NEUTRAL", 2: "CONTRADICTION"}, 3) == 0
    assert support_index({0: "LABEL_0", 1: "LABEL_1"}, 2) == 1
    assert support_index({0: "consistent", 1: "hallucinated"}, 2) == 0
    with pytest.raises(ValueError, match="entailment"):
        support_index({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, 3)


def test_a_missing_model_gives_an_actionable_error(embedder, tmp_path):
    with pytest.raises(ValueError, match="local folder"):
        load_verifier(make_settings(tmp_path, verifier_model=str(tmp_path / "no-such-model")), embedder)


# ----------------------------------------------------------------------------- fitted weights


def test_weights_file_reproduces_its_reported_balanced_accuracy(fact_check):
    from sklearn.metrics import balanced_accuracy_score

    weights = VerifierWeights.load(WEIGHTS_FILE)
    assert weights.meta["cross_validated"]["overall"]["n"] == weights.meta["rows"]
    rows = [json.loads(line) for line in FAITHFULNESS.read_text(encoding="utf-8").splitlines() if line.strip()]
    verdicts = fact_check.score_many([(r["claim"], [r["source"]]) for r in rows], [r.get("question") for r in rows])
    truth = [r["label"] == "supported" for r in rows]
    measured = balanced_accuracy_score(truth, [v.label == "supported" for v in verdicts])
    assert measured == pytest.approx(weights.meta["in_sample_balanced_accuracy"], abs=0.01)


def test_broken_weights_files_are_refused(tmp_path):
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    bad = tmp_path / "weights.json"
    bad.write_text(json.dumps({**data, "features": data["features"][:-1] + ["no_such_feature"]}))
    with pytest.raises(ValueError, match="unknown verifier features"):
        VerifierWeights.load(bad)
    with pytest.raises(FileNotFoundError, match="fit_verifier.py"):
        VerifierWeights.load(tmp_path / "missing.json")


# ----------------------------------------------------------------------------- near copies, headings, the claim API


def test_a_near_copy_with_a_changed_word_is_marked_and_a_true_copy_is_not():
    source = ["Odile Varga painted the lantern maker Tomas Brill in his Lyon workshop in 1861."]
    copied = _features("Odile Varga painted the lantern maker Tomas Brill in his Lyon workshop in 1861.", source)
    changed = _features("Odile Varga painted the lantern maker Tomas Brill in his Paris workshop in 1861.", source)
    assert copied["copy_share"] == 1.0 and copied["copy_changed"] == 0.0
    assert 0.8 < changed["copy_changed"] == changed["copy_share"] < 1.0


def test_names_that_trade_places_in_a_near_copy_are_reversed():
    source = ["Odile Varga painted Tomas Brill in his Lyon workshop in 1861."]
    assert _features("Odile Varga painted Tomas Brill in his Lyon workshop in 1861.", source)["names_reversed"] == 0.0
    swapped = _features("Tomas Brill painted Odile Varga in his Lyon workshop in 1861.", source)
    assert swapped["names_reversed"] == 1.0  # the two names that moved are turned round; Lyon stayed in place
    # a name the claim puts where the source has a pronoun moved alone: no role traded
    moved_alone = _features("Odile Varga painted Tomas Brill in Lyon.", ["Odile Varga painted him in Lyon, where Tomas Brill lived."])
    assert moved_alone["names_reversed"] == 0.0
    # a paraphrase may reorder names freely: only a near copy counts
    assert _features("Odile Varga was born in Lyon.", ["The Lyon-born Odile Varga painted Tomas Brill."])["names_reversed"] == 0.0


def test_catalogue_fields_joined_out_of_order_are_a_copy_and_supported(fact_check):
    tombstone = (
        "The Lantern Maker. Artist: Odile Varga (1830 - 1894). Sitter: Tomas Brill. Date: 1861. "
        "Medium: Oil on walnut panel."
    )
    joined = "The Lantern Maker. Artist: Odile Varga (1830 - 1894). Date: 1861."  # the sitter's field skipped
    assert _features(joined, [tombstone])["verbatim_copy"] == 1.0
    assert _features(joined, [tombstone])["copy_changed"] == 0.0
    assert fact_check.score(joined, [tombstone, tombstone]).label == "supported"
    changed = "The Lantern Maker. Artist: Odile Varga (1830 - 1894). Date: 1864."
    assert _features(changed, [tombstone])["verbatim_copy"] == 0.0
    assert fact_check.score(changed, [tombstone, tombstone]).label == "unsupported"


def test_a_question_the_record_asks_is_quoted_not_asked():
    source = ["Who was the man in the lantern maker's window?? Varga never said."]
    assert _features("Who was the man in the lantern maker's window??", source)["is_question"] == 0.0
    assert _features("Who was the man in the window?", source)["is_question"] == 1.0


def test_a_short_first_sentence_heads_every_later_sentence():
    tombstone = "The Lantern Maker. Artist: Odile Varga. Date: 1861. Medium: Oil on walnut panel."
    windows = [w.text for w in analyse_source(tombstone).windows]
    assert "The Lantern Maker. Medium: Oil on walnut panel." in windows
    long_first = "Odile Varga, who trained in Lyon and Turin, painted this panel for a guild of lantern makers. It hung there. It was sold."
    assert len(analyse_source(long_first).windows) == 3 + 2  # sentences and adjacent pairs only


def test_check_verifies_the_claim_as_the_answerer_composed_it(fact_check):
    from rag.verify import Claim

    claims = [
        Claim("Douglass escaped from slavery in 1838.", tuple(SOURCES), "When did Douglass escape?"),
        Claim("Douglass escaped from slavery in 1848.", tuple(SOURCES)),
    ]
    verdicts = fact_check.check(claims)
    assert [v.label for v in verdicts] == ["supported", "unsupported"]
    assert verdicts[1].score == pytest.approx(fact_check.score(claims[1].text, SOURCES).score, abs=1e-6)


class _CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, embedder) -> None:
        self._embedder = embedder
        self.texts: list[str] = []

    def embed_documents(self, texts, batch_size: int = 32, show_progress: bool = False):
        self.texts.extend(texts)
        return self._embedder.embed_documents(texts, batch_size=batch_size)


def test_a_claim_quoted_word_for_word_is_checked_without_embedding(embedder):
    counting = _CountingEmbedder(embedder)
    verifier = FactCheckVerifier(counting)
    source = "Harbour at Dusk: Anna Vos painted the harbour at dusk in 1702. The canvas was relined in 1950."
    quoted = verifier.score("Anna Vos painted the harbour at dusk in 1702.", [source])
    assert quoted.label == "supported" and counting.texts == []
    # The quote's similarity to its own span is 1: the same verdict as embedding both texts would give.
    matrix, _ = verifier.featurizer.features([("Anna Vos painted the harbour at dusk in 1702.", [source])])
    assert matrix[0, FEATURES.index("embedding_window")] == 1.0
    paraphrase = verifier.score("The harbour at dusk was painted by Anna Vos in 1702.", [source])
    assert paraphrase.label == "supported" and counting.texts  # a paraphrase is embedded and compared


def test_with_another_embedder_the_verifier_reads_the_similarities_its_weights_were_fitted_on(fact_check):
    """Over a multilingual-e5-small store the offline verifier still embeds with all-MiniLM-L6-v2 (its weights'
    model), loaded only when a claim is not quoted word for word, and judges exactly as over a MiniLM store."""
    from rag.e5_embedder import E5Embedder
    from rag.embedding import EmbedderOnDemand

    settings = make_settings(Path("/nonexistent"), embed_model="multilingual-e5-small")
    verifier = load_verifier(settings, E5Embedder(threads=1))
    on_demand = verifier.featurizer.embedder
    assert isinstance(on_demand, EmbedderOnDemand) and on_demand.name == VerifierWeights.load().meta["embedder"]
    quoted = "His autobiography, published in 1845, was an immediate success."
    assert verifier.score(quoted, SOURCES).label == "supported"
    assert not on_demand.loaded  # a quote is checked against its own span: no embedding
    for claim in ("Warren photographed Douglass in Boston while he was lecturing.", "Douglass escaped in 1839."):
        mine, reference = verifier.score(claim, SOURCES), fact_check.score(claim, SOURCES)
        assert (mine.label, mine.source_index) == (reference.label, reference.source_index)
        assert mine.score == pytest.approx(reference.score, abs=1e-4)
    assert on_demand.loaded


def test_with_its_own_model_the_verifier_embeds_with_the_configured_embedder(embedder):
    assert load_verifier(make_settings(Path("/nonexistent")), embedder).featurizer.embedder is embedder
