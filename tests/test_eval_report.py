"""Scoring hand-made Answers, the reports, and report.html in a real browser (Debian's Chromium)."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from eval.metrics import summarize
from eval.questions import Question
from eval.report import histogram, render_html, render_markdown, svg_histogram, write_reports
from eval.runner import QuestionScorer
from rag.models import Answer, Citation, SentenceSupport
from rag.verify import TokenOverlapVerifier

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")

STUART = "Gilbert Stuart painted this portrait in 1796. It hung in the Lansdowne house in London."
RECORDS = {
    "npg:1": {"id": "npg:1", "title": "George Washington (Lansdowne portrait)", "museum": "National Portrait Gallery",
              "description": STUART, "url": "https://npg.si.edu/object/npg_NPG.2001.13"},
    "npg:2": {"id": "npg:2", "title": "Pocahontas", "description": "This portrait is a copy after an engraving made in England in 1616."},
    "npg:3": {"id": "npg:3", "title": "Lewis Morris", "description": "Morris was away on militia duty and signed the Declaration in September."},
}


def cite(n: int, record_id: str, start: int = 0, end: int | None = None, field: str = "description") -> Citation:
    text = RECORDS[record_id][field]
    end = len(text) if end is None else end
    return Citation(n=n, record_id=record_id, title=RECORDS[record_id]["title"], field=field, quote=text[start:end],
                    start=start, end=end, score=0.9, url=RECORDS[record_id].get("url"))


def question(qid: str, kind: str, gold: list[str], reference: str, text: str = "Who painted the Lansdowne portrait?") -> Question:
    return Question(qid, text, reference, tuple(gold), kind, line=int(qid[1:]))


@pytest.fixture(scope="module")
def scorer(embedder):
    return QuestionScorer(get_object, embedder, TokenOverlapVerifier(threshold=0.5))


def get_object(record_id: str) -> dict | None:
    """What MuseumRAG.get_object returns, for the hand-made records."""
    return {"record": RECORDS[record_id], "chunks": []} if record_id in RECORDS else None


def test_scorer_reverifies_sentences_and_checks_quotes(scorer):
    good = cite(1, "npg:1", 0, 45)  # "Gilbert Stuart painted this portrait in 1796."
    shifted = cite(2, "npg:1", 46, 86).model_copy(update={"quote": "It hung in the White House."})  # not the record's text
    answer = Answer(
        question="Who painted the Lansdowne portrait?",
        text="Gilbert Stuart painted this portrait in 1796 [1]. It was painted in Paris [2].",
        status="answered",
        citations=[good, shifted],
        sentences=[
            SentenceSupport(text="Gilbert Stuart painted this portrait in 1796 [1].", citation_ids=[1], support=0.9),
            SentenceSupport(text="It was painted in Paris [2].", citation_ids=[2], support=0.8),
        ],
        retrieved_ids=["npg:2", "npg:1"],
    )
    row = scorer.row(question("q1", "factual", ["npg:1"], "Gilbert Stuart painted it in 1796."), answer, latency=0.25)
    assert [s.supported for s in row.sentences] == [True, False]  # the pipeline said 0.8; re-verified it is not
    assert row.sentences[0].verified_support == 1.0
    assert [c.quote_exact for c in row.citations] == [True, False]
    m = row.metrics
    assert (m["hit_at_1"], m["hit_at_5"], m["mrr"]) == (0.0, 1.0, 0.5)
    assert (m["citation_precision"], m["citation_recall"], m["citation_integrity"], m["quote_exact"]) == (1.0, 1.0, 1.0, 0.5)
    assert (m["supported_sentences"], m["fully_supported_answers"]) == (0.5, 0.0)
    assert [s.reported_supported for s in row.sentences] == [True, True]  # what the pipeline claimed
    assert 0.5 < m["embedding_similarity"] <= 1.0
    assert row.outcome == "unsupported_sentence"


def test_scorer_without_verifier_uses_the_reported_support(embedder):
    scorer = QuestionScorer(lambda rid: None, embedder, None, threshold=0.5)
    answer = Answer(
        question="q", text="Gilbert Stuart [1]. Twice [1].", status="answered", citations=[cite(1, "npg:1", 0, 45)],
        sentences=[SentenceSupport(text="Gilbert Stuart [1].", citation_ids=[1], support=0.7),
                   SentenceSupport(text="Twice.", citation_ids=[], support=0.9)],
        retrieved_ids=["npg:1"],
    )
    row = scorer.row(question("q2", "factual", ["npg:1"], "Gilbert Stuart."), answer, latency=0.1)
    assert [s.supported for s in row.sentences] == [True, False]  # a sentence citing nothing is unsupported
    assert row.citations[0].quote_exact is None  # record not readable: not judged
    same = scorer.row(question("q3", "factual", ["npg:1"], "Gilbert Stuart."), answer.model_copy(update={"text": "Gilbert Stuart."}), 0.1)
    assert same.embedding_similarity == pytest.approx(1.0, abs=1e-3)


def sample_rows(scorer) -> list[dict]:
    """One question of each outcome the report must show, scored like a real run."""
    rows = []
    ok = Answer(question="Who painted the Lansdowne portrait?", text="Gilbert Stuart painted this portrait in 1796 [1].",
                status="answered", citations=[cite(1, "npg:1", 0, 45)],
                sentences=[SentenceSupport(text="Gilbert Stuart painted this portrait in 1796 [1].", citation_ids=[1], support=0.95)],
                retrieved_ids=["npg:1", "npg:2"])
    rows.append(scorer.row(question("q1", "factual", ["npg:1"], "Gilbert Stuart, in 1796."), ok, 0.4))
    rows.append(scorer.row(question("q2", "factual", ["npg:1"], "It hung in the Lansdowne house."),
                           Answer(question="Where did it hang?", text="The records do not say.", status="abstained",
                                  retrieved_ids=["npg:2"]), 0.3))
    premise = Answer(question="Since the Pocahontas portrait was painted from life, how close is it?",
                     text="It is a close likeness <script>alert(1)</script> [1].", status="answered",
                     citations=[cite(1, "npg:2")],
                     sentences=[SentenceSupport(text="It is a close likeness <script>alert(1)</script> [1].", citation_ids=[1], support=0.2)],
                     retrieved_ids=["npg:2"])
    rows.append(scorer.row(question("q3", "false_premise", ["npg:2"], "It was not painted from life: it is a copy after an engraving.",
                                    premise.question), premise, 1.6))
    corrected = Answer(question="Morris signed on July 4th with the others?", text="No: Morris signed the Declaration in September [1].",
                       status="corrected", citations=[cite(1, "npg:3")],
                       sentences=[SentenceSupport(text="No: Morris signed the Declaration in September [1].", citation_ids=[1], support=0.9)],
                       retrieved_ids=["npg:3"])
    rows.append(scorer.row(question("q4", "false_premise", ["npg:3"], "He signed in September.", corrected.question), corrected, 0.9))
    rows.append(scorer.row(question("q5", "unanswerable", [], "Not known.", "What is the museum's wifi password?"),
                           Answer(question="wifi?", text="The collection's records do not say.", status="abstained"), 0.2))
    rows.append(scorer.row(question("q6", "multi_object", ["npg:1", "npg:3"], "Stuart painted one; Morris signed late.",
                                    "Who painted Washington and when did Morris sign?"), None, 2.5, error="RuntimeError: boom"))
    return rows


def test_reports_read_well(scorer, tmp_path):
    rows = sample_rows(scorer)
    summary = summarize(rows) | {"skipped": {"count": 1, "rows": [{"file": "q.jsonl", "line": 7, "id": "q7", "message": "not valid JSON"}]}}
    md = render_markdown(summary, rows)
    assert "| Retrieval hit@1 |" in md and "## The worst failures" in md
    assert "repeated_false_premise" in md and "line 7 (q7): not valid JSON" in md
    assert "Repeated premise rate is the share answered with status answered" in md
    page = render_html(summary, rows)
    assert "<script>" not in page  # record and answer text is escaped, and the page has no scripts
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"""(src|href)=['"](?!https?://npg\.si\.edu|#)""", page)  # no external assets
    assert page.index("q6") < page.index("id='q-q3'")  # the error row is listed first among failures


def test_histogram_bins():
    assert histogram([1.0, 1.0]) == [(1.0, 1.0, 2)]
    bins = histogram([0.0, 0.5, 1.0, 1.0], bins=2)
    assert bins == [(0.0, 0.5, 1), (0.5, 1.0, 3)]
    assert "no latencies" in svg_histogram([], "t")


@pytest.mark.slow
def test_report_html_in_a_real_browser(scorer, tmp_path):
    """The page loads offline with no console errors, shows the summary table; a screenshot is kept to look at."""
    from playwright.sync_api import sync_playwright

    deadline = time.time() + 300
    while not CHROMIUM.exists() and time.time() < deadline:  # the system packages may still be installing
        time.sleep(5)
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make system-deps)")
    rows = sample_rows(scorer)
    summary = summarize(rows) | {"skipped": {"count": 0, "rows": []}}
    summary["run"] = {"questions_file": "hand-made.jsonl", "questions_evaluated": len(rows), "errors": 1,
                      "store": {"kind": "fresh", "store": "embedded (temporary)", "collections": ["three.jsonl"], "records": 3},
                      "started_at": "2026-01-01T00:00:00+00:00", "seconds": 6.1, "embedder": "all-MiniLM-L6-v2",
                      "faithfulness_judge": "re-verified with token_overlap (threshold 0.5)"}
    paths = write_reports(summary, rows, tmp_path)
    args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("request", lambda req: requests.append(req.url))
            page.goto(paths["report_html"].as_uri(), wait_until="load")
            table = page.locator("#summary-table")
            assert table.is_visible()
            assert "3 records" in page.locator("ul.facts").inner_text()
            header = [t.strip() for t in table.locator("thead th").all_inner_texts()]
            assert header[:2] == ["metric", "overall"] and "false_premise" in header
            assert table.locator("tbody tr").count() >= 15
            assert page.locator("svg").count() == 3
            assert page.locator("article.failure").count() == 3  # q6 error, q3 repeated premise, q2 wrongful abstention
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "eval-report.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert all(url.startswith("file://") for url in requests), requests  # nothing fetched from the network
    shutil.copy(paths["report_html"], ARTIFACTS / "eval-report.html")


def test_report_md_shows_markup_from_questions_and_skipped_rows_as_text(scorer):
    rows = sample_rows(scorer)
    hostile = {"file": "q.jsonl", "line": 9, "id": "q9", "message": "bad kind <img src=x onerror=alert(1)>"}
    md = render_markdown(summarize(rows) | {"skipped": {"count": 1, "rows": [hostile]}}, rows)
    assert "<img" not in md and "<script>" not in md
    assert "&lt;img src=x onerror=alert(1)&gt;" in md and "&lt;script&gt;alert(1)&lt;/script&gt;" in md
