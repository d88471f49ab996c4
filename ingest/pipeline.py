"""Idempotent, resumable ingestion: files -> records -> chunks -> vectors -> store.

* Point ids are deterministic (record id + chunk index), so re-running overwrites, never duplicates.
* A record is skipped when the store already holds all of its chunks with the same content hash
  and source; a changed record's chunks are upserted, then its surplus old chunks deleted.
* Records are written whole, one batch at a time; a run killed part-way leaves finished records
  complete and at most one record partial, which the next run finds and rewrites. So a
  resumed run ends with exactly the store of an uninterrupted one.

Example::

    summary = Ingestor(settings, store, embedder).run([Path("data/sample/npg_labels.jsonl")])
    print(summary.describe())
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ingest.loaders import CsvMapping, LoadedRecord, LoadIssue, LoadResult, default_source, load_paths
from rag.catalogue import CatalogueProfile
from rag.chunking import Chunker, embedding_text
from rag.sentence_vectors import attach_sentence_vectors
from rag.config import Settings
from rag.embedding import Embedder
from rag.models import Chunk, SearchFilters
from rag.sparse import Bm25Encoder
from rag.store import PointData, VectorStore, point_id

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
    ) -> IngestSummary:
        started = time.perf_counter()
        loaded = load_paths(paths, source=source, csv_mapping=csv_mapping)
        summary = IngestSummary(files=loaded.files, records_read=len(loaded.records), issues=loaded.issues)
        summary.records_invalid = loaded.invalid
        for issue in loaded.issues:
            log.warning("%s", issue)
        if strict and loaded.issues:
            raise IngestError(loaded.issues)

        self.store.ensure_collection(self.embedder.dimension)
        stored = self._stored_records()
        pending: list[tuple[LoadedRecord, list[Chunk], _StoredRecord | None]] = []
        for item in loaded.records:
            previous = stored.get(item.record.id)
            if previous is not None and previous.complete(item.record.content_hash(), item.source):
                summary.records_skipped += 1
                continue
            pending.append((item, self.chunker.chunk(item.record, item.source), previous))

        self._write(pending, summary, show_progress)
        if prune:
            sources = {source} if source else {default_source(Path(p)) for p in paths}
            self._prune(loaded, sources, stored, summary)
        summary.seconds = time.perf_counter() - started
        return summary

    # --- internals ---------------------------------------------------------------
    def _stored_records(self) -> dict[str, _StoredRecord]:
        found: dict[str, _StoredRecord] = {}
        fields = ["record_id", "content_hash", "source", "chunk_count"]
        for point in self.store.scroll(fields=fields):
            p = point.payload
            rid = p.get("record_id")
            if rid is None:
                continue
            entry = found.get(rid)
            if entry is None:
                found[rid] = _StoredRecord(p.get("content_hash"), p.get("source"), int(p.get("chunk_count", 0)), 1, True)
                continue
            entry.points += 1
            same = (entry.content_hash, entry.source, entry.chunk_count) == (
                p.get("content_hash"),
                p.get("source"),
                int(p.get("chunk_count", 0)),
            )
            entry.consistent = entry.consistent and same
        return found

    def _write(
        self,
        pending: list[tuple[LoadedRecord, list[Chunk], _StoredRecord | None]],
        summary: IngestSummary,
        show_progress: bool,
    ) -> None:
        total = sum(len(chunks) for _, chunks, _ in pending)
        bar = None
        if show_progress and total:
            from tqdm import tqdm

            bar = tqdm(total=total, desc="embedding chunks", unit="chunk")
        batch: list[tuple[LoadedRecord, list[Chunk], _StoredRecord | None]] = []
        batch_chunks = 0
        try:
            for entry in pending:
                batch.append(entry)
                batch_chunks += len(entry[1])
                if batch_chunks >= self.settings.upsert_batch_size:
                    self._write_batch(batch, summary)
                    if bar is not None:
                        bar.update(batch_chunks)
                    batch, batch_chunks = [], 0
            if batch:
                self._write_batch(batch, summary)
                if bar is not None:
                    bar.update(batch_chunks)
        finally:
            if bar is not None:
                bar.close()

    def _write_batch(
        self, batch: list[tuple[LoadedRecord, list[Chunk], _StoredRecord | None]], summary: IngestSummary
    ) -> None:
        chunks = [chunk for _, record_chunks, _ in batch for chunk in record_chunks]
        texts = [embedding_text(chunk) for chunk in chunks]
        dense = self.embedder.embed_documents(texts, batch_size=self.settings.embed_batch_size)
        attach_sentence_vectors(chunks, self.embedder, batch_size=self.settings.embed_batch_size)
        points = [
            PointData(
                id=point_id(chunk.record_id, chunk.chunk_index),
                dense=vector.tolist(),
                sparse=self.bm25.encode_document(text),
                payload=self._payload(chunk, loaded),
            )
            for chunk, vector, text, loaded in zip(chunks, dense, texts, _owners(batch))
        ]
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

    @staticmethod
    def _payload(chunk: Chunk, loaded: LoadedRecord) -> dict:
        payload = chunk.payload()
        if chunk.chunk_index == 0:  # the whole record rides on its first chunk, for the object view
            payload["record"] = loaded.record.model_dump(mode="json", exclude_none=True)
        return payload

    def _prune(
        self, loaded: LoadResult, sources: set[str], stored: dict[str, _StoredRecord], summary: IngestSummary
    ) -> None:
        if loaded.issues:
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


def _owners(batch: list[tuple[LoadedRecord, list[Chunk], _StoredRecord | None]]):
    for loaded, record_chunks, _ in batch:
        for _ in record_chunks:
            yield loaded


def count_records(store: VectorStore, filters: SearchFilters | None = None) -> int:
    """Number of distinct records in the store."""
    return len({p.payload.get("record_id") for p in store.scroll(filters, fields=["record_id"])})
