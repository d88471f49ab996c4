"""The pages a museum ships, in a real browser (Debian's Chromium via Playwright) against the real server:
the API docs offline, the widget's greeting, streamed sentences, citation cards, practical questions and
the demo page's questions; the staff page's key state, demo key, browsing, creator search, role facets,
paging, sorting, export, highlighting, and the review report.

Every request to another host is aborted: the pages must work offline. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest

from tests.browser_pages import BROWSER_MARKS, checked_page, served_with_upload, shot
from tests.conftest import copy_sample_store
from rag.rights import rights_from

STAFF_KEY = "web-browser-staff-key"
ADMIN_KEY = "web-browser-admin-key"
VISITOR_INFO = "https://museum.example/visit"
CC0 = {"uri": "https://creativecommons.org/publicdomain/zero/1.0/", "label": "CC0 1.0"}
OPEN_RECORD = {
    "id": "webtest:1",
    "title": "Lantern of the Quarry Chapel",
    "museum": "Invented Museum",
    "type": "Lantern",
    "date": "1872",
    "date_begin": 1872,
    "date_end": 1872,
    "language": "en",
    "creators": [{"name": "Hesper Varga", "role": "Metalworker"}],
    "image_url": "https://images.invented-museum.example/lantern.jpg",
    "rights": {"metadata": CC0, "text": CC0, "image": CC0},
    "description": "Hesper Varga forged the lantern of the quarry chapel from salvaged tin in 1872. "
                   "The quarrymen lit it every evening when the last cart came down the hill.",
}

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory, sample_store_dir):
    data_dir = copy_sample_store(sample_store_dir, tmp_path_factory.mktemp("browser-web"))
    env = {"MUSEUM_RAG_API_KEYS": STAFF_KEY, "MUSEUM_RAG_ADMIN_KEYS": ADMIN_KEY, "MUSEUM_RAG_DEMO_STAFF_KEY": STAFF_KEY,
           "MUSEUM_RAG_VISITOR_INFO_URL": VISITOR_INFO, "MUSEUM_RAG_RATE_LIMIT_PER_MINUTE": "1000"}
    with served_with_upload(data_dir, env, OPEN_RECORD, "webtest", ADMIN_KEY) as live:
        yield live


@pytest.fixture
def expected_errors() -> list[str]:
    return []


@pytest.fixture
def page(browser, server, request, expected_errors):
    """A fresh page, offline: requests to other hosts are aborted, except images (a local 1x1 PNG)."""
    yield from checked_page(
        browser, server.url, request.node.name, expected_errors, abort_offsite=True, timeout_ms=30_000,
        accept_downloads=True,
    )



def finished_answer(page):
    answer = page.locator("article.mrw-msg-answer").last
    answer.and_(page.locator("[aria-busy='false']")).wait_for(timeout=90_000)
    return answer


# --- the API docs --------------------------------------------------------------------------------


def test_swagger_ui_renders_the_operations_offline(page, server):
    page.goto(server.url + "/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 8
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/v1/ask" in [p.replace("\u200b", "") for p in paths]
    shot(page, "docs-swagger")


def test_redoc_renders_the_operations_offline(page, server, expected_errors):
    # ReDoc 3 always adds its publisher's logo from a CDN to the side menu: the docs' CSP blocks it
    # (so no request leaves the server) and the browser logs that, once.
    expected_errors.append("https://cdn.redoc.ly/redoc/logo-mini.svg' violates the following Content Security Policy")
    page.goto(server.url + "/redoc")
    page.locator("h2", has_text="Answer a question from the collection's records").wait_for()
    assert page.locator("h2", has_text="Search or browse with filters").count() == 1
    shot(page, "docs-redoc")


# --- the widget ----------------------------------------------------------------------------------


def test_the_widget_greets_with_questions_from_the_collection(page, server):
    page.goto(server.url + "/")
    page.get_by_role("button", name="Ask about the collection").click()
    greeting = page.locator(".mrw-msg-greeting")
    greeting.wait_for()
    buttons = greeting.locator("button.mrw-suggestion")
    assert 2 <= buttons.count() <= 3
    assert greeting.locator(".mrw-text").inner_text().strip()
    shot(page, "widget-greeting")
    question = buttons.first.inner_text()
    buttons.first.click()
    answer = finished_answer(page)
    assert page.locator(".mrw-msg-user").last.inner_text().endswith(question)
    assert answer.get_attribute("data-status") in ("answered", "corrected", "abstained")


def test_the_demo_pages_questions_to_try_ask_the_widget(page, server):
    page.goto(server.url + "/")
    page.get_by_role("button", name="Who created the tribute to the photographer Man Ray?").click()
    assert page.locator("#mrw-panel").is_visible()
    answer = finished_answer(page)
    assert answer.get_attribute("data-status") == "answered"
    assert "Calder" in answer.locator(".mrw-text").inner_text()
    sentences = answer.locator(".mrw-sentence")
    assert sentences.count() >= 1, "the answer arrives sentence by sentence"
    assert all(0.0 <= float(sentences.nth(i).get_attribute("data-support")) <= 1.0 for i in range(sentences.count()))


def test_a_card_shows_maker_date_type_rights_and_an_openly_licensed_thumbnail(page, server):
    page.goto(server.url + "/")
    page.get_by_role("button", name="Ask about the collection").click()
    page.get_by_role("textbox", name="Your question").fill("Who forged the lantern of the quarry chapel?")
    page.keyboard.press("Enter")
    answer = finished_answer(page)
    card = answer.locator(".mrw-card[data-record-id='webtest:1']").first
    card.wait_for()
    facts = card.locator(".mrw-card-facts").inner_text()
    assert "Metalworker: Hesper Varga" in facts and "1872" in facts and "Lantern" in facts
    thumb = card.locator("img.mrw-thumb")
    assert thumb.count() == 1 and thumb.get_attribute("src") == OPEN_RECORD["image_url"]
    rights = card.locator(".mrw-card-rights a")
    assert rights.count() == 2 and rights.first.inner_text() == rights_from(CC0["uri"]).label  # the vocabulary names a known URI
    assert rights.first.get_attribute("href") == CC0["uri"]
    assert card.locator("q.mrw-card-quote").get_attribute("lang") == "en"
    shot(page, "widget-card-open-image")


def test_a_practical_question_points_to_the_visitor_page(page, server):
    page.goto(server.url + "/")
    page.get_by_role("button", name="Ask about the collection").click()
    page.get_by_role("textbox", name="Your question").fill("What are the opening hours on Sundays?")
    page.keyboard.press("Enter")
    answer = finished_answer(page)
    assert answer.get_attribute("data-status") == "abstained", "honest: the records do not answer it"
    link = answer.locator(".mrw-visitor-info a")
    assert link.get_attribute("href") == VISITOR_INFO
    assert answer.locator(".mrw-cards-suggestions").count() == 0
    shot(page, "widget-practical")


# --- the staff page ------------------------------------------------------------------------------


def test_the_key_state_is_hidden_until_a_key_is_accepted_and_the_demo_key_is_shown(page, server, expected_errors):
    expected_errors.append("status of 401 (Unauthorized)")
    page.goto(server.url + "/staff")
    page.get_by_role("textbox", name="API key").wait_for()
    assert page.locator("#key-state").is_hidden(), "no 'key in use' before any key"
    page.get_by_role("textbox", name="API key").fill("wrong-key")
    page.keyboard.press("Enter")
    page.get_by_role("alert").filter(has_text="not a valid staff key").wait_for()
    assert page.locator("#key-state").is_hidden(), "no 'key in use' after a rejected key"
    demo = page.locator("#demo-key")
    demo.wait_for()
    assert page.locator("#demo-key-value").inner_text() == STAFF_KEY
    shot(page, "staff-demo-key")
    page.get_by_role("button", name="Use the demo key").click()
    page.get_by_role("tab", name="Search").wait_for()
    assert page.locator("#key-state").is_visible()


def sign_in(page, server):
    page.goto(server.url + "/staff")
    page.get_by_role("textbox", name="API key").fill(STAFF_KEY)
    page.keyboard.press("Enter")
    page.get_by_role("tab", name="Search").wait_for()
    page.locator("#search-status").filter(has_text="records in the collection").wait_for()


def test_staff_browse_by_filter_page_sort_and_export(page, server):
    sign_in(page, server)
    page.locator("button.facet[data-facet='type'][data-value='Photograph']").click()
    page.locator("#search-status").filter(has_text="records listed").wait_for()
    results = page.locator("li.result")
    assert results.count() == 20, "a filter alone lists its records, a page at a time"
    first_page = results.evaluate_all("rs => rs.map(r => r.dataset.recordId)")
    assert page.locator("#page-next").is_enabled() and page.locator("#page-prev").is_disabled()
    page.locator("#page-next").click()
    page.locator("#page-info").filter(has_text="Results 21–").wait_for()
    second_page = results.evaluate_all("rs => rs.map(r => r.dataset.recordId)")
    assert second_page and not set(first_page) & set(second_page)

    page.get_by_label("Sort by").select_option("title")
    page.locator("#page-info").filter(has_text="Results 1–").wait_for()
    titles = page.locator("li.result .result-title").all_inner_texts()
    assert titles == sorted(titles, key=str.casefold)
    shot(page, "staff-browse-by-filter")

    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").first.click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert rows and {r["type"] for r in rows} == {"Photograph"}
    assert [r["title"] for r in rows][:3] == titles[:3]
    with page.expect_download() as download:
        page.get_by_role("button", name="Export JSON").first.click()
    assert len(json.loads(open(download.value.path(), encoding="utf-8").read())) == len(rows)


def test_staff_finds_a_creator_by_surname_and_splits_creators_by_role(page, server):
    sign_in(page, server)
    page.get_by_label("Creator", exact=True).fill("calder")
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator("#search-status").filter(has_text="records listed").wait_for()
    results = page.locator("li.result")
    assert results.count() >= 1
    for i in range(results.count()):
        assert "Alexander Calder" in results.nth(i).locator(".meta").inner_text()
    makers = page.locator("button.facet[data-facet='makers']").evaluate_all("bs => bs.map(b => b.dataset.value)")
    assert "Alexander Calder" in makers
    page.get_by_label("Creator", exact=True).fill("man ray")
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator("#search-status").filter(has_text="records listed").wait_for()
    sitters = page.locator("button.facet[data-facet='sitters']").evaluate_all("bs => bs.map(b => b.dataset.value)")
    makers = page.locator("button.facet[data-facet='makers']").evaluate_all("bs => bs.map(b => b.dataset.value)")
    assert "Man Ray" in sitters and "Alexander Calder" in makers
    assert "Alexander Calder" not in sitters and "Man Ray" not in makers
    shot(page, "staff-role-facets")


def test_staff_highlights_whole_words_only_and_shows_thumbnails(page, server):
    sign_in(page, server)
    page.get_by_role("searchbox", name="Search the records").fill("war")
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator("#search-status").filter(has_text="objects shown").wait_for()
    marks = page.locator("li.result mark")
    assert marks.count() >= 1
    inside_words = page.evaluate(
        """() => [...document.querySelectorAll('li.result mark')].filter(m => {
             const before = m.previousSibling ? m.previousSibling.textContent.slice(-1) : '';
             const after = m.nextSibling ? m.nextSibling.textContent.slice(0, 1) : '';
             return /[\\p{L}\\p{N}]/u.test(before) || /[\\p{L}\\p{N}]/u.test(after);
           }).length"""
    )
    assert inside_words == 0, "a term is never marked inside a word (Ed-war-d)"
    assert page.locator("li.result img.result-thumb").count() >= 1
    snippets = page.locator("li.result").first.locator(".snippet-text").all_inner_texts()
    assert len(snippets) == len(set(snippets))
    shot(page, "staff-search-highlight")


def test_staff_review_lists_disliked_answers_with_what_was_shown_and_takes_a_handled_mark(page, server):
    question = "Who created the tribute to the photographer Man Ray?"
    asked = httpx.post(server.url + "/v1/ask", json={"question": question}, timeout=90).json()
    assert httpx.post(server.url + "/v1/feedback", json={"answer_id": asked["answer_id"], "rating": "down",
                                                         "comment": "I wanted the year"}, timeout=30).status_code == 201
    sign_in(page, server)
    page.get_by_role("tab", name="Unanswered questions").click()
    table = page.locator("#report-table")
    table.wait_for()
    row = table.locator("tbody tr[data-kind='disliked']").filter(has=page.get_by_role("cell", name=question, exact=True))
    assert asked["text"] in row.locator("td.shown").inner_text()
    assert "I wanted the year" in row.locator("td.shown").inner_text()
    assert "Man Ray (npg:23)" in row.locator("td.shown").inner_text()
    objects = page.locator("#report-objects tbody tr[data-record-id='npg:23']")
    assert int(objects.locator("td").nth(2).inner_text()) >= 1
    shot(page, "staff-review")
    box = row.get_by_role("checkbox")
    with page.expect_response(lambda r: r.url.endswith("/v1/reports/handled")) as marked:
        box.check()
    assert marked.value.status == 200
    page.get_by_role("button", name="Refresh").click()
    page.locator("#report-status").filter(has_text="distinct questions").wait_for()
    row = table.locator("tbody tr[data-kind='disliked']").filter(has=page.get_by_role("cell", name=question, exact=True))
    assert row.get_by_role("checkbox").is_checked() and "handled" in row.get_attribute("class")
    with page.expect_download() as download:
        page.locator("#report-csv").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert any(r["kind"] == "disliked" and r["question"] == question and r["handled"] == "yes" for r in rows)
