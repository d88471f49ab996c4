"""What every format module shares: the mapped-record type, vocabularies (data files), ids, years, languages, text.

A format module turns one source record into a :class:`Mapped`: the fields of
:class:`rag.models.CollectionRecord` as a dict, or an ``error`` when the record cannot become one, plus
``warnings`` for fields that were lost. The loader validates it and reports problems as ``LoadIssue``\\ s.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable
from urllib.parse import urlsplit

from rag.models import RecordRights, Rights


@dataclass
class Mapped:
    """One source record mapped onto the collection schema (``raw``), or why it could not be (``error``)."""

    raw: dict[str, Any]
    label: str | None = None  # how messages name the record: its id, URI or identifier
    line: int | None = None
    error: str | None = None
    error_field: str | None = None
    warnings: list[tuple[str | None, str]] = field(default_factory=list)
    deleted: bool = False  # an OAI-PMH header with status="deleted"
    datestamp: str | None = None


def as_list(value: Any) -> list:
    """A JSON value as a list: None is empty, a single value a list of one."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def node_id(node: Any) -> str | None:
    """The identifier of a JSON-LD node (``id`` or ``@id``), or the node itself when it is a URI string."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        return node.get("id") or node.get("@id")
    return None


@lru_cache(maxsize=None)
def vocabulary(name: str) -> dict[str, Any]:
    """A vocabulary data file of this package (``ingest/formats/data/<name>.json``)."""
    text = resources.files("ingest.formats").joinpath("data", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


_GENERIC_SEGMENTS = {"manifest", "manifest.json", "index.json", "info.json", "json", "jsonld", "data", "object", "objects"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._~-]+")


def local_id(identifier: str) -> str:
    """A record's own id made safe for ``prefix:local`` (no slashes): a URI's last meaningful path segment."""
    text = identifier.strip()
    if re.match(r"^[a-z][a-z0-9+.-]*://", text, flags=re.IGNORECASE):
        parts = urlsplit(text)
        segments = [s for s in parts.path.split("/") if s]
        while len(segments) > 1 and segments[-1].lower() in _GENERIC_SEGMENTS:
            segments.pop()
        text = parts.fragment or (segments[-1] if segments else parts.netloc)
    elif text.lower().startswith("oai:"):
        text = text.split(":", 2)[-1]
    return _UNSAFE.sub("-", text).strip("-") or "record"


def record_id(prefix: str, identifier: str) -> str:
    return f"{prefix}:{local_id(identifier)}"


_YEAR = re.compile(r"(?<![\d.,])(\d{3,4})(?![\d.,]\d|\d)")
_DECADE = re.compile(r"(?<!\d)(\d{3})0s\b")
_ISO_NEGATIVE = re.compile(r"^\s*-(\d{1,6})")
_BCE = re.compile(r"\b(b\.?\s?c\.?e?|v\.?\s?chr\.?|av\.?\s?j\.?-?c\.?)\b", re.IGNORECASE)
_CENTURY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th|e|\.)?\s*(?:century|jahrhundert|jh\.?|eeuw|siècle|secolo|siglo)", re.IGNORECASE)


def years(text: str | None) -> tuple[int | None, int | None]:
    """The year range a display date covers: "ca. 1650-1655" -> (1650, 1655); "17th century" -> (1601, 1700)."""
    if not text:
        return None, None
    value = str(text)
    negative = _ISO_NEGATIVE.match(value)
    if negative:
        return -int(negative.group(1)), -int(negative.group(1))
    found = [int(y) for y in _YEAR.findall(value)]
    found += [int(d) * 10 + 9 for d in _DECADE.findall(value)]
    if _BCE.search(value):
        found = [-abs(y) for y in found]
    if found:
        return min(found), max(found)
    centuries = [int(c) for c in _CENTURY.findall(value)]
    if centuries:
        sign = -1 if _BCE.search(value) else 1
        bounds = [((c - 1) * 100 + 1) * sign for c in centuries] + [c * 100 * sign for c in centuries]
        return min(bounds), max(bounds)
    return None, None


def year_of(timestamp: str | None) -> int | None:
    """The year of an ISO 8601 date or date-time ("1642-01-01T00:00:00Z", "-0500-01-01")."""
    if not timestamp:
        return None
    match = re.match(r"^\s*([+-]?\d{1,6})", str(timestamp))
    return int(match.group(1)) if match else None


def date_display(begin: int | None, end: int | None) -> str | None:
    if begin is None and end is None:
        return None
    if begin is None or end is None or begin == end:
        return str(begin if begin is not None else end)
    return f"{begin}-{end}"


def language_code(value: str | None) -> str | None:
    """ISO 639-1 for a code ("en", "eng", "en-GB"), a name ("English", "Deutsch") or an AAT language id."""
    if not value:
        return None
    text = str(value).strip()
    aat = re.search(r"aat[:/](\d+)$", text)
    if aat:
        return vocabulary("aat")["languages"].get(aat.group(1))
    lowered = text.lower()
    languages = vocabulary("languages")
    if lowered in languages["names"]:
        return languages["names"][lowered]
    base = re.split(r"[-_]", lowered)[0]
    if len(base) == 2 and base.isalpha():
        return base
    return languages["codes"].get(base)


def clean(text: Any) -> str | None:
    """Text with wrapped lines joined and runs of white space collapsed; blank lines stay paragraph breaks."""
    if text is None:
        return None
    value = str(text).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", value)]
    joined = "\n\n".join(p for p in paragraphs if p)
    return joined or None


def unique(values: Iterable[str | None]) -> list[str]:
    """Non-empty values, first occurrence kept, in order."""
    return list(dict.fromkeys(v for v in values if v))


class LangTexts:
    """Texts of one field collected per language, then split into the primary language's and translations."""

    def __init__(self) -> None:
        self.by_lang: dict[str | None, list[str]] = {}

    def add(self, text: str | None, lang: str | None) -> None:
        value = clean(text)
        if value:
            bucket = self.by_lang.setdefault(lang, [])
            if value not in bucket:
                bucket.append(value)

    def __bool__(self) -> bool:
        return bool(self.by_lang)

    def languages(self) -> list[str]:
        return [lang for lang in self.by_lang if lang]

    def pick(self, primary: str | None, joiner: str | None = "\n\n") -> tuple[str | None, dict[str, str]]:
        """(the text in ``primary`` or, failing that, the first language given; the others by language)."""
        if not self.by_lang:
            return None, {}
        if primary in self.by_lang:
            main_lang = primary
        elif None in self.by_lang:
            main_lang = None
        else:
            main_lang = next(iter(self.by_lang))

        def join(texts: list[str]) -> str:
            return joiner.join(texts) if joiner is not None else texts[0]

        main = join(self.by_lang[main_lang])
        translations = {lang: join(texts) for lang, texts in self.by_lang.items() if lang and lang != main_lang}
        return main, translations


def primary_language(*candidates: str | None) -> str | None:
    return next((c for c in candidates if c), None)


def record_rights(metadata: Rights | None = None, text: Rights | None = None, image: Rights | None = None) -> dict | None:
    if metadata is None and text is None and image is None:
        return None
    return RecordRights(metadata=metadata, text=text, image=image).model_dump(mode="json", exclude_none=True)


_IMAGE_SUFFIX = re.compile(r"\.(jpe?g|png|gif|tiff?|webp|jp2)(\?|$)", re.IGNORECASE)


def looks_like_image(url: str | None) -> bool:
    return bool(url) and (bool(_IMAGE_SUFFIX.search(url)) or "/iiif/" in url.lower() and "/full/" in url.lower())


def is_url(value: str | None) -> bool:
    return bool(value) and str(value).strip().lower().startswith(("http://", "https://"))
