"""The staff object view shows the rights of a record's metadata, text and image, each label linked to its URI,
in a real browser (Debian's Chromium via Playwright) against the real server over records ingested from Linked
Art and LIDO. Requests to other hosts (image servers) are answered with a local 1x1 PNG."""

from __future__ import annotations

import pytest

from tests.browser_pages import BROWSER_MARKS, checked_page, shot
from tests.formats_store import build_formats_store
from tests.live_server import LiveServer

STAFF_KEY = "browser-rights-staff-key"

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    data_dir = build_formats_store(tmp_path_factory.mktemp("browser-rights") / "data", embedder)
    with LiveServer(data_dir, env={"MUSEUM_RAG_API_KEYS": STAFF_KEY, "MUSEUM_RAG_RATE_LIMIT_PER_MINUTE": "1000"}) as live:
        yield live


@pytest.fixture
def page(browser, server, request):
    yield from checked_page(browser, server.url, request.node.name, [])


def open_object(page, server, query: str, record_id: str):
    page.goto(server.url + "/staff")
    page.get_by_role("textbox", name="API key").fill(STAFF_KEY)
    page.keyboard.press("Enter")
    page.get_by_role("tab", name="Search").wait_for()
    page.get_by_role("searchbox", name="Search the records").fill(query)
    page.get_by_role("button", name="Search", exact=True).click()
    result = page.locator(f"li.result[data-record-id='{record_id}']")
    result.wait_for()
    result.locator(".result-title").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    return dialog


def test_staff_object_view_links_each_rights_label_to_its_uri(page, server):
    dialog = open_object(page, server, "lantern keeper's daughter", "harbour:LA-1904-17")
    rights = dialog.locator("dl.rights")
    image = rights.locator("dd[data-rights='image'] a")
    assert image.inner_text() == "In Copyright"
    assert image.get_attribute("href") == "http://rightsstatements.org/vocab/InC/1.0/"
    assert image.get_attribute("target") == "_blank" and "noopener" in image.get_attribute("rel")
    text = rights.locator("dd[data-rights='text'] a")
    assert text.inner_text() == "CC BY 4.0 (Creative Commons Attribution 4.0)"
    assert text.get_attribute("href") == "https://creativecommons.org/licenses/by/4.0/"
    metadata = rights.locator("dd[data-rights='metadata'] a")
    assert metadata.get_attribute("href") == "https://creativecommons.org/publicdomain/zero/1.0/"
    shot(page, "staff-object-rights")


def test_staff_object_view_says_when_rights_are_not_stated(page, server):
    dialog = open_object(page, server, "model of a pilot boat", "harbour:HTM-lido-0044")
    rights = dialog.locator("dl.rights")
    for part in ("metadata", "text", "image"):
        cell = rights.locator(f"dd[data-rights='{part}']")
        assert cell.inner_text() == "Rights not stated"
        assert cell.locator("a").count() == 0, "nothing to link to"
