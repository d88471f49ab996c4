"""Streaming: when the first verified sentence of an answer is ready, next to the whole answer.

For the answered questions of a question set (on the configured store, ``MUSEUM_RAG_DATA_DIR``;
copy an embedded store first, one process owns it), asks each twice, in alternating order: once as
``POST /v1/ask/stream`` does (``on_sentence``: sentences verified one by one, each handed out when
ready) and once as ``POST /v1/ask`` does (all sentences verified in one batch). Prints medians of the time to the
first sentence and to the whole answer, and their ratios.

Example::

    cp -r data/stores/npg /tmp/mystore
    MUSEUM_RAG_DATA_DIR=/tmp/mystore python bench/stream.py --limit 20
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

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rag.config import Settings  # noqa: E402

DEFAULT_QUESTIONS = REPO / "tests" / "data" / "npg_questions_dev.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--limit", type=int, default=20, help="Questions asked (answered ones are measured).")
    args = parser.parse_args()

    from rag.pipeline import MuseumRAG

    questions = [json.loads(line)["question"] for line in args.questions.read_text(encoding="utf-8").splitlines()
                 if line.strip()][: args.limit]
    first, streamed_total, batch_total, sentences = [], [], [], []
    with MuseumRAG(Settings()) as museum:
        museum.ask("warm up")
        for i, question in enumerate(questions):
            # alternate which way goes first, so neither always meets the warmer caches
            order = ("streamed", "batch") if i % 2 == 0 else ("batch", "streamed")
            arrivals: list[float] = []
            timing: dict[str, float] = {}
            answered = True
            for way in order:
                start = time.perf_counter()
                if way == "streamed":
                    answer = museum.ask(question, on_sentence=lambda ready: arrivals.append(time.perf_counter() - start))
                else:
                    answer = museum.ask(question)
                timing[way] = time.perf_counter() - start
                answered = answered and answer.status == "answered"
            if not answered or not arrivals:
                continue
            first.append(arrivals[0])
            streamed_total.append(timing["streamed"])
            batch_total.append(timing["batch"])
            sentences.append(len(arrivals))
    if not first:
        print("no answered question")
        return
    med = statistics.median
    print(f"answered questions measured: {len(first)} of {len(questions)}; sentences per answer: median {med(sentences)}")
    print(f"first sentence (streamed)     median {med(first):.3f} s")
    print(f"whole answer (streamed)       median {med(streamed_total):.3f} s")
    print(f"whole answer (one batch)      median {med(batch_total):.3f} s")
    print(f"first sentence / whole answer (one batch): {med(f / b for f, b in zip(first, batch_total)):.2f}")
    print(f"streamed / one batch, whole answer:        {med(s / b for s, b in zip(streamed_total, batch_total)):.2f}")


if __name__ == "__main__":
    main()
