"""Run a format module over one file and collect its records and problems into a :class:`LoadResult`.

Every problem names the file, the record (its id, URI or identifier) and, where known, the line and field;
a record that cannot be mapped is skipped and the rest of the file is still read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from pydantic import ValidationError

from ingest.formats import detect, edm, iiif, lido, linked_art, oai_dc
from ingest.formats.common import Mapped
from ingest.formats.safe_xml import MalformedXMLError, UnsafeXMLError, parse_xml
from ingest.loaders import LoadedRecord, LoadIssue, LoadResult
from rag.models import CollectionRecord

_XML_MAPPERS = {"lido": lido.map_document, "edm": edm.map_document, "oai-dc": oai_dc.map_document}
_JSON_MAPPERS = {"linked-art": linked_art.map_file, "iiif": iiif.map_file}


def id_prefix(source: str) -> str:
    """The ``museum-prefix`` of record ids made from a source name."""
    return source


def collect(mapped: Iterable[Mapped], file: str, source: str, result: LoadResult) -> None:
    """Validate mapped records into ``result``; each failure becomes issues naming file and record."""
    for item in mapped:
        if item.error:
            result.invalid += 1
            result.issues.append(LoadIssue(file, item.line, item.error_field, item.error, item.label))
            continue
        for field, message in item.warnings:
            result.issues.append(LoadIssue(file, item.line, field, message, item.label))
        try:
            record = CollectionRecord.model_validate(item.raw)
        except ValidationError as exc:
            result.invalid += 1
            for error in exc.errors():
                loc = ".".join(str(p) for p in error["loc"]) or None
                message = "is required but missing" if error["type"] == "missing" else error["msg"]
                if error["type"] == "value_error" and "no text" in error["msg"]:
                    message = ("no text to answer from: the record has no description, provenance or inscription; "
                               "record skipped")
                result.issues.append(LoadIssue(file, item.line, loc, message, item.raw.get("id") or item.label))
            continue
        result.records.append(LoadedRecord(record, file, item.line, source))


def load_xml(path: Path, fmt: str, source: str, result: LoadResult) -> None:
    try:
        root = parse_xml(path.read_bytes(), name=str(path))
    except (UnsafeXMLError, MalformedXMLError) as exc:
        result.invalid += 1
        result.issues.append(LoadIssue(str(path), None, None, str(exc).removeprefix(f"{path}: ")))
        return
    kind = detect.xml_format(root) if fmt == "auto" else fmt
    if kind not in _XML_MAPPERS:
        result.invalid += 1
        message = detect.unknown_format_message("xml") if fmt == "auto" else f"--format {fmt} does not read XML"
        result.issues.append(LoadIssue(str(path), None, None, message))
        return
    before = len(result.records) + result.invalid
    collect(_XML_MAPPERS[kind](root, id_prefix(source)), str(path), source, result)
    if len(result.records) + result.invalid == before:
        result.issues.append(LoadIssue(str(path), None, None, f"no {kind} records found in this file"))


def load_json(path: Path, fmt: str, source: str, result: LoadResult) -> bool:
    """Load Linked Art or IIIF; False when the JSON is in the collection schema (the caller loads it)."""
    try:
        data = detect.parse_json_bytes(path.read_bytes())
    except UnicodeDecodeError:
        return False  # the collection-schema loader reports the line and byte that are not UTF-8
    except ValueError as exc:
        result.invalid += 1
        result.issues.append(LoadIssue(str(path), getattr(exc, "lineno", None), None, f"malformed JSON: {exc}"))
        return True
    except RecursionError:
        result.invalid += 1
        result.issues.append(LoadIssue(str(path), None, None, "JSON nested too deeply to read"))
        return True
    kind = detect.json_format(data) if fmt == "auto" else fmt
    if kind == "jsonl":
        return False
    if kind not in _JSON_MAPPERS:
        result.invalid += 1
        message = detect.unknown_format_message("json") if fmt == "auto" else f"--format {fmt} does not read JSON"
        result.issues.append(LoadIssue(str(path), None, None, message))
        return True
    collect(_JSON_MAPPERS[kind](data, id_prefix(source)), str(path), source, result)
    return True
