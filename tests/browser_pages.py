"""What the browser tests share: Debian's Chromium, an offline page that fails its test on any error it
did not expect, a served copy of a store with one invented record uploaded through the API, screenshots.

Example::

    pytestmark = BROWSER_MARKS

    @pytest.fixture(scope="module")
    def server(tmp_path_factory, sample_store_dir):
        with served_with_upload(copy_sample_store(...), env, RECORD, "mytest", ADMIN_KEY) as live:
            yield live

    @pytest.fixture
    def page(browser, server, request):
        yield from checked_page(browser, server.url, request.node.name, [])
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from tests.live_server import REPO, LiveServer

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
#: Answer to every image request to another host (the museum's image server): there is no network here.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8cf"
    "c0f01f0005000201a5d6b0a80000000049454e44ae426082"
)
BROWSER_MARKS = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium; `make system-deps`)"
    ),
]


@contextmanager
def served_with_upload(
    data_dir: Path, env: dict[str, str], record: dict[str, Any], source: str, admin_key: str
) -> Iterator[LiveServer]:
    """``museum-rag serve`` on ``data_dir``, with ``record`` ingested through ``POST /v1/ingest`` first."""
    with LiveServer(data_dir, env=env) as live:
        upload = httpx.post(
            live.url + "/v1/ingest",
            files={"files": (f"{source}.jsonl", json.dumps(record).encode(), "application/x-ndjson")},
            data={"source": source}, headers={"Authorization": f"Bearer {admin_key}"}, timeout=60,
        )  # fmt: skip
        assert upload.status_code == 200 and upload.json()["records_added"] == 1, upload.text
        yield live


def checked_page(
    browser,
    server_url: str,
    test_name: str,
    expected_errors: list[str],
    abort_offsite: bool = False,
    timeout_ms: int = 20_000,
    **context_options: Any,
):
    """A fresh page (a generator for a fixture): fails ``test_name`` on any console or page error it did not expect.

    Requests to other hosts get a local 1x1 PNG; with ``abort_offsite``, only images do, anything else
    is aborted and fails the test (the page must work offline).
    """
    context = browser.new_context(viewport={"width": 1280, "height": 860}, **context_options)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    offsite: list[str] = []

    def offline(route):
        if route.request.url.startswith(server_url):
            route.continue_()
        elif not abort_offsite or route.request.resource_type == "image":
            route.fulfill(status=200, content_type="image/png", body=PNG_1X1)
        else:
            offsite.append(route.request.url)
            route.abort()

    tab.route("**/*", offline)
    tab.set_default_timeout(timeout_ms)
    yield tab
    context.close()
    unexpected = [p for p in problems if not any(e in p for e in expected_errors)]
    assert not unexpected, f"{test_name}: {unexpected}"
    assert not offsite, f"{test_name} tried to load from other hosts: {offsite}"


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)
