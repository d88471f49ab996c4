"""``museum-rag eval``: measure the answering pipeline and the faithfulness verifier.

Examples::

    museum-rag eval run --questions tests/data/npg_questions_dev.jsonl --out data/runs/dev
    museum-rag eval run --questions q.jsonl --collection my_museum.jsonl --limit-per-kind 5 \\
        --fail-under overall.behaviour_ok=0.8 --fail-under abstention.recall=0.6 --fail-above latency.p95=5
    museum-rag eval compare data/runs/before data/runs/after
    museum-rag eval verifier --data tests/data/faithfulness_dev.jsonl --out data/runs/verifier

Exit codes: 0 success; 1 a gate failed (``--fail-under`` / ``--fail-above``) or the run could
not complete; 2 a usage error (unknown metric name, missing file).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import List, Optional

import typer

eval_app = typer.Typer(
    help="Evaluate answering (run, compare) and the faithfulness verifier (verifier).",
    no_args_is_help=True,
    add_completion=False,
)


def fail(message: str, code: int = 1) -> None:
    from cli.main import fail as main_fail  # imported late: cli.main imports this module while it loads

    main_fail(message, code)


def settings_or_fail():
    from cli.main import settings_or_fail as main_settings

    return main_settings()


def _default_out(prefix: str) -> Path:
    return Path("data") / "runs" / f"{prefix}-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"


@eval_app.command("run")
def run_command(
    questions: Path = typer.Option(..., "--questions", "-q", help="Question set (JSONL: id, question, answer, object_ids, kind)."),
    collection: Optional[List[Path]] = typer.Option(
        None, "--collection", help="Ingest these collection files into a fresh temporary store and evaluate on it "
        "(repeatable). Without it, the configured store is used."
    ),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Run folder (default: data/runs/run-<time>)."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Evaluate only the first N valid questions."),
    limit_per_kind: Optional[int] = typer.Option(
        None, "--limit-per-kind", min=1, help="Evaluate only the first N questions of each kind (before --limit)."
    ),
    fail_under: Optional[List[str]] = typer.Option(
        None, "--fail-under", help="metric=floor: exit 1 when the metric is below it, e.g. overall.hit_at_5=0.8 (repeatable)."
    ),
    fail_above: Optional[List[str]] = typer.Option(
        None, "--fail-above", help="metric=ceiling: exit 1 when the metric is above it, e.g. latency.p95=5 (repeatable)."
    ),
    gates_file: Optional[Path] = typer.Option(
        None, "--gates", help='JSON file of gates: {"fail_under": {metric: floor}, "fail_above": {metric: ceiling}}.'
    ),
    reverify: bool = typer.Option(
        True, "--reverify/--no-reverify", help="Re-check every answer sentence with the configured verifier "
        "(default) instead of trusting the support the pipeline reported."
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
) -> None:
    """Answer every question with the pipeline the API serves; write results.jsonl, summary.json, report.md, report.html."""
    from eval.gates import check_gates, load_gates_file, parse_gates
    from eval.questions import QuestionFileError
    from eval.runner import EvalError, run_evaluation, write_run
    from rag.store import StoreLockedError

    try:
        gates = (load_gates_file(gates_file) if gates_file else []) + parse_gates(fail_under, fail_above)
    except ValueError as exc:
        fail(str(exc), code=2)
        return
    if not questions.is_file():
        fail(f"question file not found: {questions}", code=2)
    settings = settings_or_fail()
    try:
        result = run_evaluation(
            settings,
            questions,
            collections=collection or [],
            limit=limit,
            limit_per_kind=limit_per_kind,
            reverify=reverify,
            show_progress=progress,
        )
    except (EvalError, QuestionFileError) as exc:
        fail(str(exc), code=2)
        return
    except StoreLockedError as exc:
        fail(str(exc))
        return
    out_dir = out or _default_out("run")
    paths = write_run(result, out_dir)
    for issue in result.issues:
        typer.secho(f"skipped: {issue}", fg=typer.colors.YELLOW, err=True)
    typer.echo(_describe(result.summary))
    typer.echo(f"wrote {', '.join(str(p) for p in paths.values())}")
    errors = [r for r in result.rows if r.status == "error"]
    if errors:
        typer.secho(f"{len(errors)} question(s) raised an error, e.g. {errors[0].id}: {errors[0].error}",
                    fg=typer.colors.RED, err=True)
        if len(errors) == len(result.rows):
            fail("every question failed: the answering pipeline does not work with this configuration")
    failures = check_gates(result.summary, gates)
    if failures:
        typer.secho(f"FAILED {len(failures)} of {len(gates)} gate(s):", fg=typer.colors.RED, err=True)
        for message in failures:
            typer.secho(f"  {message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    if gates:
        typer.echo(f"all {len(gates)} gate(s) passed")


def _describe(summary: dict) -> str:
    from eval.report import fmt

    overall, ab, mis, run = summary["overall"], summary["abstention"], summary["misinformation"], summary["run"]
    lines = [
        f"questions: {overall['n']} evaluated, {summary['skipped']['count']} skipped, {run['errors']} errors",
        "overall: " + ", ".join(
            f"{name} {fmt(name, overall.get(name))}"
            for name in ("behaviour_ok", "hit_at_1", "hit_at_5", "mrr", "citation_precision", "citation_recall",
                         "citation_integrity", "supported_sentences", "fully_supported_answers", "token_f1",
                         "embedding_similarity")
        ),
        f"abstention: precision {fmt('r', ab['precision'])}, recall {fmt('r', ab['recall'])}, "
        f"wrongful {fmt('r', ab['wrongful_abstention_rate'])}",
        f"misinformation: corrected {fmt('r', mis['corrected_rate'])}, repeated premise {fmt('r', mis['repeated_premise_rate'])}, "
        f"false corrections {fmt('r', mis['false_correction_rate'])}",
        f"latency: p50 {fmt('latency.p50', summary['latency']['p50'])}, p95 {fmt('latency.p95', summary['latency']['p95'])}",
    ]
    for kind, group in summary["by_kind"].items():
        lines.append(
            f"  {kind:14s} n={group['n']:3d} behaviour {fmt('r', group['behaviour_ok'])}, hit@5 {fmt('r', group['hit_at_5'])}, "
            f"supported {fmt('r', group['supported_sentences'])}, token F1 {fmt('token_f1', group['token_f1'])}"
        )
    by_language = summary.get("by_language") or {}
    if len(by_language) > 1:
        for lang, block in by_language.items():
            group = block["overall"]
            lines.append(
                f"  [{lang}] n={group['n']:3d} behaviour {fmt('r', group['behaviour_ok'])}, hit@5 {fmt('r', group['hit_at_5'])}, "
                f"abstention recall {fmt('r', block['abstention']['recall'])}, "
                f"corrected {fmt('r', block['misinformation']['corrected_rate'])}"
            )
    return "\n".join(lines)


@eval_app.command("compare")
def compare_command(
    run_a: Path = typer.Argument(..., help="The earlier run folder (baseline)."),
    run_b: Path = typer.Argument(..., help="The later run folder."),
    all_metrics: bool = typer.Option(False, "--all", help="List unchanged metrics too."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Per-metric deltas (B - A) and the questions whose outcome changed, regressions first."""
    from eval.compare import compare_runs, render_comparison
    from eval.runner import EvalError, load_run

    try:
        result = compare_runs(load_run(run_a), load_run(run_b))
    except EvalError as exc:
        fail(str(exc), code=2)
        return
    if as_json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        typer.echo(render_comparison(result, all_metrics=all_metrics))


@eval_app.command("verifier")
def verifier_command(
    data: Path = typer.Option(..., "--data", help="Labeled pairs (JSONL: source, claim, label, origin[, kind])."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Report folder (default: data/runs/verifier-<time>)."),
) -> None:
    """Measure the configured verifier and the baselines (token overlap, embedding similarity) side by side."""
    from eval.verifier_eval import evaluate_verifier, load_labeled_pairs, verifiers_for, write_verifier_report
    from rag.embedding import load_embedder

    if not data.is_file():
        fail(f"labeled pairs not found: {data}", code=2)
    settings = settings_or_fail()
    rows, issues = load_labeled_pairs(data)
    for issue in issues:
        typer.secho(f"skipped: {data}:{issue['line']}: {issue['error']}", fg=typer.colors.YELLOW, err=True)
    if not rows:
        fail(f"no usable labeled pairs in {data}", code=2)
    embedder = load_embedder(settings)
    try:
        verifiers = verifiers_for(settings, embedder)
    except Exception as exc:  # a missing weights file or model: say so without a traceback
        fail(f"cannot load the configured verifier: {exc}")
        return
    summary = evaluate_verifier(rows, verifiers)
    summary["data"] = str(data)
    summary["skipped"] = len(issues)
    out_dir = out or _default_out("verifier")
    written = write_verifier_report(summary, out_dir)
    typer.echo(_describe_verifier(summary))
    typer.echo(f"wrote {written} and the report next to it")


def _describe_verifier(summary: dict) -> str:
    """One line per verifier: balanced accuracy, F1 and recall for "unsupported", ROC AUC."""
    lines = [f"{summary['rows']} labeled claims, {summary.get('skipped', 0)} skipped; configured verifier: "
             f"{summary['configured']} (balanced accuracy {summary['balanced_accuracy']})"]
    for name, stats in summary["verifiers"].items():
        overall = stats["overall"]
        cells = [f"{key} {overall[key]}" for key in ("balanced_accuracy", "f1_unsupported", "recall_unsupported", "roc_auc")]
        lines.append(f"  {name:22s} {', '.join(cells)}")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add the ``eval`` command group to the main app."""
    app.add_typer(eval_app, name="eval")
