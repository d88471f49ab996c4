"""Retrieval quality and latency over a question file, per search mode and per question kind.

For every question with gold objects (``object_ids``), the rank of the first gold object among
the objects returned (object level: chunks grouped by record, as the answerer sees them):
hit@1, hit@5, hit@10 and MRR, per mode (hybrid, dense, sparse) and per question kind
(factual, multi_object, false_premise, unanswerable, ... and all together; with a ``lang`` per
question, also per language: ``lang:fr`` all kinds, ``factual:fr`` factual only). A question with
several gold objects counts as a hit when any of them is in the top k. Questions without gold
objects (e.g. off-topic ones) are skipped. Then the p50/p95 wall time of one ``search`` call.

Runs against the configured store (``MUSEUM_RAG_DATA_DIR``, ``MUSEUM_RAG_STORE``, ...). An
embedded store is owned by one process: copy it first if a server is using it.

    MUSEUM_RAG_DATA_DIR=/tmp/mystore python bench/retrieval.py
    MUSEUM_RAG_DATA_DIR=/tmp/mystore python bench/retrieval.py --fusion rrf --modes hybrid
    python bench/retrieval.py --questions other_questions.jsonl --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.config import Settings  # noqa: E402
from rag.retrieval import MODES  # noqa: E402
from percentiles import percentile  # noqa: E402  (bench/, on sys.path when run as a script)

DEV_QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "data" / "npg_questions_dev.jsonl"
KS = (1, 5, 10)


def load_questions(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for i, row in enumerate(rows, 1):
        if "question" not in row:
            raise SystemExit(f"{path}:{i}: a question row needs a 'question' field")
    return rows


def first_gold_rank(returned: list[str], gold: set[str]) -> int | None:
    """0-based rank of the first gold object, or None when none was returned."""
    return next((i for i, record_id in enumerate(returned) if record_id in gold), None)


def summarise(ranks: list[int | None]) -> dict:
    n = len(ranks)
    found = [r for r in ranks if r is not None]
    row = {"n": n}
    for k in KS:
        row[f"hit@{k}"] = round(sum(r < k for r in found) / n, 3) if n else None
    row["mrr"] = round(sum(1 / (r + 1) for r in found) / n, 3) if n else None
    return row


def run(settings: Settings, questions: list[dict], modes: list[str], limit: int) -> dict:
    from rag.pipeline import MuseumRAG

    results: dict = {"store": str(settings.data_dir), "fusion": settings.fusion, "modes": {}}
    with MuseumRAG(settings) as museum:
        results["records_chunks"] = museum.store.count()
        museum.search("warm-up query", limit=limit)  # first call loads lazy parts of the models
        gold_rows = [q for q in questions if q.get("object_ids")]
        for mode in modes:
            per_kind: dict[str, list[int | None]] = defaultdict(list)
            latencies: list[float] = []
            for row in gold_rows:
                started = time.perf_counter()
                hits = museum.search(row["question"], limit=limit, mode=mode)
                latencies.append(time.perf_counter() - started)
                rank = first_gold_rank([h.record_id for h in hits], set(row["object_ids"]))
                per_kind[row.get("kind", "unknown")].append(rank)
                per_kind["all"].append(rank)
                if row.get("lang"):  # a multilingual question set: also per language, and factual per language
                    per_kind[f"lang:{row['lang']}"].append(rank)
                    if row.get("kind") == "factual":
                        per_kind[f"factual:{row['lang']}"].append(rank)
            results["modes"][mode] = {
                "kinds": {kind: summarise(ranks) for kind, ranks in sorted(per_kind.items())},
                "latency_ms": {
                    "p50": round(1000 * statistics.median(latencies), 1) if latencies else None,
                    "p95": round(1000 * percentile(latencies, 0.95), 1) if latencies else None,
                },
            }
        results["skipped_without_gold"] = len(questions) - len(gold_rows)
    return results


def print_table(results: dict) -> None:
    print(f"store: {results['store']}  chunks: {results['records_chunks']}  hybrid fusion: {results['fusion']}")
    print(f"questions without gold objects (skipped): {results['skipped_without_gold']}")
    print(f"{'mode':7} {'kind':14} {'n':>4} {'hit@1':>6} {'hit@5':>6} {'hit@10':>6} {'MRR':>6}")
    for mode, block in results["modes"].items():
        for kind, row in block["kinds"].items():
            print(
                f"{mode:7} {kind:14} {row['n']:4d} {row['hit@1']:6.3f} {row['hit@5']:6.3f} "
                f"{row['hit@10']:6.3f} {row['mrr']:6.3f}"
            )
    print(f"\n{'mode':7} {'p50 ms':>8} {'p95 ms':>8}   (one search call: embed + engine + grouping)")
    for mode, block in results["modes"].items():
        lat = block["latency_ms"]
        print(f"{mode:7} {lat['p50']:8.1f} {lat['p95']:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=DEV_QUESTIONS, help="JSONL with question, object_ids, kind.")
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    parser.add_argument("--limit", type=int, default=10, help="Objects retrieved per question (>= 10 for hit@10).")
    parser.add_argument("--fusion", choices=["dbsf", "rrf"], default=None, help="Override settings.fusion.")
    parser.add_argument("--prefetch", type=int, default=None, help="Override settings.prefetch_limit.")
    parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
    args = parser.parse_args()
    overrides = {}
    if args.fusion:
        overrides["fusion"] = args.fusion
    if args.prefetch:
        overrides["prefetch_limit"] = args.prefetch
    settings = Settings(**overrides)
    if settings.store == "embedded" and not settings.store_path.is_dir():
        raise SystemExit(f"No store at {settings.store_path}: set MUSEUM_RAG_DATA_DIR to an ingested data dir.")
    results = run(settings, load_questions(args.questions), args.modes, args.limit)
    results["questions"] = str(args.questions)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(results)


if __name__ == "__main__":
    main()
