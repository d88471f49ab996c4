"""Is the store whole? What ``/readyz`` checks beyond "the process is up".

The store records what it held at its last clean close (``rag/store/manifest.py``) and
``rag.store.health`` compares a store with that record:

* at start-up, and after each ingest this server runs, :func:`inspect_store` reads every
  point back (:func:`rag.store.health.check_store`): unreadable payloads and incomplete
  records show up here, not as a 500 on a visitor's question;
* on every ``/readyz``, :func:`probe_store` runs the cheap
  :func:`rag.store.health.quick_check` (the point count against the last clean close, a
  sample of payloads read back) and a real query.

Any problem makes ``/readyz`` 503 with a message that says to run ``museum-rag check``. A
server that only reads never rewrites the record, so restarting does not hide lost points.

Example::

    health = inspect_store(museum)              # at start-up, in a worker thread
    count, problems = probe_store(museum, health)   # each /readyz: [] when ready
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from rag.pipeline import MuseumRAG
from rag.store.health import check_store, quick_check

log = logging.getLogger(__name__)
PROBE_QUERY = "object"
QUICK_SAMPLE = 8
CHECK_HINT = "Run `museum-rag check` (with the server stopped) to see which records to re-ingest."


@dataclass
class StoreHealth:
    """What the last full check found."""

    problems: list[str] = field(default_factory=list)
    records_to_reingest: int = 0
    expected_points: int | None = None


def inspect_store(museum: MuseumRAG) -> StoreHealth:
    """Read every stored point back; log what is wrong (with the records to re-ingest)."""
    try:
        report = check_store(museum.store)
    except Exception as exc:  # noqa: BLE001 - any engine error reading the store is what we look for
        log.error("store check failed: %s", exc)
        return StoreHealth(problems=[f"the store could not be read back ({type(exc).__name__})"])
    health = StoreHealth(list(report.problems), len(report.records_to_reingest), report.expected_points)
    if report.records_to_reingest:
        health.problems.append(f"{len(report.records_to_reingest)} record(s) are incomplete or unreadable")
    if health.problems:
        log.error("store check: %s. %s", "; ".join(health.problems), CHECK_HINT)
    for warning in report.warnings:
        log.warning("store check: %s", warning)
    return health


def probe_store(museum: MuseumRAG, health: StoreHealth) -> tuple[int, list[str]]:
    """The point count and the problems found ([] when ready): the last full check, a quick check, a real query."""
    quick = quick_check(museum.store, sample=QUICK_SAMPLE)
    problems = list(dict.fromkeys(health.problems + quick.problems))
    if quick.expected_points is not None:
        health.expected_points = quick.expected_points
    try:
        hits = museum.search(PROBE_QUERY, limit=1)
    except Exception as exc:  # noqa: BLE001 - e.g. a payload the engine can't read
        log.error("readiness query failed: %s", exc)
        problems.append("a test query against the store failed")
    else:
        if quick.points and not hits:
            problems.append("a test query against the store found nothing though the store holds points")
    if problems:
        problems = [_sentence(p) for p in problems] + [CHECK_HINT]
    return quick.points, problems


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[0].upper() + text[1:]).rstrip(".") + "." if text else text
