"""LIDO XML (``lidoWrap``, a bare ``lido``, or LIDO records inside an OAI-PMH response) onto the collection schema.

Mapping: the preferred title (other languages' titles kept per language), the object work type (required:
a record without one is reported and skipped), makers with their roles from the actors of the
*production* event only (which event types count is data: ``data/lido.json``; an actor's own life dates,
inside the event, are the actor's, never the object's), the object's date from the production event's
``eventDate`` (``displayDate`` for display, ``earliestDate``/``latestDate`` for the year range),
materials/techniques, descriptive notes per language, inscriptions, repository (museum) and inventory
number, other events (acquisition, ...) as provenance lines, record rights (metadata), work rights and
resource rights (image), resource links and the record's web page.
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
    vocabulary,
    years,
)
from ingest.formats.oai_pmh import is_oai_pmh, metadata_kind, read_response
from ingest.formats.safe_xml import XML_NS, lang_of, local_name, text_of
from rag.models import Rights
from rag.rights import rights_from

LIDO_NS = "http://www.lido-schema.org"
_L = f"{{{LIDO_NS}}}"


def is_lido(root: etree._Element) -> bool:
    return (etree.QName(root).namespace or "").startswith(LIDO_NS) and local_name(root) in ("lido", "lidoWrap")


def _ns(root: etree._Element) -> str:
    return etree.QName(root).namespace or LIDO_NS


def iter_records(root: etree._Element) -> Iterator[tuple[etree._Element, str | None, bool]]:
    """(lido element, OAI identifier, deleted) for every LIDO record in a document."""
    if is_oai_pmh(root):
        for entry in read_response(root).records:
            if entry.deleted or metadata_kind(entry.metadata) != "lido":
                continue
            if local_name(entry.metadata) == "lidoWrap":
                for lido in entry.metadata:
                    if isinstance(lido.tag, str) and local_name(lido) == "lido":
                        yield lido, entry.identifier, False
            else:
                yield entry.metadata, entry.identifier, False
        return
    if local_name(root) == "lido":
        yield root, None, False
        return
    for lido in root:
        if isinstance(lido.tag, str) and local_name(lido) == "lido":
            yield lido, None, False


def map_document(root: etree._Element, prefix: str) -> Iterator[Mapped]:
    for index, (lido, oai_identifier, _) in enumerate(iter_records(root)):
        yield map_record(lido, prefix, index, oai_identifier)


class _Lido:
    """Namespace-aware finders on one record (LIDO 1.0 and 1.1 share the namespace URI)."""

    def __init__(self, element: etree._Element) -> None:
        self.root = element
        self.p = f"{{{_ns(element)}}}"
        self.lang: str | None = None  # the record's primary language, for picking among concept labels

    def all(self, node: etree._Element, path: str) -> list[etree._Element]:
        return node.findall(path.replace("lido:", self.p))

    def one(self, node: etree._Element, path: str) -> etree._Element | None:
        return node.find(path.replace("lido:", self.p))

    def text(self, node: etree._Element | None, path: str) -> str | None:
        if node is None:
            return None
        found = self.one(node, path)
        return clean(text_of(found)) if found is not None else None

    def attr(self, node: etree._Element, name: str) -> str | None:
        return node.get(f"{self.p}{name}") or node.get(name)


_SKOS = "{http://www.w3.org/2004/02/skos/core#}"
_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"


def is_preferred(lido: _Lido, element: etree._Element) -> bool:
    """LIDO 1.0 says pref="preferred"; LIDO 1.1 uses the terminology URI lido00169 (alternates: lido00170)."""
    pref = lido.attr(element, "pref")
    return pref is None or pref == "preferred" or pref.rstrip("/").endswith("lido00169")


def _concept(lido: _Lido, node: etree._Element | None) -> tuple[str | None, list[str]]:
    """(a label, the concept ids) of a LIDO concept element: its own ``term`` (not one added for search) in the
    record's language, else a ``skos:Concept`` prefLabel (LIDO 1.1) in the record's language or English, else any."""
    if node is None:
        return None, []
    ids = [clean(text_of(c)) for c in lido.all(node, "lido:conceptID")]
    concepts = node.findall(f"{_SKOS}Concept")
    ids += [c.get(_RDF_ABOUT) for c in concepts]
    terms = lido.all(node, "lido:term")
    own = [t for t in terms if lido.attr(t, "addedSearchTerm") != "yes"]
    labels = [label for c in concepts for label in c.findall(f"{_SKOS}prefLabel")]

    def in_lang(elements: list[etree._Element], lang: str | None) -> str | None:
        return next((clean(text_of(e)) for e in elements if language_code(lang_of(e)) == lang and text_of(e)), None)

    for candidates, langs in ((own, (lido.lang, None)), (labels, (lido.lang, "en")), (own, ()), (labels, ()), (terms, ())):
        for lang in langs:
            found = in_lang(candidates, lang)
            if found:
                return found, [i for i in ids if i]
        if not langs:
            found = next((clean(text_of(e)) for e in candidates if text_of(e)), None)
            if found:
                return found, [i for i in ids if i]
    return None, [i for i in ids if i]


def map_record(element: etree._Element, prefix: str, index: int = 0, oai_identifier: str | None = None) -> Mapped:
    lido = _Lido(element)
    rec_id = lido.text(element, "lido:lidoRecID") or oai_identifier
    line = element.sourceline
    label = rec_id or f"LIDO record #{index + 1}"
    descriptive = lido.all(element, "lido:descriptiveMetadata")
    administrative = lido.all(element, "lido:administrativeMetadata")
    if not descriptive:
        return Mapped({}, label=label, line=line, error="no descriptiveMetadata", error_field="descriptiveMetadata")
    primary = language_code(lang_of(descriptive[0]))

    titles = LangTexts()
    values = [v for desc in descriptive
              for v in lido.all(desc, "lido:objectIdentificationWrap/lido:titleWrap/lido:titleSet/lido:appellationValue")]
    for value in [v for v in values if is_preferred(lido, v)] or values:
        titles.add(text_of(value), language_code(lang_of(value)))
    if primary is None and titles.languages():
        primary = titles.languages()[0]
    lido.lang = primary
    title, title_translations = titles.pick(primary, joiner=None)
    if not title:
        return Mapped({}, label=label, line=line, error="no title (lido:titleWrap/titleSet/appellationValue)",
                      error_field="titleWrap")
    work_types = unique(
        _concept(lido, node)[0]
        for desc in descriptive
        for node in lido.all(desc, "lido:objectClassificationWrap/lido:objectWorkTypeWrap/lido:objectWorkType")
    )
    if not work_types:
        return Mapped({}, label=label, line=line, error_field="objectWorkType",
                      error="no object work type (lido:objectClassificationWrap/objectWorkTypeWrap/objectWorkType "
                      "is required by LIDO); record skipped")
    if not rec_id:
        return Mapped({}, label=label, line=line, error="no lidoRecID", error_field="lidoRecID")

    raw: dict[str, Any] = {
        "id": record_id(prefix, rec_id),
        "title": title,
        "title_translations": title_translations,
        "language": primary,
        "type": work_types[0],
        "source": {"format": "lido", "lidoRecID": rec_id},
    }
    def first(path: str) -> etree._Element:
        """The first descriptiveMetadata (language variant) that has ``path``: variants repeat the same facts."""
        return next((d for d in descriptive if lido.one(d, path) is not None), descriptive[0])

    classifications = unique(
        _concept(lido, node)[0]
        for node in lido.all(first("lido:objectClassificationWrap/lido:classificationWrap"),
                             "lido:objectClassificationWrap/lido:classificationWrap/lido:classification")
    )
    if classifications:
        raw["keywords"] = classifications

    descriptions, provenance_notes = LangTexts(), LangTexts()
    for desc in descriptive:
        for note_set in lido.all(desc, "lido:objectIdentificationWrap/lido:objectDescriptionWrap/lido:objectDescriptionSet"):
            kind = (lido.attr(note_set, "type") or "").lower()
            target = provenance_notes if "provenance" in kind else descriptions
            for value in lido.all(note_set, "lido:descriptiveNoteValue"):
                target.add(text_of(value), language_code(lang_of(value)))
    description, description_translations = descriptions.pick(primary)
    raw["description"] = description
    raw["description_translations"] = description_translations

    inscriptions = []
    wrap = "lido:objectIdentificationWrap/lido:inscriptionsWrap"
    for node in lido.all(first(wrap), wrap + "/lido:inscriptions"):
        parts = [lido.text(node, "lido:inscriptionTranscription")]
        parts += [clean(text_of(v)) for v in lido.all(node, "lido:inscriptionDescription/lido:descriptiveNoteValue")]
        text = "; ".join(unique(parts))
        if text:
            inscriptions.append(text)
    raw["inscriptions"] = "\n".join(inscriptions) or None

    wrap = "lido:objectIdentificationWrap/lido:repositoryWrap"
    repositories = lido.all(first(wrap), wrap + "/lido:repositorySet")
    former = [r for r in repositories if (lido.attr(r, "type") or "").lower() in vocabulary("lido")["former_repository_types"]
              or (lido.attr(r, "type") or "").rstrip("/").endswith(tuple(vocabulary("lido")["former_repository_types"]))]
    for repo in [r for r in repositories if r not in former][:1]:
        names = lido.all(repo, "lido:repositoryName/lido:legalBodyName/lido:appellationValue")
        raw["museum"] = next((clean(text_of(n)) for n in names if language_code(lang_of(n)) == primary), None) or (
            clean(text_of(names[0])) if names else None)
        for work_id in lido.all(repo, "lido:workID"):
            work_type = (lido.attr(work_id, "type") or "").lower()
            if not raw.get("accession_number") or work_type in vocabulary("lido")["inventory_number_types"] or \
                    work_type.rstrip("/").endswith(tuple(vocabulary("lido")["inventory_number_types"])):
                raw["accession_number"] = clean(text_of(work_id))
        location = lido.text(repo, "lido:repositoryLocation/lido:namePlaceSet/lido:appellationValue")
        raw["location"] = raw.get("location") or location
    wrap = "lido:objectIdentificationWrap/lido:objectMeasurementsWrap/lido:objectMeasurementsSet/lido:displayObjectMeasurements"
    raw["dimensions"] = lido.text(first(wrap), wrap)
    wrap = "lido:objectIdentificationWrap/lido:objectMaterialsTechWrap/lido:objectMaterialsTechSet"
    object_materials = _materials(lido, lido.all(first(wrap), wrap))

    _events(lido, first("lido:eventWrap/lido:eventSet/lido:event"), raw, provenance_notes, primary)
    if object_materials:  # LIDO 1.1 describes the object's materials outside the production event
        raw["technique"] = ", ".join(object_materials)
    provenance, _ = provenance_notes.pick(primary, joiner="\n")
    raw["provenance"] = provenance

    _administrative(lido, administrative, raw)
    return Mapped({k: v for k, v in raw.items() if v not in (None, "", [], {})}, label=rec_id, line=line)


def _materials(lido: _Lido, sets: list[etree._Element]) -> list[str]:
    """``displayMaterialsTech`` of each set, else its ``termMaterialsTech`` labels."""
    found: list[str] = []
    for mt in sets:
        shown = lido.text(mt, "lido:displayMaterialsTech")
        if shown:
            found.append(shown)
        else:
            found.extend(_concept(lido, t)[0] or "" for t in lido.all(mt, "lido:materialsTech/lido:termMaterialsTech"))
    return unique(found)


def _event_kind(lido: _Lido, event: etree._Element) -> tuple[str, str | None]:
    """("production" | "exhibition" | "other", the event type's term)."""
    vocab = vocabulary("lido")
    term, ids = _concept(lido, lido.one(event, "lido:eventType"))
    endings = {i.rstrip("/").rsplit("/", 1)[-1].lower() for i in ids}
    terms = {t.lower() for t in [term] if t} | {
        (clean(text_of(t)) or "").lower() for t in lido.all(event, "lido:eventType/lido:term")} | {
        (clean(text_of(t)) or "").lower() for t in event.findall(f"{lido.p}eventType/{_SKOS}Concept/{_SKOS}prefLabel")}
    if endings & set(vocab["production_event_ids"]) or terms & set(vocab["production_event_terms"]):
        return "production", term
    if endings & set(vocab["exhibition_event_ids"]) or terms & set(vocab["exhibition_event_terms"]):
        return "exhibition", term
    return "other", term


def _event_date(lido: _Lido, event: etree._Element) -> tuple[str | None, int | None, int | None]:
    """The event's own date (``eventDate``, a direct child: actors' life dates inside the event are not it)."""
    node = lido.one(event, "lido:eventDate")
    if node is None:
        return None, None, None
    shown = lido.all(node, "lido:displayDate")  # may repeat once per language
    own_lang = [d for d in shown if d.get(f"{{{XML_NS}}}lang") and language_code(lang_of(d)) == lido.lang]
    display = next((clean(text_of(d)) for d in own_lang + shown if text_of(d)), None)
    earliest = years(lido.text(node, "lido:date/lido:earliestDate"))[0]
    latest = years(lido.text(node, "lido:date/lido:latestDate"))[1]
    if display and (earliest is None or latest is None):
        parsed = years(display)
        earliest = earliest if earliest is not None else parsed[0]
        latest = latest if latest is not None else parsed[1]
    if not display and (earliest is not None or latest is not None):
        display = str(earliest) if earliest == latest or latest is None else (
            str(latest) if earliest is None else f"{earliest}-{latest}")
    return display, earliest, latest


def _actors(lido: _Lido, event: etree._Element) -> list[dict[str, Any]]:
    found = []
    for event_actor in lido.all(event, "lido:eventActor"):
        in_roles = lido.all(event_actor, "lido:actorInRole")
        if not in_roles:
            display = lido.text(event_actor, "lido:displayActorInRole")
            if display:
                found.append({"name": display, "role": None})
            continue
        for in_role in in_roles:
            actor = lido.one(in_role, "lido:actor")
            if actor is None:
                continue
            names = lido.all(actor, "lido:nameActorSet/lido:appellationValue")
            preferred = [n for n in names if is_preferred(lido, n)] or names
            name = clean(text_of(preferred[0])) if preferred else None
            if not name:
                continue
            role = next((t for t in (_concept(lido, r)[0] for r in lido.all(in_role, "lido:roleActor")) if t), None)
            qualifier = lido.text(in_role, "lido:attributionQualifierActor")
            creator: dict[str, Any] = {"name": name, "role": role}
            if qualifier:
                creator["display"] = f"{qualifier} {name}"
            born = years(lido.text(actor, "lido:vitalDatesActor/lido:earliestDate"))[0]
            died = years(lido.text(actor, "lido:vitalDatesActor/lido:latestDate"))[1]
            if born is not None or died is not None:
                creator["dates"] = f"{'' if born is None else born}-{'' if died is None else died}"
            nationality = _concept(lido, lido.one(actor, "lido:nationalityActor"))[0]
            if nationality:
                creator["nationality"] = nationality
            found.append(creator)
    return found


def _events(lido: _Lido, desc: etree._Element, raw: dict[str, Any], provenance: LangTexts, primary: str | None) -> None:
    creators: list[dict[str, Any]] = []
    materials: list[str] = []
    other_materials: list[str] = []  # an object's materials, whatever event a system files them under
    exhibitions: list[str] = []
    dated = False
    for event in lido.all(desc, "lido:eventWrap/lido:eventSet/lido:event"):
        kind, term = _event_kind(lido, event)
        display, begin, end = _event_date(lido, event)
        actors = _actors(lido, event)
        if kind == "production":
            creators.extend(actors)
            if not dated and (display or begin is not None):
                raw["date"], raw["date_begin"], raw["date_end"] = display, begin, end
                dated = True
            materials.extend(_materials(lido, lido.all(event, "lido:eventMaterialsTech")))
            place = lido.text(event, "lido:eventPlace/lido:place/lido:namePlaceSet/lido:appellationValue") or lido.text(
                event, "lido:eventPlace/lido:displayPlace")
            raw["place_of_origin"] = raw.get("place_of_origin") or place
            culture = _concept(lido, lido.one(event, "lido:culture"))[0]
            raw["culture"] = raw.get("culture") or culture
            period = _concept(lido, lido.one(event, "lido:periodName"))[0]
            raw["period"] = raw.get("period") or period
            continue
        other_materials.extend(_materials(lido, lido.all(event, "lido:eventMaterialsTech")))
        shown = lido.text(event, "lido:eventName/lido:appellationValue") or term or "Event"
        parts = [f"{shown}" + (f" ({display})" if display else "")]
        who = ", ".join(f"{a['name']}" + (f" ({a['role']})" if a.get("role") else "") for a in actors)
        if who:
            parts.append(who)
        place = lido.text(event, "lido:eventPlace/lido:place/lido:namePlaceSet/lido:appellationValue") or lido.text(
            event, "lido:eventPlace/lido:displayPlace")
        if place:
            parts.append(place)
        if not (display or len(parts) > 1):
            continue  # nothing said of this event but its type
        line = ": ".join(parts[:1] + ["; ".join(parts[1:])]) if len(parts) > 1 else parts[0]
        if kind == "exhibition":
            exhibitions.append(line)
        else:
            provenance.add(line + ".", language_code(lang_of(event)) or primary)
    if creators:
        raw["creators"] = creators
    raw["technique"] = ", ".join(unique(m for m in materials or other_materials if m)) or None
    if exhibitions:
        raw["exhibitions"] = exhibitions


def _rights(lido: _Lido, node: etree._Element | None) -> tuple[Rights | None, str | None]:
    """(rights, credit line) of a rights element (``rightsWorkSet``, ``recordRights``, ``rightsResource``)."""
    if node is None:
        return None, None
    term, ids = _concept(lido, lido.one(node, "lido:rightsType"))
    uri = next((i for i in ids if is_url(i)), None)
    holder = lido.text(node, "lido:rightsHolder/lido:legalBodyName/lido:appellationValue")
    credit = lido.text(node, "lido:creditLine")
    if uri or term:
        return rights_from(uri or term, label=term), credit
    if holder:
        return Rights(uri=None, label=f"© {holder}", display=False), credit
    return None, credit


def _administrative(lido: _Lido, administrative: list[etree._Element], raw: dict[str, Any]) -> None:
    if not administrative:
        return
    admin = administrative[0]
    work_rights, credit = _rights(lido, lido.one(admin, "lido:rightsWorkWrap/lido:rightsWorkSet"))
    record_wrap = lido.one(admin, "lido:recordWrap")
    metadata_rights, _ = _rights(lido, lido.one(record_wrap, "lido:recordRights")) if record_wrap is not None else (None, None)
    if record_wrap is not None:
        raw["url"] = lido.text(record_wrap, "lido:recordInfoSet/lido:recordInfoLink")
        raw["museum"] = raw.get("museum") or lido.text(record_wrap, "lido:recordSource/lido:legalBodyName/lido:appellationValue")
    vocab = vocabulary("lido")
    image = thumb = None
    image_rights = None
    for resource in lido.all(admin, "lido:resourceWrap/lido:resourceSet"):
        for representation in lido.all(resource, "lido:resourceRepresentation"):
            kind = (lido.attr(representation, "type") or "").lower()
            link = lido.text(representation, "lido:linkResource")
            if not is_url(link):
                continue
            if kind in vocab["thumbnail_representation_types"] or kind.rstrip("/").endswith(
                    tuple(vocab["thumbnail_representation_types"])):
                thumb = thumb or link
            else:
                image = image or link
        resource_rights, _photo_credit = _rights(lido, lido.one(resource, "lido:rightsResource"))
        image_rights = image_rights or resource_rights
        if image or thumb:
            break
    raw["image_url"] = image or thumb
    raw["credit_line"] = credit
    raw["rights"] = record_rights(metadata=metadata_rights, text=metadata_rights, image=image_rights or work_rights)
