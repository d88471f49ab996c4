"""Answer quality on a question set: gold citations, key facts, abstention, corrections, citation integrity.

Runs ``MuseumRAG.ask`` on every question of a question set (format: shared/README.md) over the
configured store (``MUSEUM_RAG_DATA_DIR``; copy an embedded store first, one process owns it) and
reports, per question kind:

* factual: answered / abstained / corrected; answered that cite a gold object; the reference
  answer's key fact present (token recall of the reference's content words >= ``--fact-recall``);
* unanswerable: abstained; false_premise: corrected; multi_object: cite a gold object;
* integrity (answered and corrected): every sentence has >= 1 citation, every [n] in the text is a
  citation, every citation is of a retrieved record, and every quote is the exact span of the
  record's field at its offsets;
* a sweep of the abstention threshold (``--sweep``): abstained unanswerable vs abstained factual;
* the issue's table (retrieval, answered, gold cited, key fact, wrongful abstention, unanswerable
  abstained, false premises corrected, true premises corrected, integrity, ask p50), as Markdown.

``--collection`` picks the store (a data dir ingested once per collection), so the same command
measures every dev collection.

Example::

    python bench/answer_quality.py --collection data/stores/npg --name NPG dev
    python bench/answer_quality.py --collection data/stores/walters \
        --questions ../shared/data/walters_dev_questions.jsonl --name "Walters dev" --show-failures
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rag.answer.terms import content_terms, stem  # noqa: E402
from rag.chunking import tombstone_text  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.models import Answer, CollectionRecord  # noqa: E402

DEFAULT_QUESTIONS = REPO / "tests" / "data" / "npg_questions_dev.jsonl"
_MARKER = re.compile(r"\[(\d+)\]")


def load_questions(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def fact_recall(reference: str, text: str) -> float:
    """Share of the reference answer's content words (stemmed) found in the answer text."""
    ref = {stem(w) for w in content_terms(reference)}
    got = {stem(w) for w in content_terms(text)}
    return len(ref & got) / len(ref) if ref else 1.0


def integrity_problems(answer: Answer, field_text: Callable[[str, str], str | None]) -> list[str]:
    """Why an answered or corrected answer breaks the citation contract (empty when it keeps it)."""
    problems = []
    numbers = {c.n for c in answer.citations}
    retrieved = set(answer.retrieved_ids)
    if not answer.sentences:
        problems.append("no sentences")
    for s in answer.sentences:
        if not s.citation_ids:
            problems.append(f"sentence without citation: {s.text!r}")
        for n in s.citation_ids:
            if n not in numbers:
                problems.append(f"sentence cites unknown [{n}]")
    for n in map(int, _MARKER.findall(answer.text)):
        if n not in numbers:
            problems.append(f"text marker [{n}] has no citation")
    for c in answer.citations:
        if c.record_id not in retrieved:
            problems.append(f"citation [{c.n}] of a record not retrieved: {c.record_id}")
        text = field_text(c.record_id, c.field)
        if text is None or text[c.start : c.end] != c.quote:
            problems.append(f"citation [{c.n}] quote does not match {c.record_id} {c.field}[{c.start}:{c.end}]")
    return problems


def make_field_text(museum) -> Callable[[str, str], str | None]:
    cache: dict[str, dict | None] = {}

    def field_text(record_id: str, field: str) -> str | None:
        if record_id not in cache:
            obj = museum.get_object(record_id)
            cache[record_id] = obj["record"] if obj else None
        record = cache[record_id]
        if record is None:
            return None
        if field == "tombstone":
            return tombstone_text(CollectionRecord.model_validate(record))
        return record.get(field)

    return field_text


def evaluate(ask: Callable[[str], tuple[Answer, Any]], questions: list[dict], field_text, fact_threshold: float) -> dict:
    """Run every question; return per-question rows and the summary."""
    rows = []
    for q in questions:
        t = time.perf_counter()
        answer, analysis = ask(q["question"])
        gold = set(q.get("object_ids") or [])
        cited = {c.record_id for c in answer.citations}
        row = {
            "id": q["id"],
            "kind": q["kind"],
            "question": q["question"],
            "reference": q["answer"],
            "status": answer.status,
            "mode": answer.mode,
            "text": answer.text,
            "cites_gold": bool(cited & gold),
            "cites_all_gold": bool(gold) and gold <= cited,
            "retrieved_gold": bool(set(answer.retrieved_ids) & gold),
            "gold_first": bool(answer.retrieved_ids[:1]) and answer.retrieved_ids[0] in gold,
            "gold_top5": bool(set(answer.retrieved_ids[:5]) & gold),
            "recall": fact_recall(q["answer"], answer.text),
            "answerability": getattr(getattr(analysis, "decision", None), "answerability", None),
            "guarded": _guarded(analysis),
            "features": _features(analysis),
            "problems": integrity_problems(answer, field_text) if answer.status != "abstained" else [],
            "seconds": time.perf_counter() - t,
        }
        rows.append(row)
    return {"rows": rows, "summary": summarize(rows, fact_threshold)}


def _guarded(analysis) -> bool:
    """Whether a guard abstained before the model's score was read (``rag.answer.abstain.guard``)."""
    return bool(getattr(getattr(analysis, "decision", None), "by_guard", False))


def _features(analysis) -> dict | None:
    decision = getattr(analysis, "decision", None)
    features = getattr(decision, "features", None)
    out = dict(features) if features else {}
    corrections = getattr(analysis, "corrections", None) or []
    if corrections:
        best = max(corrections, key=lambda c: c.gate)
        out["premise_gate"] = round(best.gate, 4)
        out["premise_kind"] = best.kind
    return out or None


def summarize(rows: list[dict], fact_threshold: float) -> dict:
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_kind[r["kind"]].append(r)

    def share(items, pred) -> float | None:
        return round(sum(1 for i in items if pred(i)) / len(items), 3) if items else None

    factual = by_kind.get("factual", [])
    answered_factual = [r for r in factual if r["status"] == "answered"]
    checked = [r for r in rows if r["status"] in ("answered", "corrected")]
    summary = {
        "questions": len(rows),
        "factual": {
            "n": len(factual),
            "answered": share(factual, lambda r: r["status"] == "answered"),
            "abstained": share(factual, lambda r: r["status"] == "abstained"),
            "corrected": share(factual, lambda r: r["status"] == "corrected"),
            "answered_cite_gold": share(answered_factual, lambda r: r["cites_gold"]),
            "answered_key_fact": share(answered_factual, lambda r: r["recall"] >= fact_threshold),
            "answered_mean_recall": round(statistics.mean(r["recall"] for r in answered_factual), 3)
            if answered_factual
            else None,
        },
        "unanswerable": {
            "n": len(by_kind.get("unanswerable", [])),
            "abstained": share(by_kind.get("unanswerable", []), lambda r: r["status"] == "abstained"),
        },
        "false_premise": {
            "n": len(by_kind.get("false_premise", [])),
            "corrected": share(by_kind.get("false_premise", []), lambda r: r["status"] == "corrected"),
            "abstained": share(by_kind.get("false_premise", []), lambda r: r["status"] == "abstained"),
        },
        "multi_object": {
            "n": len(by_kind.get("multi_object", [])),
            "answered": share(by_kind.get("multi_object", []), lambda r: r["status"] == "answered"),
            "cite_any_gold": share(
                [r for r in by_kind.get("multi_object", []) if r["status"] == "answered"], lambda r: r["cites_gold"]
            ),
        },
        "integrity": {
            "checked": len(checked),
            "ok": share(checked, lambda r: not r["problems"]),
        },
        "mean_seconds": round(statistics.mean(r["seconds"] for r in rows), 3) if rows else None,
        "median_seconds": round(statistics.median(r["seconds"] for r in rows), 3) if rows else None,
    }
    answerable = factual + by_kind.get("multi_object", [])
    true_premise = [r for r in rows if r["kind"] != "false_premise"]
    summary["table"] = {
        "retrieval: gold object first (factual)": share(factual, lambda r: r["gold_first"]),
        "retrieval: gold object among first 5 (factual)": share(factual, lambda r: r["gold_top5"]),
        "factual questions answered (not abstained)": summary["factual"]["answered"],
        "answered factual: gold object cited": summary["factual"]["answered_cite_gold"],
        "answered factual: key fact present": summary["factual"]["answered_key_fact"],
        "factual + multi-object questions abstained (wrongful)": share(answerable, lambda r: r["status"] == "abstained"),
        "unanswerable abstained": summary["unanswerable"]["abstained"],
        "false premises corrected": summary["false_premise"]["corrected"],
        "questions with a true premise corrected": share(true_premise, lambda r: r["status"] == "corrected"),
        "citation integrity (answered + corrected)": summary["integrity"]["ok"],
        "ask p50 seconds": summary["median_seconds"],
    }
    return summary


def table_markdown(summary: dict, name: str) -> str:
    lines = [f"| measure | {name} |", "|---|---|"]
    for k, v in summary["table"].items():
        lines.append(f"| {k} | {v} |")
    return "\n".join(lines)


def sweep(rows: list[dict]) -> list[dict]:
    """Abstention rates of factual and unanswerable questions at other thresholds (corrections and the guards'
    abstentions left as they are)."""
    out = []
    scored = [r for r in rows if r["answerability"] is not None and r["kind"] in ("factual", "unanswerable")]
    for t in [x / 100 for x in range(5, 96, 5)]:
        rates = {}
        for kind in ("factual", "unanswerable"):
            items = [r for r in rows if r["kind"] == kind]
            abstained = sum(
                1
                for r in items
                if r["status"] == "abstained" and r["answerability"] is None
                or (r["answerability"] is not None and r["status"] != "corrected"
                    and (r.get("guarded") or r["answerability"] < t))
            )
            rates[kind] = round(abstained / len(items), 3) if items else None
        out.append({"threshold": t, "abstain_factual": rates["factual"], "abstain_unanswerable": rates["unanswerable"]})
    return out if scored else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--limit", type=int, default=0, help="Only the first N questions.")
    parser.add_argument("--kind", action="append", help="Only these kinds (repeatable).")
    parser.add_argument("--fact-recall", type=float, default=0.5, help="Recall at which the key fact counts as present.")
    parser.add_argument("--sweep", action="store_true", help="Also sweep the abstention threshold.")
    parser.add_argument("--show-failures", action="store_true", help="Print the questions that miss a target.")
    parser.add_argument("--rows", type=Path, help="Write every question's row as JSONL here.")
    parser.add_argument(
        "--collection",
        type=Path,
        help="A collection store's data dir (default: MUSEUM_RAG_DATA_DIR); e.g. data/stores/walters.",
    )
    parser.add_argument("--name", default=None, help="Column name of the printed table (default: the question file).")
    args = parser.parse_args(argv)

    from rag.pipeline import MuseumRAG

    questions = load_questions(args.questions)
    if args.kind:
        questions = [q for q in questions if q["kind"] in args.kind]
    if args.limit:
        questions = questions[: args.limit]
    settings = Settings(data_dir=args.collection) if args.collection else Settings()
    with MuseumRAG(settings) as museum:
        museum.ask("warm-up question about a portrait")
        result = evaluate(museum.answerer.ask_with_analysis, questions, make_field_text(museum), args.fact_recall)
        used = {"abstain_threshold": museum.answerer.abstain_threshold,
                "premise_threshold": museum.answerer.premise_threshold, "embed_model": museum.settings.embed_model}
    summary = result["summary"]
    summary["settings"] = {**used, "store": str(settings.data_dir)}
    if args.sweep:
        summary["sweep"] = sweep(result["rows"])
    print(json.dumps(summary, indent=2))
    if args.rows:
        with args.rows.open("w", encoding="utf-8") as handle:
            for row in result["rows"]:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    if args.show_failures:
        print_failures(result["rows"], args.fact_recall)
    print(table_markdown(summary, args.name or args.questions.stem))
    return 0


def print_failures(rows: list[dict], fact_threshold: float) -> None:
    for r in rows:
        miss = (
            (r["kind"] == "factual" and (r["status"] != "answered" or not r["cites_gold"] or r["recall"] < fact_threshold))
            or (r["kind"] == "unanswerable" and r["status"] != "abstained")
            or (r["kind"] == "false_premise" and r["status"] != "corrected")
            or r["problems"]
        )
        if miss:
            a = r["answerability"]
            gate = (r.get("features") or {}).get("premise_gate")
            print(f"\n[{r['id']} {r['kind']} -> {r['status']}] gold={r['cites_gold']} recall={r['recall']:.2f} "
                  f"answerability={a if a is None else round(a, 3)} premise_gate={gate}")
            print(f"  Q: {r['question']}\n  A: {r['text'][:400]}\n  R: {r['reference'][:200]}")
            for p in r["problems"]:
                print(f"  PROBLEM: {p}")


if __name__ == "__main__":
    raise SystemExit(main())
