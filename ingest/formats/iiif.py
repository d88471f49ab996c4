"""IIIF Presentation manifests (API 2.x and 3.0) onto the collection schema.

Mapping: ``label`` (title; a v3 language map keeps every language, ``none`` meaning no language),
``summary`` (v3) / ``description`` (v2) (description), ``metadata`` pairs by their label through the
catalogue-label vocabulary (``data/labels.json``: "Artist" -> a creator with role "Artist", "Date" -> date,
"Medium" -> technique, ...), ``requiredStatement`` (v3) / ``attribution`` (v2) (credit line), ``rights``
(v3) / ``license`` (v2) (rights of the metadata and the image), ``homepage`` / ``related`` (web page),
``provider`` (museum), and the first canvas's image and its IIIF Image service (thumbnails). When a manifest
has no description, its unmapped metadata pairs become the description ("Label: value." lines), so
the record keeps its text.
"""

from __future__ import annotations

from typing import Any, Iterator

from ingest.formats.common import (
    as_list,
    node_id,
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
from rag.rights import find_licence, rights_from


def is_iiif(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    context = data.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if any(isinstance(c, str) and "iiif.io/api/presentation" in c for c in contexts):
        return True
    return data.get("type") == "Manifest" or data.get("@type") == "sc:Manifest"


def _version(manifest: dict) -> int:
    context = manifest.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if any(isinstance(c, str) and "presentation/2" in c for c in contexts) or "@type" in manifest:
        return 2
    return 3


def language_values(value: Any) -> list[tuple[str, str | None]]:
    """(text, language) of a IIIF value: a string, a v2 {"@value", "@language"} or list, or a v3 language map."""
    found: list[tuple[str, str | None]] = []
    if value is None:
        return found
    if isinstance(value, str):
        text = clean(value)
        return [(text, None)] if text else []
    if isinstance(value, list):
        for item in value:
            found.extend(language_values(item))
        return found
    if isinstance(value, dict):
        if "@value" in value:
            text = clean(value.get("@value"))
            return [(text, language_code(value.get("@language")))] if text else []
        for lang, texts in value.items():
            code = None if lang in ("none", "@none") else language_code(lang)
            for text in as_list(texts):
                cleaned = clean(text) if isinstance(text, str) else None
                if cleaned:
                    found.append((cleaned, code))
    return found


def _strip_html(text: str) -> str:
    if "<" not in text:
        return text
    from bs4 import BeautifulSoup

    return clean(BeautifulSoup(text, "html.parser").get_text(" ")) or ""


def _texts(value: Any) -> LangTexts:
    collected = LangTexts()
    for text, lang in language_values(value):
        collected.add(_strip_html(text), lang)
    return collected


def map_file(data: Any, prefix: str) -> Iterator[Mapped]:
    manifests = data if isinstance(data, list) else [data]
    for index, manifest in enumerate(manifests):
        if isinstance(manifest, dict) and (manifest.get("type") == "Collection" or manifest.get("@type") == "sc:Collection"):
            yield Mapped({}, label=node_id(manifest) or f"collection #{index + 1}", error_field="type",
                         error="a IIIF Collection lists manifests by reference; convert each Manifest file instead")
            continue
        yield map_manifest(manifest, prefix, index)


def map_manifest(manifest: Any, prefix: str, index: int = 0) -> Mapped:
    if not isinstance(manifest, dict):
        return Mapped({}, label=f"manifest #{index + 1}", error="not a JSON object")
    ident = node_id(manifest)
    titles = _texts(manifest.get("label"))
    primary = titles.languages()[0] if titles.languages() else None
    title, title_translations = titles.pick(primary, joiner=" / ")
    label = ident or title or f"manifest #{index + 1}"
    if not title:
        return Mapped({}, label=label, error="no label (the manifest's title)", error_field="label")
    if not ident:
        return Mapped({}, label=label, error="no id", error_field="id")
    version = _version(manifest)
    descriptions = _texts(manifest.get("summary") if version == 3 else manifest.get("description"))
    if version == 3 and not descriptions and manifest.get("description"):
        descriptions = _texts(manifest.get("description"))
    raw: dict[str, Any] = {
        "id": record_id(prefix, ident),
        "title": title,
        "title_translations": title_translations,
        "language": primary,
        "source": {"format": f"iiif-presentation-{version}", "manifest": ident},
    }
    leftovers = _metadata(manifest.get("metadata"), raw, primary, descriptions)
    if not raw.get("date") and isinstance(manifest.get("navDate"), str):  # v3: the date to navigate by
        year = years(manifest["navDate"][:4])[0]
        raw["date"], raw["date_begin"], raw["date_end"] = (str(year), year, year) if year is not None else (None, None, None)
    description, description_translations = descriptions.pick(primary)
    if not description and leftovers:
        description = "\n".join(f"{k}: {v.rstrip('.')}." for k, v in leftovers)
    elif leftovers:  # kept for the registrar to see (convert), not chunked
        raw["source"]["metadata"] = [{"label": k, "value": v} for k, v in leftovers]
    raw["description"] = description
    raw["description_translations"] = description_translations
    statement = manifest.get("requiredStatement") if version == 3 else None
    if isinstance(statement, dict):
        credit = _texts(statement.get("value")).pick(primary, joiner=" ")[0]
    else:
        credit = _texts(manifest.get("attribution")).pick(primary, joiner=" ")[0]
    raw["credit_line"] = raw.get("credit_line") or credit
    rights_uri = manifest.get("rights") if version == 3 else None
    rights_uri = rights_uri or next((node_id(v) for v in as_list(manifest.get("license"))), None)
    manifest_rights = rights_from(rights_uri) if rights_uri else raw.pop("_rights", None)
    if manifest_rights is None:  # a licence named only in the attribution ("... (CC BY-NC 4.0)")
        manifest_rights = find_licence(credit)
    raw.pop("_rights", None)
    pages = [node_id(p) for p in as_list(manifest.get("homepage") if version == 3 else manifest.get("related"))]
    raw["url"] = next((p for p in pages if is_url(p)), None)
    provider = next((_texts(p.get("label")).pick(primary, joiner=" ")[0] for p in as_list(manifest.get("provider"))
                     if isinstance(p, dict)), None)
    raw["museum"] = raw.get("museum") or provider
    image, service, image_rights_uri = _first_image(manifest, version)
    if not image:
        thumbs = as_list(manifest.get("thumbnail"))
        image = next((node_id(t) for t in thumbs if node_id(t)), None)
        service = service or next((_service_id(t) for t in thumbs if isinstance(t, dict) and _service_id(t)), None)
    raw["image_url"], raw["image_service"] = image, service
    image_rights = rights_from(image_rights_uri) if image_rights_uri else manifest_rights
    raw["rights"] = record_rights(metadata=manifest_rights, text=manifest_rights, image=image_rights)
    return Mapped({k: v for k, v in raw.items() if v not in (None, "", [], {})}, label=ident)


def _metadata(pairs: Any, raw: dict[str, Any], primary: str | None, descriptions: LangTexts) -> list[tuple[str, str]]:
    """Map metadata pairs onto fields; returns the pairs no label matched, as (label, value)."""
    labels = {field: set(names) for field, names in vocabulary("labels").items() if not field.startswith("_")}
    leftovers: list[tuple[str, str]] = []
    creators: list[dict[str, Any]] = []
    for pair in as_list(pairs):
        if not isinstance(pair, dict):
            continue
        label = _texts(pair.get("label")).pick(primary, joiner=" ")[0]
        values = _texts(pair.get("value"))
        value = values.pick(primary, joiner="; ")[0]
        if not label or not value:
            continue
        key = label.strip().rstrip(":").lower()
        field = next((f for f, names in labels.items() if key in names), None)
        if field == "creator":
            for name in unique(v.strip() for v in value.split(";")):
                creators.append({"name": name, "role": label.strip().rstrip(":")})
        elif field == "date":
            raw.setdefault("date", value)
            begin, end = years(value)
            raw.setdefault("date_begin", begin)
            raw.setdefault("date_end", end)
        elif field == "description":
            for lang, texts in values.by_lang.items():
                for text in texts:
                    descriptions.add(text, lang)
        elif field == "rights":
            raw["_rights"] = rights_from(value)
        elif field is not None:
            raw.setdefault(field, value)
        else:
            leftovers.append((label, value))
    if creators:
        raw["creators"] = creators
    return leftovers


def _service_id(resource: dict) -> str | None:
    for service in as_list(resource.get("service")):
        if not isinstance(service, dict):
            continue
        kind = str(service.get("type") or service.get("@type") or "") + str(service.get("profile") or "") + str(
            service.get("@context") or "")
        if "ImageService" in kind or "iiif.io/api/image" in kind or "level" in kind:
            return node_id(service)
    return None


def _first_image(manifest: dict, version: int) -> tuple[str | None, str | None, str | None]:
    """(image URL, IIIF image service, the image's own rights) of the first canvas."""
    if version == 2:
        for sequence in as_list(manifest.get("sequences")):
            for canvas in as_list(sequence.get("canvases")) if isinstance(sequence, dict) else []:
                for annotation in as_list(canvas.get("images")) if isinstance(canvas, dict) else []:
                    resource = annotation.get("resource") if isinstance(annotation, dict) else None
                    if isinstance(resource, dict):
                        license = next((node_id(v) for v in as_list(resource.get("license"))), None)
                        return node_id(resource), _service_id(resource), license
                return None, None, None
        return None, None, None
    for canvas in as_list(manifest.get("items")):
        if not isinstance(canvas, dict):
            continue
        for page in as_list(canvas.get("items")):
            for annotation in as_list(page.get("items")) if isinstance(page, dict) else []:
                if not isinstance(annotation, dict) or annotation.get("motivation", "painting") != "painting":
                    continue
                for body in as_list(annotation.get("body")):
                    if isinstance(body, dict) and body.get("type", "Image") in ("Image", "Choice"):
                        if body.get("type") == "Choice":
                            body = next((b for b in as_list(body.get("items")) if isinstance(b, dict)), body)
                        return node_id(body), _service_id(body), body.get("rights")
        return None, None, None
    return None, None, None
