"""The optional cross-encoder reranker: loaded by path from settings, applied to the best chunk of the
top objects, reordering them exactly as the model scores them.

No reranker model exists offline, so the test builds a tiny one (a 2-layer BERT with hidden size
32 and a WordPiece vocabulary trained on sample descriptions), saves it into a temporary folder
and points ``reranker_model`` at that folder. Nothing is downloaded. Its weights are random but
seeded: what matters here is the code path (load, score, reorder), not relevance.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from rag.models import Chunk, ObjectHit, SearchHit
from rag.rerank import CrossEncoderReranker, load_reranker, passage_text
from rag.retrieval import HybridSearcher
from rag.retriever import MuseumRetriever
from tests.conftest import SAMPLE, make_settings

QUERY = "a portrait of a naturalist who protected Yosemite"


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory) -> Path:
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-cross-encoder")
    texts = []
    with SAMPLE.open(encoding="utf-8") as handle:
        for _, line in zip(range(300), handle):
            record = json.loads(line)
            texts.append(f"{record['title']}: {record.get('description') or ''}")
    wordpiece = BertWordPieceTokenizer(lowercase=True)
    wordpiece.train_from_iterator(texts, vocab_size=1500, min_frequency=2, show_progress=False)
    wordpiece.save_model(str(folder))
    tokenizer = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=True, model_max_length=256)
    torch.manual_seed(7)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=256,
        num_labels=1,
        initializer_range=0.3,  # spread the random scores so the order is not decided by rounding
    )
    BertForSequenceClassification(config).eval().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def _model_logits(folder: Path, query: str, passages: list[str]) -> list[float]:
    """The tiny model's scores computed without sentence-transformers (the reference)."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    batch = tokenizer([query] * len(passages), passages, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        return model(**batch).logits[:, 0].tolist()


def test_the_reranker_is_loaded_by_path_and_reorders_objects_by_the_model_scores(museum, tiny_cross_encoder, tmp_path):
    plain = HybridSearcher(museum.store, museum.embedder, make_settings(tmp_path)).search(QUERY, limit=6)
    settings = make_settings(tmp_path, reranker_model=str(tiny_cross_encoder), rerank_top_n=6)
    searcher = HybridSearcher(museum.store, museum.embedder, settings)
    assert isinstance(searcher.reranker, CrossEncoderReranker)

    reranked = searcher.search(QUERY, limit=6)

    logits = _model_logits(tiny_cross_encoder, QUERY, [passage_text(o) for o in plain])
    assert len(set(round(v, 4) for v in logits)) == len(logits), "the seeded model should not tie"
    expected = [plain[i].record_id for i in sorted(range(len(plain)), key=lambda i: -logits[i])]
    assert [o.record_id for o in reranked] == expected
    assert expected != [o.record_id for o in plain], "the seeded model reorders the retrieval order"
    by_id = {o.record_id: logit for o, logit in zip(plain, logits)}
    for obj in reranked:  # the object score is the cross-encoder's (sigmoid of its logit)
        assert obj.score == pytest.approx(torch.sigmoid(torch.tensor(by_id[obj.record_id])).item(), abs=1e-5)
        assert obj.chunks == next(p.chunks for p in plain if p.record_id == obj.record_id)
    assert [(o.record_id, o.score) for o in searcher.search(QUERY, limit=6)] == [
        (o.record_id, o.score) for o in reranked
    ], "deterministic"
    # the llama-index retriever goes through the same searcher, so it hands out the reranked order
    nodes = MuseumRetriever(searcher, limit=6).retrieve(QUERY)
    assert list(dict.fromkeys(n.node.ref_doc_id for n in nodes)) == expected


def test_reranking_rescores_the_first_top_n_objects_and_keeps_the_rest(tiny_cross_encoder):
    reranker = CrossEncoderReranker(str(tiny_cross_encoder), top_n=3)
    texts = ["Calder made a wire portrait", "a daguerreotype of a senator", "Muir in Yosemite", "a print", "a bust"]
    objects = [
        ObjectHit(
            record_id=f"r{i}",
            title=f"Object {i}",
            score=1.0 - i / 10,
            chunks=[
                SearchHit(
                    point_id=f"p{i}",
                    score=1.0 - i / 10,
                    chunk=Chunk(record_id=f"r{i}", chunk_index=0, chunk_count=1, field="description", start=0,
                                end=len(text), text=text, title=f"Object {i}"),
                )
            ],
        )
        for i, text in enumerate(texts)
    ]
    result = reranker.rerank("wire sculpture", objects)
    scores = reranker.score("wire sculpture", [passage_text(o) for o in objects[:3]])
    assert [o.record_id for o in result[:3]] == [f"r{i}" for i in sorted(range(3), key=lambda i: -scores[i])]
    assert result[3:] == objects[3:]
    assert reranker.rerank("wire sculpture", []) == []


def test_no_reranker_by_default_and_a_missing_model_is_an_actionable_error(museum, tmp_path):
    settings = make_settings(tmp_path)
    assert settings.reranker_model is None and load_reranker(settings) is None
    assert HybridSearcher(museum.store, museum.embedder, settings).reranker is None
    with pytest.raises(RuntimeError, match="MUSEUM_RAG_RERANKER_MODEL"):
        load_reranker(make_settings(tmp_path, reranker_model=str(tmp_path / "no-such-model")))
