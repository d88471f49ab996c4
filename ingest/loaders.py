"""Collection files into validated :class:`CollectionRecord` objects.

Formats: JSONL / JSON in the collection schema, CSV with a column-mapping file, and
archive documents (.txt, .md, .html, .pdf; a folder of them is read recursively).
Bad input never stops the valid records: each problem becomes a :class:`LoadIssue`
naming the file, line and field.

Example::

    result = load_paths([Path("data/sample/npg_labels.jsonl")])
    for issue in result.issues:
        print(issue)
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from pydantic import ValidationError

from rag.models import CollectionRecord

RECORD_SUFFIXES = {".jsonl", ".ndjson", ".json", ".csv"}
DOCUMENT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf"}


@dataclass(frozen=True)
class LoadIssue:
    """One problem in the input, precise enough to fix it."""

    file: str
    line: int | None
    field: str | None
    message: str
    record_id: str | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line is not None else "")
        what = f" record {self.record_id}" if self.record_id else ""
        fld = f" field '{self.field}'" if self.field else ""
        return f"{where}:{what}{fld}: {self.message}"


@dataclass
class LoadedRecord:
    record: CollectionRecord
    file: str
    line: int | None
    source: str


@dataclass
class LoadResult:
    records: list[LoadedRecord] = field(default_factory=list)
    issues: list[LoadIssue] = field(default_factory=list)
    files: int = 0
    invalid: int = 0  # records (lines, rows, documents) that could not be loaded


@dataclass
class CsvMapping:
    """How a CSV's columns map onto the collection schema.

    The mapping file is JSON::

        {
          "columns": {"Object ID": "source_id", "Title": "title", "Label": "description",
                      "Artist": "creator_name", "Artist role": "creator_role", "Year": "date"},
          "id_prefix": "mymuseum",
          "museum": "My Museum",
          "list_separator": ";"
        }

    ``columns`` maps a CSV column to a record field, or to ``creator_name`` /
    ``creator_role`` / ``creator_dates`` / ``creator_nationality`` (one creator per row;
    several names separated by ``list_separator`` become several creators). An ``id``
    column is used as is when it has a ``prefix:``; otherwise ``id_prefix:value`` (from
    ``id`` or ``source_id``). List fields (``keywords``, ``exhibitions``) are split on
    ``list_separator``. ``museum`` fills records whose museum column is empty.
    """

    columns: dict[str, str]
    id_prefix: str | None = None
    museum: str | None = None
    list_separator: str = ";"

    @classmethod
    def from_file(cls, path: Path) -> "CsvMapping":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: cannot read the CSV mapping file: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
            raise ValueError(f"{path}: the CSV mapping needs a 'columns' object of column -> field")
        return cls(
            columns={str(k): str(v) for k, v in data["columns"].items()},
            id_prefix=data.get("id_prefix"),
            museum=data.get("museum"),
            list_separator=data.get("list_separator", ";"),
        )


_CREATOR_KEYS = {"creator_name": "name", "creator_role": "role", "creator_dates": "dates", "creator_nationality": "nationality"}
_LIST_FIELDS = {"keywords", "exhibitions"}


def _validation_issue(file: str, line: int | None, raw: dict[str, Any], exc: ValidationError) -> list[LoadIssue]:
    record_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    issues = []
    for error in exc.errors():
        loc = ".".join(str(part) for part in error["loc"]) or None
        message = error["msg"]
        if error["type"] == "missing":
            message = "is required but missing"
        issues.append(LoadIssue(file, line, loc, message, record_id))
    return issues


def _validate(raw: Any, file: str, line: int | None, source: str, result: LoadResult) -> None:
    if not isinstance(raw, dict):
        result.invalid += 1
        result.issues.append(LoadIssue(file, line, None, f"expected a JSON object, got {type(raw).__name__}"))
        return
    try:
        record = CollectionRecord.model_validate(raw)
    except ValidationError as exc:
        result.invalid += 1
        result.issues.extend(_validation_issue(file, line, raw, exc))
        return
    result.records.append(LoadedRecord(record, file, line, source))


def _load_jsonl(path: Path, source: str, result: LoadResult) -> None:
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                raw = json.loads(text)
            except json.JSONDecodeError as exc:
                result.invalid += 1
                result.issues.append(LoadIssue(str(path), number, None, f"malformed JSON: {exc.msg} at column {exc.colno}"))
                continue
            _validate(raw, str(path), number, source, result)


def _load_json(path: Path, source: str, result: LoadResult) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        result.issues.append(LoadIssue(str(path), exc.lineno, None, f"malformed JSON: {exc.msg}"))
        return
    items = data.get("records") if isinstance(data, dict) and "records" in data else data
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        result.issues.append(LoadIssue(str(path), None, None, "expected a list of records or {\"records\": [...]}"))
        return
    for index, raw in enumerate(items):
        _validate(raw, f"{path}[{index}]", None, source, result)


def _csv_row_to_raw(row: dict[str, str], mapping: CsvMapping) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    creator: dict[str, list[str]] = {}
    for column, target in mapping.columns.items():
        value = (row.get(column) or "").strip()
        if not value:
            continue
        if target in _CREATOR_KEYS:
            creator[_CREATOR_KEYS[target]] = [v.strip() for v in value.split(mapping.list_separator)]
        elif target in _LIST_FIELDS:
            raw[target] = [v.strip() for v in value.split(mapping.list_separator) if v.strip()]
        else:
            raw[target] = value
    if creator.get("name"):
        names = creator["name"]
        raw["creators"] = [
            {key: (values[i] if i < len(values) else (values[0] if len(values) == 1 else None)) for key, values in creator.items()}
            for i in range(len(names))
        ]
    ident = raw.get("id") or raw.get("source_id")
    if ident and ":" not in str(ident) and mapping.id_prefix:
        raw["id"] = f"{mapping.id_prefix}:{ident}"
    if mapping.museum and not raw.get("museum"):
        raw["museum"] = mapping.museum
    return raw


def _load_csv(path: Path, source: str, mapping: CsvMapping | None, result: LoadResult) -> None:
    if mapping is None:
        result.issues.append(LoadIssue(str(path), None, None, "a CSV needs a column mapping (--csv-mapping FILE)"))
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in mapping.columns if reader.fieldnames and c not in reader.fieldnames]
        if missing:
            result.issues.append(
                LoadIssue(str(path), 1, ", ".join(missing), "mapped column(s) not in the CSV header")
            )
        for row in reader:
            _validate(_csv_row_to_raw(row, mapping), str(path), reader.line_num, source, result)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "document"


def _read_document(path: Path) -> tuple[str, str | None]:
    """The text of an archive document and, when the format has one, its title."""
    suffix = path.suffix.lower()
    if suffix in {".html", ".htm"}:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(path.read_text(encoding="utf-8", errors="replace"), "html.parser")
        for tag in soup(["script", "style", "noscript", "template"]):
            tag.decompose()
        title = soup.title.get_text(strip=True) if soup.title else None
        heading = soup.find(["h1", "h2"])
        body = soup.body or soup
        text = "\n".join(line.strip() for line in body.get_text("\n").splitlines() if line.strip())
        return text, title or (heading.get_text(strip=True) if heading else None)
    if suffix == ".pdf":
        from llama_index.readers.file import PDFReader

        pages = PDFReader(return_full_document=True).load_data(path)
        text = "\n".join(page.text for page in pages).strip()
        return text, None
    text = path.read_text(encoding="utf-8")
    title = None
    if suffix in {".md", ".markdown"}:
        heading = re.search(r"^#{1,3}\s+(.+)$", text, flags=re.MULTILINE)
        title = heading.group(1).strip() if heading else None
    return text, title


def _reason(exc: BaseException) -> str:
    """What went wrong, without library internals: a retry wrapper's last error, the message only."""
    last = getattr(exc, "last_attempt", None)  # tenacity.RetryError (llama-index's readers retry)
    if last is not None and callable(getattr(last, "exception", None)) and last.exception() is not None:
        exc = last.exception()
    message = " ".join(str(exc).split()) or type(exc).__name__
    return f"{message} ({type(exc).__name__})" if str(exc) else message


def _load_document(path: Path, root: Path, source: str, result: LoadResult) -> None:
    try:
        text, title = _read_document(path)
    except Exception as exc:  # a corrupt PDF or undecodable file: report it, keep going
        result.invalid += 1
        result.issues.append(LoadIssue(str(path), None, None, f"unreadable document: {_reason(exc)}"))
        return
    relative = path.relative_to(root) if root in path.parents else Path(path.name)
    raw = {
        "id": f"{_slug(source)}:{_slug(str(relative.with_suffix('')))}",
        "title": title or path.stem.replace("_", " ").replace("-", " ").strip(),
        "description": text,
        "type": "Archive document",
        "source": {"path": str(relative)},
    }
    _validate(raw, str(path), None, source, result)


def _iter_files(path: Path) -> Iterator[Path]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and child.suffix.lower() in RECORD_SUFFIXES | DOCUMENT_SUFFIXES:
                yield child
    else:
        yield path


def default_source(path: Path) -> str:
    """The source name of a path when none is given: its file or folder name without suffix."""
    return _slug(path.stem if path.is_file() else path.name)


def load_paths(paths: list[Path], source: str | None = None, csv_mapping: CsvMapping | None = None) -> LoadResult:
    """Load every record from files and folders; duplicate ids after the first are issues."""
    result = LoadResult()
    for path in map(Path, paths):
        if not path.exists():
            result.issues.append(LoadIssue(str(path), None, None, "no such file or folder"))
            continue
        name = source or default_source(path)
        for file in _iter_files(path):
            result.files += 1
            suffix = file.suffix.lower()
            try:
                if suffix in {".jsonl", ".ndjson"}:
                    _load_jsonl(file, name, result)
                elif suffix == ".json":
                    _load_json(file, name, result)
                elif suffix == ".csv":
                    _load_csv(file, name, csv_mapping, result)
                elif suffix in DOCUMENT_SUFFIXES:
                    _load_document(file, path if path.is_dir() else file.parent, name, result)
                else:
                    result.issues.append(LoadIssue(str(file), None, None, f"unsupported file type {suffix!r}"))
            except (OSError, UnicodeDecodeError) as exc:
                result.issues.append(LoadIssue(str(file), None, None, f"cannot read file: {exc}"))
    _drop_duplicates(result)
    return result


def _drop_duplicates(result: LoadResult) -> None:
    seen: dict[str, LoadedRecord] = {}
    unique: list[LoadedRecord] = []
    for loaded in result.records:
        first = seen.get(loaded.record.id)
        if first is not None:
            result.invalid += 1
            where = first.file + (f":{first.line}" if first.line is not None else "")
            result.issues.append(
                LoadIssue(loaded.file, loaded.line, "id", f"duplicate id, first seen at {where}; skipped", loaded.record.id)
            )
            continue
        seen[loaded.record.id] = loaded
        unique.append(loaded)
    result.records = unique
