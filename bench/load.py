"""Load benchmark of POST /v1/ask against the real server on loopback.

Starts ``museum-rag serve`` on a copy of a data dir (so the original store stays untouched and
unlocked) with the rate limit raised for the run, then for each concurrency level sends
questions from a question file for a bounded time and reports requests/s, latency
percentiles and errors. 429s would be counted apart (the limit is raised, so there should be none);
any other non-200 is an error.

With ``--setup NAME:VAR=VALUE,...`` (repeatable) several servers are started on copies of the same
data dir, each with its own MUSEUM_RAG_* variables, and the levels are run interleaved (level 1 on
each set-up, then level 4 on each, ...) so that every set-up sees the same machine load; the table
puts them side by side, with each set-up's throughput at the highest level over its throughput at 1.

Example::

    python bench/load.py --data-dir data/store --duration 20 --concurrency 1,4,16
    python bench/load.py --data-dir data/store --concurrency 1,4,16 \
        --setup one-thread:MUSEUM_RAG_EMBED_THREADS=1 --setup all-threads:MUSEUM_RAG_EMBED_THREADS=2
    python bench/load.py --data-dir data/store --endpoint /v1/ask/stream   # the widget's streamed answers
    python bench/load.py --url http://127.0.0.1:8000 --duration 10     # a server you started (loopback only)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.live_server import LiveServer  # noqa: E402
from percentiles import percentile  # noqa: E402  (bench/, on sys.path when run as a script)

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class LevelResult:
    concurrency: int
    seconds: float
    requests: int
    next_offset: int
    ok: int
    rate_limited: int
    errors: int
    unfinished: int  # in flight when the grace period after the deadline ran out (not counted as errors)
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    statuses: dict[str, int]


def load_questions(path: Path, limit: int) -> list[str]:
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            questions.append(json.loads(line)["question"])
    if not questions:
        raise SystemExit(f"no questions in {path}")
    return questions[:limit]


async def run_level(
    url: str, questions: list[str], concurrency: int, duration: float, grace: float = 30.0, offset: int = 0,
    endpoint: str = "/v1/ask",
) -> LevelResult:
    """One level; questions are taken from ``offset`` on, so a level does not replay the previous one's (caches)."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    counter = offset
    deadline = time.monotonic() + duration
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=url, timeout=120.0, limits=limits) as client:

        async def worker() -> None:
            nonlocal counter
            while time.monotonic() < deadline:  # bounded: no new request after the deadline
                question = questions[counter % len(questions)]
                counter += 1
                started = time.perf_counter()
                try:
                    response = await client.post(endpoint, json={"question": question})  # a stream: read to its end
                    key = str(response.status_code)
                except httpx.HTTPError as exc:
                    key = type(exc).__name__
                elapsed = time.perf_counter() - started
                statuses[key] = statuses.get(key, 0) + 1
                if key == "200":
                    latencies.append(elapsed)

        started = time.monotonic()
        tasks = [asyncio.create_task(worker()) for _ in range(concurrency)]
        _, pending = await asyncio.wait(tasks, timeout=duration + grace)
        for task in pending:  # bounded: requests still in flight after the grace period are abandoned
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        seconds = time.monotonic() - started

    total = sum(statuses.values())
    ok = statuses.get("200", 0)
    limited = statuses.get("429", 0)
    return LevelResult(
        concurrency=concurrency,
        seconds=round(seconds, 2),
        requests=total,
        next_offset=counter,
        ok=ok,
        rate_limited=limited,
        errors=total - ok - limited,
        unfinished=len(pending),
        requests_per_second=round(ok / seconds, 2) if seconds else 0.0,
        p50_ms=round(percentile(latencies, 0.50) * 1000, 1),
        p95_ms=round(percentile(latencies, 0.95) * 1000, 1),
        p99_ms=round(percentile(latencies, 0.99) * 1000, 1),
        statuses=statuses,
    )


def server_facts(url: str) -> dict:
    ready = httpx.get(url + "/readyz", timeout=10).json()
    return {"store": ready.get("store"), "chunks": ready.get("chunks"), "embed_model": ready.get("embed_model")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", help="A running server on loopback (its rate limit must allow the load).")
    where.add_argument("--data-dir", type=Path, default=REPO / "data" / "store",
                       help="Data dir to copy and serve (default: data/store, what `make ingest-sample` builds).")
    parser.add_argument("--questions", type=Path, default=REPO / "tests" / "data" / "npg_questions_dev.jsonl")
    parser.add_argument("--max-questions", type=int, default=150)
    parser.add_argument("--concurrency", default="1,4,16", help="Comma-separated levels.")
    parser.add_argument("--setup", action="append", default=[],
                        help="NAME:VAR=VALUE,VAR=VALUE: a server set-up to compare (repeatable; needs --data-dir).")
    parser.add_argument("--duration", type=float, default=20.0, help="Seconds per level (bounded).")
    parser.add_argument("--grace", type=float, default=30.0, help="Seconds to let in-flight requests finish.")
    parser.add_argument("--warmup", type=int, default=5, help="Sequential requests before measuring.")
    parser.add_argument("--ask-concurrency", type=int, default=None, help="MUSEUM_RAG_ASK_CONCURRENCY for the server.")
    parser.add_argument("--endpoint", default="/v1/ask", choices=["/v1/ask", "/v1/ask/stream"],
                        help="/v1/ask/stream: the widget's streamed answers, each read to its last event.")
    parser.add_argument("--out", type=Path, help="Write the results as JSON here.")
    args = parser.parse_args(argv)

    levels = [int(x) for x in args.concurrency.split(",") if x.strip()]
    if not levels or min(levels) < 1 or max(levels) > 256:
        parser.error("--concurrency must list levels between 1 and 256")
    if not 1 <= args.duration <= 600:
        parser.error("--duration must be between 1 and 600 seconds")
    questions = load_questions(args.questions, args.max_questions)

    if args.setup:
        if args.url:
            parser.error("--setup starts its own servers: use --data-dir, not --url")
        return compare_setups(args, levels, questions)

    server = None
    scratch = None
    if args.url:
        host = urlparse(args.url).hostname
        if host not in LOOPBACK:
            parser.error(f"--url must be on loopback ({', '.join(sorted(LOOPBACK))}), not {host!r}")
        url = args.url.rstrip("/")
    else:
        if not (args.data_dir / "qdrant").is_dir():
            parser.error(f"{args.data_dir} holds no store: run `make ingest-sample` or pass --data-dir")
        scratch = Path(tempfile.mkdtemp(prefix="museum-rag-load-"))
        shutil.copytree(args.data_dir, scratch / "data", ignore=shutil.ignore_patterns("*.lock", "feedback.sqlite3*"))
        env = {"MUSEUM_RAG_RATE_LIMIT_PER_MINUTE": "1000000"}  # the bench measures answering, not the limiter
        if args.ask_concurrency:
            env["MUSEUM_RAG_ASK_CONCURRENCY"] = str(args.ask_concurrency)
        server = LiveServer(scratch / "data", env=env, log_path=scratch / "server.log", answer_processes=None).start()
        url = server.url

    try:
        facts = server_facts(url)
        with httpx.Client(base_url=url, timeout=120) as client:
            for question in questions[: args.warmup]:
                client.post("/v1/ask", json={"question": question}).raise_for_status()
        results = []
        print(f"server {url}  store={facts['store']}  chunks={facts['chunks']}  cpus={os.cpu_count()}  "
              f"load average {os.getloadavg()[0]:.1f}  questions {len(questions)} (cycled: later repeats may hit caches)",
              file=sys.stderr)
        print(f"{'conc':>5} {'req/s':>8} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'ok':>6} {'429':>5} {'errors':>6} {'cut':>4}")
        offset = args.warmup
        for level in levels:
            result = asyncio.run(run_level(url, questions, level, args.duration, args.grace, offset, args.endpoint))
            offset = result.next_offset
            results.append(result)
            print(f"{result.concurrency:>5} {result.requests_per_second:>8.2f} {result.p50_ms:>9.1f} {result.p95_ms:>9.1f} "
                  f"{result.p99_ms:>9.1f} {result.ok:>6} {result.rate_limited:>5} {result.errors:>6} {result.unfinished:>4}", flush=True)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps({"server": facts, "duration": args.duration, "cpus": os.cpu_count(),
                                            "levels": [asdict(r) for r in results]}, indent=2))
        return 1 if any(r.errors for r in results) else 0
    finally:
        if server is not None:
            server.stop()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def parse_setup(text: str) -> tuple[str, dict[str, str]]:
    name, _, assignments = text.partition(":")
    env = {}
    for pair in filter(None, assignments.split(",")):
        key, sep, value = pair.partition("=")
        if not sep or not key.startswith("MUSEUM_RAG_"):
            raise SystemExit(f"--setup {text!r}: expected NAME:MUSEUM_RAG_VAR=VALUE,...")
        env[key] = value
    return name, env


def compare_setups(args: argparse.Namespace, levels: list[int], questions: list[str]) -> int:
    """Each set-up's server on its own copy of the data dir; levels interleaved across set-ups."""
    if not (args.data_dir / "qdrant").is_dir():
        raise SystemExit(f"{args.data_dir} holds no store")
    setups = [parse_setup(text) for text in args.setup]
    scratch = Path(tempfile.mkdtemp(prefix="museum-rag-load-"))
    servers: dict[str, LiveServer] = {}
    results: dict[str, list[LevelResult]] = {name: [] for name, _ in setups}
    try:
        for name, extra in setups:
            data = scratch / name / "data"
            shutil.copytree(args.data_dir, data, ignore=shutil.ignore_patterns("*.lock", "feedback.sqlite3*"))
            env = {"MUSEUM_RAG_RATE_LIMIT_PER_MINUTE": "1000000", **extra}
            servers[name] = LiveServer(data, env=env, log_path=scratch / f"{name}.log", startup_timeout=600,
                                       answer_processes=None).start()
        for name, server in servers.items():
            with httpx.Client(base_url=server.url, timeout=300) as client:
                for question in questions[: args.warmup]:
                    client.post("/v1/ask", json={"question": question}).raise_for_status()
        print(f"cpus={os.cpu_count()}  load average {os.getloadavg()[0]:.1f}  questions {len(questions)}  "
              f"{args.duration:.0f} s per level and set-up, interleaved, POST {args.endpoint}", file=sys.stderr)
        offset = args.warmup
        for level in levels:
            for name, server in servers.items():
                result = asyncio.run(
                    run_level(server.url, questions, level, args.duration, args.grace, offset, args.endpoint)
                )
                results[name].append(result)
                print(f"{name:>14} c={level:<3} {result.requests_per_second:6.2f} req/s  p50 {result.p50_ms:8.1f}  "
                      f"p95 {result.p95_ms:8.1f}  errors {result.errors}", file=sys.stderr, flush=True)
            offset = max(results[n][-1].next_offset for n in results)  # the next level starts on other questions
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    names = list(results)
    print("conc " + " ".join(f"{n + ' req/s':>22} {'p50 ms':>9} {'p95 ms':>9}" for n in names))
    for i, level in enumerate(levels):
        print(f"{level:4d} " + " ".join(
            f"{results[n][i].requests_per_second:22.2f} {results[n][i].p50_ms:9.1f} {results[n][i].p95_ms:9.1f}"
            for n in names))
    for n in names:
        first, last = results[n][0], results[n][-1]
        ratio = last.requests_per_second / first.requests_per_second if first.requests_per_second else float("nan")
        print(f"{n}: throughput at concurrency {last.concurrency} / at {first.concurrency} = {ratio:.2f}x")
    if args.out:
        args.out.write_text(json.dumps({n: [asdict(r) for r in rs] for n, rs in results.items()}, indent=2))
    return 1 if any(r.errors for rs in results.values() for r in rs) else 0


if __name__ == "__main__":
    raise SystemExit(main())
