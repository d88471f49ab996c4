"""Messages shown to people carry no internals and no raw markup (issue 13, item 9):
an unreadable PDF's issue, and the skipped rows of the evaluation's report.md."""

from __future__ import annotations

from eval.metrics import summarize
from eval.report import render_markdown
from ingest.loaders import load_paths


def test_an_unreadable_pdf_is_reported_without_library_internals(tmp_path):
    broken = tmp_path / "catalogue.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R")
    result = load_paths([broken], source="archive")
    assert result.invalid == 1 and not result.records
    message = str(result.issues[0])
    assert "catalogue.pdf" in message and "unreadable document" in message
    assert "RetryError" not in message and "Future" not in message and "<" not in message and " at 0x" not in message


def test_report_md_does_not_embed_raw_html_from_skipped_rows():
    hostile = "not valid JSON: <img src=x onerror=alert(1)><script>alert(2)</script>\nnext line"
    summary = summarize([]) | {"skipped": {"count": 1, "rows": [{"line": 3, "id": "<b>q3</b>", "message": hostile}]}}
    md = render_markdown(summary, [])
    skipped = md.split("## Skipped rows", 1)[1].split("##", 1)[0]
    assert "<" not in skipped and "&lt;img src=x onerror=alert(1)&gt;" in skipped
    assert "- line 3 (&lt;b&gt;q3&lt;/b&gt;): not valid JSON:" in skipped and "\nnext line" not in skipped
