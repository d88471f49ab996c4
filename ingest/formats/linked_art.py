"""Linked Art JSON-LD (the CIDOC-CRM profile of the Getty, Rijksmuseum, Yale LUX, ...) onto the collection schema.

Read as plain JSON, as Linked Art intends: no context is fetched. Both the current model (``HumanMadeObject``,
``content``, ``_label``, ``part``) and the pre-1.0 one (``ManMadeObject``, ``value``, ``label``,
``consists_of``) are read. Classifications are compared by their Getty AAT number whatever the URI form
(``aat:300404670``, ``http://vocab.getty.edu/aat/300404670``, ``.../page/aat/...``); which numbers mean a
primary title, a description, a provenance statement, ... is data (``data/aat.json``).

Mapping: titles from ``identified_by`` Names (the primary title by classification; one per language);
makers and their roles from ``produced_by`` and its nested ``part`` / ``consists_of`` (also
``assigned_by`` attributions); dates from timespans; materials from ``made_of`` (a materials statement
wins); texts from ``referred_to_by`` by classification; the accession number from Identifiers; rights from
``subject_to`` (object: image; statements: text; rights statements and the wrapper: metadata); the image and
its IIIF service from ``representation``; the web page from ``subject_of``.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from ingest.formats.common import (
    as_list,
    node_id,
    LangTexts,
    Mapped,
    clean,
    date_display,
    is_url,
    language_code,
    looks_like_image,
    record_id,
    record_rights,
    unique,
    vocabulary,
    year_of,
    years,
)
from rag.models import Rights
from rag.rights import rights_from

OBJECT_TYPES = {"HumanMadeObject", "ManMadeObject", "PhysicalHumanMadeThing", "PhysicalManMadeThing",
                "crm:E22_Human-Made_Object", "crm:E22_Man-Made_Object"}
_AAT = re.compile(r"aat[:/](\d+)\s*$")


def is_linked_art(data: Any) -> bool:
    """Whether parsed JSON looks like Linked Art: its context or its object type says so."""
    items = data if isinstance(data, list) else [data]
    for item in items[:3]:
        if not isinstance(item, dict):
            return False
        context = item.get("@context")
        contexts = context if isinstance(context, list) else [context]
        if any(isinstance(c, str) and "linked.art" in c for c in contexts):
            return True
        if _type(item) in OBJECT_TYPES:
            return True
        for key in ("@graph", "items", "orderedItems"):
            if isinstance(item.get(key), list) and item[key] and is_linked_art(item[key]):
                return True
    return False


# --- small accessors that hide the two model versions ------------------------------------------------


def _type(node: Any) -> str | None:
    if not isinstance(node, dict):
        return None
    value = node.get("type") or node.get("@type")
    if isinstance(value, list):
        value = value[0] if value else None
    return value


def _label(node: Any) -> str | None:
    if not isinstance(node, dict):
        return None
    value = node.get("_label") or node.get("label") or node.get("rdfs:label")
    return clean(value) if isinstance(value, str) else None


def _content(node: Any) -> str | None:
    if not isinstance(node, dict):
        return None
    value = node.get("content") if node.get("content") is not None else node.get("value")
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if v)
    return clean(value) if value is not None else None


def aat_number(node: Any) -> str | None:
    ident = node_id(node)
    match = _AAT.search(ident) if ident else None
    return match.group(1) if match else None


def _classes(node: Any, nested: bool = False) -> set[str]:
    """AAT numbers of a node's classifications (with ``nested``, also of those classifications' own)."""
    found: set[str] = set()
    for entry in as_list(node.get("classified_as")) if isinstance(node, dict) else []:
        number = aat_number(entry)
        if number:
            found.add(number)
        if nested and isinstance(entry, dict):
            found |= _classes(entry, nested=True)
    return found


def _languages(node: Any) -> list[str]:
    codes = []
    for entry in as_list(node.get("language")) if isinstance(node, dict) else []:
        code = language_code(node_id(entry)) if node_id(entry) else None
        code = code or language_code(_label(entry)) or (language_code(entry) if isinstance(entry, str) else None)
        if code:
            codes.append(code)
    return codes


def _lang(node: Any) -> str | None:
    codes = _languages(node)
    return codes[0] if codes else None


def _name_of(node: Any) -> str | None:
    """An actor's or concept's display name: its primary Name, any Name, or its label."""
    if not isinstance(node, dict):
        return None
    names = [n for n in as_list(node.get("identified_by")) if _type(n) in ("Name", "Appellation", "PersonName", None)]
    primary_ids = set(vocabulary("aat")["primary_title"])
    for name in names:
        if _classes(name) & primary_ids and _content(name):
            return _content(name)
    for name in names:
        if _type(name) != "Identifier" and _content(name):
            return _content(name)
    return _label(node)


# --- the mapping ------------------------------------------------------------------------------------


def iter_objects(data: Any) -> Iterator[tuple[dict, Any]]:
    """(object, wrapper rights node) for each object in a file: one object, a list, or a wrapper."""
    if isinstance(data, list):
        for item in data:
            yield from iter_objects(item)
        return
    if not isinstance(data, dict):
        return
    for key in ("@graph", "items", "orderedItems"):
        if isinstance(data.get(key), list) and _type(data) not in OBJECT_TYPES:
            for item in data[key]:
                if isinstance(item, dict):
                    yield item, data.get("subject_to")
            return
    yield data, None


def map_file(data: Any, prefix: str) -> Iterator[Mapped]:
    """Map every object of a file; people, groups and places in the same file name the actors objects refer to."""
    items = list(iter_objects(data))
    entities = {node_id(node): node for node, _ in items if _type(node) not in OBJECT_TYPES and node_id(node)}
    objects = [(node, rights) for node, rights in items if _type(node) in OBJECT_TYPES or not entities.get(node_id(node))]
    for index, (obj, wrapper_rights) in enumerate(objects):
        yield map_object(obj, prefix, index, wrapper_rights, entities)


def map_object(obj: dict, prefix: str, index: int = 0, wrapper_rights: Any = None,
               entities: dict[str, dict] | None = None) -> Mapped:
    ident = node_id(obj)
    label = ident or _label(obj) or f"object #{index + 1}"
    if _type(obj) and _type(obj) not in OBJECT_TYPES:
        return Mapped({}, label=label, error=f"not a Linked Art object (type {_type(obj)!r}); expected HumanMadeObject",
                      error_field="type")
    warnings: list[tuple[str | None, str]] = []
    titles, accession = _titles_and_number(obj)
    texts = _statements(obj)
    primary = titles.languages()[0] if titles.languages() else (texts["description"].languages() or [None])[0]
    title, title_translations = titles.pick(primary, joiner=None)
    if not title:
        return Mapped({}, label=label, error="no title: no Name in identified_by (its _label is a developer label, "
                      "not a title); record skipped", error_field="identified_by")
    if not ident and not accession:
        return Mapped({}, label=title, error="no id and no accession number to identify the record", error_field="id")
    raw: dict[str, Any] = {
        "id": record_id(prefix, ident or str(accession)),
        "title": title,
        "title_translations": title_translations,
        "language": primary,
        "accession_number": accession,
        "source": {"format": "linked-art", "uri": ident} if ident else {"format": "linked-art"},
    }
    for name in ("description", "provenance", "inscriptions", "credit_line", "technique", "dimensions",
                 "culture", "place_of_origin"):
        collected: LangTexts = texts[name]
        if not collected:
            continue
        value, translations = collected.pick(primary)
        raw[name] = value
        if name == "description" and translations:
            raw["description_translations"] = translations
    if texts["exhibitions"]:
        raw["exhibitions"] = [t for ts in texts["exhibitions"].by_lang.values() for t in ts]
    _production(obj, raw, entities or {})
    materials = unique(_name_of(m) for m in as_list(obj.get("made_of")))
    if materials and not raw.get("technique"):
        raw["technique"] = ", ".join(materials)
    raw["type"] = _work_type(obj)
    raw["museum"] = next((_name_of(o) for o in as_list(obj.get("current_owner")) + as_list(obj.get("current_keeper"))
                          if _name_of(o)), None)
    image, service, image_rights = _image(obj)
    raw["image_url"], raw["image_service"] = image, service
    raw["url"] = _web_page(obj)
    object_rights = _rights_of(obj)
    metadata_rights = texts["_rights_statement"] or _rights_of({"subject_to": wrapper_rights})
    raw["rights"] = record_rights(metadata=metadata_rights, text=texts["_text_rights"],
                                  image=image_rights or object_rights)
    return Mapped({k: v for k, v in raw.items() if v not in (None, "", [], {})}, label=ident or title, warnings=warnings)


def _titles_and_number(obj: dict) -> tuple[LangTexts, str | None]:
    aat = vocabulary("aat")
    primary_ids, number_ids = set(aat["primary_title"]), set(aat["accession_number"])
    primary, other = LangTexts(), LangTexts()
    accession = None
    first_identifier = None
    for entry in as_list(obj.get("identified_by")):
        kind = _type(entry)
        if kind == "Identifier":
            if accession is None and _classes(entry) & number_ids:
                accession = _content(entry)
            first_identifier = first_identifier or _content(entry)
            continue
        if kind not in ("Name", "Appellation", "Title", None) or not _content(entry):
            continue
        langs = _languages(entry) or [None]
        target = primary if _classes(entry, nested=True) & primary_ids else other
        for lang in langs:
            target.add(_content(entry), lang)
        for translation in as_list(entry.get("translation")):  # a Name's translations into other languages
            for lang in _languages(translation) or [None]:
                target.add(_content(translation), lang)
    titles = primary if primary else other
    for lang, texts in other.by_lang.items():  # a language given only by a non-primary Name still counts
        if lang not in titles.by_lang:
            titles.by_lang[lang] = texts
    return titles, accession or first_identifier


def _statements(obj: dict) -> dict[str, Any]:
    aat = vocabulary("aat")
    by_number = {number: name for name in aat["statement_priority"] for number in aat["statements"][name]}
    priority = {name: rank for rank, name in enumerate(aat["statement_priority"])}
    found: dict[str, Any] = {name: LangTexts() for name in aat["statements"]}
    found["_rights_statement"] = None
    found["_text_rights"] = None
    for statement in as_list(obj.get("referred_to_by")):
        text = _content(statement)
        if not text:
            continue
        names = [by_number[n] for n in _classes(statement, nested=False) if n in by_number]
        if not names:
            names = [by_number[n] for n in _classes(statement, nested=True) if n in by_number]
        name = min(names, key=priority.get) if names else "description"
        statement_rights = _rights_of(statement)
        if name == "rights":
            found["_rights_statement"] = found["_rights_statement"] or rights_from(
                statement_rights.uri if statement_rights else text, label=text)
            continue
        if statement_rights is not None and found["_text_rights"] is None:
            found["_text_rights"] = statement_rights
        langs = _languages(statement) or [None]
        for lang in langs:
            found[name].add(text, lang)
    return found


def _rights_of(node: Any) -> Rights | None:
    """The first rights in a node's ``subject_to``: the Right's classification (a licence URI) or its own id."""
    if not isinstance(node, dict):
        return None
    for right in as_list(node.get("subject_to")):
        candidates = [node_id(c) for c in as_list(right.get("classified_as"))] if isinstance(right, dict) else []
        candidates.append(node_id(right))
        label = _label(right) or _content(right) or next(
            (_label(c) for c in as_list(right.get("classified_as"))), None) if isinstance(right, dict) else None
        for uri in candidates:
            if uri and is_url(uri) and "vocab.getty.edu" not in uri:
                return rights_from(uri, label=label)
        names = [_content(n) for n in as_list(right.get("identified_by"))] if isinstance(right, dict) else []
        text = next((n for n in names if n), None) or label
        if text:
            return rights_from(text)
    return None


def _production(obj: dict, raw: dict[str, Any], entities: dict[str, dict]) -> None:
    creators: list[dict[str, Any]] = []
    spans: list[tuple[str | None, int | None, int | None]] = []
    for production in as_list(obj.get("produced_by")) + as_list(obj.get("created_by")):
        _walk_activity(production, None, creators, spans, entities)
    if not creators:  # actors given only by URI: a statement about the production may still name them
        for production in as_list(obj.get("produced_by")):
            for activity in [production] + as_list(production.get("part") if isinstance(production, dict) else None):
                for statement in as_list(activity.get("referred_to_by")) if isinstance(activity, dict) else []:
                    if _content(statement):
                        creators.append({"name": _content(statement), "role": _role(activity, None)})
    seen = set()
    unique_creators = []
    for creator in creators:
        key = (creator["name"], creator.get("role"))
        if key not in seen:
            seen.add(key)
            unique_creators.append(creator)
    if unique_creators:
        raw["creators"] = unique_creators
    displays = unique(s[0] for s in spans)
    begins = [s[1] for s in spans if s[1] is not None]
    ends = [s[2] for s in spans if s[2] is not None]
    begin, end = (min(begins) if begins else None), (max(ends) if ends else None)
    if displays and (begin is None or end is None):
        parsed = years(displays[0])
        begin = begin if begin is not None else parsed[0]
        end = end if end is not None else parsed[1]
    raw["date"] = displays[0] if len(displays) == 1 else (date_display(begin, end) or (displays[0] if displays else None))
    raw["date_begin"], raw["date_end"] = begin, end


def _role(activity: dict, inherited: str | None) -> str | None:
    roles = vocabulary("aat")["roles"]
    for entry in as_list(activity.get("classified_as")):
        text = _label(entry) or roles.get(aat_number(entry) or "")
        if text:
            return text
    return inherited


def _walk_activity(activity: Any, inherited_role: str | None, creators: list, spans: list,
                   entities: dict[str, dict]) -> None:
    if not isinstance(activity, dict):
        return
    role = _role(activity, inherited_role)
    span = activity.get("timespan")
    if isinstance(span, dict):
        display = next((_content(n) for n in as_list(span.get("identified_by")) if _content(n)), None) or _label(span)
        begin = year_of(span.get("begin_of_the_begin") or span.get("end_of_the_begin"))
        end = year_of(span.get("end_of_the_end") or span.get("begin_of_the_end"))
        spans.append((display, begin, end))
    for actor in as_list(activity.get("carried_out_by")):
        _add_creator(actor, role, creators, entities)
    for assignment in as_list(activity.get("assigned_by")):
        if not isinstance(assignment, dict):
            continue
        qualifier = next((_label(c) for c in as_list(assignment.get("classified_as")) if _label(c)), None)
        for actor in as_list(assignment.get("assigned")):
            if _type(actor) in ("Person", "Group", "Actor", "Organization", None):
                _add_creator(actor, qualifier or role, creators, entities)
    for part in as_list(activity.get("part")) + as_list(activity.get("consists_of")):
        _walk_activity(part, role, creators, spans, entities)


def _add_creator(actor: Any, role: str | None, creators: list, entities: dict[str, dict]) -> None:
    """An actor as a creator; an actor given only by its URI is named from the same file's record of it."""
    known = entities.get(node_id(actor) or "")
    if known is not None and not _name_of(actor):
        actor = known
    elif known is not None and isinstance(actor, dict):
        actor = {**known, **actor}
    name = _name_of(actor)
    if not name and isinstance(actor, str):
        return
    if not name:
        return
    creator: dict[str, Any] = {"name": name, "role": role}
    if isinstance(actor, dict):
        born = year_of((actor.get("born") or {}).get("timespan", {}).get("begin_of_the_begin")) if isinstance(actor.get("born"), dict) else None
        died = year_of((actor.get("died") or {}).get("timespan", {}).get("end_of_the_end")) if isinstance(actor.get("died"), dict) else None
        if born or died:
            creator["dates"] = f"{born or ''}-{died or ''}"
    creators.append(creator)


def _work_type(obj: dict) -> str | None:
    aat = vocabulary("aat")
    type_of_work, generic = set(aat["type_of_work"]), set(aat["generic_object_types"])
    entries = [e for e in as_list(obj.get("classified_as")) if isinstance(e, dict)]
    for entry in entries:
        if _classes(entry) & type_of_work and _label(entry):
            return _label(entry)
    for entry in entries:
        if aat_number(entry) not in generic and _label(entry):
            return _label(entry)
    return None


def _image(obj: dict) -> tuple[str | None, str | None, Rights | None]:
    """(image URL, IIIF image service, the image's rights) from ``representation``."""
    image = service = None
    rights = None
    for visual in as_list(obj.get("representation")):
        if not isinstance(visual, dict):
            continue
        rights = rights or _rights_of(visual)
        shown = as_list(visual.get("digitally_shown_by"))
        for digital in shown:
            if not isinstance(digital, dict):
                continue
            rights = rights or _rights_of(digital)
            for point in as_list(digital.get("access_point")):
                image = image or node_id(point)
            for via in as_list(digital.get("digitally_available_via")):
                conforms = " ".join(node_id(c) or "" for c in as_list(via.get("conforms_to"))) if isinstance(via, dict) else ""
                for point in as_list(via.get("access_point")) if isinstance(via, dict) else []:
                    if "iiif.io/api/image" in conforms or not conforms:
                        service = service or node_id(point)
            if not image and node_id(digital) and looks_like_image(node_id(digital)):
                image = node_id(digital)
        if not shown and node_id(visual) and is_url(node_id(visual)):  # the pre-1.0 model: the image is the VisualItem
            image = image or node_id(visual)
        if image:
            break
    if not image:  # an image among the digital objects the object is the subject of
        for text in as_list(obj.get("subject_of")):
            for digital in as_list(text.get("digitally_carried_by")) if isinstance(text, dict) else []:
                if not isinstance(digital, dict):
                    continue
                for point in as_list(digital.get("access_point")):
                    url = node_id(point)
                    if is_url(url) and (str(digital.get("format", "")).startswith("image/") or looks_like_image(url)):
                        return url, service, rights or _rights_of(digital)
    return image, service, rights


def _web_page(obj: dict) -> str | None:
    page_ids = set(vocabulary("aat")["web_page"])
    fallback = None
    for text in as_list(obj.get("subject_of")):
        if not isinstance(text, dict):
            continue
        for digital in as_list(text.get("digitally_carried_by")):
            if not isinstance(digital, dict):
                continue
            formats = str(digital.get("format", ""))
            conforms = " ".join(node_id(c) or "" for c in as_list(digital.get("conforms_to")))
            for point in as_list(digital.get("access_point")):
                url = node_id(point)
                if not is_url(url) or "iiif.io/api" in conforms or formats.startswith("image/") or looks_like_image(url):
                    continue
                if "html" in formats or _classes(digital) & page_ids or _classes(text) & page_ids:
                    return url
                fallback = fallback or url
    return fallback
