"""Query cost against store size: embedded stores of about 10k, 30k and 100k chunks.

Each store holds the sample's real chunks (vectors, BM25 vectors and payloads as ingested) plus
perturbed copies of them (each vector plus gaussian noise, renormalised; the copy's payload names a
new record), written through the store API (``VectorStore.upsert``) and then indexed
(``VectorStore.optimize()``: HNSW). For every size, in a fresh process: the dev questions' object search
(``rag.retrieval.search_objects``: the hybrid query, grouping on the chunk places held in memory as a server
holds them, the kept chunks read whole: what retrieval does once the question is embedded; and the same search
reading the grouping fields from the engine, as a one-off command does), the engine-only query latency
(hybrid: dense + BM25 fused, with all 50 payloads and without any; and dense alone), p50/p95, the
recall@k of the indexed dense search against brute force (``exact=True``) on the same questions, the
disk size, the process's peak RSS and the time ``optimize()`` took. Then the object search once more on every
store side by side in one process, each question on all sizes in turn; last, the 100k/10k p50 ratios.

The vectors come from ``bench/chunk_count.py --save-vectors FILE`` (the sample's chunks, embedded once):

    python bench/chunk_count.py --ways current --save-vectors /tmp/npg_vectors.npz
    python bench/scale.py --vectors /tmp/npg_vectors.npz --sizes 10000,30000,100000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from percentiles import percentile  # noqa: E402  (bench/, on sys.path when run as a script)

DEV_QUESTIONS = REPO / "tests" / "data" / "npg_questions_dev.jsonl"


def disk_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def build_and_measure(vectors_file: Path, queries_file: Path, size: int, workdir: Path, noise: float, k: int,
                      prefetch: int) -> dict:
    """One store of ``size`` points: build, optimise, query; run in its own process (clean RSS)."""
    from rag.config import Settings
    from rag.retrieval import search_objects
    from rag.sparse import Bm25Encoder
    from rag.store import PointData, point_id
    from rag.store.edge import EdgeStore

    data = np.load(vectors_file)
    base, payloads, texts = data["vectors"], [json.loads(p) for p in data["payloads"]], list(data["texts"])
    queries = np.load(queries_file)
    q_dense, q_texts = queries["vectors"], list(queries["texts"])
    bm25 = Bm25Encoder()
    sparse = [bm25.encode_document(t) for t in texts]
    rng = np.random.default_rng(13)
    settings = Settings(_env_file=None)

    store = EdgeStore(workdir / "qdrant")
    store.ensure_collection(base.shape[1])
    started = time.perf_counter()
    written, copy = 0, 0
    while written < size:
        n = min(len(base), size - written)
        vectors = base[:n] if copy == 0 else base[:n] + rng.normal(0.0, noise, size=(n, base.shape[1])).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        for start in range(0, n, 1000):
            points = []
            for i in range(start, min(n, start + 1000)):
                payload = dict(payloads[i])
                if copy:
                    payload["record_id"] = f"{payload['record_id']}~{copy}"
                points.append(PointData(point_id(payload["record_id"], payload["chunk_index"]),
                                        vectors[i].tolist(), sparse[i], payload))
            store.upsert(points)
        written += n
        copy += 1
    write_seconds = time.perf_counter() - started
    before = store.index_info()
    started = time.perf_counter()
    store.optimize()
    optimize_seconds = time.perf_counter() - started
    after = store.index_info()

    def timed(dense, sparse_vec, exact=False, limit=50, with_payload=True) -> tuple[float, list[str]]:
        t = time.perf_counter()
        hits = store.query(dense, sparse_vec, limit=limit, prefetch_limit=prefetch, fusion=settings.fusion,
                           rrf_k=settings.rrf_k, exact=exact, with_payload=with_payload)
        return time.perf_counter() - t, [h.id for h in hits]

    def object_search(dense, sparse_vec) -> float:
        t = time.perf_counter()
        search_objects(store, settings, dense, sparse_vec, settings.retrieve_limit)
        return time.perf_counter() - t

    started = time.perf_counter()
    store.hold_chunk_places()  # as a server does at start (rag.store.places)
    hold_seconds = time.perf_counter() - started
    places = store._places  # swapped out below to time the same search reading the grouping fields from the engine

    def object_search_from_engine(dense, sparse_vec) -> float:
        store._places = None
        try:
            return object_search(dense, sparse_vec)
        finally:
            store._places = places

    for vector, text in zip(q_dense[:5], q_texts[:5]):  # warm-up
        timed(vector.tolist(), bm25.encode_query(text))
        object_search(vector.tolist(), bm25.encode_query(text))
    hybrid, dense_ms, exact_ms, recalls, hybrid_recalls = [], [], [], [], []
    search_only, sparse_only, objects, objects_engine = [], [], [], []
    for n, (vector, text) in enumerate(zip(q_dense, q_texts)):
        sparse_q = bm25.encode_query(text)
        # The first read of a question's points is the costly one: the object search (what retrieval does, with the
        # places held), the same search reading the grouping fields from the engine, and the hybrid query with all
        # 50 payloads take turns going first, and each is timed where it went first.
        if n % 3 == 0:
            objects.append(object_search(vector.tolist(), sparse_q))
        elif n % 3 == 1:
            objects_engine.append(object_search_from_engine(vector.tolist(), sparse_q))
        seconds, hybrid_ids = timed(vector.tolist(), sparse_q)
        if n % 3 == 2:
            hybrid.append(seconds)
        search_only.append(timed(vector.tolist(), sparse_q, with_payload=False)[0])  # the same search, no payloads
        sparse_only.append(timed(None, sparse_q, with_payload=False)[0])
        _, hybrid_exact_ids = timed(vector.tolist(), sparse_q, exact=True)
        seconds, ann = timed(vector.tolist(), None, limit=k)
        dense_ms.append(seconds)
        seconds, exact = timed(vector.tolist(), None, exact=True, limit=k)
        exact_ms.append(seconds)
        recalls.append(len(set(ann) & set(exact)) / max(1, len(exact)))
        hybrid_recalls.append(len(set(hybrid_ids[:k]) & set(hybrid_exact_ids[:k])) / max(1, k))
    store.close()
    ms = lambda values, q: round(1000 * percentile(values, q), 2)  # noqa: E731
    return {
        "points": size,
        "segments_before": before["segments"], "segments": after["segments"], "indexed_vectors": after["indexed_vectors"],
        "write_s": round(write_seconds, 1), "optimize_s": round(optimize_seconds, 1),
        "object_search_p50_ms": ms(objects, 0.5), "object_search_p95_ms": ms(objects, 0.95),
        "object_search_engine_read_p50_ms": ms(objects_engine, 0.5), "hold_places_s": round(hold_seconds, 2),
        "hybrid_p50_ms": ms(hybrid, 0.5), "hybrid_p95_ms": ms(hybrid, 0.95),
        "hybrid_search_only_p50_ms": ms(search_only, 0.5), "sparse_search_only_p50_ms": ms(sparse_only, 0.5),
        "dense_p50_ms": ms(dense_ms, 0.5), "dense_p95_ms": ms(dense_ms, 0.95),
        "exact_dense_p50_ms": ms(exact_ms, 0.5),
        f"dense_recall@{k}": round(statistics.mean(recalls), 4),
        f"hybrid_recall@{k}": round(statistics.mean(hybrid_recalls), 4),
        "disk_mb": round(disk_bytes(workdir / "qdrant") / 1e6, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def embed_questions(path: Path, out: Path) -> int:
    from rag.config import Settings
    from rag.embedding import load_embedder

    questions = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    embedder = load_embedder(Settings(_env_file=None))
    np.savez(out, vectors=np.stack([embedder.embed_query(q) for q in questions]), texts=np.array(questions))
    return len(questions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vectors", type=Path, required=True, help="npz from bench/chunk_count.py --save-vectors")
    parser.add_argument("--questions", type=Path, default=DEV_QUESTIONS)
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--noise", type=float, default=0.03, help="Std-dev of the noise added per dimension.")
    parser.add_argument("--k", type=int, default=10, help="Recall@k of the indexed search against brute force.")
    parser.add_argument("--prefetch", type=int, default=100, help="Candidates per vector in the hybrid prefetch.")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size in this process
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--queries", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:
        print(json.dumps(build_and_measure(args.vectors, args.queries, args.one, args.workdir, args.noise, args.k,
                                           args.prefetch)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="museum-rag-scale-") as tmp:
        queries = Path(tmp) / "queries.npz"
        n_questions = embed_questions(args.questions, queries)
        for size in sizes:
            workdir = Path(tmp) / str(size)
            result = subprocess.run(
                [sys.executable, __file__, "--vectors", str(args.vectors), "--one", str(size), "--workdir", str(workdir),
                 "--queries", str(queries), "--noise", str(args.noise), "--k", str(args.k), "--prefetch", str(args.prefetch)],
                capture_output=True, text=True, check=True,
            )
            rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
        side_by_side = interleaved_object_search({size: Path(tmp) / str(size) for size in sizes}, queries)
    k = args.k
    print(f"cpu cores: {os.cpu_count()}  load average {os.getloadavg()[0]:.1f}  questions: {n_questions}  "
          f"noise sd {args.noise}  engine-only queries (question vectors embedded beforehand)")
    print(f"{'points':>7} {'segs':>4} {'indexed':>8} {'optimize s':>10} {'hybrid p50':>10} {'p95':>6} {'dense p50':>9} "
          f"{'p95':>6} {'exact p50':>9} {f'recall@{k}':>9} {f'hyb rec@{k}':>10} {'disk MB':>8} {'RSS MB':>7}")
    for r in rows:
        print(f"{r['points']:7d} {r['segments']:4d} {r['indexed_vectors']:8d} {r['optimize_s']:10.1f} "
              f"{r['hybrid_p50_ms']:10.2f} {r['hybrid_p95_ms']:6.2f} {r['dense_p50_ms']:9.2f} {r['dense_p95_ms']:6.2f} "
              f"{r['exact_dense_p50_ms']:9.2f} {r[f'dense_recall@{k}']:9.4f} {r[f'hybrid_recall@{k}']:10.4f} "
              f"{r['disk_mb']:8.1f} {r['peak_rss_mb']:7.1f}")
    if len(rows) >= 2:
        first, last = rows[0], rows[-1]
        print(f"p50 ratio {last['points']}/{first['points']}: object search (the engine query, grouping on the places "
              f"held in memory, reading the kept chunks: what a server's retrieval does) "
              f"{last['object_search_p50_ms'] / first['object_search_p50_ms']:.2f}x "
              f"({first['object_search_p50_ms']:.2f} -> {last['object_search_p50_ms']:.2f} ms; places held in "
              f"{first['hold_places_s']:.1f} / {last['hold_places_s']:.1f} s); the same reading the grouping fields "
              f"from the engine {last['object_search_engine_read_p50_ms'] / first['object_search_engine_read_p50_ms']:.2f}x "
              f"({first['object_search_engine_read_p50_ms']:.2f} -> {last['object_search_engine_read_p50_ms']:.2f} ms); "
              f"hybrid query with all 50 payloads {last['hybrid_p50_ms'] / first['hybrid_p50_ms']:.2f}x, "
              f"dense {last['dense_p50_ms'] / first['dense_p50_ms']:.2f}x, "
              f"exact dense {last['exact_dense_p50_ms'] / first['exact_dense_p50_ms']:.2f}x; without reading payloads: "
              f"hybrid {last['hybrid_search_only_p50_ms'] / first['hybrid_search_only_p50_ms']:.2f}x "
              f"({first['hybrid_search_only_p50_ms']:.2f} -> {last['hybrid_search_only_p50_ms']:.2f} ms), "
              f"sparse {last['sparse_search_only_p50_ms'] / first['sparse_search_only_p50_ms']:.2f}x "
              f"({first['sparse_search_only_p50_ms']:.2f} -> {last['sparse_search_only_p50_ms']:.2f} ms)")
        a, b = side_by_side[first["points"]], side_by_side[last["points"]]
        print(f"side by side in one process, each question on every size in turn (the size going first rotates): "
              f"object search p50 {a['p50_ms']:.2f} -> {b['p50_ms']:.2f} ms = {b['p50_ms'] / a['p50_ms']:.2f}x, "
              f"p95 {a['p95_ms']:.2f} -> {b['p95_ms']:.2f} ms")
    print(json.dumps({"sizes": rows, "side_by_side": side_by_side}))


def interleaved_object_search(workdirs: dict[int, Path], queries_file: Path) -> dict[int, dict[str, float]]:
    """The server's object search (chunk places held) on every store built, each question on all sizes in turn:
    one run, one machine state, so that the sizes' ratio is not the noise between runs a minute apart."""
    from rag.config import Settings
    from rag.retrieval import search_objects
    from rag.sparse import Bm25Encoder
    from rag.store.edge import EdgeStore

    settings = Settings(_env_file=None)
    bm25 = Bm25Encoder()
    queries = np.load(queries_file)
    stores = {size: EdgeStore(path / "qdrant") for size, path in workdirs.items()}
    try:
        for store in stores.values():
            store.hold_chunk_places()
        sizes = list(stores)
        times: dict[int, list[float]] = {size: [] for size in sizes}
        for n, (vector, text) in enumerate(zip(queries["vectors"], list(queries["texts"]))):
            dense, sparse_q = vector.tolist(), bm25.encode_query(text)
            for size in sizes[n % len(sizes):] + sizes[: n % len(sizes)]:
                t = time.perf_counter()
                search_objects(stores[size], settings, dense, sparse_q, settings.retrieve_limit)
                if n >= 5:  # the first questions warm up
                    times[size].append(time.perf_counter() - t)
    finally:
        for store in stores.values():
            store.close()
    return {size: {"p50_ms": round(1000 * percentile(values, 0.5), 2), "p95_ms": round(1000 * percentile(values, 0.95), 2)}
            for size, values in times.items()}


if __name__ == "__main__":
    main()
