"""Retrieval quality against the number of chunks per record: why the project writes the chunks it writes.

For each collection (with its question file), the records are chunked in several ways, every
chunk embedded once (texts shared between ways are embedded once), written through the store API
into a fresh embedded store, and the questions searched (hybrid, object level, as the answerer sees
them). Printed per way: chunks, chunks per record, hit@1, hit@5, MRR.

Ways:

* ``current``: the project's chunker (a tombstone chunk, then sentence-aware chunks of every text field
  that fit the model's window, with overlap);
* ``tomb+desc``: the tombstone chunk plus ONE chunk of the description cut at the model's window
  (what a plain pipeline that truncates would see of the text), nothing of the other fields;
* ``single``: one chunk per record, tombstone and description together, cut at the window
  (a llama-index default pipeline: one node per short document).

    python bench/chunk_count.py                                  # NPG sample + dev questions
    python bench/chunk_count.py --collection ../shared/data/walters_dev_collection.jsonl \\
        --questions ../shared/data/walters_dev_questions.jsonl
    python bench/chunk_count.py --save-vectors /tmp/npg_vectors.npz   # reuse in bench/scale.py
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from ingest.loaders import load_paths  # noqa: E402
from rag.chunking import Chunker, embedding_text, tombstone_text  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.embedding import Embedder, load_embedder  # noqa: E402
from rag.models import Chunk, CollectionRecord  # noqa: E402
from rag.retrieval import HybridSearcher  # noqa: E402
from rag.sparse import Bm25Encoder  # noqa: E402
from rag.store import PointData, point_id  # noqa: E402
from rag.store.edge import EdgeStore  # noqa: E402

SAMPLE = REPO / "data" / "sample" / "npg_labels.jsonl"
DEV_QUESTIONS = REPO / "tests" / "data" / "npg_questions_dev.jsonl"
WAYS = ("current", "tomb+desc", "single")


def truncate_tokens(text: str, embedder: Embedder, budget: int) -> str:
    """``text`` cut at a word boundary so that it fits ``budget`` model tokens (what truncation keeps)."""
    if embedder.count_tokens(text) <= budget:
        return text
    words = text.split()
    lo, hi = 0, len(words)
    while lo < hi:  # the longest prefix of words that fits
        mid = (lo + hi + 1) // 2
        if embedder.count_tokens(" ".join(words[:mid])) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo])


def chunks_for(way: str, record: CollectionRecord, chunker: Chunker, embedder: Embedder, budget: int) -> list[Chunk]:
    if way == "current":
        return chunker.chunk(record, source="bench")
    base = chunker.chunk(record, source="bench")[0]  # tombstone chunk: carries the citation payload
    description = (record.description or "").strip()
    if way == "tomb+desc":
        texts = [("tombstone", tombstone_text(record))]
        if description:
            texts.append(("description", truncate_tokens(description, embedder, budget)))
    else:
        texts = [("tombstone", truncate_tokens(f"{tombstone_text(record)} {description}".strip(), embedder, budget))]
    payload = base.model_dump()
    return [
        Chunk.model_validate({**payload, "chunk_index": i, "chunk_count": len(texts), "field": field, "start": 0,
                              "end": len(text), "text": text})
        for i, (field, text) in enumerate(texts)
    ]


def hit_rates(searcher: HybridSearcher, questions: list[dict], limit: int = 10) -> dict:
    ranks = []
    for row in questions:
        ids = [hit.record_id for hit in searcher.search(row["question"], limit=limit)]
        gold = set(row["object_ids"])
        ranks.append(next((i for i, rid in enumerate(ids) if rid in gold), None))
    n = len(ranks)
    return {
        "questions": n,
        "hit@1": round(sum(r is not None and r < 1 for r in ranks) / n, 3),
        "hit@5": round(sum(r is not None and r < 5 for r in ranks) / n, 3),
        "mrr": round(sum(1 / (r + 1) for r in ranks if r is not None) / n, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collection", type=Path, default=SAMPLE)
    parser.add_argument("--questions", type=Path, default=DEV_QUESTIONS)
    parser.add_argument("--ways", nargs="+", default=list(WAYS), choices=WAYS)
    parser.add_argument("--distractors", type=int, default=None,
                        help="Only the questions' gold records plus the first N others (a subset, when CPU is short).")
    parser.add_argument("--save-vectors", type=Path, help="Save the 'current' chunks' texts and vectors (npz).")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    settings = Settings(_env_file=None)
    embedder = load_embedder(settings)
    budget = min(settings.chunk_max_tokens, embedder.max_tokens)
    chunker = Chunker(embedder.count_tokens, budget, settings.chunk_overlap_tokens)
    records = [item.record for item in load_paths([args.collection]).records]
    questions = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [q for q in questions if q.get("object_ids")]
    if args.distractors is not None:
        gold = {rid for q in questions for rid in q["object_ids"]}
        others = [r for r in records if r.id not in gold][: args.distractors]
        keep = {r.id for r in others} | gold
        records = [r for r in records if r.id in keep]
    bm25 = Bm25Encoder()

    per_way = {way: [c for r in records for c in chunks_for(way, r, chunker, embedder, budget)] for way in args.ways}
    unique = sorted({embedding_text(c) for chunks in per_way.values() for c in chunks})
    started = time.perf_counter()
    vectors = embedder.embed_documents(unique, batch_size=settings.embed_batch_size)
    print(f"embedded {len(unique)} distinct chunk texts in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    index = {text: i for i, text in enumerate(unique)}

    rows = []
    with tempfile.TemporaryDirectory(prefix="museum-rag-chunks-") as tmp:
        for way, chunks in per_way.items():
            store = EdgeStore(Path(tmp) / way / "qdrant")
            store.ensure_collection(embedder.dimension)
            for i in range(0, len(chunks), 512):
                batch = chunks[i : i + 512]
                store.upsert([
                    PointData(point_id(c.record_id, c.chunk_index), vectors[index[embedding_text(c)]].tolist(),
                              bm25.encode_document(embedding_text(c)), c.payload())
                    for c in batch
                ])
            store.optimize()
            searcher = HybridSearcher(store, embedder, settings)
            row = {"way": way, "records": len(records), "chunks": len(chunks),
                   "chunks_per_record": round(len(chunks) / len(records), 2), **hit_rates(searcher, questions)}
            rows.append(row)
            store.close()
            if way == "current" and args.save_vectors:
                texts = [embedding_text(c) for c in chunks]
                np.savez(args.save_vectors, vectors=np.stack([vectors[index[t]] for t in texts]),
                         payloads=np.array([json.dumps(c.payload()) for c in chunks]), texts=np.array(texts))
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    subset = f" (gold records + {args.distractors} others)" if args.distractors is not None else ""
    print(f"collection: {args.collection.name}{subset}  questions: {args.questions.name} "
          f"({len(questions)} with gold objects)  load average {os.getloadavg()[0]:.1f}")
    print(f"{'way':10} {'records':>8} {'chunks':>7} {'chunks/rec':>10} {'hit@1':>6} {'hit@5':>6} {'MRR':>6}")
    for r in rows:
        print(f"{r['way']:10} {r['records']:8d} {r['chunks']:7d} {r['chunks_per_record']:10.2f} "
              f"{r['hit@1']:6.3f} {r['hit@5']:6.3f} {r['mrr']:6.3f}")


if __name__ == "__main__":
    main()
