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
from fastapi import APIRouter, Depends, File, Form, UploadFile

from api.deps import AppState, get_state, require_admin
from api.problems import Problem
from api.schemas import IngestResponse
from ingest.loaders import DOCUMENT_SUFFIXES, RECORD_SUFFIXES, CsvMapping
from ingest.pipeline import IngestError, Ingestor

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


async def _save(upload: UploadFile, target: Path) -> None:
    with target.open("wb") as handle:
        while chunk := await upload.read(1024 * 1024):
            handle.write(chunk)


def _public_issue(text: str, folder: Path) -> str:
    """An issue message with the server's temporary folder taken out (only the uploaded names remain)."""
    return text.replace(str(folder) + "/", "").replace(str(folder), "")


@router.post("/ingest", response_model=IngestResponse, summary="Upload and ingest collection files")
async def ingest(
    files: list[UploadFile] = File(..., description="JSONL/JSON/CSV records or .txt/.md/.html/.pdf documents."),
    source: Optional[str] = Form(None, max_length=100, description="Source name (default: each file's name)."),
    prune: bool = Form(False, description="Delete records of this source that are no longer in the files."),
    strict: bool = Form(False, description="Any input problem is fatal; nothing is written."),
    csv_mapping: Optional[UploadFile] = File(None, description="JSON column mapping, needed for CSV files."),
    state: AppState = Depends(get_state),
) -> IngestResponse:
    uploads_root = state.settings.data_dir / "uploads"
    uploads_root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="ingest-", dir=uploads_root))
    try:
        paths: list[Path] = []
        for upload in files:
            name = safe_filename(upload.filename)
            target = folder / name
            if target.exists():
                raise Problem(422, f"Two uploaded files are named {name!r}: rename one.", title="Invalid request")
            await _save(upload, target)
            paths.append(target)
        mapping = None
        if csv_mapping is not None:
            mapping_path = folder / ".csv-mapping.json"  # no upload can be named so (leading dots are stripped)
            await _save(csv_mapping, mapping_path)
            try:
                mapping = CsvMapping.from_file(mapping_path)
            except ValueError as exc:
                raise Problem(422, _public_issue(f"The CSV mapping is not valid: {exc}", folder),
                              title="Invalid request") from None

        def run():
            with state.ingest_lock:
                ingestor = Ingestor(state.settings, state.museum.store, state.museum.embedder)
                return ingestor.run(paths, source=source or None, prune=prune, strict=strict, csv_mapping=mapping)

        try:
            summary = await anyio.to_thread.run_sync(run)
        except IngestError as exc:
            raise Problem(
                422, _public_issue(str(exc), folder), title="Invalid collection file",
                extra={"issues": [_public_issue(str(i), folder) for i in exc.issues[:200]]},
            ) from None
        state.metrics.ingested_records.inc(summary.records_added + summary.records_replaced)
        data = summary.as_dict()
        data["issues"] = [_public_issue(issue, folder) for issue in data["issues"]][:500]
        log.info("ingested %d file(s): %d added, %d replaced, %d invalid", summary.files, summary.records_added,
                 summary.records_replaced, summary.records_invalid)
        return IngestResponse(**data)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
