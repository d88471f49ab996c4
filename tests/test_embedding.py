"""The int8 ONNX fast path agrees with the torch model on real collection text."""

from __future__ import annotations

import json
import sys

import numpy as np

from rag.embedding import load_embedder
from rag.text import split_sentences
from tests.conftest import SAMPLE, make_settings


def _collection_sentences(n: int) -> list[str]:
    sentences: list[str] = []
    with SAMPLE.open(encoding="utf-8") as handle:
        for line in handle:
            sentences.extend(s.text for s in split_sentences(json.loads(line)["description"]))
            if len(sentences) >= n:
                return sentences[:n]
    return sentences


def test_onnx_int8_agrees_with_torch(embedder, tmp_path):
    onnx = load_embedder(make_settings(tmp_path, embed_backend="onnx"))
    assert (onnx.dimension, onnx.max_tokens) == (embedder.dimension, embedder.max_tokens)
    sentences = _collection_sentences(64)
    a = embedder.embed_documents(sentences)
    b = onnx.embed_documents(sentences, batch_size=16)
    cosines = (a * b).sum(axis=1)
    assert cosines.min() >= 0.99, f"lowest cosine {cosines.min():.4f}"
    np.testing.assert_allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    assert all(onnx.count_tokens(s) == embedder.count_tokens(s) for s in sentences[:10])


def test_a_model_by_local_path_loads(embedder, tmp_path):
    from rag.embedding import packaged_model_dir

    by_path = load_embedder(make_settings(tmp_path, embed_model=str(packaged_model_dir())))
    vector = by_path.embed_query("A portrait of Man Ray")
    assert abs(float(vector @ embedder.embed_query("A portrait of Man Ray")) - 1.0) < 1e-5


def test_counting_tokens_while_another_thread_encodes_breaks_neither(embedder):
    """An ingest's chunker counts tokens while a visitor's question (or another ingest's batch) is being encoded:
    the count must not switch off the padding the encoder's batch needs (they once shared one tokenizer's state)."""
    import threading

    sentences = _collection_sentences(48)
    expected_counts = [embedder.count_tokens(s) for s in sentences]
    errors: list[BaseException] = []
    stop = threading.Event()

    def count() -> None:
        try:
            while not stop.is_set():
                assert [embedder.count_tokens(s) for s in sentences] == expected_counts
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    counters = [threading.Thread(target=count) for _ in range(2)]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns between any two bytecodes, as they may on a busy server
    for thread in counters:
        thread.start()
    try:
        for _ in range(6):
            vectors = embedder.embed_documents(sentences, batch_size=16)  # mixed lengths: every batch is padded
            assert vectors.shape == (len(sentences), embedder.dimension)
    finally:
        stop.set()
        for thread in counters:
            thread.join()
        sys.setswitchinterval(switch)
    assert not errors, errors[0]
