"""Reports a curator can read: report.md and a self-contained report.html (inline CSS and SVG, no scripts).

Both are Jinja2 templates (``eval/templates/``); the HTML one autoescapes, so every text from
the question set or the records is escaped by the template engine, not by hand. The page loads
nothing from anywhere: it opens offline from a file or an e-mail attachment, and links are only
written for http(s) addresses. This module computes what the templates show: the metric rows
(names, labels and formats from :mod:`eval.registry`), the worst failures and the geometry of
the three charts.

Example::

    write_reports(summary, rows, Path("eval-runs/today"))   # -> report.md, report.html
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

import jinja2

from eval.metrics import OUTCOME_SEVERITY
from eval.questions import EXPECTED_STATUS
from eval.registry import DEFINITIONS, GROUP, SECTIONS, format_value, label
from eval.rows import ResultRow, as_row

_OUTCOME_TEXT = {
    "ok": "as expected",
    "error": "the pipeline raised an error",
    "bad_citation": "a citation points at a record that was not retrieved, or a marker names no citation",
    "repeated_false_premise": "answered as if the false premise were true",
    "answered_unanswerable": "answered a question the records cannot answer",
    "unsupported_sentence": "a sentence is not supported by what it cites",
    "false_correction": "'corrected' a question whose premise was fine",
    "gold_not_cited": "did not cite the record that holds the answer",
    "wrongful_abstention": "abstained although the records answer it",
    "abstained_on_false_premise": "abstained instead of correcting the false premise",
}
#: The headline figures: (section, metric) of summary.json.
_CARDS = (
    ("overall", "behaviour_ok"),
    ("overall", "hit_at_5"),
    ("overall", "supported_sentences"),
    ("overall", "citation_precision"),
    ("misinformation", "corrected_rate"),
    ("abstention", "wrongful_abstention_rate"),
    ("latency", "p95"),
)
#: Rows of the abstention table, and of the per-language table after the group metrics.
_ABSTENTION_ROWS = (
    ("abstention", "precision"),
    ("abstention", "recall"),
    ("abstention", "wrongful_abstention_rate"),
    ("misinformation", "corrected_rate"),
    ("misinformation", "repeated_premise_rate"),
    ("misinformation", "abstained_rate"),
    ("misinformation", "false_correction_rate"),
)
_BAR_METRICS = ("behaviour_ok", "hit_at_5", "citation_precision", "supported_sentences", "token_recall")
_PALETTE = ("#1f5aa6", "#e08a1e", "#3b9b5c", "#a23b72", "#6b6b6b")
_STATUS_COLORS = {"answered": "#1f5aa6", "corrected": "#3b9b5c", "abstained": "#e0a21e", "error": "#b8322a"}

Row = ResultRow | Mapping[str, Any]


# --- formatting ---------------------------------------------------------------------
def fmt(name: str, value: Any) -> str:
    """A metric value for people (see :func:`eval.registry.format_value`)."""
    return format_value(name, value)


def worst_failures(rows: Sequence[Row], count: int = 12) -> list[ResultRow]:
    """The failed questions, worst kind of failure first, then the least similar to the reference."""
    failed = [r for r in map(as_row, rows) if r.outcome != "ok"]

    def key(row: ResultRow) -> tuple:
        return (-OUTCOME_SEVERITY.get(row.outcome, 1), row.metrics.get("token_f1") or 0.0, row.id)

    return sorted(failed, key=key)[:count]


def _section_metric(section: str, name: str):
    return next(m for m in SECTIONS[section] if m.name == name)


@dataclass
class MetricRow:
    """One row of a metrics table: a label, the formatted cells and what the metric measures."""

    key: str
    label: str
    cells: list[str]
    description: str = ""


def _group_rows(groups: Sequence[Mapping[str, Any]]) -> list[MetricRow]:
    rows = [MetricRow("n", "Questions", [str(g.get("n", "–")) for g in groups], "evaluated")]
    for m in GROUP:
        direction = "higher" if m.higher_is_better else "lower"
        rows.append(
            MetricRow(m.name, m.label, [fmt(m.name, g.get(m.name)) for g in groups], f"{m.description} ({direction} is better)")
        )
    return rows


def _section_rows(groups: Sequence[Mapping[str, Any]]) -> list[MetricRow]:
    rows = []
    for section, name in _ABSTENTION_ROWS:
        m = _section_metric(section, name)
        cells = [fmt(f"{section}.{name}", (g.get(section) or {}).get(name)) for g in groups]
        better = "" if m.higher_is_better is not False else " (lower is better)"
        rows.append(MetricRow(f"{section}.{name}", m.label, cells, m.description + better))
    return rows


# --- SVG chart geometry -------------------------------------------------------------
@dataclass
class Chart:
    """What an SVG chart draws; the template turns it into markup."""

    title: str
    width: int
    height: int
    lines: list[dict] = field(default_factory=list)  # x1, x2, y1, y2, stroke, dash
    rects: list[dict] = field(default_factory=list)  # x, y, w, h, fill, tip
    texts: list[dict] = field(default_factory=list)  # x, y, text, anchor, cls, fill, tip


def grouped_bars(groups: Sequence[tuple[str, Sequence[float | None]]], series: Sequence[str], title: str) -> Chart:
    """Bars of shares (0-1) per group, one colour per series; a missing value leaves a gap marked n/a."""
    width, height, left, bottom, top = 760, 300, 44, 56, 22
    plot_w, plot_h = width - left - 10, height - top - bottom
    group_w = plot_w / max(1, len(groups))
    bar_w = min(22.0, (group_w - 16) / max(1, len(series)))
    chart = Chart(title, width, height)
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        chart.lines.append({"x1": left, "x2": width - 10, "y1": y, "y2": y, "stroke": "#ddd"})
        chart.texts.append({"x": left - 6, "y": y + 4, "text": f"{int(tick * 100)}%", "anchor": "end", "cls": "ax"})
    for gi, (group, values) in enumerate(groups):
        x0 = left + gi * group_w + (group_w - bar_w * len(series)) / 2
        for si, value in enumerate(values):
            x = x0 + si * bar_w
            tip = f"{group}: {series[si]} = {fmt('share', value)}"
            if value is None:
                chart.texts.append(
                    {"x": x + bar_w / 2, "y": top + plot_h - 4, "text": "n/a", "anchor": "middle", "cls": "na", "tip": tip}
                )
                continue
            h = max(0.0, min(1.0, float(value))) * plot_h
            chart.rects.append(
                {"x": x, "y": top + plot_h - h, "w": bar_w - 2, "h": max(h, 1.5), "fill": _PALETTE[si % len(_PALETTE)], "tip": tip}
            )
            chart.texts.append(
                {"x": x + (bar_w - 2) / 2, "y": top + plot_h - h - 3, "text": f"{100 * float(value):.0f}", "anchor": "middle", "cls": "val"}
            )
        chart.texts.append(
            {"x": left + gi * group_w + group_w / 2, "y": top + plot_h + 18, "text": group, "anchor": "middle", "cls": "lbl"}
        )
    legend_x = left
    for si, name in enumerate(series):
        chart.rects.append({"x": legend_x, "y": height - 18, "w": 12, "h": 12, "fill": _PALETTE[si % len(_PALETTE)]})
        chart.texts.append({"x": legend_x + 16, "y": height - 8, "text": name, "cls": "ax"})
        legend_x += 24 + 7 * len(name)
    return chart


def status_bars(by_kind: Mapping[str, Mapping[str, Any]], title: str) -> Chart:
    """One horizontal bar per kind, split by answer status; the expected status is named on the right."""
    kinds = list(by_kind)
    row_h, left, width = 30, 110, 760
    height = 30 + row_h * len(kinds) + 30
    plot_w = width - left - 150
    chart = Chart(title, width, height)
    statuses = ["answered", "corrected", "abstained", "error"]
    for ki, kind in enumerate(kinds):
        y = 16 + ki * row_h
        counts = by_kind[kind].get("status") or {}
        total = max(1, sum(counts.values()))
        x = float(left)
        chart.texts.append({"x": left - 8, "y": y + 15, "text": kind, "anchor": "end", "cls": "lbl"})
        for status in statuses:
            count = counts.get(status, 0)
            if not count:
                continue
            w = plot_w * count / total
            chart.rects.append({"x": x, "y": y, "w": w, "h": 20, "fill": _STATUS_COLORS[status], "tip": f"{kind}: {count} {status}"})
            if w > 22:
                chart.texts.append({"x": x + w / 2, "y": y + 14, "text": str(count), "anchor": "middle", "cls": "in"})
            x += w
        expected = EXPECTED_STATUS.get(kind, "?")
        chart.texts.append({"x": left + plot_w + 8, "y": y + 15, "text": f"expected: {expected}", "cls": "ax"})
    legend_x, legend_y = left, height - 14
    for status in statuses:
        chart.rects.append({"x": legend_x, "y": legend_y - 10, "w": 12, "h": 12, "fill": _STATUS_COLORS[status]})
        chart.texts.append({"x": legend_x + 16, "y": legend_y, "text": status, "cls": "ax"})
        legend_x += 96
    return chart


def histogram(values: Sequence[float], bins: int = 12) -> list[tuple[float, float, int]]:
    """Equal-width bins over [min, max]: (low, high, count); a single value gets one bin."""
    data = [float(v) for v in values if v is not None]
    if not data:
        return []
    low, high = min(data), max(data)
    if math.isclose(low, high):
        return [(low, high, len(data))]
    step = (high - low) / bins
    counts = [0] * bins
    for v in data:
        counts[min(bins - 1, int((v - low) / step))] += 1
    return [(low + i * step, low + (i + 1) * step, c) for i, c in enumerate(counts)]


def latency_histogram(values: Sequence[float], title: str, p50: float | None = None, p95: float | None = None) -> Chart:
    """Latency histogram in seconds, with the p50 and p95 marked."""
    bins = histogram(values)
    width, height, left, bottom, top = 760, 240, 44, 40, 16
    plot_w, plot_h = width - left - 20, height - top - bottom
    chart = Chart(title, width, height)
    if not bins:
        chart.texts.append({"x": width / 2, "y": height / 2, "text": "no latencies", "anchor": "middle", "cls": "lbl"})
        return chart
    peak = max(c for _, _, c in bins)
    lo, hi = bins[0][0], bins[-1][1]
    span = (hi - lo) or 1.0
    bar_w = plot_w / len(bins)
    for tick in range(0, peak + 1, max(1, math.ceil(peak / 4))):
        y = top + plot_h * (1 - tick / peak)
        chart.lines.append({"x1": left, "x2": width - 10, "y1": y, "y2": y, "stroke": "#ddd"})
        chart.texts.append({"x": left - 6, "y": y + 4, "text": str(tick), "anchor": "end", "cls": "ax"})
    for i, (b_lo, b_hi, count) in enumerate(bins):
        h = plot_h * count / peak
        chart.rects.append(
            {"x": left + i * bar_w + 1, "y": top + plot_h - h, "w": bar_w - 2, "h": h, "fill": "#1f5aa6",
             "tip": f"{b_lo:.2f}–{b_hi:.2f} s: {count} question(s)"}
        )
    for i in range(0, len(bins) + 1, max(1, len(bins) // 6)):
        anchor = "end" if i == len(bins) else ("start" if i == 0 else "middle")
        chart.texts.append(
            {"x": left + i * bar_w, "y": top + plot_h + 16, "text": f"{lo + span * i / len(bins):.2f}s", "anchor": anchor, "cls": "ax"}
        )
    for row, (name, value, color) in enumerate((("p50", p50, "#3b9b5c"), ("p95", p95, "#b8322a"))):
        if value is None:
            continue
        x = left + plot_w * (value - lo) / span
        near_right = x > width - 120
        chart.lines.append({"x1": x, "x2": x, "y1": top, "y2": top + plot_h, "stroke": color, "dash": "5 3", "width": 2})
        chart.texts.append(
            {"x": x - 4 if near_right else x + 4, "y": top + 12 + 14 * row, "text": f"{name} {value:.2f}s",
             "anchor": "end" if near_right else "start", "cls": "ax", "fill": color}
        )
    chart.texts.append({"x": left + plot_w / 2, "y": height - 4, "text": "seconds per question", "anchor": "middle", "cls": "ax"})
    return chart


def svg_histogram(values: Sequence[float], title: str, p50: float | None = None, p95: float | None = None) -> str:
    """The latency histogram as standalone SVG markup."""
    return _environment().get_template("chart.svg.j2").render(chart=latency_histogram(values, title, p50, p95))


# --- templates ----------------------------------------------------------------------
@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("eval", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "svg", "html.j2", "svg.j2"), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _markdown_text
    env.filters["num"] = lambda value: f"{float(value):.1f}"
    env.filters["safe_url"] = _safe_url
    env.filters["code_spans"] = _code_spans
    return env


def _markdown_text(value: Any) -> str:
    """Text for report.md: markup from questions, answers or skipped rows is shown as text, never as HTML."""
    return html.escape(" ".join(str(value).split()), quote=False)


def _code_spans(value: str) -> jinja2.runtime.Markup:
    """Escape, then turn `code` spans into <code> (the only markdown the run facts use)."""
    parts = html.escape(value).split("`")
    return jinja2.runtime.Markup("".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)))


def _safe_url(url: Any) -> str | None:
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None


def _run_facts(summary: Mapping[str, Any]) -> list[str]:
    run = summary.get("run")
    if not run:
        return [f"{summary['overall']['n']} questions evaluated"]
    store = run.get("store") or {}
    where = ", ".join(store.get("collections") or []) or store.get("data_dir") or "?"
    return [
        f"questions: `{run.get('questions_file', '?')}`, {run.get('questions_evaluated', summary['overall']['n'])} "
        f"evaluated, {(summary.get('skipped') or {}).get('count', 0)} skipped, errors: {run.get('errors', 0)}",
        f"store: {store.get('kind', '?')} ({store.get('store', '?')}, {where}), {store.get('records', '?')} records",
        f"started {run.get('started_at', '?')}, took {run.get('seconds', '?')} s; embedder {run.get('embedder', '?')}; "
        f"faithfulness judge: {run.get('faithfulness_judge', '?')}",
    ]


def _failure_view(row: ResultRow) -> dict[str, Any]:
    gold = set(row.gold_ids)
    rank = next((i for i, r in enumerate(row.retrieved_ids, 1) if r in gold), None)
    return {
        "row": row,
        "severity": OUTCOME_SEVERITY.get(row.outcome, 1),
        "explanation": _OUTCOME_TEXT.get(row.outcome, row.outcome),
        "answer": row.answer or row.error or "(empty)",
        "gold": sorted(gold),
        "rank": rank,
        "retrieved": [(r, r in gold) for r in row.retrieved_ids[:6]],
        "sentences": [(s, _score(s)) for s in row.sentences],
    }


def _score(sentence) -> str:
    value = sentence.verified_support if sentence.verified_support is not None else sentence.support
    return "–" if value is None else f"{value:.2f}"


def _context(summary: Mapping[str, Any], rows: Sequence[Row], failures: int) -> dict[str, Any]:
    rows = [as_row(r) for r in rows]
    kinds = list((summary.get("by_kind") or {}).keys())
    by_lang = summary.get("by_language") or {}
    langs = list(by_lang.keys())
    overall = summary["overall"]
    groups = [overall] + [summary["by_kind"][k] for k in kinds]
    lat = summary["latency"]
    bar_groups = [("overall", [overall.get(m) for m in _BAR_METRICS])] + [
        (k, [summary["by_kind"][k].get(m) for m in _BAR_METRICS]) for k in kinds
    ]
    worst = worst_failures(rows, failures)
    return {
        "summary": summary,
        "run": summary.get("run") or {},
        "facts": _run_facts(summary),
        "cards": [(label(f"{s}.{m}"), fmt(f"{s}.{m}", summary[s].get(m))) for s, m in _CARDS],
        "kinds": kinds,
        "metric_rows": _group_rows(groups),
        "abstention_rows": _section_rows([summary]),
        "langs": langs if len(langs) > 1 else [],
        "lang_rows": _group_rows([by_lang[lang]["overall"] for lang in langs]) + _section_rows([by_lang[lang] for lang in langs]),
        "outcomes": [(name, count, _OUTCOME_TEXT.get(name, name)) for name, count in (summary.get("outcomes") or {}).items()],
        "latency": {k: fmt(f"latency.{k}", lat.get(k)) for k in ("p50", "p95", "max")},
        "charts": {
            "bars": grouped_bars(bar_groups, [label(m) for m in _BAR_METRICS], "Key metrics per question kind"),
            "status": status_bars(summary["by_kind"], "Answer status per question kind"),
            "latency": latency_histogram(
                [r.latency for r in rows if r.latency is not None], "Latency per question", lat.get("p50"), lat.get("p95")
            ),
        },
        "failures": [_failure_view(r) for r in worst],
        "failed_count": sum(1 for r in rows if r.outcome != "ok"),
        "rows": [
            (r, next((i for i, x in enumerate(r.retrieved_ids, 1) if x in set(r.gold_ids)), None), fmt("token_f1", r.metrics.get("token_f1")))
            for r in rows
        ],
        "skipped": {"count": 0, "rows": []} | dict(summary.get("skipped") or {}),
        "definitions": DEFINITIONS,
        "css": _environment().loader.get_source(_environment(), "report.css")[0],
    }


def render_markdown(summary: Mapping[str, Any], rows: Sequence[Row], failures: int = 10) -> str:
    return _environment().get_template("report.md.j2").render(_context(summary, rows, failures))


def render_html(summary: Mapping[str, Any], rows: Sequence[Row], failures: int = 12) -> str:
    return _environment().get_template("report.html.j2").render(_context(summary, rows, failures))


def write_reports(summary: Mapping[str, Any], rows: Sequence[Row], out_dir: Path) -> dict[str, Path]:
    """Write report.md and report.html into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md, page = out_dir / "report.md", out_dir / "report.html"
    md.write_text(render_markdown(summary, rows), encoding="utf-8")
    page.write_text(render_html(summary, rows), encoding="utf-8")
    return {"report_md": md, "report_html": page}
