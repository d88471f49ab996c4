"""Questions asked at the same moment share one encoder call (rag.query_batching), with the real MiniLM."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from rag.query_batching import QueryBatchingEmbedder

QUESTIONS = [
    "Who carved the walnut lantern with the twelve owls?",
    "When was the tin lighthouse clock made?",
    "Which painter showed the ferry at Vlieland in the fog?",
    "What is the copper bowl with the hammered stars made of?",
    "Qui a brodé la nappe aux cerises ?",
    "Wer hat die Vase mit den Möwen bemalt?",
]


def test_concurrent_questions_share_encoder_calls_and_get_their_own_vectors(embedder):
    batching = QueryBatchingEmbedder(embedder, max_batch=4)
    alone = {q: embedder.embed_query(q) for q in QUESTIONS}
    asked = QUESTIONS * 4
    results: list[np.ndarray | None] = [None] * len(asked)
    start = threading.Barrier(len(asked))

    def ask(i: int) -> None:
        start.wait()
        results[i] = batching.embed_query(asked[i])

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(asked))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for question, vector in zip(asked, results):
        assert vector is not None and vector.shape == (embedder.dimension,)
        assert float(vector @ alone[question]) > 0.9999, question  # its own question's vector, not a neighbour's
    assert batching.questions == len(asked)
    assert len(asked) / 4 <= batching.batches < len(asked)  # shared calls, none over max_batch


def test_a_lone_question_is_encoded_at_once_and_everything_else_passes_through(embedder):
    batching = QueryBatchingEmbedder(embedder)
    vector = batching.embed_query(QUESTIONS[0])
    assert np.allclose(vector, embedder.embed_query(QUESTIONS[0]), atol=1e-6)
    assert (batching.batches, batching.questions) == (1, 1)
    assert batching.name == embedder.name and batching.dimension == embedder.dimension
    assert batching.count_tokens(QUESTIONS[1]) == embedder.count_tokens(QUESTIONS[1])
    documents = batching.embed_documents(QUESTIONS[:2])
    assert np.allclose(documents, embedder.embed_documents(QUESTIONS[:2]), atol=1e-6)
    with pytest.raises(ValueError, match="max_batch"):
        QueryBatchingEmbedder(embedder, max_batch=0)


def test_an_encoder_error_reaches_its_caller_and_the_next_question_is_answered(embedder):
    batching = QueryBatchingEmbedder(embedder)
    with pytest.raises(Exception):
        batching.embed_query(None)  # type: ignore[arg-type]  (the tokenizer refuses it)
    assert batching.embed_query(QUESTIONS[2]).shape == (embedder.dimension,)
