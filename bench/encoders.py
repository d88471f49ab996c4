"""Which encoder backend should be the default: agreement with the torch model, and speed, on the sample's chunks.

For N chunk texts of the sample (the project's chunker, embedding text as ingested), each backend
encodes the same texts in the same process, rounds interleaved (torch, onnx, torch, onnx, ...), and
the median chunks/s per backend is printed with its ratio to torch; then the cosine between each
backend's vector and the torch model's for every chunk (min, 1st percentile, mean). A backend may
only become the default when its minimum cosine is >= 0.999.

    python bench/encoders.py --chunks 400 --rounds 3
    python bench/encoders.py --threads 1          # both backends on one thread
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from ingest.loaders import load_paths  # noqa: E402
from rag.chunking import Chunker, embedding_text  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.embedding import load_embedder  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "npg_labels.jsonl"
THRESHOLD = 0.999


def sample_texts(collection: Path, n: int, settings: Settings, count_tokens) -> list[str]:
    """The chunk texts of records spread evenly over the collection, ``n`` of them."""
    records = [item.record for item in load_paths([collection]).records]
    chunker = Chunker(count_tokens, settings.chunk_max_tokens, settings.chunk_overlap_tokens)
    step = max(1, len(records) // max(1, n // 3))
    texts: list[str] = []
    for record in records[::step]:
        texts += [embedding_text(c) for c in chunker.chunk(record)]
        if len(texts) >= n:
            break
    return texts[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collection", type=Path, default=SAMPLE)
    parser.add_argument("--chunks", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="Settings.embed_threads for both backends.")
    args = parser.parse_args()

    settings = {b: Settings(_env_file=None, embed_backend=b, embed_threads=args.threads) for b in ("torch", "onnx")}
    embedders = {b: load_embedder(s) for b, s in settings.items()}
    texts = sample_texts(args.collection, args.chunks, settings["torch"], embedders["torch"].count_tokens)
    batch = settings["torch"].embed_batch_size
    vectors = {b: e.embed_documents(texts[:8], batch_size=batch) for b, e in embedders.items()}  # warm-up
    speeds: dict[str, list[float]] = {b: [] for b in embedders}
    for _ in range(args.rounds):
        for backend, embedder in embedders.items():
            started = time.perf_counter()
            vectors[backend] = embedder.embed_documents(texts, batch_size=batch)
            speeds[backend].append(len(texts) / (time.perf_counter() - started))
    cosines = np.sum(vectors["onnx"] * vectors["torch"], axis=1)
    torch_speed = statistics.median(speeds["torch"])
    rows = []
    for backend in embedders:
        agree = cosines if backend == "onnx" else np.ones(len(texts))
        rows.append({
            "backend": backend,
            "chunks_per_s_median": round(statistics.median(speeds[backend]), 1),
            "vs_torch": round(statistics.median(speeds[backend]) / torch_speed, 2),
            "cosine_min": round(float(agree.min()), 4),
            "cosine_p01": round(float(np.percentile(agree, 1)), 4),
            "cosine_mean": round(float(agree.mean()), 4),
            "default_eligible": bool(agree.min() >= THRESHOLD),
        })
    print(f"cpu cores: {os.cpu_count()}  load average {os.getloadavg()[0]:.1f}  chunks: {len(texts)}  "
          f"rounds: {args.rounds} (interleaved)  batch: {batch}  threads: {args.threads or 'library default'}")
    print(f"{'backend':8} {'chunks/s (median)':>18} {'vs torch':>9} {'cos min':>8} {'cos p01':>8} {'cos mean':>9} "
          f"{'>= ' + str(THRESHOLD):>9}")
    for r in rows:
        print(f"{r['backend']:8} {r['chunks_per_s_median']:18.1f} {r['vs_torch']:8.2f}x {r['cosine_min']:8.4f} "
              f"{r['cosine_p01']:8.4f} {r['cosine_mean']:9.4f} {str(r['default_eligible']):>9}")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
