"""Latency of ``MuseumRAG.ask`` per stage, next to the time to embed the question alone (the floor).

For every question of the dev set (on the configured store, ``MUSEUM_RAG_DATA_DIR``; copy an
embedded store first, one process owns it), it asks once and reads ``Answer.timings``
(retrieve, answer, verify, total), and separately times ``embedder.embed_query`` on the same
question. Prints p50 / p95 per stage and the ratio of each to the embedding floor.

Example::

    cp -r data/stores/npg /tmp/mystore
    MUSEUM_RAG_DATA_DIR=/tmp/mystore python bench/ask.py
    MUSEUM_RAG_DATA_DIR=/tmp/mystore python bench/ask.py --limit 40 --json
    # two embedding models side by side, each on a store it filled (copies):
    python bench/ask.py --models all-MiniLM-L6-v2=/tmp/minilm-store multilingual-e5-small=/tmp/e5-store
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rag.config import Settings  # noqa: E402
from percentiles import percentile  # noqa: E402  (bench/, on sys.path when run as a script)

DEFAULT_QUESTIONS = REPO / "tests" / "data" / "npg_questions_dev.jsonl"
STAGES = ("retrieve", "answer", "verify", "total")


def run(questions: list[str], museum, warmup: int = 3) -> dict:
    museum.warm_up()  # as a server does at start
    for question in questions[:warmup]:  # models, caches and the store warm up first
        museum.ask(question)
        museum.embedder.embed_query(question)
    samples: dict[str, list[float]] = {stage: [] for stage in STAGES}
    samples["embed_query"] = []
    statuses: Counter[str] = Counter()
    for question in questions:
        t = time.perf_counter()
        museum.embedder.embed_query(question)
        samples["embed_query"].append(time.perf_counter() - t)
        answer = museum.ask(question)
        statuses[answer.status] += 1
        for stage in STAGES:
            samples[stage].append(answer.timings.get(stage, 0.0))
    floor50 = percentile(samples["embed_query"], 0.50)
    floor95 = percentile(samples["embed_query"], 0.95)
    report = {}
    for name, values in samples.items():
        p50, p95 = percentile(values, 0.50), percentile(values, 0.95)
        report[name] = {
            "p50_ms": round(p50 * 1000, 1),
            "p95_ms": round(p95 * 1000, 1),
            "mean_ms": round(statistics.mean(values) * 1000, 1),
            "p50_x_floor": round(p50 / floor50, 1) if floor50 else None,
            "p95_x_floor": round(p95 / floor95, 1) if floor95 else None,
        }
    return {"questions": len(questions), "statuses": dict(statuses), "stages": report}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="Print JSON only.")
    parser.add_argument(
        "--models", nargs="+", default=None, metavar="MODEL=DATA_DIR",
        help="Compare embedding models in one run: each MODEL (a MUSEUM_RAG_EMBED_MODEL value) on the store "
        "in DATA_DIR that it filled.",
    )
    args = parser.parse_args(argv)
    if args.models:
        return compare_models(args)

    from rag.pipeline import MuseumRAG

    rows = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [r["question"] for r in rows][: args.limit or None]
    settings = Settings()
    with MuseumRAG(settings) as museum:
        result = run(questions, museum)
    result["settings"] = {
        "embed_backend": settings.embed_backend,
        "store": settings.store,
        "llm": settings.llm_base_url or None,
        "verifier": type(museum.answerer.verifier).__name__,
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['questions']} questions, statuses {result['statuses']}, settings {result['settings']}")
    print(f"{'stage':12s} {'p50 ms':>9s} {'p95 ms':>9s} {'p50 x floor':>12s} {'p95 x floor':>12s}")
    for name in ("embed_query", *STAGES):
        r = result["stages"][name]
        print(f"{name:12s} {r['p50_ms']:9.1f} {r['p95_ms']:9.1f} {r['p50_x_floor']:12.1f} {r['p95_x_floor']:12.1f}")
    return 0


def compare_models(args: argparse.Namespace) -> int:
    """Every stage's p50 / p95 for each model, side by side, and each model's ratio to the first."""
    from rag.pipeline import MuseumRAG

    rows = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [r["question"] for r in rows][: args.limit or None]
    results: dict[str, dict] = {}
    for spec in args.models:
        model, sep, data_dir = spec.partition("=")
        if not sep or not data_dir:
            raise SystemExit(f"--models {spec!r}: expected MODEL=DATA_DIR (a store that model filled)")
        settings = Settings(embed_model=model, data_dir=Path(data_dir))
        with MuseumRAG(settings) as museum:
            results[model] = run(questions, museum)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    models = list(results)
    first = models[0]
    print(f"{len(questions)} questions from {args.questions.name}; statuses: "
          + "; ".join(f"{m} {results[m]['statuses']}" for m in models))
    print(f"{'stage':12s} " + " ".join(f"{m[:24] + ' p50/p95 ms':>38s}" for m in models) + f"  p50 ratio to {first}")
    for name in ("embed_query", *STAGES):
        cells = [f"{results[m]['stages'][name]['p50_ms']:>17.1f} / {results[m]['stages'][name]['p95_ms']:<18.1f}" for m in models]
        ratios = [results[m]["stages"][name]["p50_ms"] / max(results[first]["stages"][name]["p50_ms"], 1e-9) for m in models]
        print(f"{name:12s} " + " ".join(cells) + "  " + " ".join(f"{r:.2f}x" for r in ratios))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
