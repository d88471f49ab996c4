"""OAI-PMH harvesting: ListRecords pages (following resumption tokens) ingested one page at a time.

* **Incremental**: the date of the last complete harvest of each source (the repository's own
  ``responseDate``, at day granularity, which every repository accepts) is kept in
  ``<data_dir>/harvest_state.json`` and sent as ``from`` next time (``--from`` overrides it).
* **Deletions**: a record whose header has ``status="deleted"`` is removed from the store.
* **Bad pages**: a page that is not well-formed (or is unsafe) XML is reported and skipped; since its
  resumption token is unreadable the harvest stops there, and the harvest date is not advanced, so the next run
  asks again for everything since the previous complete harvest. A record that cannot be mapped is
  reported with the page and its identifier; the rest of the page is ingested.

Each page's records are mapped by the format module for the metadata prefix, written to a temporary JSON
Lines file and ingested by :class:`ingest.pipeline.Ingestor` (idempotent: an unchanged record is skipped).

Example::

    harvester = Harvester(settings, store, embedder)
    summary = harvester.run("https://museum.example/oai", metadata_prefix="lido")
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import httpx

from ingest.formats import edm, lido, oai_dc
from ingest.formats.common import Mapped, record_id
from ingest.formats.load import collect
from ingest.formats.oai_pmh import OaiRecord, read_response
from ingest.formats.safe_xml import MalformedXMLError, UnsafeXMLError, parse_xml
from ingest.loaders import LoadIssue, LoadResult
from rag.config import Settings

log = logging.getLogger(__name__)

METADATA_PREFIXES = ("lido", "oai_dc", "edm")
STATE_FILE = "harvest_state.json"


class HarvestError(RuntimeError):
    """The repository could not be harvested at all (unreachable, an OAI-PMH error other than no records)."""


@dataclass
class HarvestSummary:
    source: str
    pages: int = 0
    pages_skipped: int = 0
    records_seen: int = 0
    records_added: int = 0
    records_replaced: int = 0
    records_skipped: int = 0
    records_invalid: int = 0
    records_deleted: int = 0
    from_date: str | None = None
    harvest_date: str | None = None
    complete: bool = True
    issues: list[LoadIssue] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "issues"}
        data["issues"] = [str(issue) for issue in self.issues]
        return data

    def describe(self) -> str:
        lines = [
            f"source: {self.source}" + (f" (records changed since {self.from_date})" if self.from_date else ""),
            f"pages: {self.pages} read, {self.pages_skipped} skipped",
            f"records: {self.records_seen} seen, {self.records_added} added, {self.records_replaced} replaced, "
            f"{self.records_skipped} unchanged, {self.records_invalid} invalid, {self.records_deleted} deleted",
        ]
        if self.complete:
            lines.append(f"next harvest asks for records changed since {self.harvest_date}")
        else:
            lines.append("harvest incomplete: the harvest date was not advanced")
        return "\n".join(lines)


def source_name(url: str, metadata_prefix: str, set_spec: str | None = None) -> str:
    """A stable source name (and record id prefix) for a repository: its host and path, plus the set."""
    parts = urlsplit(url)
    base = f"{parts.hostname or 'oai'}{parts.path}".rstrip("/")
    if set_spec:
        base += f"-{set_spec}"
    return re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-") or "oai"


class HarvestState:
    """The last harvest date and the OAI identifier -> record id map of each source, in a small JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.data = {}

    def source(self, key: str) -> dict[str, Any]:
        return self.data.setdefault(key, {"last_harvest": None, "records": {}})

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)


def _map(entry: OaiRecord, metadata_prefix: str, prefix: str) -> list[Mapped]:
    """The records of one OAI record's metadata, with ids from the OAI identifier (so deletions can find them)."""
    element = entry.metadata
    if metadata_prefix == "lido":
        mapped = list(lido.map_document(element, prefix))
    elif metadata_prefix == "edm":
        mapped = list(edm.map_document(element, prefix))
    else:
        mapped = [oai_dc.map_record(element, prefix, entry.identifier)]
    for item in mapped:
        item.line = entry.line
        if not item.error and entry.identifier and len(mapped) == 1:
            item.raw["id"] = record_id(prefix, entry.identifier)
            source = item.raw.setdefault("source", {})
            if isinstance(source, dict):
                source["oai_identifier"] = entry.identifier
    return mapped


Ingest = Callable[[Path, str], Any]


class Harvester:
    """Harvests an OAI-PMH repository into the store through an ``Ingestor``."""

    def __init__(self, settings: Settings, store, embedder, client: httpx.Client | None = None) -> None:
        from ingest.pipeline import Ingestor

        self.settings = settings
        self.store = store
        self.ingestor = Ingestor(settings, store, embedder)
        self.client = client or httpx.Client(timeout=60.0, follow_redirects=True,
                                             headers={"User-Agent": "museum-rag OAI-PMH harvester"})
        self.state = HarvestState(Path(settings.data_dir) / STATE_FILE)

    def run(self, url: str, metadata_prefix: str, set_spec: str | None = None, from_date: str | None = None,
            source: str | None = None, max_pages: int = 10_000) -> HarvestSummary:
        if metadata_prefix not in METADATA_PREFIXES:
            raise ValueError(f"unknown metadata prefix {metadata_prefix!r}; use one of {', '.join(METADATA_PREFIXES)}")
        name = source or source_name(url, metadata_prefix, set_spec)
        key = f"{url}|{metadata_prefix}|{set_spec or ''}"
        remembered = self.state.source(key)
        summary = HarvestSummary(source=name, from_date=from_date or remembered.get("last_harvest"))
        params: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": metadata_prefix}
        if set_spec:
            params["set"] = set_spec
        if summary.from_date:
            params["from"] = summary.from_date
        page_number = 0
        first_response_date = None
        while params and page_number < max_pages:
            page_number += 1
            where = f"{url} (page {page_number})"
            try:
                response = self.client.get(url, params=params)
            except httpx.HTTPError as exc:
                if page_number == 1:
                    raise HarvestError(f"{url}: cannot reach the repository: {exc}") from exc
                summary.issues.append(LoadIssue(where, None, None, f"request failed: {exc}; harvest stopped"))
                summary.complete = False
                break
            if response.status_code != 200:
                message = f"HTTP {response.status_code}"
                if page_number == 1:
                    raise HarvestError(f"{url}: {message}")
                summary.issues.append(LoadIssue(where, None, None, f"{message}; harvest stopped"))
                summary.complete = False
                break
            try:
                root = parse_xml(response.content, name=where)
            except (MalformedXMLError, UnsafeXMLError) as exc:
                summary.pages_skipped += 1
                summary.complete = False
                summary.issues.append(LoadIssue(where, None, None, f"{str(exc).removeprefix(where + ': ')}; page "
                                                "skipped (its resumption token is unreadable, so the harvest stops here)"))
                break
            page = read_response(root)
            first_response_date = first_response_date or page.response_date
            if page.error_code == "noRecordsMatch":
                break
            if page.error_code:
                if page.error_code == "badResumptionToken" and page_number > 1:
                    summary.issues.append(LoadIssue(where, None, None, f"OAI-PMH error {page.error_code}: {page.error_message}"))
                    summary.complete = False
                    break
                raise HarvestError(f"{url}: OAI-PMH error {page.error_code}: {page.error_message or ''}".strip())
            summary.pages += 1
            self._ingest_page(page.records, where, metadata_prefix, name, remembered, summary)
            params = {"verb": "ListRecords", "resumptionToken": page.resumption_token} if page.resumption_token else {}
        if summary.complete and first_response_date:
            summary.harvest_date = first_response_date[:10]
            remembered["last_harvest"] = summary.harvest_date
        self.state.save()
        return summary

    def _ingest_page(self, records: list[OaiRecord], where: str, metadata_prefix: str, name: str,
                     remembered: dict[str, Any], summary: HarvestSummary) -> None:
        loaded = LoadResult()
        for entry in records:
            summary.records_seen += 1
            if entry.deleted:
                known = remembered["records"].pop(entry.identifier or "", None)
                target = known or (record_id(name, entry.identifier) if entry.identifier else None)
                if target and self.store.record_chunks(target):
                    self.store.delete_record_chunks(target)
                    summary.records_deleted += 1
                continue
            if entry.metadata is None:
                loaded.invalid += 1
                loaded.issues.append(LoadIssue(where, entry.line, "metadata", "record without metadata", entry.identifier))
                continue
            mapped = _map(entry, metadata_prefix, name)
            for item in mapped:
                if item.label is None or item.error:
                    item.label = entry.identifier or item.label
            collect(mapped, where, name, loaded)
        for item in loaded.records:
            oai_id = (item.record.source or {}).get("oai_identifier") if isinstance(item.record.source, dict) else None
            if oai_id:
                remembered["records"][oai_id] = item.record.id
        summary.records_invalid += loaded.invalid
        summary.issues.extend(loaded.issues)
        if not loaded.records:
            return
        with tempfile.TemporaryDirectory(prefix="harvest-") as folder:
            page_file = Path(folder) / "page.jsonl"
            with page_file.open("w", encoding="utf-8") as handle:
                for item in loaded.records:
                    handle.write(json.dumps(item.record.model_dump(mode="json", exclude_none=True), ensure_ascii=False) + "\n")
            result = self.ingestor.run([page_file], source=name)
        summary.records_added += result.records_added
        summary.records_replaced += result.records_replaced
        summary.records_skipped += result.records_skipped
        summary.records_invalid += result.records_invalid
        summary.issues.extend(result.issues)

    def close(self) -> None:
        self.client.close()
