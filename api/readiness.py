"""Is the store whole? What ``/readyz`` checks beyond "the process is up".

* At a clean shutdown the server records the store's point count (:func:`record_point_count`)
  and removes the record at start-up, so only a clean close leaves one.
* At start-up (:func:`inspect_store`) every stored payload is read back as a chunk: a
  truncated payload page shows up here, not as a 500 on a visitor's question.
* On every ``/readyz`` (:func:`probe_store`) the server runs a real query and compares the
  point count with what is expected: the count at the last clean close, or after the
  server's own last ingest. Fewer points (say a truncated id tracker) means not ready,
  with a message that says to run ``museum-rag check``.

The ``robust-ingest`` work records the count when the store itself closes cleanly and adds
``museum-rag check``; once merged, :func:`recorded_point_count` should read that record
(see docs/robustness.md).

Example::

    health = inspect_store(museum, settings)       # once, at start-up
    problems = probe_store(museum, health)         # each /readyz: [] when ready
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from rag.config import Settings
from rag.models import Chunk
from rag.pipeline import MuseumRAG

log = logging.getLogger(__name__)
RECORD_NAME = "clean-close.json"
PROBE_QUERY = "object"
CHECK_HINT = "run `museum-rag check` to see which records to re-ingest"


@dataclass
class StoreHealth:
    """What start-up found; ``expected_points`` moves with the server's own writes."""

    expected_points: int | None = None
    unreadable: list[str] = field(default_factory=list)  # point ids whose payload is not a readable chunk
    error: str | None = None
    #: Start-up found the store short or unreadable: a clean close records the expected count again (not the
    #: short one), so restarting does not hide the damage; the server's next ingest clears it.
    hold_expected: bool = False

    def count_to_record(self, count: int) -> int:
        return self.expected_points if self.hold_expected and self.expected_points is not None else count

    def after_ingest(self, count: int) -> None:
        """The server's own ingest wrote the store: its count is now the expected one (unreadable points stay
        reported until a restart reads the store again)."""
        self.expected_points = count
        self.hold_expected = bool(self.unreadable or self.error)


def _record_path(settings: Settings) -> Path:
    return settings.data_dir / RECORD_NAME


def record_point_count(settings: Settings, count: int) -> None:
    """Write the point count at a clean close (embedded store only: a shared server changes under us)."""
    if settings.store != "embedded":
        return
    try:
        _record_path(settings).write_text(json.dumps({"points": int(count)}), encoding="utf-8")
    except OSError as exc:
        log.warning("could not record the store's point count in %s: %s", settings.data_dir, exc)


def recorded_point_count(settings: Settings) -> int | None:
    """The point count recorded at the last clean close, or None (none recorded, unreadable, or not embedded)."""
    if settings.store != "embedded":
        return None
    try:
        return int(json.loads(_record_path(settings).read_text(encoding="utf-8"))["points"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def forget_point_count(settings: Settings) -> None:
    """Remove the record while the store is open: a crash must not leave a stale one."""
    try:
        _record_path(settings).unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not remove %s: %s", _record_path(settings), exc)


def inspect_store(museum: MuseumRAG, settings: Settings) -> StoreHealth:
    """Read every payload back as a chunk; take over (and forget) the count of the last clean close."""
    health = StoreHealth(expected_points=recorded_point_count(settings))
    forget_point_count(settings)
    try:
        for point in museum.store.scroll():
            try:
                Chunk.model_validate({k: v for k, v in point.payload.items() if k != "record"})
            except (ValidationError, ValueError, TypeError):
                health.unreadable.append(point.id)
    except Exception as exc:  # noqa: BLE001 - any engine error reading the store is what we look for
        health.error = f"reading the stored points failed: {type(exc).__name__}"
        log.error("store check: %s (%s)", health.error, exc)
    try:
        count = museum.store.count()
    except Exception:  # noqa: BLE001 - reported by /readyz
        count = None
    health.hold_expected = bool(health.unreadable or health.error) or (
        health.expected_points is not None and count != health.expected_points
    )
    if health.expected_points is not None and count is not None and count != health.expected_points:
        log.error("store check: the store holds %d points; it held %d when last closed cleanly; %s",
                  count, health.expected_points, CHECK_HINT)
    if health.unreadable:
        log.error("store check: %d point(s) have unreadable payloads, e.g. %s; %s", len(health.unreadable),
                  ", ".join(health.unreadable[:5]), CHECK_HINT)
    return health


def probe_store(museum: MuseumRAG, health: StoreHealth) -> tuple[int, list[str]]:
    """A real query and the point count; returns the count and the problems found ([] when ready)."""
    problems: list[str] = []
    count = museum.store.count()
    if health.error:
        problems.append(f"At start-up, {health.error}.")
    if health.unreadable:
        problems.append(f"{len(health.unreadable)} stored point(s) can't be read back.")
    if health.expected_points is not None and count != health.expected_points:
        problems.append(f"The store holds {count} points; it held {health.expected_points} when last closed cleanly.")
    try:
        hits = museum.search(PROBE_QUERY, limit=1)
    except Exception as exc:  # noqa: BLE001 - e.g. a payload the engine can't read
        log.error("readiness query failed: %s", exc)
        problems.append("A test query against the store failed.")
    else:
        if count and not hits:
            problems.append("A test query against the store found nothing though the store holds points.")
    if problems:
        problems.append(CHECK_HINT[0].upper() + CHECK_HINT[1:] + ".")
    return count, problems
