"""Measure faithfulness verifiers on labeled (source, claim) pairs, side by side.

A verifier can look strong overall while failing the one-fact-changed claims that matter most,
so every metric is reported overall, per ``origin`` and per ``kind`` (when rows carry one), for
the configured verifier next to the two baselines (token overlap, embedding similarity).

The "positive" class of precision / recall / F1 is ``unsupported``: the verifier's job is to
catch unsupported claims. ROC AUC uses the support score (higher = supported); it is the same
number whichever class is called positive.

Example::

    rows, issues = load_labeled_pairs("tests/data/faithfulness_dev.jsonl")
    summary = evaluate_verifier(rows, verifiers_for(settings, embedder))
    write_verifier_report(summary, Path("runs/verifier"))
    summary["balanced_accuracy"]  # of the configured verifier, overall
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from rag.config import Settings
from rag.embedding import Embedder
from rag.verify import EmbeddingSimilarityVerifier, TokenOverlapVerifier, Verifier, load_verifier

LABELS = ("supported", "unsupported")
CALIBRATION_BINS = 10


# ----------------------------------------------------------------------------- loading


def load_labeled_pairs(path: str | Path) -> tuple[list[dict], list[dict]]:
    """Read a JSONL file of labeled pairs; malformed lines are reported (with their line number) and skipped.

    A row needs ``claim`` (text), ``label`` (``supported`` | ``unsupported``) and ``source`` (text) or
    ``sources`` (list of texts); ``question``, ``origin``, ``kind`` and ``id`` are optional.
    Returns ``(rows, issues)``; each issue is ``{"line": n, "error": "..."}``.
    """
    rows: list[dict] = []
    issues: list[dict] = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                issues.append({"line": number, "error": f"not valid JSON: {error.msg}"})
                continue
            problem = _row_problem(row)
            if problem:
                issues.append({"line": number, "error": problem})
                continue
            row = dict(row)
            row["label"] = row["label"].strip().lower()
            row.setdefault("id", f"line-{number}")
            row["_line"] = number
            rows.append(row)
    return rows, issues


def _row_problem(row: Any) -> str | None:
    if not isinstance(row, dict):
        return "not a JSON object"
    claim = row.get("claim")
    if not isinstance(claim, str) or not claim.strip():
        return "missing or empty 'claim'"
    label = row.get("label")
    if not isinstance(label, str) or label.strip().lower() not in LABELS:
        return f"'label' must be one of {', '.join(LABELS)}, got {label!r}"
    sources = row_sources(row)
    if sources is None:
        return "needs 'source' (text) or 'sources' (list of texts)"
    if not any(s.strip() for s in sources):
        return "empty source text"
    question = row.get("question")
    if question is not None and not isinstance(question, str):
        return "'question' must be text"
    return None


def row_sources(row: Mapping) -> list[str] | None:
    """The source texts of a row (``source`` or ``sources``), or None when neither is usable."""
    if isinstance(row.get("sources"), list) and all(isinstance(s, str) for s in row["sources"]) and row["sources"]:
        return list(row["sources"])
    if isinstance(row.get("source"), str):
        return [row["source"]]
    return None


# ----------------------------------------------------------------------------- verifiers


def baseline_verifiers(embedder: Embedder) -> dict[str, Verifier]:
    """The two baselines every report shows next to the configured verifier."""
    return {
        TokenOverlapVerifier.name: TokenOverlapVerifier(),
        EmbeddingSimilarityVerifier.name: EmbeddingSimilarityVerifier(embedder),
    }


def verifiers_for(settings: Settings, embedder: Embedder) -> dict[str, Verifier]:
    """The configured verifier first (``load_verifier``), then the baselines."""
    configured = load_verifier(settings, embedder)
    verifiers = {configured.name: configured}
    for name, verifier in baseline_verifiers(embedder).items():
        verifiers.setdefault(name, verifier)
    return verifiers


# ----------------------------------------------------------------------------- metrics


def evaluate_verifier(
    rows: Sequence[Mapping], verifiers: Mapping[str, Verifier], configured: str | None = None
) -> dict:
    """Score every row with every verifier and compute the metrics, overall / per origin / per kind.

    ``configured`` names the verifier whose overall balanced accuracy becomes the summary's top-level
    ``balanced_accuracy`` (default: the first of ``verifiers``).
    """
    if not verifiers:
        raise ValueError("evaluate_verifier needs at least one verifier")
    configured = configured or next(iter(verifiers))
    if configured not in verifiers:
        raise ValueError(f"configured verifier {configured!r} is not among {sorted(verifiers)}")
    rows = list(rows)
    truth = [row["label"] == "supported" for row in rows]
    pairs = [(row["claim"], row_sources(row) or []) for row in rows]
    questions = [row.get("question") for row in rows]
    groups = {
        "origin": [str(row.get("origin") or "unknown") for row in rows],
        "kind": [str(row["kind"]) if row.get("kind") else None for row in rows],
    }

    results: dict[str, dict] = {}
    predictions: list[dict] = [
        {"id": row.get("id"), "origin": row.get("origin"), "kind": row.get("kind"), "label": row["label"]} for row in rows
    ]
    for name, verifier in verifiers.items():
        started = time.perf_counter()
        verdicts = verifier.score_many(pairs, questions) if rows else []
        elapsed = time.perf_counter() - started
        scores = [v.score for v in verdicts]
        predicted = [v.label == "supported" for v in verdicts]
        entry: dict[str, Any] = {
            "threshold": getattr(verifier, "threshold", None),
            "ms_per_claim": round(1000 * elapsed / max(1, len(rows)), 2),
            "overall": metrics(truth, scores, predicted),
        }
        for group, values in groups.items():
            present = sorted({v for v in values if v is not None})
            if present:
                entry[f"by_{group}"] = {
                    value: metrics(*_subset(values, value, truth, scores, predicted)) for value in present
                }
        results[name] = entry
        for prediction, verdict in zip(predictions, verdicts):
            prediction[name] = {"score": round(verdict.score, 4), "label": verdict.label}

    return {
        "balanced_accuracy": results[configured]["overall"]["balanced_accuracy"],
        "configured": configured,
        "rows": len(rows),
        "positive_class": "unsupported",
        "verifiers": results,
        "predictions": predictions,
    }


def _subset(values: list, value: str, *columns: list) -> tuple[list, ...]:
    keep = [i for i, v in enumerate(values) if v == value]
    return tuple([column[i] for i in keep] for column in columns)


def metrics(truth: Sequence[bool], scores: Sequence[float], predicted: Sequence[bool]) -> dict:
    """Balanced accuracy, unsupported-class precision/recall/F1, ROC AUC and a calibration table.

    ``truth`` and ``predicted`` are True for "supported"; ``scores`` are support scores in [0, 1].
    Values that are undefined on the given rows (e.g. AUC with one class) are None.
    """
    n = len(truth)
    supported = sum(truth)
    unsupported = n - supported
    tp = sum(1 for t, p in zip(truth, predicted) if not t and not p)  # unsupported caught
    fp = sum(1 for t, p in zip(truth, predicted) if t and not p)  # supported flagged
    tn = sum(1 for t, p in zip(truth, predicted) if t and p)
    recall_unsupported = tp / unsupported if unsupported else None
    recall_supported = tn / supported if supported else None
    present = [r for r in (recall_unsupported, recall_supported) if r is not None]
    precision = tp / (tp + fp) if tp + fp else None
    if precision is None or recall_unsupported is None:
        f1 = None
    elif precision + recall_unsupported == 0:
        f1 = 0.0
    else:
        f1 = 2 * precision * recall_unsupported / (precision + recall_unsupported)
    return {
        "n": n,
        "supported": supported,
        "unsupported": unsupported,
        "balanced_accuracy": _round(sum(present) / len(present)) if present else None,
        "accuracy": _round((tp + tn) / n) if n else None,
        "precision_unsupported": _round(precision),
        "recall_unsupported": _round(recall_unsupported),
        "f1_unsupported": _round(f1),
        "recall_supported": _round(recall_supported),
        "roc_auc": _round(roc_auc(truth, scores)),
        "calibration": calibration(truth, scores),
    }


def roc_auc(truth: Sequence[bool], scores: Sequence[float]) -> float | None:
    """Probability that a supported row scores above an unsupported one (scikit-learn's ROC AUC); None with one class."""
    if len(set(truth)) < 2:
        return None
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score([bool(t) for t in truth], [float(s) for s in scores]))


def calibration(truth: Sequence[bool], scores: Sequence[float], bins: int = CALIBRATION_BINS) -> list[dict]:
    """Equal-width score bins: how many rows, their mean score and the share that is really supported."""
    table = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        members = [
            (t, s) for t, s in zip(truth, scores) if (low <= s < high) or (b == bins - 1 and s == high)
        ]
        table.append(
            {
                "bin": f"{low:.1f}-{high:.1f}",
                "count": len(members),
                "mean_score": _round(sum(s for _, s in members) / len(members)) if members else None,
                "share_supported": _round(sum(1 for t, _ in members if t) / len(members)) if members else None,
            }
        )
    return table


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


# ----------------------------------------------------------------------------- report


def write_verifier_report(summary: Mapping, out_dir: str | Path) -> Path:
    """Write ``summary.json`` (top-level ``balanced_accuracy``), ``predictions.jsonl`` and a readable ``report.md``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    body = {k: v for k, v in summary.items() if k != "predictions"}
    (out / "summary.json").write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if summary.get("predictions"):
        with (out / "predictions.jsonl").open("w", encoding="utf-8") as handle:
            for row in summary["predictions"]:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    (out / "report.md").write_text(render_markdown(summary), encoding="utf-8")
    return out / "summary.json"


def render_markdown(summary: Mapping) -> str:
    verifiers: Mapping[str, Mapping] = summary["verifiers"]
    names = list(verifiers)
    lines = [
        "# Faithfulness verifier report",
        "",
        f"{summary['rows']} labeled claims. Configured verifier: **{summary['configured']}** "
        f"(balanced accuracy {_fmt(summary['balanced_accuracy'])}). "
        "Precision, recall and F1 are for catching *unsupported* claims; ROC AUC ranks support scores.",
    ]
    if summary.get("skipped"):
        lines.append(f"\n{summary['skipped']} malformed line(s) were skipped.")
    lines += ["", "## Overall", ""]
    lines += _side_by_side({name: verifiers[name]["overall"] for name in names}, names)
    lines += ["", "Speed: " + ", ".join(f"{name} {verifiers[name]['ms_per_claim']} ms/claim" for name in names)]
    for group in ("origin", "kind"):
        key = f"by_{group}"
        values = sorted({v for name in names for v in verifiers[name].get(key, {})})
        if not values:
            continue
        lines += ["", f"## Balanced accuracy per {group}", ""]
        lines.append("| " + group + " | n | " + " | ".join(names) + " |")
        lines.append("|---|---:|" + "---:|" * len(names))
        for value in values:
            n = next(verifiers[name][key][value]["n"] for name in names if value in verifiers[name].get(key, {}))
            cells = [_fmt(verifiers[name].get(key, {}).get(value, {}).get("balanced_accuracy")) for name in names]
            lines.append(f"| {value} | {n} | " + " | ".join(cells) + " |")
        for value in values:
            lines += ["", f"### {group}: {value}", ""]
            lines += _side_by_side({name: verifiers[name][key][value] for name in names if value in verifiers[name].get(key, {})}, names)
    lines += ["", "## Calibration (overall)", ""]
    for name in names:
        lines += [f"**{name}**", "", "| score | count | mean score | share supported |", "|---|---:|---:|---:|"]
        for row in verifiers[name]["overall"]["calibration"]:
            if row["count"]:
                lines.append(f"| {row['bin']} | {row['count']} | {_fmt(row['mean_score'])} | {_fmt(row['share_supported'])} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


_ROWS = (
    ("balanced accuracy", "balanced_accuracy"),
    ("precision (unsupported)", "precision_unsupported"),
    ("recall (unsupported)", "recall_unsupported"),
    ("F1 (unsupported)", "f1_unsupported"),
    ("ROC AUC", "roc_auc"),
    ("accuracy", "accuracy"),
)


def _side_by_side(results: Mapping[str, Mapping], names: Iterable[str]) -> list[str]:
    names = [n for n in names if n in results]
    lines = ["| metric | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for label, key in _ROWS:
        lines.append(f"| {label} | " + " | ".join(_fmt(results[n].get(key)) for n in names) + " |")
    return lines


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)
