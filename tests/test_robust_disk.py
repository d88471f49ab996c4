"""A full disk during `museum-rag ingest` (the real CLI, on a small tmpfs this test mounts): the
ingest stops with a clear error naming the data directory, never dies of SIGBUS, loses nothing
already stored, and the same command completes once space is freed."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from rag.store.space import DiskSpaceError, ensure_free_space, free_bytes
from tests.conftest import REPO
from tests.invented_export import write_export

MIN_FREE = 1_000_000
SLACK = 8 * 1024 * 1024  # rag.store.space._SLACK_BYTES: budgeted on top of every batch


@pytest.fixture
def small_disk(tmp_path) -> Path:
    mount_point = tmp_path / f"disk-{uuid.uuid4().hex[:8]}"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def _env(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "MUSEUM_RAG_DATA_DIR": str(data_dir),
        "MUSEUM_RAG_STORE": "embedded",
        "MUSEUM_RAG_EMBED_BACKEND": "onnx",
        "MUSEUM_RAG_MIN_FREE_BYTES": str(MIN_FREE),
        "MUSEUM_RAG_UPSERT_BATCH_SIZE": "16",
    }


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], cwd=REPO, env=_env(data_dir), capture_output=True, text=True,
        timeout=900,
    )  # fmt: skip


def test_free_space_below_the_minimum_is_refused_naming_the_directory(tmp_path):
    with pytest.raises(DiskSpaceError, match=str(tmp_path.resolve())):
        ensure_free_space(tmp_path, min_free_bytes=free_bytes(tmp_path) + 1)
    ensure_free_space(tmp_path, min_free_bytes=0)


def test_a_full_disk_stops_the_ingest_cleanly_and_loses_nothing(small_disk, tmp_path):
    data_dir = small_disk / "data"
    first = write_export(tmp_path / "first.jsonl", count=20)
    second = write_export(tmp_path / "second.jsonl", count=60, first=20)

    done = _cli(data_dir, "ingest", str(first), "--source", "lowmere", "--json")
    assert done.returncode == 0, done.stderr

    # start the next ingest; once its first batch is written (the progress bar says "written N"), fill the disk but for a little room
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "ingest", str(second), "--source", "lowmere-2"],
        cwd=REPO, env=_env(data_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    stderr_chunks: list[bytes] = []
    first_batch = threading.Event()

    def read_stderr() -> None:
        while chunk := process.stderr.read1(4096):
            stderr_chunks.append(chunk)
            if re.search(rb"written [1-9]", b"".join(stderr_chunks[-50:])):
                first_batch.set()
        first_batch.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    first_batch.wait(timeout=600)
    filler = small_disk / "filler.bin"
    room = free_bytes(small_disk) - (MIN_FREE + SLACK + 200_000)
    with filler.open("wb") as handle:
        for _ in range(room // (1 << 20)):
            handle.write(b"\0" * (1 << 20))
        handle.write(b"\0" * (room % (1 << 20)))
    stdout = process.stdout.read().decode()
    process.wait(timeout=900)
    reader.join(timeout=60)
    stderr = b"".join(stderr_chunks).decode(errors="replace")
    full = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    assert full.returncode == 1, full.stdout + full.stderr
    assert full.returncode != -signal.SIGBUS
    assert "not enough free disk space for the data directory" in full.stderr
    assert str(data_dir.resolve()) in full.stderr
    assert "Traceback" not in full.stderr

    checked = _cli(data_dir, "check", "--json")  # everything stored is complete; nothing of the first run lost
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert '"records": ' in checked.stdout
    stored = int(checked.stdout.split('"records": ')[1].split(",")[0])
    assert 20 < stored < 80  # stopped part-way, between batches
    print(f"stopped with {stored - 20} of 60 new records stored")

    filler.unlink()
    resumed = _cli(data_dir, "ingest", str(second), "--source", "lowmere-2", "--json")
    assert resumed.returncode == 0, resumed.stderr
    final = _cli(data_dir, "check", "--json")
    assert final.returncode == 0 and '"records": 80' in final.stdout
    shutil.rmtree(data_dir)
