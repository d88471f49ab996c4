"""A visitor asking in French, German, Dutch, Spanish or Italian, in the chat widget in a real browser (Debian's
Chromium via Playwright), against the real server over English records (invented) embedded with the
multilingual model: the answer, abstention or correction is framed in the visitor's language, the quoted
evidence stays in English, marked ``lang="en"``, with its citation cards.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag.chunking import tombstone_text
from rag.messages import Messages
from rag.models import CollectionRecord
from tests.conftest import REPO, make_settings
from tests.live_server import LiveServer
from tests.browser_pages import BROWSER_MARKS

RECORDS = [
    {"id": "i18n:1", "title": "Portrait of a ship captain", "museum": "Harbour Museum", "type": "Painting",
     "creators": [{"name": "Ada Whitcombe", "role": "Artist"}], "date": "1840", "technique": "Oil on canvas",
     "description": "Ada Whitcombe painted this portrait of Captain Elias Brand in 1840. Brand commanded a whaling "
     "ship out of Nantucket for twenty years."},
    {"id": "i18n:2", "title": "Silver tea urn", "museum": "Harbour Museum", "type": "Metalwork",
     "creators": [{"name": "Josiah Marlowe", "role": "Silversmith"}], "date": "1795", "technique": "Sterling silver",
     "description": "Josiah Marlowe raised this tea urn from sterling silver in Boston in 1795. Its lid carries an "
     "engraved eagle and the initials of the Thornton family."},
    {"id": "i18n:3", "title": "Clockwork nightingale", "museum": "Harbour Museum", "type": "Automaton",
     "creators": [{"name": "Henri Lavoisel", "role": "Maker"}], "date": "1781",
     "description": "Henri Lavoisel built this singing automaton in Geneva in 1781 for a Russian princess. The "
     "bird's feathers are made of enamelled silver."},
    {"id": "i18n:4", "title": "Lighthouse keeper's logbook", "museum": "Harbour Museum", "type": "Manuscript",
     "creators": [{"name": "Ida Quartermaine", "role": "Author"}], "date": "1888-1928",
     "description": "Ida Quartermaine kept the Zebulon Point lighthouse for forty years and wrote this logbook. "
     "It records every ship that passed the point in a storm."},
]
QUESTIONS = {
    "fr": "Qui a peint le portrait du capitaine Elias Brand ?",
    "de": "Aus welchem Metall hat Josiah Marlowe die Teeurne gemacht?",
    "nl": "In welke stad bouwde Henri Lavoisel de zingende mechanische vogel?",
    "es": "¿Cuántos años cuidó Ida Quartermaine el faro de Zebulon Point?",
    "it": "Perché Ada Whitcombe ha dipinto il capitano Elias Brand nel 1875?",
}
#: Every sentence the product may open an answer with, per language: the fixed text before any placeholder.
FRAME_KEYS = ("answer_frame", "abstain", "abstain_unknown", "no_results", "correct_maker", "correct_date",
              "correct_medium", "correct_text", "practical")

pytestmark = BROWSER_MARKS


def frame_openings(lang: str) -> list[str]:
    messages = Messages.for_language(lang)
    assert messages.lang == lang
    openings = []
    for key in FRAME_KEYS:
        template = messages._own.get(key)  # the language's own sentence, never the English fallback
        if template:
            openings.append(template.split("{")[0].strip()[:25])
    return [o for o in openings if o]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from ingest.pipeline import Ingestor
    from rag.e5_embedder import E5Embedder
    from rag.store import open_store

    root = tmp_path_factory.mktemp("i18n")
    records = root / "records.jsonl"
    records.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    settings = make_settings(root / "data", embed_model="multilingual-e5-small")
    with open_store(settings) as store:
        Ingestor(settings, store, E5Embedder(threads=1)).run([records])
    env = {"MUSEUM_RAG_EMBED_MODEL": "multilingual-e5-small", "MUSEUM_RAG_EMBED_THREADS": "1",
           "MUSEUM_RAG_RATE_LIMIT_PER_MINUTE": "1000"}
    with LiveServer(root / "data", env=env) as live:
        yield live


def museum_page(server, lang: str) -> str:
    """A museum's page in ``lang`` with the one-tag widget (served by the test at the server's origin)."""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Museum</title></head><body>'
        f'<h1>Museum</h1><script src="{server.url}/static/widget.js" data-endpoint="{server.url}" data-open="true" '
        "defer></script></body></html>"
    )


@pytest.mark.parametrize("lang", sorted(QUESTIONS))
def test_a_visitor_gets_the_answer_framed_in_their_language_with_english_quotes(server, browser, lang):
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page_url = f"{server.url}/museum-page-{lang}.html"
    page.route(page_url, lambda route: route.fulfill(status=200, content_type="text/html", body=museum_page(server, lang)))
    try:
        page.goto(page_url)
        box = page.locator("textarea").first
        box.wait_for(state="visible", timeout=30_000)
        box.fill(QUESTIONS[lang])
        box.press("Enter")
        answer = page.locator("article.mrw-msg-answer[aria-busy='false']").last
        answer.wait_for(timeout=240_000)
        status = answer.get_attribute("data-status")
        text = answer.locator(".mrw-text").inner_text().strip()
        assert status in ("answered", "abstained", "corrected"), (status, text)
        assert answer.locator(".mrw-text").get_attribute("lang") == lang
        openings = frame_openings(lang)
        assert any(text.startswith(opening) for opening in openings), (lang, status, text)
        quotes = answer.locator("q.mrw-card-quote")
        assert quotes.count() >= 1, text
        assert all(quotes.nth(i).get_attribute("lang") == "en" for i in range(quotes.count()))
        record_texts = [r["description"] for r in RECORDS] + [
            tombstone_text(CollectionRecord.model_validate(r)) for r in RECORDS
        ]
        assert all(any(quotes.nth(i).inner_text() in t for t in record_texts) for i in range(quotes.count()))
        if status in ("answered", "corrected"):
            assert re.search(r"\[\d+\]", text), text  # every answer sentence carries its citation marker
        page.screenshot(path=str(_artifacts() / f"widget-{lang}.png"), full_page=True)
        assert not errors, errors
    finally:
        page.close()


def _artifacts() -> Path:
    path = REPO / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
