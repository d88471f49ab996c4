"""The OAI-PMH envelope: records (header + metadata), errors and the resumption token of a response.

Example::

    page = read_response(parse_xml(body))
    for entry in page.records:
        print(entry.identifier, entry.deleted)
    next_token = page.resumption_token
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from ingest.formats.safe_xml import local_name, text_of

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
_OAI = f"{{{OAI_NS}}}"


@dataclass
class OaiRecord:
    identifier: str | None
    datestamp: str | None
    deleted: bool
    metadata: etree._Element | None  # the format's root element (lido:lido, rdf:RDF, oai_dc:dc, ...)
    line: int | None


@dataclass
class OaiPage:
    records: list[OaiRecord] = field(default_factory=list)
    resumption_token: str | None = None
    complete_list_size: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    response_date: str | None = None


def is_oai_pmh(root: etree._Element) -> bool:
    return root.tag == f"{_OAI}OAI-PMH"


def read_response(root: etree._Element) -> OaiPage:
    """Records, error and resumption token of an OAI-PMH response (ListRecords or GetRecord)."""
    page = OaiPage(response_date=text_of(root.find(f"{_OAI}responseDate")))
    error = root.find(f"{_OAI}error")
    if error is not None:
        page.error_code = error.get("code")
        page.error_message = text_of(error)
    for record in root.iter(f"{_OAI}record"):
        header = record.find(f"{_OAI}header")
        metadata = record.find(f"{_OAI}metadata")
        content = None
        if metadata is not None:
            content = next((child for child in metadata if isinstance(child.tag, str)), None)
        page.records.append(OaiRecord(
            identifier=text_of(header.find(f"{_OAI}identifier")) if header is not None else None,
            datestamp=text_of(header.find(f"{_OAI}datestamp")) if header is not None else None,
            deleted=header is not None and header.get("status") == "deleted",
            metadata=content,
            line=record.sourceline,
        ))
    token = root.find(f".//{_OAI}resumptionToken")
    if token is not None:
        page.resumption_token = (token.text or "").strip() or None
        size = token.get("completeListSize")
        page.complete_list_size = int(size) if size and size.isdigit() else None
    return page


def metadata_kind(element: etree._Element | None) -> str | None:
    """The format of a record's metadata element: "lido", "edm", "oai-dc" or None."""
    if element is None:
        return None
    name = local_name(element)
    ns = etree.QName(element).namespace or ""
    if "lido-schema.org" in ns and name in ("lido", "lidoWrap"):
        return "lido"
    if name == "RDF":
        return "edm"
    if name == "dc" and "oai_dc" in ns:
        return "oai-dc"
    return None
