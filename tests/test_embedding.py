"""The int8 ONNX fast path agrees with the torch model on real collection text."""

from __future__ import annotations

import json

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
