"""A full disk under the served API (issue 13, item 3): writes stop with a clear error, answering goes on.

The server runs in its own mount namespace with its data directory on a small tmpfs the test
mounts (``unshare --user --map-root-user --mount``); a helper in that namespace fills the
tmpfs to the last byte on request, then frees it again. Skipped, with the reason, where
unprivileged namespaces or tmpfs mounts are not allowed.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import make_settings
from tests.live_server import LiveServer
from tests.robust_api_data import ORDINARY, build_store

ADMIN = "robust-disk-admin-key"
QUESTION = "Who made the copper kettle?"
LAUNCHER_SCRIPT = r"""
set -e
mount -t tmpfs -o size=160m tmpfs "$RA_MNT"
cp -a "$RA_SRC/." "$RA_MNT/"
(
  while [ ! -e "$RA_CTL/fill" ]; do sleep 0.1; done
  dd if=/dev/zero of="$RA_MNT/filler" bs=65536 2>/dev/null || true
  touch "$RA_CTL/filled"
  while [ ! -e "$RA_CTL/free" ]; do sleep 0.1; done
  rm -f "$RA_MNT/filler"
  touch "$RA_CTL/freed"
) &
exec "$@"
"""
UNSHARE = ["unshare", "--user", "--map-root-user", "--mount"]


def tmpfs_allowed(where: Path) -> str | None:
    """None when this machine lets the test mount a tmpfs in a namespace, else why not."""
    if shutil.which("unshare") is None:
        return "unshare(1) is not installed"
    where.mkdir(parents=True, exist_ok=True)
    probe = subprocess.run([*UNSHARE, "sh", "-c", f'mount -t tmpfs -o size=1m tmpfs "{where}"'],
                           capture_output=True, text=True, timeout=30)
    return None if probe.returncode == 0 else f"mounting a tmpfs is not allowed here: {probe.stderr.strip()}"


def wait_for(path: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} did not appear"
        time.sleep(0.1)


def assert_507(response: httpx.Response, mount: Path) -> None:
    assert response.status_code == 507, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail = response.json()["detail"]
    assert "MUSEUM_RAG_DATA_DIR" in detail and "Answering questions goes on" in detail
    assert str(mount) not in detail, "no server path in a response"


def test_a_full_disk_stops_writes_cleanly_and_answering_goes_on(tmp_path, embedder):
    mount, control, source = tmp_path / "mnt", tmp_path / "control", tmp_path / "source"
    reason = tmpfs_allowed(mount)
    if reason:
        pytest.skip(reason)
    control.mkdir()
    build_store(make_settings(source), embedder, ORDINARY)
    env = {
        "RA_MNT": str(mount), "RA_CTL": str(control), "RA_SRC": str(source),
        "MUSEUM_RAG_ADMIN_KEYS": ADMIN, "MUSEUM_RAG_RATE_LIMIT_PER_MINUTE": "1000",
        "MUSEUM_RAG_MIN_FREE_BYTES": str(1024 * 1024),
    }
    admin = {"Authorization": f"Bearer {ADMIN}"}
    upload = {"files": ("more.jsonl", b'{"id": "test:cup", "title": "Tin cup", "description": "A tin cup made in 1850."}\n')}
    server = LiveServer(mount, env=env, log_path=tmp_path / "server.log",
                        launcher=[*UNSHARE, "sh", "-c", LAUNCHER_SCRIPT, "sh"])
    try:
        with server:
            first = httpx.post(server.url + "/v1/ask", json={"question": QUESTION}, timeout=120)
            assert first.status_code == 200 and first.json()["status"] == "answered"

            (control / "fill").touch()
            wait_for(control / "filled")
            for _ in range(2):
                answer = httpx.post(server.url + "/v1/ask", json={"question": QUESTION}, timeout=120)
                assert answer.status_code == 200 and answer.json()["status"] == "answered", answer.text
            ready = httpx.get(server.url + "/readyz", timeout=60)
            assert ready.status_code == 200 and ready.json()["feedback"] == "failing"
            rated = httpx.post(server.url + "/v1/feedback", json={"answer_id": first.json()["answer_id"], "rating": "up"})
            assert_507(rated, mount)
            assert_507(httpx.post(server.url + "/v1/ingest", files=upload, headers=admin, timeout=120), mount)
            log = server.log()
            assert f"data directory {mount}" in log and "refused" in log, log[-2000:]
            assert "Traceback" not in log

            (control / "free").touch()
            wait_for(control / "freed")
            answer = httpx.post(server.url + "/v1/ask", json={"question": QUESTION}, timeout=120)
            assert answer.status_code == 200
            assert httpx.get(server.url + "/readyz", timeout=60).json()["feedback"] == "ok"
            rated = httpx.post(server.url + "/v1/feedback", json={"answer_id": answer.json()["answer_id"], "rating": "up"})
            assert rated.status_code == 201
            ingested = httpx.post(server.url + "/v1/ingest", files=upload, headers=admin, timeout=300)
            assert ingested.status_code == 200 and ingested.json()["records_added"] == 1
        assert server.process.returncode in (0, -15), "the server stopped cleanly, no SIGBUS"
    finally:
        for name in ("fill", "free"):
            (control / name).touch()
