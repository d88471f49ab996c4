"""Reports a curator can read: report.md and a self-contained report.html (inline CSS and SVG, no scripts).

The HTML page loads nothing from anywhere: it opens offline from a file or an e-mail
attachment. Every text from the question set or the records is escaped; links are only
written for http(s) addresses.

Example::

    write_reports(summary, rows, Path("eval-runs/today"))   # -> report.md, report.html
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any, Mapping, Sequence

from eval.metrics import DEFINITIONS, METRICS, OUTCOME_SEVERITY

Row = Mapping[str, Any]

#: Metrics shown as plain numbers (the others are shares, shown as percentages).
_PLAIN = {"mrr", "token_f1", "token_recall", "embedding_similarity"}
_SECONDS = {"latency_p50", "latency_p95"}
_LABELS = {
    "behaviour_ok": "Expected behaviour",
    "hit_at_1": "Retrieval hit@1",
    "hit_at_5": "Retrieval hit@5",
    "hit_at_10": "Retrieval hit@10",
    "mrr": "Retrieval MRR",
    "gold_recall_at_10": "Gold recall@10",
    "citation_precision": "Citation precision",
    "citation_recall": "Citation recall",
    "citation_integrity": "Citation integrity",
    "quote_exact": "Quote exact",
    "supported_sentences": "Supported sentences",
    "fully_supported_answers": "Fully supported answers",
    "reported_supported_sentences": "Reported supported sentences",
    "token_f1": "Token F1",
    "token_recall": "Token recall",
    "embedding_similarity": "Embedding similarity",
    "latency_p50": "Latency p50",
    "latency_p95": "Latency p95",
}
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
_BAR_METRICS = ("behaviour_ok", "hit_at_5", "citation_precision", "supported_sentences", "token_recall")
_PALETTE = ("#1f5aa6", "#e08a1e", "#3b9b5c", "#a23b72", "#6b6b6b")
_STATUS_COLORS = {"answered": "#1f5aa6", "corrected": "#3b9b5c", "abstained": "#e0a21e", "error": "#b8322a"}


# --- formatting ---------------------------------------------------------------------
def fmt(name: str, value: Any) -> str:
    """A metric value for people: shares as percentages, seconds with a unit, a dash for n/a."""
    if value is None:
        return "–"
    if not isinstance(value, (int, float)):
        return str(value)
    if name in _SECONDS or name in ("p50", "p95", "mean", "max"):
        return f"{value:.2f} s"
    if name in _PLAIN:
        return f"{value:.3f}"
    if name in ("n", "abstained", "unanswerable", "true_abstentions", "wrongful_abstentions"):
        return str(int(value))
    return f"{100 * value:.1f}%"


def label(name: str) -> str:
    return _LABELS.get(name, name.replace("_", " ").capitalize())


def worst_failures(rows: Sequence[Row], count: int = 12) -> list[Row]:
    """The failed questions, worst kind of failure first, then the least similar to the reference."""
    failed = [r for r in rows if r.get("outcome", "ok") != "ok"]

    def key(row: Row) -> tuple:
        metrics = row.get("metrics") or {}
        return (-OUTCOME_SEVERITY.get(row["outcome"], 1), metrics.get("token_f1") or 0.0, row["id"])

    return sorted(failed, key=key)[:count]


def _kinds(summary: Mapping[str, Any]) -> list[str]:
    return list((summary.get("by_kind") or {}).keys())


# --- markdown -----------------------------------------------------------------------
def _languages_md(summary: Mapping[str, Any]) -> list[str]:
    """Every metric per question language (only when the run has more than one language)."""
    languages = summary.get("by_language") or {}
    if len(languages) < 2:
        return []
    langs = list(languages)
    out = ["## Per language", "", "| metric | " + " | ".join(langs) + " |", "|---|" + "---:|" * len(langs)]
    out.append("| questions | " + " | ".join(str(languages[lang]["overall"]["n"]) for lang in langs) + " |")
    rows: list[tuple[str, str, Any]] = [(label(name), name, ("overall", name)) for name in METRICS]
    rows += [
        ("factual: gold in the first 5", "hit_at_5", ("by_kind", "factual", "hit_at_5")),
        ("factual: gold cited", "citation_recall", ("by_kind", "factual", "citation_recall")),
        ("unanswerable: abstained", "rate", ("abstention", "recall")),
        ("false premises corrected", "rate", ("misinformation", "corrected_rate")),
        ("valid questions wrongly corrected", "rate", ("misinformation", "false_correction_rate")),
    ]
    for title, name, path in rows:
        cells = []
        for lang in langs:
            node: Any = languages[lang]
            for part in path:
                node = node.get(part) if isinstance(node, Mapping) else None
            cells.append(fmt(name, node))
        out.append(f"| {title} | " + " | ".join(cells) + " |")
    return out + [""]


def render_markdown(summary: Mapping[str, Any], rows: Sequence[Row], failures: int = 10) -> str:
    run = summary.get("run") or {}
    kinds = _kinds(summary)
    overall = summary["overall"]
    out = ["# museum-rag evaluation", ""]
    out += _run_facts_md(summary)
    out += ["", "## Summary", "", "| metric | overall | " + " | ".join(kinds) + " |", "|---|---:|" + "---:|" * len(kinds)]
    out.append("| questions | " + " | ".join([str(overall["n"])] + [str(summary["by_kind"][k]["n"]) for k in kinds]) + " |")
    for name in METRICS:
        cells = [fmt(name, overall.get(name))] + [fmt(name, summary["by_kind"][k].get(name)) for k in kinds]
        out.append(f"| {label(name)} | " + " | ".join(cells) + " |")
    ab, mis = summary["abstention"], summary["misinformation"]
    out += [
        "",
        "## Abstention and misinformation",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| abstention precision | {fmt('precision', ab['precision'])} |",
        f"| abstention recall | {fmt('recall', ab['recall'])} |",
        f"| wrongful abstention rate (factual, multi_object) | {fmt('rate', ab['wrongful_abstention_rate'])} |",
        f"| false premises corrected | {fmt('rate', mis['corrected_rate'])} |",
        f"| false premises repeated as fact (answered) | {fmt('rate', mis['repeated_premise_rate'])} |",
        f"| false premises abstained on | {fmt('rate', mis['abstained_rate'])} |",
        f"| valid questions wrongly corrected | {fmt('rate', mis['false_correction_rate'])} |",
        f"| latency p50 / p95 | {fmt('p50', summary['latency']['p50'])} / {fmt('p95', summary['latency']['p95'])} |",
        "",
        *_languages_md(summary),
        "## Outcomes",
        "",
    ]
    for name, count in (summary.get("outcomes") or {}).items():
        out.append(f"- **{name}** ({_OUTCOME_TEXT.get(name, name)}): {count}")
    worst = worst_failures(rows, failures)
    out += ["", f"## The worst failures ({len(worst)} shown)", ""]
    if not worst:
        out.append("No question failed.")
    for row in worst:
        out += _failure_md(row)
    skipped = summary.get("skipped") or {}
    if skipped.get("count"):
        out += ["", f"## Skipped rows ({skipped['count']})", ""]
        out += [f"- line {s['line']}{' (' + s['id'] + ')' if s.get('id') else ''}: {s['message']}" for s in skipped["rows"]]
    out += ["", "## Definitions", ""]
    out.append(f"Faithfulness judge in this run: {run.get('faithfulness_judge', 'unknown')}.")
    out.append("")
    out += [f"- **{name}**: {text}" for name, text in DEFINITIONS]
    return "\n".join(out) + "\n"


def _run_facts_md(summary: Mapping[str, Any]) -> list[str]:
    run = summary.get("run")
    if not run:
        return [f"- {summary['overall']['n']} questions evaluated"]
    store = run.get("store") or {}
    where = ", ".join(store.get("collections") or []) or store.get("data_dir") or "?"
    return [
        f"- questions: `{run.get('questions_file', '?')}`, {run.get('questions_evaluated', summary['overall']['n'])} "
        f"evaluated, {(summary.get('skipped') or {}).get('count', 0)} skipped, errors: {run.get('errors', 0)}",
        f"- store: {store.get('kind', '?')} ({store.get('store', '?')}, {where}), {store.get('records', '?')} records",
        f"- started {run.get('started_at', '?')}, took {run.get('seconds', '?')} s; embedder {run.get('embedder', '?')}; "
        f"faithfulness judge: {run.get('faithfulness_judge', '?')}",
    ]


def _failure_md(row: Row) -> list[str]:
    lines = [
        f"### {row['id']} · {row['kind']} · {row['outcome']}",
        "",
        f"*{_OUTCOME_TEXT.get(row['outcome'], row['outcome'])}* (status `{row['status']}`, expected `{row.get('expected_status')}`)",
        "",
        f"- **Question:** {row['question']}",
        f"- **Reference:** {row['reference']}",
        f"- **Answer:** {row.get('answer') or row.get('error') or '(empty)'}",
        f"- **Gold records:** {', '.join(row.get('gold_ids') or []) or '(none)'}; "
        f"retrieved: {', '.join((row.get('retrieved_ids') or [])[:5]) or '(none)'}",
    ]
    for sentence in row.get("sentences") or []:
        mark = "supported" if sentence.get("supported") else "NOT supported"
        lines.append(f"  - sentence ({mark}, support {_score(sentence)}): {sentence['text']}")
    for c in row.get("citations") or []:
        lines.append(f"  - [{c['n']}] {c['title']} ({c['record_id']}, {c['field']}): “{c['quote']}”")
    lines.append("")
    return lines


def _score(sentence: Mapping[str, Any]) -> str:
    value = sentence.get("verified_support")
    if value is None:
        value = sentence.get("support")
    return "–" if value is None else f"{value:.2f}"


# --- SVG charts ---------------------------------------------------------------------
def svg_grouped_bars(groups: Sequence[tuple[str, Sequence[float | None]]], series: Sequence[str], title: str) -> str:
    """Bars of shares (0-1) per group, one colour per series; a missing value leaves a gap marked n/a."""
    width, height, left, bottom, top = 760, 300, 44, 56, 22
    plot_w, plot_h = width - left - 10, height - top - bottom
    group_w = plot_w / max(1, len(groups))
    bar_w = min(22.0, (group_w - 16) / max(1, len(series)))
    parts = [_svg_open(width, height, title)]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="ax">{int(tick * 100)}%</text>')
    for gi, (group, values) in enumerate(groups):
        x0 = left + gi * group_w + (group_w - bar_w * len(series)) / 2
        for si, value in enumerate(values):
            x = x0 + si * bar_w
            name = html.escape(f"{group}: {series[si]} = {fmt('share', value)}")
            if value is None:
                parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - 4}" text-anchor="middle" class="na">n/a<title>{name}</title></text>')
                continue
            h = max(0.0, min(1.0, float(value))) * plot_h
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{max(h, 1.5):.1f}" '
                f'fill="{_PALETTE[si % len(_PALETTE)]}"><title>{name}</title></rect>'
            )
            parts.append(
                f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle" class="val">'
                f"{100 * float(value):.0f}</text>"
            )
        parts.append(
            f'<text x="{left + gi * group_w + group_w / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle" class="lbl">'
            f"{html.escape(group)}</text>"
        )
    legend_x = left
    for si, name in enumerate(series):
        parts.append(f'<rect x="{legend_x}" y="{height - 18}" width="12" height="12" fill="{_PALETTE[si % len(_PALETTE)]}"/>')
        parts.append(f'<text x="{legend_x + 16}" y="{height - 8}" class="ax">{html.escape(name)}</text>')
        legend_x += 24 + 7 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def svg_status_bars(by_kind: Mapping[str, Mapping[str, Any]], title: str) -> str:
    """One horizontal bar per kind, split by answer status; the expected status is named on the right."""
    from eval.questions import EXPECTED_STATUS

    kinds = list(by_kind)
    row_h, left, width = 30, 110, 760
    height = 30 + row_h * len(kinds) + 30
    plot_w = width - left - 150
    parts = [_svg_open(width, height, title)]
    statuses = ["answered", "corrected", "abstained", "error"]
    for ki, kind in enumerate(kinds):
        y = 16 + ki * row_h
        counts = by_kind[kind].get("status") or {}
        total = max(1, sum(counts.values()))
        x = float(left)
        parts.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" class="lbl">{html.escape(kind)}</text>')
        for status in statuses:
            count = counts.get(status, 0)
            if not count:
                continue
            w = plot_w * count / total
            tip = html.escape(f"{kind}: {count} {status}")
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="20" fill="{_STATUS_COLORS[status]}"><title>{tip}</title></rect>')
            if w > 22:
                parts.append(f'<text x="{x + w / 2:.1f}" y="{y + 14}" text-anchor="middle" class="in">{count}</text>')
            x += w
        parts.append(
            f'<text x="{left + plot_w + 8}" y="{y + 15}" class="ax">expected: {html.escape(EXPECTED_STATUS.get(kind, "?"))}</text>'
        )
    legend_x, legend_y = left, height - 14
    for status in statuses:
        parts.append(f'<rect x="{legend_x}" y="{legend_y - 10}" width="12" height="12" fill="{_STATUS_COLORS[status]}"/>')
        parts.append(f'<text x="{legend_x + 16}" y="{legend_y}" class="ax">{status}</text>')
        legend_x += 96
    parts.append("</svg>")
    return "".join(parts)


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


def svg_histogram(values: Sequence[float], title: str, p50: float | None = None, p95: float | None = None) -> str:
    """Latency histogram in seconds, with the p50 and p95 marked."""
    bins = histogram(values)
    width, height, left, bottom, top = 760, 240, 44, 40, 16
    plot_w, plot_h = width - left - 20, height - top - bottom
    parts = [_svg_open(width, height, title)]
    if not bins:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" class="lbl">no latencies</text></svg>')
        return "".join(parts)
    peak = max(c for _, _, c in bins)
    lo, hi = bins[0][0], bins[-1][1]
    span = (hi - lo) or 1.0
    bar_w = plot_w / len(bins)
    for tick in range(0, peak + 1, max(1, math.ceil(peak / 4))):
        y = top + plot_h * (1 - tick / peak)
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="ax">{tick}</text>')
    for i, (b_lo, b_hi, count) in enumerate(bins):
        h = plot_h * count / peak
        tip = html.escape(f"{b_lo:.2f}–{b_hi:.2f} s: {count} question(s)")
        parts.append(
            f'<rect x="{left + i * bar_w + 1:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
            f'fill="#1f5aa6"><title>{tip}</title></rect>'
        )
    for i in range(0, len(bins) + 1, max(1, len(bins) // 6)):
        x = left + i * bar_w
        value = lo + span * i / len(bins)
        anchor = "end" if i == len(bins) else ("start" if i == 0 else "middle")
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="{anchor}" class="ax">{value:.2f}s</text>')
    for row, (name, value, color) in enumerate((("p50", p50, "#3b9b5c"), ("p95", p95, "#b8322a"))):
        if value is None:
            continue
        x = left + plot_w * (value - lo) / span
        near_right = x > width - 120
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" stroke="{color}" stroke-width="2" stroke-dasharray="5 3"/>')
        parts.append(
            f'<text x="{x - 4 if near_right else x + 4:.1f}" y="{top + 12 + 14 * row}" text-anchor="{"end" if near_right else "start"}" '
            f'class="ax" fill="{color}">{name} {value:.2f}s</text>'
        )
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 4}" text-anchor="middle" class="ax">seconds per question</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{html.escape(title)}"><title>{html.escape(title)}</title>'
    )


# --- HTML ---------------------------------------------------------------------------
_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d1d1f;margin:0;background:#f6f5f2}
main{max-width:1040px;margin:0 auto;padding:24px 28px 60px;background:#fff}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:36px 0 10px;border-bottom:2px solid #e5e2da;padding-bottom:4px}
h3{font-size:16px;margin:0 0 6px}.facts{color:#555;font-size:14px;margin:0 0 16px;padding-left:18px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(125px,1fr));gap:10px;margin:18px 0}
.card{border:1px solid #e5e2da;border-radius:8px;padding:10px 12px;background:#fbfaf7}
.card .v{font-size:24px;font-weight:650}.card .k{font-size:13px;color:#555}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{padding:5px 8px;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child,th:last-child{text-align:left}thead th{background:#f0eee8}
td.desc{color:#666;font-size:12px;text-align:left}tr:hover td{background:#faf8f3}
figure{margin:12px 0 20px}figcaption{font-size:13px;color:#555}
svg .ax{font-size:11px;fill:#444}svg .lbl{font-size:13px;fill:#222}svg .na{font-size:10px;fill:#999}svg .in{font-size:11px;fill:#fff;font-weight:600}svg .val{font-size:9px;fill:#333}
.failure{border:1px solid #e5e2da;border-left:5px solid #b8322a;border-radius:6px;padding:12px 14px;margin:14px 0;background:#fff}
.failure.sev2,.failure.sev3{border-left-color:#e0a21e}.badge{display:inline-block;font-size:12px;padding:1px 8px;border-radius:10px;background:#eee;margin-right:6px}
.badge.bad{background:#f6d6d3;color:#7a1f18}dl{display:grid;grid-template-columns:110px 1fr;gap:2px 12px;margin:8px 0}
dt{color:#666;font-size:13px}dd{margin:0}ol.sent{margin:6px 0;padding-left:22px}li.ok::marker{color:#3b9b5c}li.no::marker{color:#b8322a}
li.no{background:#fdf1ef}.score{color:#666;font-size:12px}blockquote{margin:4px 0 8px 0;padding:4px 10px;border-left:3px solid #ccc;color:#333;background:#faf9f6}
.cite{font-size:13px;margin-top:6px}.muted{color:#777}details{margin:10px 0}summary{cursor:pointer;font-weight:600}
code{background:#f0eee8;padding:0 4px;border-radius:3px}
"""


def render_html(summary: Mapping[str, Any], rows: Sequence[Row], failures: int = 12) -> str:
    kinds = _kinds(summary)
    overall = summary["overall"]
    body: list[str] = ["<main>", "<h1>museum-rag evaluation</h1>"]
    body.append("<ul class='facts'>" + "".join(f"<li>{_inline_md(f[2:])}</li>" for f in _run_facts_md(summary)) + "</ul>")
    body.append(_cards(summary))
    body.append("<h2 id='summary'>Summary</h2>")
    body.append(_summary_table(summary, kinds))
    body.append("<h2>Per kind</h2>")
    groups = [("overall", [overall.get(m) for m in _BAR_METRICS])] + [
        (k, [summary["by_kind"][k].get(m) for m in _BAR_METRICS]) for k in kinds
    ]
    body.append("<figure>" + svg_grouped_bars(groups, [label(m) for m in _BAR_METRICS], "Key metrics per question kind"))
    body.append("<figcaption>Key metrics per question kind, in percent (higher is better; n/a: the metric does not apply).</figcaption></figure>")
    body.append("<figure>" + svg_status_bars(summary["by_kind"], "Answer status per question kind"))
    body.append("<figcaption>What the system did with each kind of question, against what it should do.</figcaption></figure>")
    body.append("<h2>Abstention and misinformation</h2>")
    body.append(_abstention_table(summary))
    body.append("<h2>Latency</h2>")
    latencies = [r["latency"] for r in rows if r.get("latency") is not None]
    lat = summary["latency"]
    body.append("<figure>" + svg_histogram(latencies, "Latency per question", lat.get("p50"), lat.get("p95")))
    body.append(
        f"<figcaption>Seconds per question (p50 {fmt('p50', lat.get('p50'))}, p95 {fmt('p95', lat.get('p95'))}, "
        f"max {fmt('max', lat.get('max'))}).</figcaption></figure>"
    )
    worst = worst_failures(rows, failures)
    body.append(f"<h2 id='failures'>The worst failures ({len(worst)} of {sum(1 for r in rows if r.get('outcome') != 'ok')})</h2>")
    body.append("<p class='muted'>Worst kind of failure first: wrong citations, then repeated false premises and answers "
                "to unanswerable questions, then unsupported sentences.</p>")
    if not worst:
        body.append("<p>No question failed.</p>")
    body += [_failure_html(r) for r in worst]
    body.append(_all_questions(rows))
    skipped = summary.get("skipped") or {}
    if skipped.get("count"):
        body.append(f"<h2>Skipped rows ({skipped['count']})</h2><table><thead><tr><th>line</th><th>id</th><th>problem</th></tr></thead><tbody>")
        for s in skipped["rows"]:
            body.append(f"<tr><td>{s['line']}</td><td>{_e(s.get('id') or '')}</td><td class='desc'>{_e(s['message'])}</td></tr>")
        body.append("</tbody></table>")
    body.append("<h2>Definitions</h2>")
    body.append(f"<p>Faithfulness judge in this run: {_e((summary.get('run') or {}).get('faithfulness_judge', 'unknown'))}.</p><dl>")
    body += [f"<dt>{_e(name)}</dt><dd>{_e(text)}</dd>" for name, text in DEFINITIONS]
    body.append("</dl></main>")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        f"<title>museum-rag evaluation</title><style>{_CSS}</style></head><body>" + "\n".join(body) + "</body></html>\n"
    )


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _inline_md(text: str) -> str:
    """Escape, then turn `code` spans into <code> (the only markdown the run facts use)."""
    parts = _e(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def _cards(summary: Mapping[str, Any]) -> str:
    overall, mis, ab = summary["overall"], summary["misinformation"], summary["abstention"]
    cards = [
        ("Expected behaviour", fmt("behaviour_ok", overall.get("behaviour_ok"))),
        ("Retrieval hit@5", fmt("hit_at_5", overall.get("hit_at_5"))),
        ("Supported sentences", fmt("supported_sentences", overall.get("supported_sentences"))),
        ("Citation precision", fmt("citation_precision", overall.get("citation_precision"))),
        ("False premises corrected", fmt("rate", mis.get("corrected_rate"))),
        ("Wrongful abstentions", fmt("rate", ab.get("wrongful_abstention_rate"))),
        ("Latency p95", fmt("p95", summary["latency"].get("p95"))),
    ]
    return "<div class='cards'>" + "".join(
        f"<div class='card'><div class='v'>{_e(v)}</div><div class='k'>{_e(k)}</div></div>" for k, v in cards
    ) + "</div>"


def _summary_table(summary: Mapping[str, Any], kinds: Sequence[str]) -> str:
    head = "".join(f"<th>{_e(k)}</th>" for k in ["overall", *kinds])
    rows = [
        "<table id='summary-table'><thead><tr><th>metric</th>" + head + "<th>what it measures</th></tr></thead><tbody>",
        "<tr><td>Questions</td>"
        + "".join(f"<td>{summary[g]['n'] if g == 'overall' else summary['by_kind'][g]['n']}</td>" for g in ["overall", *kinds])
        + "<td class='desc'>evaluated</td></tr>",
    ]
    for name, (description, higher) in METRICS.items():
        cells = [summary["overall"].get(name)] + [summary["by_kind"][k].get(name) for k in kinds]
        rows.append(
            f"<tr><td>{_e(label(name))}</td>" + "".join(f"<td>{_e(fmt(name, v))}</td>" for v in cells)
            + f"<td class='desc'>{_e(description)} ({'higher' if higher else 'lower'} is better) · <code>{_e(name)}</code></td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def _abstention_table(summary: Mapping[str, Any]) -> str:
    ab, mis = summary["abstention"], summary["misinformation"]
    items = [
        ("Abstention precision", ab["precision"], "abstentions that were on unanswerable questions", "abstention.precision"),
        ("Abstention recall", ab["recall"], "unanswerable questions abstained on", "abstention.recall"),
        ("Wrongful abstention rate", ab["wrongful_abstention_rate"], "factual and multi_object questions abstained on (lower is better)", "abstention.wrongful_abstention_rate"),
        ("False premises corrected", mis["corrected_rate"], "false_premise questions answered with status corrected", "misinformation.corrected_rate"),
        ("False premises repeated as fact", mis["repeated_premise_rate"], "false_premise questions answered as if the premise held (status answered; lower is better)", "misinformation.repeated_premise_rate"),
        ("False premises abstained on", mis["abstained_rate"], "false_premise questions abstained on instead of corrected", "misinformation.abstained_rate"),
        ("Valid questions wrongly corrected", mis["false_correction_rate"], "other questions answered with status corrected (lower is better)", "misinformation.false_correction_rate"),
    ]
    rows = ["<table id='abstention-table'><thead><tr><th>measure</th><th>value</th><th>definition</th></tr></thead><tbody>"]
    rows += [
        f"<tr><td>{_e(name)}</td><td>{_e(fmt('rate', value))}</td><td class='desc'>{_e(desc)} · <code>{_e(key)}</code></td></tr>"
        for name, value, desc, key in items
    ]
    rows.append("</tbody></table>")
    return "".join(rows)


def _safe_url(url: Any) -> str | None:
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None


def _failure_html(row: Row) -> str:
    severity = OUTCOME_SEVERITY.get(row["outcome"], 1)
    gold = set(row.get("gold_ids") or [])
    retrieved = row.get("retrieved_ids") or []
    retrieved_html = ", ".join(
        (f"<b>{_e(r)}</b> (gold)" if r in gold else _e(r)) for r in retrieved[:6]
    ) or "<span class='muted'>nothing</span>"
    rank = next((i for i, r in enumerate(retrieved, 1) if r in gold), None)
    parts = [
        f"<article class='failure sev{severity}' id='q-{_e(row['id'])}'>",
        f"<h3>{_e(row['question'])}</h3>",
        f"<span class='badge bad'>{_e(row['outcome'])}</span><span class='badge'>{_e(row['kind'])}</span>"
        f"<span class='badge'>status: {_e(row['status'])} (expected {_e(row.get('expected_status'))})</span>"
        f"<span class='badge'>{_e(row['id'])} · line {_e(row.get('line'))}</span>",
        f"<p class='muted'>{_e(_OUTCOME_TEXT.get(row['outcome'], ''))}</p><dl>",
        f"<dt>Reference</dt><dd>{_e(row['reference'])}</dd>",
        f"<dt>Answer</dt><dd>{_e(row.get('answer') or row.get('error') or '(empty)')}</dd>",
        f"<dt>Gold records</dt><dd>{_e(', '.join(sorted(gold)) or '(none)')}"
        f"{'' if not gold else (' · first retrieved at rank ' + str(rank) if rank else ' · not retrieved')}</dd>",
        f"<dt>Retrieved</dt><dd>{retrieved_html}</dd></dl>",
    ]
    sentences = row.get("sentences") or []
    if sentences:
        parts.append("<ol class='sent'>")
        for s in sentences:
            ok = s.get("supported")
            cites = ", ".join(f"[{n}]" for n in s.get("citation_ids") or []) or "no citation"
            parts.append(
                f"<li class='{'ok' if ok else 'no'}'>{_e(s['text'])} <span class='score'>({'supported' if ok else 'NOT supported'}, "
                f"support {_score(s)}, cites {cites})</span></li>"
            )
        parts.append("</ol>")
    for c in row.get("citations") or []:
        url = _safe_url(c.get("url"))
        title = f"<a href='{_e(url)}' rel='noopener noreferrer'>{_e(c['title'])}</a>" if url else _e(c["title"])
        gold_mark = " (gold)" if c["record_id"] in gold else ""
        exact = "" if c.get("quote_exact") in (None, True) else " · <b>quote does not match the record</b>"
        parts.append(
            f"<div class='cite'>[{c['n']}] {title} · <code>{_e(c['record_id'])}</code>{gold_mark} · {_e(c['field'])}{exact}"
            f"<blockquote>{_e(c['quote'])}</blockquote></div>"
        )
    if row.get("suggestions"):
        parts.append(f"<p class='muted'>Suggested instead: {_e(', '.join(row['suggestions']))}</p>")
    parts.append("</article>")
    return "".join(parts)


def _all_questions(rows: Sequence[Row]) -> str:
    out = [
        f"<details><summary>All {len(rows)} questions</summary><table id='questions-table'><thead><tr><th>id</th><th>kind</th>"
        "<th>status</th><th>outcome</th><th>gold rank</th><th>token F1</th><th>seconds</th></tr></thead><tbody>"
    ]
    for r in rows:
        gold = set(r.get("gold_ids") or [])
        rank = next((i for i, x in enumerate(r.get("retrieved_ids") or [], 1) if x in gold), None)
        metrics = r.get("metrics") or {}
        out.append(
            f"<tr title='{_e(r['question'])}'><td>{_e(r['id'])}</td><td>{_e(r['kind'])}</td><td>{_e(r['status'])}</td>"
            f"<td>{_e(r.get('outcome'))}</td><td>{rank if rank else ('–' if not gold else 'missed')}</td>"
            f"<td>{fmt('token_f1', metrics.get('token_f1'))}</td><td>{r.get('latency', 0):.2f}</td></tr>"
        )
    out.append("</tbody></table></details>")
    return "".join(out)


def write_reports(summary: Mapping[str, Any], rows: Sequence[Row], out_dir: Path) -> dict[str, Path]:
    """Write report.md and report.html into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md, page = out_dir / "report.md", out_dir / "report.html"
    md.write_text(render_markdown(summary, rows), encoding="utf-8")
    page.write_text(render_html(summary, rows), encoding="utf-8")
    return {"report_md": md, "report_html": page}
