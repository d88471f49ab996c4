"""Compare two evaluation runs: per-metric deltas and the questions whose outcome changed.

Example::

    result = compare_runs(load_run(Path("runs/before")), load_run(Path("runs/after")))
    print(render_comparison(result))
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from eval.metrics import OUTCOME_SEVERITY
from eval.registry import direction
from eval.rows import ResultRow, as_row

Run = tuple[Mapping[str, Any], Sequence[ResultRow | Mapping[str, Any]]]

#: Sections of summary.json compared.
_SECTIONS = ("overall", "by_kind", "by_language", "abstention", "misinformation", "latency")


def flatten_metrics(summary: Mapping[str, Any]) -> dict[str, float]:
    """Numeric leaves of the compared sections as dotted keys (status counts are left out)."""
    out: dict[str, float] = {}

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                if key in ("status",):
                    continue
                walk(value, f"{prefix}.{key}" if prefix else str(key))
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            out[prefix] = float(node)

    for section in _SECTIONS:
        if section in summary:
            walk(summary[section], section)
    return out


def higher_is_better(name: str) -> bool | None:
    """True/False for metrics with a direction, None for counts (from :mod:`eval.registry`)."""
    return direction(name)


def metric_deltas(a: Mapping[str, Any], b: Mapping[str, Any], epsilon: float = 1e-9) -> list[dict[str, Any]]:
    """Every metric present in either summary: value in A and B, delta (B - A), and the verdict."""
    fa, fb = flatten_metrics(a), flatten_metrics(b)
    names = list(dict.fromkeys(list(fa) + list(fb)))
    rows = []
    for name in names:
        va, vb = fa.get(name), fb.get(name)
        delta = None if va is None or vb is None else vb - va
        direction = higher_is_better(name)
        if delta is None or abs(delta) <= epsilon or direction is None:
            verdict = "same" if delta is not None and abs(delta) <= epsilon else ("changed" if delta else "n/a")
        else:
            verdict = "better" if (delta > 0) == direction else "worse"
        rows.append({"metric": name, "a": va, "b": vb, "delta": delta, "verdict": verdict})
    return rows


def changed_questions(
    rows_a: Sequence[ResultRow | Mapping[str, Any]], rows_b: Sequence[ResultRow | Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Questions (by id) whose status or outcome differs, regressions first."""
    by_id = {r.id: r for r in map(as_row, rows_a)}
    changes = []
    for row in map(as_row, rows_b):
        old = by_id.get(row.id)
        if old is None or (old.status == row.status and old.outcome == row.outcome):
            continue
        before = OUTCOME_SEVERITY.get(old.outcome, 0)
        after = OUTCOME_SEVERITY.get(row.outcome, 0)
        change = "regressed" if after > before else ("improved" if after < before else "changed")
        changes.append(
            {
                "id": row.id,
                "kind": row.kind,
                "question": row.question,
                "status_a": old.status,
                "status_b": row.status,
                "outcome_a": old.outcome,
                "outcome_b": row.outcome,
                "direction": change,
                "answer_a": old.answer,
                "answer_b": row.answer,
            }
        )
    order = {"regressed": 0, "changed": 1, "improved": 2}
    return sorted(changes, key=lambda c: (order[c["direction"]], c["id"]))


def compare_runs(run_a: Run, run_b: Run) -> dict[str, Any]:
    """Deltas of every metric and the changed questions; ids only in one run are listed too."""
    (summary_a, rows_a), (summary_b, rows_b) = run_a, run_b
    ids_a, ids_b = {as_row(r).id for r in rows_a}, {as_row(r).id for r in rows_b}
    deltas = metric_deltas(summary_a, summary_b)
    changes = changed_questions(rows_a, rows_b)
    return {
        "metrics": deltas,
        "changed": changes,
        "only_in_a": sorted(ids_a - ids_b),
        "only_in_b": sorted(ids_b - ids_a),
        "counts": {
            "metrics_better": sum(1 for d in deltas if d["verdict"] == "better"),
            "metrics_worse": sum(1 for d in deltas if d["verdict"] == "worse"),
            "questions_regressed": sum(1 for c in changes if c["direction"] == "regressed"),
            "questions_improved": sum(1 for c in changes if c["direction"] == "improved"),
            "questions_changed": len(changes),
        },
    }


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def render_comparison(result: Mapping[str, Any], all_metrics: bool = False) -> str:
    """Plain text for the terminal: changed metrics (all with ``all_metrics``) and changed questions."""
    counts = result["counts"]
    lines = [
        f"metrics: {counts['metrics_better']} better, {counts['metrics_worse']} worse; "
        f"questions: {counts['questions_regressed']} regressed, {counts['questions_improved']} improved, "
        f"{counts['questions_changed']} changed in all",
        "",
        f"{'metric':48s} {'A':>9s} {'B':>9s} {'delta':>9s}  verdict",
    ]
    shown = [d for d in result["metrics"] if all_metrics or d["verdict"] in ("better", "worse", "changed", "n/a")]
    for d in shown:
        delta = "-" if d["delta"] is None else f"{d['delta']:+.4f}"
        lines.append(f"{d['metric']:48s} {_fmt(d['a']):>9s} {_fmt(d['b']):>9s} {delta:>9s}  {d['verdict']}")
    if not shown:
        lines.append("(no metric changed)")
    lines.append("")
    lines.append("questions whose outcome changed:" if result["changed"] else "no question changed its outcome")
    for c in result["changed"]:
        lines.append(
            f"  {c['direction']:9s} {c['id']} [{c['kind']}] {c['status_a']}/{c['outcome_a']} -> "
            f"{c['status_b']}/{c['outcome_b']}: {c['question']}"
        )
    for label, key in (("only in A", "only_in_a"), ("only in B", "only_in_b")):
        if result[key]:
            lines.append(f"{label}: {', '.join(result[key])}")
    return "\n".join(lines)
