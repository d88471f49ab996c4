"""The project against a plain llama-index pipeline, over the same records and questions, in one run.

The plain pipeline is what the llama-index docs show: one ``Document`` per record (title, makers,
date and description as text, the record id as metadata kept out of the embedding), the default
node parser, ``HuggingFaceEmbedding`` on the same packaged all-MiniLM-L6-v2 folder, and a
``QdrantVectorStore`` in qdrant-client's local mode on disk; ``VectorStoreIndex.from_documents``
writes it; a retriever returns the top nodes, mapped to objects. The project ingests the same
records with its own pipeline (tombstone + sentence-aware chunks, dense + BM25, embedded Qdrant).

Printed side by side, with ratios (project / plain): ingest wall time, chunks/s, retrieval latency
per question (p50, p95; questions interleaved: project, plain, project, plain, ...), object-level
hit@1 and hit@5 on the questions whose gold objects are in the subset. Needs the ``bench`` extra.

    python bench/compare.py --distractors 350                 # the dev questions' gold records + 350 others
    python bench/compare.py --collection ../shared/data/walters_dev_collection.jsonl \\
        --questions ../shared/data/walters_dev_questions.jsonl --distractors 350
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from percentiles import percentile  # noqa: E402  (bench/, on sys.path when run as a script)

SAMPLE = REPO / "data" / "sample" / "npg_labels.jsonl"
DEV_QUESTIONS = REPO / "tests" / "data" / "npg_questions_dev.jsonl"


def subset(collection: Path, questions: list[dict], distractors: int, out: Path) -> list[dict]:
    """The questions' gold records plus the first ``distractors`` others, in file order, written to ``out``."""
    gold = {rid for q in questions for rid in q.get("object_ids") or []}
    rows, others = [], 0
    for line in collection.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if record.get("id") in gold:
            rows.append(record)
        elif others < distractors:
            rows.append(record)
            others += 1
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return rows


def plain_text(record: dict) -> str:
    """What a plain pipeline would index: the record's title, makers, date and description."""
    makers = ", ".join(c.get("name") or "" for c in record.get("creators") or [] if c.get("name"))
    head = ". ".join(part for part in (record.get("title"), makers, record.get("date")) if part)
    return f"{head}.\n\n{record.get('description') or ''}".strip()


class PlainLlamaIndex:
    def __init__(self, workdir: Path) -> None:
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from qdrant_client import QdrantClient

        from rag.embedding import packaged_model_dir

        self.embed_model = HuggingFaceEmbedding(model_name=str(packaged_model_dir()), device="cpu", embed_batch_size=32)
        self.client = QdrantClient(path=str(workdir / "llama-qdrant"))
        self.index = None

    def ingest(self, records: list[dict]) -> int:
        from llama_index.core import Document, StorageContext, VectorStoreIndex
        from llama_index.vector_stores.qdrant import QdrantVectorStore

        documents = [
            Document(text=plain_text(r), metadata={"record_id": r["id"]}, excluded_embed_metadata_keys=["record_id"],
                     excluded_llm_metadata_keys=["record_id"])
            for r in records
        ]
        store = QdrantVectorStore(collection_name="plain", client=self.client)
        context = StorageContext.from_defaults(vector_store=store)
        self.index = VectorStoreIndex.from_documents(documents, storage_context=context, embed_model=self.embed_model)
        return int(self.client.count("plain").count)

    def search(self, question: str, limit: int) -> list[str]:
        retriever = self.index.as_retriever(similarity_top_k=limit * 3)
        ids: list[str] = []
        for node in retriever.retrieve(question):
            rid = node.node.metadata.get("record_id")
            if rid not in ids:
                ids.append(rid)
        return ids[:limit]


def hits(ranks: list[int | None], k: int) -> float:
    return round(sum(r is not None and r < k for r in ranks) / len(ranks), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collection", type=Path, default=SAMPLE)
    parser.add_argument("--questions", type=Path, default=DEV_QUESTIONS)
    parser.add_argument("--distractors", type=int, default=350, help="Records besides the questions' gold ones.")
    parser.add_argument("--max-questions", type=int, default=None)
    args = parser.parse_args()

    from ingest.pipeline import Ingestor
    from rag.config import Settings
    from rag.embedding import load_embedder
    from rag.pipeline import MuseumRAG
    from rag.store import open_store

    questions = [json.loads(l) for l in args.questions.read_text(encoding="utf-8").splitlines() if l.strip()]
    questions = [q for q in questions if q.get("object_ids")][: args.max_questions]
    with tempfile.TemporaryDirectory(prefix="museum-rag-compare-") as tmp:
        workdir = Path(tmp)
        records = subset(args.collection, questions, args.distractors, workdir / "subset.jsonl")
        settings = Settings(_env_file=None, data_dir=workdir / "project")

        embedder = load_embedder(settings)  # both load their model before the clock starts
        plain = PlainLlamaIndex(workdir)
        started = time.perf_counter()
        store = open_store(settings)
        summary = Ingestor(settings, store, embedder).run([workdir / "subset.jsonl"], source="compare")
        project_ingest = time.perf_counter() - started
        started = time.perf_counter()
        plain_chunks = plain.ingest(records)
        plain_ingest = time.perf_counter() - started

        museum = MuseumRAG(settings, store=store, embedder=embedder)
        museum.search("warm up", limit=5)
        plain.search("warm up", 5)
        latency: dict[str, list[float]] = {"project": [], "plain": []}
        ranks: dict[str, list[int | None]] = {"project": [], "plain": []}
        for q in questions:  # interleaved: both see the same machine load
            gold = set(q["object_ids"])
            for name, search in (("project", lambda text: [h.record_id for h in museum.search(text, limit=5)]),
                                 ("plain", lambda text: plain.search(text, 5))):
                t = time.perf_counter()
                ids = search(q["question"])
                latency[name].append(time.perf_counter() - t)
                ranks[name].append(next((i for i, rid in enumerate(ids) if rid in gold), None))
        museum.close()

    rows = {
        "project": {"ingest_s": project_ingest, "chunks": summary.chunks_added},
        "plain": {"ingest_s": plain_ingest, "chunks": plain_chunks},
    }
    for name, row in rows.items():
        row["chunks_per_s"] = row["chunks"] / row["ingest_s"]
        row["p50_ms"] = 1000 * statistics.median(latency[name])
        row["p95_ms"] = 1000 * percentile(latency[name], 0.95)
        row["hit@1"] = hits(ranks[name], 1)
        row["hit@5"] = hits(ranks[name], 5)
    print(f"cpu cores: {os.cpu_count()}  load average {os.getloadavg()[0]:.1f}  collection: {args.collection.name} "
          f"({len(records)} records: gold + {args.distractors} others)  questions: {len(questions)}")
    print(f"{'':22} {'project':>10} {'plain llama-index':>18} {'project/plain':>14}")
    for key, label, fmt in (("ingest_s", "ingest wall s", "{:.1f}"), ("chunks", "chunks", "{:d}"),
                            ("chunks_per_s", "chunks/s", "{:.1f}"), ("p50_ms", "retrieval p50 ms", "{:.1f}"),
                            ("p95_ms", "retrieval p95 ms", "{:.1f}"), ("hit@1", "hit@1", "{:.3f}"),
                            ("hit@5", "hit@5", "{:.3f}")):
        a, b = rows["project"][key], rows["plain"][key]
        ratio = f"{a / b:.2f}x" if b else "-"
        print(f"{label:22} {fmt.format(a):>10} {fmt.format(b):>18} {ratio:>14}")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
