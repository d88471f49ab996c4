"""Evidence sentences and their vectors, computed once at ingest and stored with each chunk.

Answering compares the question's vector (the one retrieval already computed) with every
sentence of the retrieved records; embedding those sentences at question time was most of an
ask's cost. Each chunk's payload carries its sentence offsets and their embeddings, quantised to
int8 (one scale per sentence) and base64-encoded: 384 bytes + a 4-byte scale per sentence.

Example::

    attach_sentence_vectors(chunks, embedder)     # at ingest, before the payloads are written
    vectors = decode_vectors(chunk.sentence_vectors, len(chunk.sentences))  # (n, dim) float32
"""

from __future__ import annotations

import base64
from typing import Sequence

import numpy as np

from rag.models import Chunk
from rag.text import split_sentences

#: About the first 64 tokens of a sentence: enough to place it, and cheap to embed.
MAX_SENTENCE_CHARS = 300


def sentence_spans(chunk: Chunk) -> list[tuple[int, int]]:
    """(start, end) offsets into the field's text of the chunk's sentences."""
    out = []
    for span in split_sentences(chunk.text):
        text = span.text.rstrip()
        if text:
            out.append((chunk.start + span.start, chunk.start + span.start + len(text)))
    return out


def sentence_text(chunk: Chunk, start: int, end: int) -> str:
    return chunk.text[start - chunk.start : end - chunk.start]


def embedding_input(title: str, sentence: str) -> str:
    """What is embedded for an evidence sentence: its object's title, then the sentence."""
    return f"{title}: {sentence}"[:MAX_SENTENCE_CHARS]


def encode_vectors(vectors: np.ndarray) -> str:
    """(n, dim) float vectors -> base64 of n float32 scales followed by the n x dim int8 values."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.size == 0:
        return ""
    scale = np.abs(vectors).max(axis=1)
    scale[scale == 0] = 1.0
    q = np.clip(np.round(vectors / scale[:, None] * 127.0), -127, 127).astype(np.int8)
    return base64.b64encode(scale.astype("<f4").tobytes() + q.tobytes()).decode("ascii")


def decode_vectors(blob: str | None, n: int) -> np.ndarray | None:
    """The (n, dim) float32 vectors of :func:`encode_vectors`, re-normalised; None if absent or malformed."""
    if not blob or n <= 0:
        return None
    try:
        raw = base64.b64decode(blob, validate=True)
    except (ValueError, TypeError):  # binascii.Error is a ValueError
        return None
    dim = (len(raw) - 4 * n) // n
    if dim <= 0 or 4 * n + n * dim != len(raw):
        return None
    scale = np.frombuffer(raw[: 4 * n], dtype="<f4")
    q = np.frombuffer(raw[4 * n :], dtype=np.int8).reshape(n, dim).astype(np.float32)
    v = q * (scale[:, None] / 127.0)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return v / norms


def attach_sentence_vectors(chunks: Sequence[Chunk], embedder, batch_size: int = 64) -> None:
    """Embed every chunk's sentences (set by the chunker) and store them on the chunk, in one batched call.

    A sentence two chunks share (the chunker's overlap) is embedded once.
    """
    unique: dict[str, int] = {}
    rows_of: list[list[int]] = []
    for chunk in chunks:
        if not chunk.sentences:
            chunk.sentences = sentence_spans(chunk)
        rows_of.append(
            [
                unique.setdefault(embedding_input(chunk.title, sentence_text(chunk, start, end)), len(unique))
                for start, end in chunk.sentences
            ]
        )
    if not unique:
        return
    vectors = embedder.embed_documents(list(unique), batch_size=batch_size)
    for chunk, rows in zip(chunks, rows_of):
        chunk.sentence_vectors = encode_vectors(vectors[rows]) if rows else None
