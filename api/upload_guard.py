"""Limits of an admin upload's ingest: record size, free space between batches, and the client's presence.

* :func:`check_record_sizes` refuses (413, naming file and line) a record larger than
  ``max_record_bytes`` before anything is embedded: one huge record would hold the ingest
  lock for as long as its embedding takes.
* :class:`GuardedStore` wraps the store the :class:`ingest.pipeline.Ingestor` writes to:
  before each batch it checks that the client is still there and that the data directory
  has room (:func:`api.diskspace.ensure_free`). Batches hold whole records, so stopping
  between them leaves no partial record; re-sending the files finishes the job.
* :func:`run_until_disconnected` runs the ingest in a worker thread and cancels it (at
  the next batch) when the client disconnects.

Example::

    guard = GuardedStore(museum.store, settings)
    summary = await run_until_disconnected(request, lambda: Ingestor(settings, guard, embedder).run(paths), guard)
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Callable, TypeVar

import anyio
from fastapi import Request

from api.diskspace import ensure_free
from api.problems import Problem
from rag.config import Settings
from rag.store.base import PointData, VectorStore

T = TypeVar("T")
LINE_RECORDS = {".jsonl", ".ndjson", ".csv"}
TEXT_DOCUMENTS = {".txt", ".md", ".markdown", ".html", ".htm"}
#: Bytes a stored point takes beyond its payload's JSON (vectors, index entries), for the free-space estimate.
POINT_OVERHEAD = 8 * 1024


class IngestCancelled(Exception):
    """The client went away; the ingest stopped between two batches."""


def _too_large(name: str, where: str, size: int, limit: int) -> Problem:
    return Problem(
        413,
        f"{name}{where}: a record of {size} bytes; the limit is {limit} bytes (MUSEUM_RAG_MAX_RECORD_BYTES). "
        "Nothing was written.",
        title="Record Too Large",
    )


def check_record_sizes(path: Path, limit: int) -> None:
    """Raise a 413 :class:`Problem` naming the file and line of the first record over ``limit`` bytes."""
    suffix = path.suffix.lower()
    if suffix in LINE_RECORDS:
        with path.open("rb") as handle:
            for number, line in enumerate(iter(lambda: handle.readline(limit + 2), b""), start=1):
                size = len(line.rstrip(b"\r\n"))
                if size > limit:
                    raise _too_large(path.name, f" line {number}", size, limit)
    elif suffix in TEXT_DOCUMENTS:
        size = path.stat().st_size
        if size > limit:
            raise _too_large(path.name, "", size, limit)
    elif suffix == ".json" and path.stat().st_size > limit:
        try:
            data = json.loads(path.read_bytes())
        except (ValueError, RecursionError):
            return  # the loader reports what is wrong with it, by file
        records = data if isinstance(data, list) else data.get("records", [data]) if isinstance(data, dict) else []
        for index, record in enumerate(records if isinstance(records, list) else []):
            size = len(json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass"))
            if size > limit:
                raise _too_large(path.name, f" record {index + 1}", size, limit)


class GuardedStore:
    """A :class:`VectorStore` whose writes first check the cancel flag and the free space."""

    def __init__(self, store: VectorStore, settings: Settings) -> None:
        self._store = store
        self._settings = settings
        self.cancelled = threading.Event()
        self.points_written = 0

    def upsert(self, points: list[PointData]) -> None:
        if self.cancelled.is_set():
            raise IngestCancelled()
        needed = sum(len(json.dumps(p.payload, ensure_ascii=False)) + POINT_OVERHEAD for p in points)
        ensure_free(self._settings, needed=needed, what="the ingest")
        self._store.upsert(points)
        self.points_written += len(points)

    def written_note(self) -> str:
        if not self.points_written:
            return "Nothing was written."
        return (f"{self.points_written} chunk(s) of whole records were written before the stop; "
                "re-sending the same files completes the ingest (unchanged records are skipped).")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


async def run_until_disconnected(request: Request, work: Callable[[], T], guard: GuardedStore, poll: float = 0.5) -> T:
    """``work()`` in a worker thread; sets ``guard.cancelled`` when the client disconnects meanwhile."""
    finished = anyio.Event()

    async def watch() -> None:
        while not finished.is_set():
            if await request.is_disconnected():
                guard.cancelled.set()
                return
            with anyio.move_on_after(poll):
                await finished.wait()

    result: T | None = None
    error: Exception | None = None
    async with anyio.create_task_group() as group:
        group.start_soon(watch)
        try:
            result = await anyio.to_thread.run_sync(work)
        except Exception as exc:  # noqa: BLE001 - re-raised as itself below, not wrapped in an ExceptionGroup
            error = exc
        finally:
            finished.set()
    if error is not None:
        raise error
    return result  # type: ignore[return-value]
