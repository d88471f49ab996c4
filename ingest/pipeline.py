"""Idempotent, resumable ingestion: files -> records -> chunks -> vectors -> store.

* Point ids are deterministic (record id + chunk index), so re-running overwrites, never duplicates.
* A record is skipped when the store already holds all of its chunks with the same content hash
  and source; a changed record's chunks are upserted, then its surplus old chunks deleted.
* Records are written whole, one batch at a time; a run killed part-way leaves finished records
  complete and at most one record partial, which the next run finds and rewrites. So a
  resumed run ends with exactly the store of an uninterrupted one.
* Records stream through in batches of about ``upsert_batch_size`` chunks: a batch is chunked,
  embedded in a worker thread while the previous batch's sparse vectors and payloads are built and
  upserted and the next batch is chunked (the encoder releases the GIL), so ingest runs at about the
  encoder's speed and holds at most two batches of chunks and vectors, whatever the collection's size.
* After writing, the store builds its search index (:meth:`VectorStore.optimize`).

Example::

    summary = Ingestor(settings, store, embedder).run([Path("data/sample/npg_labels.jsonl")])
    print(summary.describe())
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from ingest.loaders import CsvMapping, LoadedRecord, LoadIssue, LoadResult, default_source, load_paths
from ingest.record_fields import LoadLimits
from rag.catalogue import CatalogueProfile
from rag.chunking import Chunker, embedding_text
from rag.sentence_vectors import attach_sentence_vectors
from rag.config import Settings
from rag.embedding import Embedder
from rag.models import Chunk, SearchFilters
from rag.sparse import Bm25Encoder
from rag.store import PointData, VectorStore, point_id
from rag.store.health import readable_points
from rag.store.model_record import check_embedding_model
from rag.store.space import ensure_free_space, estimate_write_bytes

log = logging.getLogger(__name__)


class IngestError(RuntimeError):
    """Input problems with ``strict`` set: nothing was written."""

    def __init__(self, issues: list[LoadIssue]) -> None:
        self.issues = issues
        lines = "\n".join(f"  {issue}" for issue in issues[:50])
        more = f"\n  ... and {len(issues) - 50} more" if len(issues) > 50 else ""
        super().__init__(f"{len(issues)} problem(s) in the input; nothing was written (--strict):\n{lines}{more}")


@dataclass
class IngestSummary:
    files: int = 0
    records_read: int = 0
    records_skipped: int = 0
    records_added: int = 0
    records_replaced: int = 0
    records_invalid: int = 0
    records_deleted: int = 0
    chunks_added: int = 0
    chunks_replaced: int = 0
    chunks_deleted: int = 0
    seconds: float = 0.0
    issues: list[LoadIssue] = field(default_factory=list)
    prune_skipped_reason: str | None = None
    unreadable: list[str] = field(default_factory=list)  # inputs missing or not readable at all

    def as_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "issues"}
        data["issues"] = [str(issue) for issue in self.issues]
        return data

    def describe(self) -> str:
        lines = [
            f"files: {self.files}",
            f"records: {self.records_read} read, {self.records_added} added, {self.records_replaced} replaced, "
            f"{self.records_skipped} unchanged (skipped), {self.records_invalid} invalid, {self.records_deleted} deleted",
            f"chunks: {self.chunks_added} added, {self.chunks_replaced} replaced, {self.chunks_deleted} deleted",
            f"seconds: {self.seconds:.1f}",
        ]
        if self.prune_skipped_reason:
            lines.append(f"prune skipped: {self.prune_skipped_reason}")
        return "\n".join(lines)


@dataclass
class _StoredRecord:
    content_hash: str | None
    source: str | None
    chunk_count: int
    points: int
    consistent: bool

    def complete(self, content_hash: str, source: str) -> bool:
        return self.consistent and self.content_hash == content_hash and self.source == source and (
            self.points == self.chunk_count
        )


ProgressFactory = Callable[[int], "object"]

#: One record to write: the loaded record, its chunks, and what the store held for it (None: new).
Pending = tuple[LoadedRecord, list[Chunk], "_StoredRecord | None"]

#: Chunks per encoder call inside a batch: small enough that the progress bar moves every few seconds.
PROGRESS_SLICE = 64


class Ingestor:
    """Writes collection files into a store."""

    def __init__(self, settings: Settings, store: VectorStore, embedder: Embedder) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.bm25 = Bm25Encoder()
        self.chunker = Chunker(
            embedder.count_tokens,
            max_tokens=min(settings.chunk_max_tokens, embedder.max_tokens),
            overlap_tokens=settings.chunk_overlap_tokens,
            thumbnail_size=settings.thumbnail_size,
            profile=CatalogueProfile.load(settings.catalogue_profile),
        )

    def run(
        self,
        paths: list[Path],
        source: str | None = None,
        prune: bool = False,
        strict: bool = False,
        csv_mapping: CsvMapping | None = None,
        show_progress: bool = False,
        fmt: str = "auto",
    ) -> IngestSummary:
        started = time.perf_counter()
        loaded = load_paths(
            paths, source=source, csv_mapping=csv_mapping, fmt=fmt, limits=LoadLimits.from_settings(self.settings)
        )
        summary = IngestSummary(files=loaded.files, records_read=len(loaded.records), issues=loaded.issues)
        summary.records_invalid = loaded.invalid
        for issue in loaded.issues:
            log.warning("%s", issue)
        if strict and loaded.issues:
            raise IngestError(loaded.issues)

        summary.unreadable = loaded.unreadable
        self._ensure_space(0)
        self.store.ensure_collection(self.embedder.dimension)
        check_embedding_model(self.store, self.embedder, record=True)
        stored = self._stored_records()
        bar = _Progress(len(loaded.records), show_progress)
        try:
            self._write(self._pending(loaded.records, stored, summary, bar), summary, bar)
        finally:
            bar.close()
        if prune:
            sources = {source} if source else {default_source(Path(p)) for p in paths}
            self._prune(loaded, sources, stored, summary)
        if summary.records_added or summary.records_replaced or summary.records_deleted:
            self.store.optimize()
        summary.seconds = time.perf_counter() - started
        return summary

    # --- internals ---------------------------------------------------------------
    def _stored_records(self) -> dict[str, _StoredRecord]:
        found: dict[str, _StoredRecord] = {}
        fields = ["record_id", "content_hash", "source", "chunk_count"]
        for point in readable_points(self.store, fields):  # damaged points are rewritten, not fatal
            p = point.payload
            rid = p.get("record_id")
            if rid is None:
                continue
            entry = found.get(rid)
            if entry is None:
                found[rid] = _StoredRecord(p.get("content_hash"), p.get("source"), _count(p.get("chunk_count")), 1, True)
                continue
            entry.points += 1
            same = (entry.content_hash, entry.source, entry.chunk_count) == (
                p.get("content_hash"),
                p.get("source"),
                _count(p.get("chunk_count")),
            )
            entry.consistent = entry.consistent and same
        return found

    def _pending(
        self, records: Iterable[LoadedRecord], stored: dict[str, _StoredRecord], summary: IngestSummary,
        bar: "_Progress",
    ) -> Iterator[Pending]:
        """The records to write, chunked lazily as the writer asks for them; unchanged ones are skipped."""
        for item in records:
            previous = stored.get(item.record.id)
            if previous is not None and previous.complete(self.chunker.content_hash(item.record), item.source):
                summary.records_skipped += 1
                bar.records(1)
                continue
            yield item, self.chunker.chunk(item.record, item.source), previous

    def _batches(self, pending: Iterable[Pending]) -> Iterator[list[Pending]]:
        """Whole records grouped into batches of at least ``upsert_batch_size`` chunks (the last may be smaller)."""
        batch: list[Pending] = []
        chunks = 0
        for entry in pending:
            batch.append(entry)
            chunks += len(entry[1])
            if chunks >= self.settings.upsert_batch_size:
                yield batch
                batch, chunks = [], 0
        if batch:
            yield batch

    def _write(self, pending: Iterable[Pending], summary: IngestSummary, bar: "_Progress | None" = None) -> None:
        """Embed batch n+1 in a worker thread while batch n is written and batch n+2 is chunked."""
        bar = bar or _Progress(0, False)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed") as pool:
            previous: tuple[list[Pending], list[str], Future] | None = None
            for batch in self._batches(pending):
                texts = [embedding_text(chunk) for _, record_chunks, _ in batch for chunk in record_chunks]
                future = pool.submit(self._embed, texts, bar)
                if previous is not None:
                    self._write_batch(previous[0], previous[1], previous[2].result(), summary, bar)
                previous = (batch, texts, future)
            if previous is not None:
                self._write_batch(previous[0], previous[1], previous[2].result(), summary, bar)

    def _embed(self, texts: list[str], bar: "_Progress") -> np.ndarray:
        """Vectors of ``texts``: sorted by length so each encoder batch pads little, in slices so progress shows."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.embedder.dimension), dtype=np.float32)
        for start in range(0, len(order), PROGRESS_SLICE):
            part = order[start : start + PROGRESS_SLICE]
            out[part] = self.embedder.embed_documents([texts[i] for i in part], batch_size=self.settings.embed_batch_size)
            bar.embedded(len(part))
        return out

    def _write_batch(
        self, batch: list[Pending], texts: list[str], dense: np.ndarray, summary: IngestSummary, bar: "_Progress"
    ) -> None:
        chunks = [chunk for _, record_chunks, _ in batch for chunk in record_chunks]
        attach_sentence_vectors(chunks, self.embedder, batch_size=self.settings.embed_batch_size)
        points = [
            PointData(
                id=point_id(chunk.record_id, chunk.chunk_index),
                dense=vector.tolist(),
                sparse=self.bm25.encode_document(text, lang=chunk.language),
                payload=self._payload(chunk, loaded),
            )
            for chunk, vector, text, loaded in zip(chunks, dense, texts, _owners(batch))
        ]
        self._ensure_space(estimate_write_bytes(points))
        self.store.upsert(points)
        for loaded, record_chunks, previous in batch:
            if previous is None:
                summary.records_added += 1
                summary.chunks_added += len(record_chunks)
                continue
            summary.records_replaced += 1
            summary.chunks_replaced += min(previous.points, len(record_chunks))
            summary.chunks_added += max(0, len(record_chunks) - previous.points)
            summary.chunks_deleted += max(0, previous.points - len(record_chunks))
            self.store.delete_record_chunks(loaded.record.id, from_chunk_index=len(record_chunks))
        bar.written(len(batch), len(chunks))

    def _ensure_space(self, needed_bytes: int) -> None:
        """Stop before a write could fill the embedded store's disk (raises DiskSpaceError)."""
        if self.settings.store == "embedded":
            ensure_free_space(self.settings.data_dir, self.settings.min_free_bytes, needed_bytes)

    @staticmethod
    def _payload(chunk: Chunk, loaded: LoadedRecord) -> dict:
        payload = chunk.payload()
        if chunk.chunk_index == 0:  # the whole record rides on its first chunk, for the object view
            payload["record"] = loaded.record.model_dump(mode="json", exclude_none=True)
        return payload

    def _prune(
        self, loaded: LoadResult, sources: set[str], stored: dict[str, _StoredRecord], summary: IngestSummary
    ) -> None:
        if loaded.errors:  # warnings kept their records
            summary.prune_skipped_reason = (
                "the input had problems, so records missing from it may only be unreadable; "
                "fix the input and run again with --prune"
            )
            log.warning("prune skipped: %s", summary.prune_skipped_reason)
            return
        keep = {item.record.id for item in loaded.records}
        for record_id, entry in stored.items():
            if entry.source in sources and record_id not in keep:
                self.store.delete_record_chunks(record_id)
                summary.records_deleted += 1
                summary.chunks_deleted += entry.points


def _count(value: object) -> int:
    """A stored chunk_count, or -1 (never complete, so the record is rewritten) when damaged."""
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


class _Progress:
    """The ingest progress bar: records done (written or skipped) out of those read, and chunks embedded and written.

    It moves after every slice of ``PROGRESS_SLICE`` embedded chunks, so every few seconds at most.
    """

    def __init__(self, total_records: int, enabled: bool) -> None:
        self._bar = None
        self._embedded = self._written = 0
        if enabled and total_records:
            from tqdm import tqdm

            self._bar = tqdm(total=total_records, desc="ingest", unit="record", mininterval=0.5)

    def records(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def embedded(self, n: int) -> None:
        self._embedded += n
        self._show()

    def written(self, records: int, chunks: int) -> None:
        self._written += chunks
        self.records(records)
        self._show()

    def _show(self) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(f"chunks embedded {self._embedded}, written {self._written}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _owners(batch: list[Pending]):
    for loaded, record_chunks, _ in batch:
        for _ in record_chunks:
            yield loaded


def count_records(store: VectorStore, filters: SearchFilters | None = None) -> int:
    """Number of distinct records in the store."""
    return len({p.payload.get("record_id") for p in store.scroll(filters, fields=["record_id"])})
