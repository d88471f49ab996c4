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

from ingest.record_fields import REQUIRED_FIELDS, LoadLimits, clean_record
from rag.models import CollectionRecord

RECORD_SUFFIXES = {".jsonl", ".ndjson", ".json", ".jsonld", ".csv", ".xml", ".rdf"}
DOCUMENT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf"}


@dataclass(frozen=True)
class LoadIssue:
    """One problem in the input, precise enough to fix it.

    ``severity`` is ``"error"`` when the record (line, row, document, file) was not loaded, and
    ``"warning"`` when the record was kept without the value named (or with it changed as said).
    Printed as ``file:line: record ID field 'name': message``.
    """

    file: str
    line: int | None
    field: str | None
    message: str
    record_id: str | None = None
    severity: str = "error"

    @property
    def is_warning(self) -> bool:
        return self.severity == "warning"

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line is not None else "")
        what = " ".join(
            part for part in (f"record {self.record_id}" if self.record_id else "", f"field '{self.field}'" if self.field else "") if part
        )
        return f"{where}: {what}: {self.message}" if what else f"{where}: {self.message}"


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
    unreadable: list[str] = field(default_factory=list)  # inputs missing or not readable at all
    limits: LoadLimits = field(default_factory=LoadLimits)

    @property
    def errors(self) -> list[LoadIssue]:
        """The issues that cost a record or a file (warnings kept the record)."""
        return [issue for issue in self.issues if not issue.is_warning]


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
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: cannot read the CSV mapping file: {exc}") from exc
        data, problem = _parse_json(text)
        if problem is not None:
            raise ValueError(f"{path}: cannot read the CSV mapping file: {problem}")
        if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
            raise ValueError(f"{path}: the CSV mapping needs a 'columns' object of column -> field")
        if not all(isinstance(v, str) for v in data["columns"].values()):
            raise ValueError(f"{path}: each CSV column must map to a field name (a text)")
        if not isinstance(data.get("list_separator", ";"), str) or not data.get("list_separator", ";"):
            raise ValueError(f"{path}: 'list_separator' must be a non-empty text")
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


def _droppable(exc: ValidationError) -> list[tuple[str, str]]:
    """(field, message) of each error a record survives by losing that field; [] if any error is fatal."""
    found: list[tuple[str, str]] = []
    for error in exc.errors():
        loc = error["loc"]
        if not loc or str(loc[0]) in REQUIRED_FIELDS:
            return []
        found.append((".".join(str(part) for part in loc), error["msg"]))
    return found


def _validate(raw: Any, file: str, line: int | None, source: str, result: LoadResult, html: bool = True) -> None:
    """Clean ``raw`` (see :mod:`ingest.record_fields`), validate it and keep it; every loss is an issue."""
    if not isinstance(raw, dict):
        result.invalid += 1
        result.issues.append(LoadIssue(file, line, None, f"expected a JSON object, got {type(raw).__name__}"))
        return
    cleaned = clean_record(raw, result.limits, html=html)
    record_id = cleaned.raw.get("id") if isinstance(cleaned.raw.get("id"), str) else None
    if cleaned.fatal is not None:
        result.invalid += 1
        result.issues.append(LoadIssue(file, line, cleaned.fatal.field, cleaned.fatal.message))
        return
    data = cleaned.raw
    warnings = [LoadIssue(file, line, p.field, p.message, record_id, "warning") for p in cleaned.problems]
    record = None
    for _ in range(5):  # each round drops the fields of the wrong shape the model found
        try:
            record = CollectionRecord.model_validate(data)
            break
        except ValidationError as exc:
            droppable = _droppable(exc)
            if not droppable:
                result.invalid += 1
                result.issues.extend(_validation_issue(file, line, data, exc))
                return
            data = dict(data)
            for name, message in droppable:
                data.pop(name.split(".")[0], None)
                warnings.append(LoadIssue(file, line, name, f"wrong shape ({message}); field dropped", record_id, "warning"))
    if record is None:
        result.invalid += 1
        result.issues.append(LoadIssue(file, line, None, "the record could not be validated", record_id))
        return
    if ":" not in record.id:
        warnings.append(
            LoadIssue(
                file, line, "id",
                f"the id has no 'museum-prefix:' part (e.g. 'mymuseum:{record.id}'); it is stored unchanged as "
                f"'{record.id}', so it must not collide with an id of another source in the store",
                record.id, "warning",
            )
        )  # fmt: skip
    result.issues.extend(warnings)
    result.records.append(LoadedRecord(record, file, line, source))


def _read_lines(path: Path, max_bytes: int) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, line bytes, 0), or (line number, None, length) for a line over ``max_bytes``."""
    with path.open("rb") as handle:
        number = 0
        while True:
            line = handle.readline(max_bytes + 2)
            if not line:
                return
            number += 1
            if len(line) > max_bytes and not line.endswith(b"\n"):
                length = len(line)
                while True:  # skip the rest of the over-long line without holding it
                    more = handle.readline(1 << 20)
                    length += len(more)
                    if not more or more.endswith(b"\n"):
                        break
                yield number, None, length
                continue
            yield number, line, 0


def _decode_line(data: bytes, first: bool) -> tuple[str | None, str | None]:
    """The line as text, or an error message naming the column of the first byte that is not UTF-8."""
    if first and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        column = len(data[: exc.start].decode("utf-8", errors="replace")) + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        return None, f"not UTF-8: byte 0x{byte} at column {column}; line skipped (save the file as UTF-8)"


def _parse_json(text: str) -> tuple[Any, str | None]:
    """The parsed value, or a message saying what is wrong and where (line/column within ``text``)."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        end = " (the text ends before the JSON is complete)" if exc.pos >= len(text.rstrip()) else ""
        where = f"line {exc.lineno} column {exc.colno}" if "\n" in text else f"column {exc.colno}"
        return None, f"malformed JSON at {where}: {exc.msg}{end}"
    except RecursionError:
        return None, "JSON nested too deeply to read"
    except ValueError as exc:  # e.g. an integer with more digits than Python reads
        return None, f"malformed JSON: {exc}"


def _load_jsonl(path: Path, source: str, result: LoadResult) -> None:
    max_bytes = result.limits.max_record_bytes
    for number, data, length in _read_lines(path, max_bytes):
        if data is None:
            result.invalid += 1
            result.issues.append(
                LoadIssue(str(path), number, None, f"record of {length:,} bytes, over the limit of {max_bytes:,}; skipped")
            )
            continue
        text, problem = _decode_line(data, number == 1)
        if text is None:
            result.invalid += 1
            result.issues.append(LoadIssue(str(path), number, None, str(problem)))
            continue
        text = text.rstrip("\r\n")
        if not text.strip():
            continue
        raw, problem = _parse_json(text)
        if problem is not None:
            result.invalid += 1
            result.issues.append(LoadIssue(str(path), number, None, problem))
            continue
        _validate(raw, str(path), number, source, result)


def _load_json(path: Path, source: str, result: LoadResult) -> None:
    data_bytes = path.read_bytes()
    try:
        text = data_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data_bytes.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data_bytes.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data_bytes[exc.start : exc.start + 1].hex().upper()
        result.unreadable.append(str(path))
        result.issues.append(
            LoadIssue(str(path), line, None, f"not UTF-8: byte 0x{byte} at byte column {column}; file skipped (save it as UTF-8)")
        )
        return
    data, problem = _parse_json(text)
    if problem is not None:
        result.unreadable.append(str(path))
        result.issues.append(LoadIssue(str(path), None, None, f"{problem}; file skipped"))
        return
    items = data.get("records") if isinstance(data, dict) and "records" in data else data
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        result.issues.append(LoadIssue(str(path), None, None, "expected a list of records or {\"records\": [...]}"))
        return
    max_bytes = result.limits.max_record_bytes
    for index, raw in enumerate(items):
        size = len(json.dumps(raw, ensure_ascii=False).encode("utf-8", errors="replace"))
        if size > max_bytes:
            result.invalid += 1
            result.issues.append(
                LoadIssue(f"{path}[{index}]", None, None, f"record of {size:,} bytes, over the limit of {max_bytes:,}; skipped")
            )
            continue
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


_ESCAPED_BYTE = re.compile(r"[\udc80-\udcff]")


def _csv_row_problem(row: dict[str | None, Any], max_bytes: int) -> str | None:
    """Why a CSV row cannot be loaded (bytes that are not UTF-8, too large), or None."""
    size = 0
    for column, value in row.items():
        values = value if isinstance(value, list) else [value]  # extra cells are listed under None
        for text in values:
            if not isinstance(text, str):
                continue
            size += len(text)
            bad = _ESCAPED_BYTE.search(text)
            if bad:
                name = f"column '{column}'" if column is not None else "an extra cell"
                return f"not UTF-8: byte 0x{ord(bad.group()) - 0xDC00:02X} in {name}; row skipped (save the file as UTF-8)"
    if size > max_bytes:
        return f"row of {size:,} characters, over the limit of {max_bytes:,}; skipped"
    return None


def _load_csv(path: Path, source: str, mapping: CsvMapping | None, result: LoadResult) -> None:
    if mapping is None:
        result.issues.append(LoadIssue(str(path), None, None, "a CSV needs a column mapping (--csv-mapping FILE)"))
        return
    max_bytes = result.limits.max_record_bytes
    if csv.field_size_limit() < max_bytes:  # a field may be as large as a record may be
        csv.field_size_limit(max_bytes)
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.DictReader(handle)
        try:
            fieldnames = reader.fieldnames
        except csv.Error as exc:
            result.unreadable.append(str(path))
            result.issues.append(LoadIssue(str(path), 1, None, f"unreadable CSV header: {exc}"))
            return
        missing = [c for c in mapping.columns if fieldnames and c not in fieldnames]
        if missing:
            result.issues.append(
                LoadIssue(str(path), 1, ", ".join(missing), "mapped column(s) not in the CSV header")
            )
        while True:
            before = reader.line_num
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                result.invalid += 1
                message = str(exc)
                if "field larger than field limit" in message:
                    message = f"a field over {csv.field_size_limit():,} characters (the record size limit); row skipped"
                result.issues.append(LoadIssue(str(path), before + 1, None, f"unreadable CSV row: {message}"))
                continue
            problem = _csv_row_problem(row, max_bytes)
            if problem is not None:
                result.invalid += 1
                result.issues.append(LoadIssue(str(path), reader.line_num, None, problem))
                continue
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


def load_paths(
    paths: list[Path],
    source: str | None = None,
    csv_mapping: CsvMapping | None = None,
    fmt: str = "auto",
    limits: LoadLimits | None = None,
) -> LoadResult:
    """Load every record from files and folders; duplicate ids after the first are issues.

    ``fmt`` is ``auto`` (.xml and .json files by their content, see :mod:`ingest.formats.detect`) or one of
    jsonl, csv, linked-art, lido, edm, oai-dc, iiif for every record file. ``limits`` (default:
    :class:`LoadLimits` defaults; ``LoadLimits.from_settings(settings)`` for the configured ones) bound
    record size, text length, nesting and years.
    """
    from ingest.formats.detect import FORMATS

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    result = LoadResult(limits=limits or LoadLimits())
    for path in map(Path, paths):
        if not path.exists():
            result.unreadable.append(str(path))
            result.issues.append(LoadIssue(str(path), None, None, "no such file or folder"))
            continue
        name = source or default_source(path)
        for file in _iter_files(path):
            result.files += 1
            suffix = file.suffix.lower()
            try:
                if fmt != "auto" or suffix in {".xml", ".rdf", ".json", ".jsonld"}:
                    if suffix not in DOCUMENT_SUFFIXES and _load_standard(file, fmt, name, csv_mapping, result):
                        continue
                if suffix in {".jsonl", ".ndjson"}:
                    _load_jsonl(file, name, result)
                elif suffix in {".json", ".jsonld"}:
                    _load_json(file, name, result)
                elif suffix == ".csv":
                    _load_csv(file, name, csv_mapping, result)
                elif suffix in DOCUMENT_SUFFIXES:
                    _load_document(file, path if path.is_dir() else file.parent, name, result)
                else:
                    result.issues.append(LoadIssue(str(file), None, None, f"unsupported file type {suffix!r}"))
            except (OSError, UnicodeDecodeError) as exc:
                result.unreadable.append(str(file))
                result.issues.append(LoadIssue(str(file), None, None, f"cannot read file: {exc}"))
    _drop_duplicates(result)
    _derive_rights(result)
    return result


def _load_standard(file: Path, fmt: str, source: str, csv_mapping: CsvMapping | None, result: LoadResult) -> bool:
    """Load ``file`` in ``fmt`` (or, for .xml/.json with ``auto``, the format its content shows); False when the
    file is in the collection schema's JSON and the plain loaders should read it."""
    from ingest.formats import load
    from ingest.formats.detect import sniff

    if fmt == "auto":  # .xml and .json: what the content is, whatever the suffix says
        if sniff(file) == "xml":
            load.load_xml(file, fmt, source, result)
            return True
        return load.load_json(file, fmt, source, result)
    if fmt == "jsonl":
        (_load_json if file.suffix.lower() == ".json" else _load_jsonl)(file, source, result)
        return True
    if fmt == "csv":
        _load_csv(file, source, csv_mapping, result)
        return True
    if fmt in ("lido", "edm", "oai-dc"):
        load.load_xml(file, fmt, source, result)
        return True
    return load.load_json(file, fmt, source, result)


def _derive_rights(result: LoadResult) -> None:
    """Records in the collection schema state rights as ``license``: give them ``rights`` (URI + label) too."""
    from rag.rights import from_license

    for loaded in result.records:
        if loaded.record.rights is None and loaded.record.license is not None:
            loaded.record.rights = from_license(loaded.record.license)


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
