"""Admin: upload collection files and ingest them in the process that owns the store (``POST /v1/ingest``).

Writes are serialised (one ingest at a time); searches and answers go on meanwhile.

Example::

    curl -H "Authorization: Bearer $ADMIN_KEY" -F files=@new_records.jsonl -F source=npg \\
         localhost:8000/v1/ingest
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from pathlib import Path
from typing import Optional

import anyio
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from api.deps import AppState, get_state, require_admin
from api.diskspace import DiskFull, ensure_free, is_disk_full
from api.problems import Problem
from api.readiness import inspect_store
from api.upload_guard import GuardedStore, IngestCancelled, check_record_sizes, run_until_disconnected
from api.schemas import IngestResponse
from ingest.loaders import DOCUMENT_SUFFIXES, RECORD_SUFFIXES, CsvMapping
from ingest.pipeline import IngestError, Ingestor
from rag.config import Settings
from rag.store.space import DiskSpaceError

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["admin"], dependencies=[Depends(require_admin)])

SUPPORTED_SUFFIXES = RECORD_SUFFIXES | DOCUMENT_SUFFIXES
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str | None) -> str:
    """The upload's base name reduced to safe characters (never a path); keeps the suffix the loader needs."""
    base = Path((name or "").replace("\\", "/")).name
    cleaned = _UNSAFE.sub("_", base).strip("._")[:120]
    suffix = Path(base).suffix.lower()
    if not cleaned or suffix not in SUPPORTED_SUFFIXES:
        raise Problem(
            415,
            f"Unsupported file {base or '(unnamed)'!r}: upload {', '.join(sorted(SUPPORTED_SUFFIXES))} files.",
            title="Unsupported Media Type",
        )
    return cleaned if cleaned.lower().endswith(suffix) else cleaned + suffix


async def _save(upload: UploadFile, target: Path, settings: Settings, budget: list[int]) -> None:
    """Copy an upload to disk a megabyte at a time: within the upload limit, never filling the disk."""
    with target.open("wb") as handle:
        while chunk := await upload.read(1024 * 1024):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise Problem(413, f"The uploaded files are larger than the limit of {settings.max_upload_bytes} bytes "
                              "(MUSEUM_RAG_MAX_UPLOAD_BYTES).", title="Content Too Large")
            ensure_free(settings, needed=len(chunk), what="the upload")
            try:
                handle.write(chunk)
            except OSError as exc:
                if is_disk_full(exc):
                    log.error("upload: the data directory %s is full: %s", settings.data_dir, exc)
                    raise DiskFull("the upload") from None
                raise


def remove_stale_uploads(settings: Settings) -> int:
    """Delete the temporary folders of uploads a crashed or killed server left behind (called at start-up)."""
    root = settings.data_dir / "uploads"
    removed = 0
    if root.is_dir():
        for folder in root.glob("ingest-*"):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    if removed:
        log.info("removed %d temporary upload folder(s) left by an earlier run in %s", removed, root)
    return removed


def _public_issue(text: str, folder: Path) -> str:
    """An issue message with the server's temporary folder taken out (only the uploaded names remain).

    Invalid Unicode quoted from a file (a lone surrogate) is written as an escape, so the response can be sent.
    """
    text = text.replace(str(folder) + "/", "").replace(str(folder), "")
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@router.post("/ingest", response_model=IngestResponse, summary="Upload and ingest collection files")
async def ingest(
    request: Request,
    files: list[UploadFile] = File(..., description="JSONL/JSON/CSV records or .txt/.md/.html/.pdf documents."),
    source: Optional[str] = Form(None, max_length=100, description="Source name (default: each file's name)."),
    prune: bool = Form(False, description="Delete records of this source that are no longer in the files."),
    strict: bool = Form(False, description="Any input problem is fatal; nothing is written."),
    csv_mapping: Optional[UploadFile] = File(None, description="JSON column mapping, needed for CSV files."),
    state: AppState = Depends(get_state),
) -> IngestResponse:
    settings = state.settings
    ensure_free(settings, what="the upload")
    uploads_root = settings.data_dir / "uploads"
    uploads_root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="ingest-", dir=uploads_root))
    try:
        paths: list[Path] = []
        budget = [settings.max_upload_bytes]
        for upload in files:
            name = safe_filename(upload.filename)
            target = folder / name
            if target.exists():
                raise Problem(422, f"Two uploaded files are named {name!r}: rename one.", title="Invalid request")
            await _save(upload, target, settings, budget)
            await anyio.to_thread.run_sync(check_record_sizes, target, settings.max_record_bytes)
            paths.append(target)
        mapping = None
        if csv_mapping is not None:
            mapping_path = folder / ".csv-mapping.json"  # no upload can be named so (leading dots are stripped)
            await _save(csv_mapping, mapping_path, settings, budget)
            try:
                mapping = CsvMapping.from_file(mapping_path)
            except (ValueError, RecursionError) as exc:
                reason = "it is nested too deeply" if isinstance(exc, RecursionError) else str(exc)
                raise Problem(422, _public_issue(f"The CSV mapping is not valid: {reason}", folder),
                              title="Invalid request") from None

        guard = GuardedStore(state.museum.store, settings)

        def run():
            with state.ingest_lock:
                ingestor = Ingestor(settings, guard, state.museum.embedder)  # type: ignore[arg-type]
                try:
                    return ingestor.run(paths, source=source or None, prune=prune, strict=strict, csv_mapping=mapping)
                finally:  # what /readyz reports: the store as this ingest left it
                    state.store_health = inspect_store(state.museum)

        try:
            summary = await run_until_disconnected(request, run, guard)
        except IngestError as exc:
            raise Problem(
                422, _public_issue(str(exc), folder), title="Invalid collection file",
                extra={"issues": [_public_issue(str(i), folder) for i in exc.issues[:200]]},
            ) from None
        except IngestCancelled:
            log.warning("ingest cancelled: the client disconnected; %d chunk(s) of whole records were written",
                        guard.points_written)
            raise Problem(499, "The client disconnected; the ingest was cancelled.", title="Client Closed Request") from None
        except DiskFull as exc:
            exc.detail = f"{exc.detail} {guard.written_note()}"
            raise
        except DiskSpaceError as exc:  # the ingest's own check between batches (rag.store.space)
            log.error("ingest stopped: %s", exc)
            full = DiskFull("the ingest")
            full.detail = f"{full.detail} {guard.written_note()}"
            raise full from None
        except RecursionError:
            raise Problem(422, "A record in the uploaded files is nested too deeply; nothing was written.",
                          title="Invalid collection file") from None
        state.metrics.ingested_records.inc(summary.records_added + summary.records_replaced)
        data = summary.as_dict()
        data["issues"] = [_public_issue(issue, folder) for issue in data["issues"]][:500]
        log.info("ingested %d file(s): %d added, %d replaced, %d invalid", summary.files, summary.records_added,
                 summary.records_replaced, summary.records_invalid)
        return IngestResponse(**data)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
