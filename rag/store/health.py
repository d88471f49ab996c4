"""Is the store whole? Detect lost points, incomplete records and unreadable payloads.

Two checks, on any :class:`VectorStore`, without the embedding model:

* :func:`check_store` reads every point: each record has all of its ``chunk_count`` chunks
  (indexes 0..n-1, the whole record on chunk 0), every payload is readable and reads back as
  a chunk, and the point count matches what the store recorded at its last clean close. It
  names the records (and sources) to re-ingest. ``museum-rag check`` prints it.
* :func:`quick_check` is cheap enough for a readiness probe: the point count against the last
  clean close, and a sample of payloads read back.

Example::

    report = check_store(store)
    if not report.ok:
        print(report.describe())
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from rag.store.base import ScoredPayload, VectorStore
from rag.store.payloads import chunk_from_payload

_BATCH = 256
_LISTED = 100  # records listed by describe()


@dataclass
class RecordProblem:
    record_id: str
    source: str | None
    problem: str


@dataclass
class StoreReport:
    """What a check found. ``ok`` is False when something stored is lost or unreadable."""

    points: int = 0
    records: int = 0
    points_checked: int = 0
    #: Points recorded at the last clean close (None: no record, or written since this process opened it).
    expected_points: int | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    records_to_reingest: list[RecordProblem] = field(default_factory=list)
    sources_to_reingest: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.records_to_reingest

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    def describe(self) -> str:
        lines = [f"points: {self.points} ({self.points_checked} read), records: {self.records}"]
        if self.expected_points is not None:
            lines.append(f"points at the last clean close: {self.expected_points}")
        lines += [f"problem: {p}" for p in self.problems]
        lines += [f"warning: {w}" for w in self.warnings]
        if self.records_to_reingest:
            lines.append(f"records to re-ingest ({len(self.records_to_reingest)}):")
            lines += [
                f"  {r.record_id}" + (f" (source {r.source})" if r.source else "") + f": {r.problem}"
                for r in self.records_to_reingest[:_LISTED]
            ]
            if len(self.records_to_reingest) > _LISTED:
                lines.append(f"  ... and {len(self.records_to_reingest) - _LISTED} more (--json lists all)")
        if self.sources_to_reingest:
            lines.append("re-ingest these sources (`museum-rag ingest FILES --source NAME`): " + ", ".join(self.sources_to_reingest))
        lines.append("store OK" if self.ok else "store DAMAGED: re-ingest what is listed above")
        return "\n".join(lines)


def _compare_with_manifest(store: VectorStore, points: int, report: StoreReport) -> dict[str, Any]:
    manifest = store.recorded_state() or {}
    if not manifest:
        return {}
    if manifest.get("clean") is False:
        report.warnings.append(
            "the last process that wrote this store did not close it cleanly (killed, crashed or still running); "
            "at most the records it was writing are incomplete"
        )
        return manifest
    expected = manifest.get("points")
    if not isinstance(expected, int) or store.written_since_open():
        return manifest
    report.expected_points = expected
    if points < expected:
        report.problems.append(
            f"the store holds {points} points, but held {expected} at its last clean close "
            f"({manifest.get('closed_at', 'time unknown')}): {expected - points} points are lost"
        )
    elif points > expected:
        report.problems.append(
            f"the store holds {points} points, but held {expected} at its last clean close: "
            "it was changed without a clean close"
        )
    return manifest


def _read_payloads(store: VectorStore, ids: list[str], report: StoreReport) -> tuple[dict[str, dict], list[str]]:
    """Payloads by point id, and the ids whose payload the engine cannot read."""
    found: dict[str, dict] = {}
    unreadable: list[str] = []
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        try:
            found.update(store.retrieve_payloads(batch))
            continue
        except Exception:  # find the damaged ones, one by one
            pass
        for point_id in batch:
            try:
                found.update(store.retrieve_payloads([point_id]))
            except Exception as exc:
                unreadable.append(point_id)
                if len(unreadable) == 1:
                    report.problems.append(f"payload of point {point_id} cannot be read: {exc}")
    return found, unreadable


def check_store(store: VectorStore) -> StoreReport:
    """Read every point of ``store`` and say what is lost, incomplete or unreadable."""
    report = StoreReport()
    try:
        report.points = store.count()
        ids = list(store.iter_point_ids())
    except Exception as exc:
        report.problems.append(f"the store cannot be read: {exc}")
        return report
    manifest = _compare_with_manifest(store, report.points, report)
    if not ids and not manifest:
        report.warnings.append("the store is empty: run `museum-rag ingest` first")
    payloads, unreadable = _read_payloads(store, ids, report)
    report.points_checked = len(payloads)
    if unreadable:
        report.problems.append(f"{len(unreadable)} of {len(ids)} points have a payload that cannot be read")

    chunks: dict[str, list[dict]] = defaultdict(list)
    for point_id, payload in payloads.items():
        record_id = payload.get("record_id")
        if not isinstance(record_id, str):
            report.problems.append(f"point {point_id} has no record id")
            continue
        chunks[record_id].append(payload)
    report.records = len(chunks)
    bad: dict[str, RecordProblem] = {}
    for record_id, payload_list in sorted(chunks.items()):
        problem = _record_problem(payload_list)
        if problem:
            source = payload_list[0].get("source")
            bad[record_id] = RecordProblem(record_id, source if isinstance(source, str) else None, problem)

    if unreadable:  # name the records of unreadable points from the index, which is stored apart from payloads
        _records_with_unreadable_points(store, chunks, bad)
    report.records_to_reingest = list(bad.values())
    report.sources_to_reingest = _sources_to_reingest(manifest, chunks, bad, report)
    return report


def _record_problem(payloads: list[dict]) -> str | None:
    counts = {p.get("chunk_count") for p in payloads}
    if len(counts) != 1 or not isinstance(next(iter(counts)), int):
        return "its chunks disagree on how many chunks it has (an interrupted update)"
    expected = next(iter(counts))
    indexes = sorted(p.get("chunk_index") for p in payloads if isinstance(p.get("chunk_index"), int))
    if indexes != list(range(expected)):
        missing = sorted(set(range(expected)) - set(indexes))
        return f"{len(payloads)} of {expected} chunks present" + (f" (missing {missing[:10]})" if missing else "")
    first = next(p for p in payloads if p.get("chunk_index") == 0)
    if not isinstance(first.get("record"), dict):
        return "its first chunk lacks the stored record"
    for payload in payloads:
        chunk, problems = chunk_from_payload(payload)
        if chunk is None:
            return f"chunk {payload.get('chunk_index')} cannot be read back: {'; '.join(problems)[:200]}"
        if problems:
            return f"chunk {payload.get('chunk_index')} has unreadable fields: {'; '.join(problems)[:200]}"
    return None


def _records_with_unreadable_points(store: VectorStore, chunks: dict[str, list[dict]], bad: dict[str, RecordProblem]) -> None:
    try:
        indexed = store.facet("record_id", limit=max(len(chunks) * 2, 1000) + 1000)
    except Exception:
        return
    for record_id, count in indexed:
        readable = len(chunks.get(str(record_id), []))
        if readable < count and str(record_id) not in bad:
            source = chunks[str(record_id)][0].get("source") if chunks.get(str(record_id)) else None
            bad[str(record_id)] = RecordProblem(
                str(record_id), source if isinstance(source, str) else None,
                f"{count - readable} of its {count} chunks cannot be read",
            )  # fmt: skip


def _sources_to_reingest(
    manifest: dict[str, Any], chunks: dict[str, list[dict]], bad: dict[str, RecordProblem], report: StoreReport
) -> list[str]:
    sources = {problem.source for problem in bad.values() if problem.source}
    recorded = manifest.get("sources") if report.expected_points is not None else None
    if isinstance(recorded, dict):
        present: dict[str, int] = defaultdict(int)
        for payload_list in chunks.values():
            present[str(payload_list[0].get("source"))] += 1
        for name, count in recorded.items():
            if isinstance(count, int) and present.get(name, 0) < count:
                report.problems.append(
                    f"source {name!r} had {count} records at the last clean close, {present.get(name, 0)} now"
                )
                sources.add(name)
    return sorted(sources)


def readable_points(store: VectorStore, fields: list[str] | None = None) -> list[ScoredPayload]:
    """Every point with the payload ``fields``, skipping points whose payload the engine cannot read.

    Ingest reads the store through this, so re-ingesting repairs a store with damaged payloads
    (the unreadable points' records look missing, and are written again over the same ids).
    """
    try:
        return list(store.scroll(fields=fields))
    except Exception:
        pass
    found, _ = _read_payloads(store, list(store.iter_point_ids()), StoreReport())
    return [
        ScoredPayload(point_id, 0.0, payload if fields is None else {k: payload[k] for k in fields if k in payload})
        for point_id, payload in found.items()
    ]


def quick_check(store: VectorStore, sample: int = 32) -> StoreReport:
    """A cheap readiness check: the point count against the last clean close, and ``sample`` payloads read back."""
    report = StoreReport()
    try:
        report.points = store.count()
        ids = []
        for point_id in store.iter_point_ids(batch=sample):
            ids.append(point_id)
            if len(ids) >= sample:
                break
    except Exception as exc:
        report.problems.append(f"the store cannot be read: {exc}")
        return report
    _compare_with_manifest(store, report.points, report)
    payloads, unreadable = _read_payloads(store, ids, report)
    report.points_checked = len(payloads)
    for point_id, payload in payloads.items():
        chunk, problems = chunk_from_payload(payload)
        if chunk is None or problems:
            report.problems.append(f"point {point_id} reads back badly: {'; '.join(problems)[:200]}")
            break
    return report
