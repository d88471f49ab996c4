"""Which format a file is in, from its content: the root element and namespaces of XML, the ``@context`` and
``type`` keys of JSON. The file name is only a hint for the line-oriented formats (JSON Lines, CSV).

Example::

    detect_format(Path("export.xml"))   # "lido", "edm", "oai-dc", ...
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lxml import etree

from ingest.formats import edm, iiif, lido, linked_art, oai_dc
from ingest.formats.oai_pmh import is_oai_pmh, metadata_kind, read_response

#: Formats a user may name with ``--format``.
FORMATS = ("auto", "jsonl", "csv", "linked-art", "lido", "edm", "oai-dc", "iiif")
XML_FORMATS = ("lido", "edm", "oai-dc")
JSON_FORMATS = ("linked-art", "iiif")


def xml_format(root: etree._Element) -> str | None:
    """"lido", "edm" or "oai-dc" for a parsed document (also inside an OAI-PMH response), else None."""
    if is_oai_pmh(root):
        for entry in read_response(root).records:
            kind = metadata_kind(entry.metadata)
            if kind:
                return kind
        return None
    if lido.is_lido(root):
        return "lido"
    if edm.is_edm(root):
        return "edm"
    if oai_dc.is_oai_dc(root):
        return "oai-dc"
    return None


def json_format(data: Any) -> str | None:
    """"linked-art", "iiif" or "jsonl" (the collection schema) for parsed JSON, else None."""
    if iiif.is_iiif(data) or (isinstance(data, list) and data and all(iiif.is_iiif(d) for d in data[:3])):
        return "iiif"
    if linked_art.is_linked_art(data):
        return "linked-art"
    if isinstance(data, dict) and "records" in data:
        return "jsonl"
    items = data if isinstance(data, list) else [data]
    if not items or any(isinstance(i, dict) and ("id" in i or "title" in i) for i in items[:10]):
        return "jsonl"  # the collection schema: its own loader reports each record's problems
    return None


def sniff(path: Path) -> str:
    """"xml", "json", "jsonl", "csv" or "document" from the first bytes and the suffix."""
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson"}:
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    with path.open("rb") as handle:
        head = handle.read(2048).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<?xml") or (head.startswith(b"<") and suffix not in {".html", ".htm"}):
        return "xml"
    if head[:1] in (b"{", b"["):
        return "json"
    return "document"


def unknown_format_message(kind: str) -> str:
    if kind == "xml":
        return ("XML in no known format: expected LIDO (lido:lidoWrap or lido:lido), EDM (rdf:RDF with "
                "edm:ProvidedCHO), Dublin Core (oai_dc:dc) or an OAI-PMH response holding one of them")
    return ("JSON in no known format: expected Linked Art (a HumanMadeObject, or an @context from linked.art), "
            "a IIIF Presentation manifest (@context iiif.io/api/presentation), or records in the collection "
            "schema (objects with id and title)")


def parse_json_bytes(data: bytes) -> Any:
    return json.loads(data.decode("utf-8-sig"))
