"""Europeana Data Model RDF/XML onto the collection schema.

Each ``edm:ProvidedCHO`` becomes a record, with the ``ore:Aggregation`` that aggregates it (and any
``ore:Proxy`` for it, as Europeana's API returns). A property that references a contextual entity in the same
file (``edm:Agent``, ``edm:Place``, ``edm:TimeSpan``, ``skos:Concept``, ``foaf:Organization``) by
``rdf:resource`` is resolved to that entity's ``skos:prefLabel`` (in the record's language when given); an
unresolvable URI is kept as is only where a URI is useful (links, rights).

Mapping: ``dc:title`` (per language), ``dc:creator`` / ``dc:contributor`` (with the agent's life dates),
``dcterms:created`` or ``dc:date`` (a TimeSpan's ``edm:begin``/``edm:end`` give the years),
``dcterms:medium`` and ``dc:format``, ``dc:description`` (per language), ``dc:type``, ``dc:identifier``,
``dcterms:provenance``, ``edm:dataProvider`` (museum), ``edm:isShownAt`` (page), ``edm:isShownBy`` or
``edm:object`` (image; its ``edm:WebResource`` may carry its own ``edm:rights`` and an ``svcs:has_service``
IIIF service), ``edm:rights`` (image), ``dc:rights`` (text).
"""

from __future__ import annotations

from typing import Any, Iterator

from lxml import etree

from ingest.formats.common import (
    LangTexts,
    Mapped,
    clean,
    is_url,
    language_code,
    record_id,
    record_rights,
    unique,
    years,
)
from ingest.formats.oai_pmh import is_oai_pmh, metadata_kind, read_response
from ingest.formats.safe_xml import lang_of, local_name, text_of
from rag.rights import rights_from

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "edm": "http://www.europeana.eu/schemas/edm/",
    "ore": "http://www.openarchives.org/ore/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "rdaGr2": "http://rdvocab.info/ElementsGr2/",
    "svcs": "http://rdfs.org/sioc/services#",
}
_RDF = f"{{{NS['rdf']}}}"
CONTEXTUAL = {"Agent", "Place", "TimeSpan", "Concept", "Organization", "Organisation", "Event"}


def _q(prefixed: str) -> str:
    prefix, name = prefixed.split(":")
    return f"{{{NS[prefix]}}}{name}"


def kind(element: etree._Element) -> str:
    """An element's class: its tag's local name, or for a generic ``rdf:Description`` (as RDF serialisers write
    it) the local name of its ``rdf:type``."""
    if element.tag == f"{_RDF}Description":
        for typed in element.findall(f"{_RDF}type"):
            resource = _resource(typed) or ""
            name = resource.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            if name:
                return name
    return local_name(element)


def is_edm(root: etree._Element) -> bool:
    return root.tag == f"{_RDF}RDF" and any(kind(child) == "ProvidedCHO" for child in root if isinstance(child.tag, str))


def iter_documents(root: etree._Element) -> Iterator[etree._Element]:
    """The rdf:RDF documents in a file (one, or one per record of an OAI-PMH response)."""
    if is_oai_pmh(root):
        for entry in read_response(root).records:
            if not entry.deleted and metadata_kind(entry.metadata) == "edm":
                yield entry.metadata
        return
    yield root


def map_document(root: etree._Element, prefix: str) -> Iterator[Mapped]:
    for rdf in iter_documents(root):
        yield from _map_rdf(rdf, prefix)


def _about(element: etree._Element) -> str | None:
    return element.get(f"{_RDF}about") or element.get(f"{_RDF}ID")


def _resource(element: etree._Element) -> str | None:
    return element.get(f"{_RDF}resource")


class _Context:
    """The contextual entities and aggregations of one rdf:RDF document, by URI."""

    def __init__(self, rdf: etree._Element) -> None:
        self.entities: dict[str, etree._Element] = {}
        self.aggregations: dict[str, etree._Element] = {}
        self.proxies: dict[str, list[etree._Element]] = {}
        self.web_resources: dict[str, etree._Element] = {}
        self.services: dict[str, etree._Element] = {}
        for element in rdf.iter():
            if not isinstance(element.tag, str):
                continue
            name = kind(element)
            about = _about(element)
            if name in CONTEXTUAL and about:
                self.entities[about] = element
            elif name == "Aggregation":
                target = element.find(_q("edm:aggregatedCHO"))
                if target is not None and _resource(target):
                    self.aggregations[_resource(target)] = element
            elif name == "Proxy":
                target = element.find(_q("ore:proxyFor"))
                if target is not None and _resource(target):
                    self.proxies.setdefault(_resource(target), []).append(element)
            elif name == "WebResource" and about:
                self.web_resources[about] = element
            elif name == "Service" and about:
                self.services[about] = element

    def label(self, uri: str, lang: str | None) -> str | None:
        entity = self.entities.get(uri)
        if entity is None:
            return None
        return _pref_label(entity, lang)


def _pref_label(entity: etree._Element, lang: str | None) -> str | None:
    labels = entity.findall(_q("skos:prefLabel")) or entity.findall(_q("foaf:name"))
    if not labels:
        return None
    for wanted in (lang, "en", None):
        for label in labels:
            if language_code(lang_of(label)) == wanted:
                return clean(text_of(label))
    return clean(text_of(labels[0]))


def _values(sources: list[etree._Element], tag: str, context: _Context, lang: str | None) -> list[tuple[str, str | None, str | None]]:
    """(text, language, URI) of every ``tag`` on the sources; references resolved to prefLabels, nested entities read."""
    found = []
    for source in sources:
        for element in source.findall(_q(tag)):
            uri = _resource(element)
            nested = next((c for c in element if isinstance(c.tag, str)), None)
            if uri:
                text = context.label(uri, lang)
                found.append((text, None, uri))
            elif nested is not None:
                uri = _about(nested)
                if uri:
                    context.entities.setdefault(uri, nested)
                found.append((_pref_label(nested, lang), None, uri))
            else:
                found.append((clean(text_of(element)), language_code(lang_of(element)), None))
    return found


def _map_rdf(rdf: etree._Element, prefix: str) -> Iterator[Mapped]:
    context = _Context(rdf)
    for cho in (child for child in rdf if isinstance(child.tag, str) and kind(child) == "ProvidedCHO"):
        yield _map_cho(cho, context, prefix)


def _map_cho(cho: etree._Element, context: _Context, prefix: str) -> Mapped:
    about = _about(cho)
    sources = [cho] + context.proxies.get(about or "", [])
    label = about or "edm:ProvidedCHO"
    titles = LangTexts()
    for text, lang, _ in _values(sources, "dc:title", context, None):
        titles.add(text, lang)
    primary = titles.languages()[0] if titles.languages() else None
    title, title_translations = titles.pick(primary, joiner=None)
    if not title:
        alternatives = [t for t, _, _ in _values(sources, "dcterms:alternative", context, None) if t]
        title = alternatives[0] if alternatives else None
    if not title:
        return Mapped({}, label=label, line=cho.sourceline, error="no dc:title", error_field="dc:title")
    if not about:
        return Mapped({}, label=title, line=cho.sourceline, error="edm:ProvidedCHO without rdf:about", error_field="rdf:about")
    descriptions = LangTexts()
    for text, lang, _ in _values(sources, "dc:description", context, primary):
        descriptions.add(text, lang)
    description, description_translations = descriptions.pick(primary)

    raw: dict[str, Any] = {
        "id": record_id(prefix, about),
        "title": title,
        "title_translations": title_translations,
        "language": primary,
        "description": description,
        "description_translations": description_translations,
        "source": {"format": "edm", "uri": about},
    }
    creators = []
    for tag, role in (("dc:creator", "Creator"), ("dc:contributor", "Contributor")):
        for text, _, uri in _values(sources, tag, context, primary):
            if not text:
                continue
            creator: dict[str, Any] = {"name": text, "role": role}
            entity = context.entities.get(uri or "")
            if entity is not None:
                born = clean(text_of(entity.find(_q("rdaGr2:dateOfBirth"))))
                died = clean(text_of(entity.find(_q("rdaGr2:dateOfDeath"))))
                if born or died:
                    creator["dates"] = f"{born or ''}-{died or ''}"
            creators.append(creator)
    raw["creators"] = list({(c["name"], c["role"]): c for c in creators}.values())  # proxies repeat them
    _dates(sources, context, primary, raw)
    media = [t for t, _, _ in _values(sources, "dcterms:medium", context, primary) if t]
    formats = [t for t, _, _ in _values(sources, "dc:format", context, primary) if t and "/" not in t]
    raw["technique"] = ", ".join(unique(media or formats)) or None
    raw["dimensions"] = next((t for t, _, _ in _values(sources, "dcterms:extent", context, primary) if t), None)
    types = [t for t, _, _ in _values(sources, "dc:type", context, primary) if t]
    raw["type"] = types[0] if types else None
    subjects = [t for t, _, _ in _values(sources, "dc:subject", context, primary) if t]
    raw["keywords"] = unique(types[1:] + subjects)
    identifiers = [t for t, _, _ in _values(sources, "dc:identifier", context, primary) if t and not is_url(t)]
    raw["accession_number"] = identifiers[0] if identifiers else None
    provenance = [t for t, _, _ in _values(sources, "dcterms:provenance", context, primary) if t]
    raw["provenance"] = "\n".join(unique(provenance)) or None
    places = [t for t, _, _ in _values(sources, "dcterms:spatial", context, primary) if t]
    raw["place_of_origin"] = places[0] if places else None
    text_rights = next(
        (rights_from(uri or text) for text, _, uri in _values(sources, "dc:rights", context, primary) if uri or text), None)
    _aggregation(context.aggregations.get(about), context, primary, raw, text_rights)
    return Mapped({k: v for k, v in raw.items() if v not in (None, "", [], {})}, label=about, line=cho.sourceline)


def _dates(sources: list[etree._Element], context: _Context, lang: str | None, raw: dict[str, Any]) -> None:
    for tag in ("dcterms:created", "dc:date", "dcterms:issued", "dcterms:temporal"):
        for element in (e for s in sources for e in s.findall(_q(tag))):
            uri = _resource(element)
            nested = next((c for c in element if isinstance(c.tag, str)), None)
            entity = context.entities.get(uri) if uri else nested
            if entity is not None:
                display = _pref_label(entity, lang)
                begin = years(text_of(entity.find(_q("edm:begin"))))[0]
                end = years(text_of(entity.find(_q("edm:end"))))[1]
            else:
                display = clean(text_of(element))
                begin = end = None
            if not display and begin is None:
                continue
            parsed = years(display)
            raw["date"] = display or (str(begin) if begin == end else f"{begin}-{end}")
            raw["date_begin"] = begin if begin is not None else parsed[0]
            raw["date_end"] = end if end is not None else parsed[1]
            return


def _aggregation(aggregation: etree._Element | None, context: _Context, lang: str | None, raw: dict[str, Any],
                 text_rights) -> None:
    if aggregation is None:
        raw["rights"] = record_rights(text=text_rights)
        return

    def first(tag: str) -> etree._Element | None:
        return aggregation.find(_q(tag))

    provider = first("edm:dataProvider")
    if provider is not None:
        uri = _resource(provider)
        raw["museum"] = (context.label(uri, lang) if uri else None) or clean(text_of(provider))
    shown_at = first("edm:isShownAt")
    raw["url"] = _resource(shown_at) if shown_at is not None else None
    shown_by, thumb = first("edm:isShownBy"), first("edm:object")
    image = (_resource(shown_by) if shown_by is not None else None) or (_resource(thumb) if thumb is not None else None)
    raw["image_url"] = image
    rights_element = first("edm:rights")
    aggregation_rights = rights_from(_resource(rights_element) or text_of(rights_element)) if rights_element is not None else None
    image_rights = None
    web = context.web_resources.get(image or "")
    if web is not None:
        web_rights = web.find(_q("edm:rights"))
        if web_rights is not None:
            image_rights = rights_from(_resource(web_rights) or text_of(web_rights))
        service = web.find(_q("svcs:has_service"))
        if service is not None and _resource(service):
            raw["image_service"] = _resource(service)
    raw["rights"] = record_rights(text=text_rights, image=image_rights or aggregation_rights)
