"""Simple Dublin Core (``oai_dc:dc``, alone, in a wrapper, or inside an OAI-PMH response) onto the collection schema.

All fifteen elements are read; repeated elements keep every value (descriptions are joined, creators and
subjects listed, titles in other languages kept per language); values that wrap over several lines are
joined. ``dc:identifier`` / ``dc:relation`` URLs give the web page and the image (an image file or a IIIF
URL); a non-URL identifier is the accession number. The record id is the OAI header identifier when there
is one, else the first identifier.

| element | field |
|---|---|
| title | title (+ title_translations) |
| creator / contributor | creators (role "Creator" / "Contributor") |
| subject | keywords |
| description | description (+ description_translations) |
| publisher | museum |
| date | date, date_begin, date_end |
| type | type |
| format | technique (MIME types are skipped) |
| identifier, relation | url, image_url, accession_number |
| source | kept in the record's ``source`` (a related resource, not a text) |
| language | language (when no xml:lang says otherwise) |
| coverage | place_of_origin |
| rights | rights (text and image) |
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from lxml import etree

from ingest.formats.common import (
    LangTexts,
    Mapped,
    clean,
    is_url,
    language_code,
    looks_like_image,
    record_id,
    record_rights,
    unique,
    years,
)
from ingest.formats.oai_pmh import is_oai_pmh, read_response
from ingest.formats.safe_xml import lang_of, local_name, text_of
from rag.rights import rights_from

DC_NS = "http://purl.org/dc/elements/1.1/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
_DC = f"{{{DC_NS}}}"
_MIME = re.compile(r"^[a-z]+/[a-z0-9.+-]+$", re.IGNORECASE)


def is_oai_dc(root: etree._Element) -> bool:
    return root.tag == f"{{{OAI_DC_NS}}}dc" or root.find(f".//{{{OAI_DC_NS}}}dc") is not None


def iter_records(root: etree._Element) -> Iterator[tuple[etree._Element, str | None]]:
    if is_oai_pmh(root):
        for entry in read_response(root).records:
            if not entry.deleted and entry.metadata is not None and local_name(entry.metadata) == "dc":
                yield entry.metadata, entry.identifier
        return
    if root.tag == f"{{{OAI_DC_NS}}}dc":
        yield root, None
        return
    for dc in root.iter(f"{{{OAI_DC_NS}}}dc"):
        yield dc, None


def map_document(root: etree._Element, prefix: str) -> Iterator[Mapped]:
    for index, (dc, identifier) in enumerate(iter_records(root)):
        yield map_record(dc, prefix, identifier, index)


def _all(dc: etree._Element, name: str) -> list[etree._Element]:
    return dc.findall(f"{_DC}{name}")


def _texts(dc: etree._Element, name: str) -> list[str]:
    return unique(clean(text_of(e)) for e in _all(dc, name))


def map_record(dc: etree._Element, prefix: str, oai_identifier: str | None = None, index: int = 0) -> Mapped:
    identifiers = _texts(dc, "identifier")
    ident = oai_identifier or next((i for i in identifiers if not is_url(i)), None) or (identifiers[0] if identifiers else None)
    declared = [language_code(v) for v in _texts(dc, "language")]
    declared_lang = next((c for c in declared if c), None)
    titles = LangTexts()
    for element in _all(dc, "title"):
        titles.add(text_of(element), language_code(lang_of(element)))
    primary = titles.languages()[0] if titles.languages() else declared_lang
    title, title_translations = titles.pick(primary, joiner=None)
    label = ident or title or f"dc record #{index + 1}"
    if not title:
        return Mapped({}, label=label, line=dc.sourceline, error="no dc:title", error_field="dc:title")
    if not ident:
        return Mapped({}, label=title, line=dc.sourceline, error="no dc:identifier and no OAI identifier",
                      error_field="dc:identifier")
    descriptions = LangTexts()
    for element in _all(dc, "description"):
        descriptions.add(text_of(element), language_code(lang_of(element)))
    description, description_translations = descriptions.pick(primary)
    links = [v for v in identifiers + _texts(dc, "relation") if is_url(v)]
    images = [v for v in links if looks_like_image(v)]
    pages = [v for v in links if v not in images]
    date = next(iter(_texts(dc, "date")), None)
    begin, end = years(" ".join(_texts(dc, "date")))
    formats = [f for f in _texts(dc, "format") if not _MIME.match(f)]
    rights_values = _texts(dc, "rights")
    rights = next((rights_from(v) for v in rights_values if is_url(v)), None) or (
        rights_from(rights_values[0]) if rights_values else None)
    raw: dict[str, Any] = {
        "id": record_id(prefix, ident),
        "title": title,
        "title_translations": title_translations,
        "language": primary or declared_lang,
        "description": description,
        "description_translations": description_translations,
        "creators": [{"name": n, "role": "Creator"} for n in _texts(dc, "creator")]
        + [{"name": n, "role": "Contributor"} for n in _texts(dc, "contributor")],
        "keywords": _texts(dc, "subject"),
        "museum": next(iter(_texts(dc, "publisher")), None),
        "date": date,
        "date_begin": begin,
        "date_end": end,
        "type": next(iter(_texts(dc, "type")), None),
        "technique": "; ".join(formats) or None,
        "accession_number": next((i for i in identifiers if not is_url(i) and i != oai_identifier), None),
        "url": pages[0] if pages else None,
        "image_url": images[0] if images else None,
        "place_of_origin": next(iter(_texts(dc, "coverage")), None),
        "rights": record_rights(text=rights, image=rights),
        "source": {"format": "oai-dc", "identifier": ident, **({"dc_source": _texts(dc, "source")} if _texts(dc, "source") else {})},
    }
    return Mapped({k: v for k, v in raw.items() if v not in (None, "", [], {})}, label=ident, line=dc.sourceline)
