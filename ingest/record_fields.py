"""One raw record (a parsed JSON object or a mapped CSV row) made safe to validate and store.

Collection exports are messy in ordinary ways: ``keywords`` as one ``"a; b; c"`` string, a
year as ``"1850"`` or ``1850.0``, a number where a text is expected, HTML in a description.
They are also sometimes hostile: ``javascript:`` URLs, ``<script>``, values nested thousands
deep, numbers the engine cannot store (``1e30`` years, NaN, integers past 64 bits), lone
surrogates. :func:`clean_record` turns all of that into a raw dict the record model accepts:

* a field of the wrong shape loses that field (or that list item), never the record, and
  each loss is a :class:`FieldProblem` the loader reports as a warning;
* delimited strings in list fields are split on :attr:`LoadLimits.list_delimiters`;
* text becomes plain text (tags and entities of HTML removed; scripts and styles dropped);
* ``url`` / ``image_url`` must be http(s);
* years must lie in [``min_year``, ``max_year``]; every number must fit the engine
  (finite, within 64-bit integers); nothing may nest deeper than ``max_depth``;
* text fields longer than ``max_text_chars`` are cut at a word boundary.

Only an unusable ``id`` (a lone surrogate cannot be stored or cited) makes the record fail.

Example::

    cleaned = clean_record({"id": "m:1", "title": "Vase", "keywords": "clay; blue"}, LoadLimits())
    cleaned.raw["keywords"]  # ['clay', 'blue']
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from rag.config import Settings
from rag.models import TEXT_FIELDS

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

#: Fields holding one text.
STR_FIELDS: tuple[str, ...] = (
    "museum", "date", "department", "type", "object_name", "technique", "dimensions",
    "description", "did_you_know", "provenance", "inscriptions", "credit_line", "location", "language",
)  # fmt: skip
#: Fields holding a text or a list of texts.
STR_OR_LIST_FIELDS: tuple[str, ...] = ("culture", "period", "dynasty", "reign", "style", "place_of_origin")
#: Fields holding a list.
LIST_FIELDS: tuple[str, ...] = ("keywords", "exhibitions")
YEAR_FIELDS: tuple[str, ...] = ("date_begin", "date_end")
IDENTIFIER_FIELDS: tuple[str, ...] = ("source_id", "accession_number")
URL_FIELDS: tuple[str, ...] = ("url", "image_url")
TRANSLATION_FIELDS: tuple[str, ...] = ("title_translations", "description_translations")
OBJECT_FIELDS: tuple[str, ...] = ("license", "rights")
CREATOR_KEYS: tuple[str, ...] = ("name", "role", "nationality", "dates", "display")
#: Required fields: never dropped (the record model reports them when unusable).
REQUIRED_FIELDS: tuple[str, ...] = ("id", "title")

_MARKUP = re.compile(r"<[A-Za-z!/?]|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_DROPPED_TAGS = ["script", "style", "noscript", "template", "iframe", "object", "embed", "head"]
_BLOCK_TAGS = ["p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article", "ul", "ol", "table"]
_YEAR = re.compile(r"^[+-]?\d+(?:\.0*)?$")


class _TooDeep(Exception):
    """A value nested deeper than the limit: its whole field is dropped."""


@dataclass(frozen=True)
class LoadLimits:
    """Limits and conventions applied to every record at load (from :class:`Settings`)."""

    list_delimiters: tuple[str, ...] = (";", "|")
    min_year: int = -3_000_000
    max_year: int = 2_100
    max_record_bytes: int = 2_000_000
    max_text_chars: int = 500_000
    max_depth: int = 20

    @classmethod
    def from_settings(cls, settings: Settings) -> "LoadLimits":
        return cls(
            list_delimiters=tuple(settings.list_delimiters),
            min_year=settings.min_year,
            max_year=settings.max_year,
            max_record_bytes=settings.max_record_bytes,
            max_text_chars=settings.max_text_chars,
            max_depth=settings.max_nesting_depth,
        )


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


@dataclass
class CleanedRecord:
    raw: dict[str, Any]
    problems: list[FieldProblem] = field(default_factory=list)
    #: Set when the record cannot be kept at all (field, message).
    fatal: FieldProblem | None = None


# --- text ------------------------------------------------------------------------------------
def plain_text(value: str, multiline: bool = True) -> str:
    """``value`` without HTML tags, entities, scripts or styles (unchanged when it has none)."""
    if not _MARKUP.search(value):
        return value
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(value, "html.parser")
    for tag in soup(_DROPPED_TAGS):
        tag.decompose()
    for tag in soup("br"):
        tag.replace_with("\n")
    for tag in soup(_BLOCK_TAGS):
        tag.insert_after("\n")
    text = soup.get_text()
    if not multiline:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def split_delimited(value: str, delimiters: tuple[str, ...]) -> list[str]:
    """``"a; b | c"`` -> ``["a", "b", "c"]`` (empty parts dropped)."""
    parts = [value]
    for delimiter in delimiters:
        parts = [piece for part in parts for piece in part.split(delimiter)]
    return [part.strip() for part in parts if part.strip()]


def is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in value)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ", int(limit * 0.9))
    return head[:space] if space > 0 else head


# --- the cleaner -------------------------------------------------------------------------------
class _Cleaner:
    def __init__(self, limits: LoadLimits, html: bool) -> None:
        self.limits = limits
        self.html = html
        self.problems: list[FieldProblem] = []

    def warn(self, name: str, message: str) -> None:
        self.problems.append(FieldProblem(name, message))

    # values of any field: numbers the engine can store, bounded nesting, valid Unicode
    def storable(self, value: Any, name: str, depth: int = 0) -> tuple[bool, Any]:
        if depth > self.limits.max_depth:
            raise _TooDeep(name)
        if isinstance(value, bool) or value is None:
            return True, value
        if isinstance(value, int):
            if not INT64_MIN <= value <= INT64_MAX:
                self.warn(name, f"the number {_short(value)} does not fit in 64 bits; dropped")
                return False, None
            return True, value
        if isinstance(value, float):
            if not math.isfinite(value):
                self.warn(name, f"{value} is not a finite number; dropped")
                return False, None
            return True, value
        if isinstance(value, str):
            if _SURROGATE.search(value):
                self.warn(name, "holds an invalid character (a lone UTF-16 surrogate); replaced by U+FFFD")
                value = _SURROGATE.sub("\ufffd", value)
            return True, value
        if isinstance(value, list):
            items = []
            for index, item in enumerate(value):
                ok, item = self.storable(item, f"{name}[{index}]", depth + 1)
                if ok:
                    items.append(item)
            return True, items
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                ok, item = self.storable(item, f"{name}.{key}", depth + 1)
                if ok:
                    out[str(key)] = item
            return True, out
        self.warn(name, f"a {type(value).__name__} cannot be stored; dropped")
        return False, None

    def text(self, value: Any, name: str, multiline: bool = True) -> str | None:
        """A text value, or None (with a warning) when the value is not one."""
        if isinstance(value, bool) or isinstance(value, (dict,)):
            self.warn(name, f"expected a text, got {_kind(value)}; dropped")
            return None
        if isinstance(value, (int, float)):
            value = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        elif isinstance(value, list):
            if not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
                self.warn(name, "expected a text, got a list holding non-text items; dropped")
                return None
            value = "; ".join(str(v) for v in value)
        if not isinstance(value, str):
            self.warn(name, f"expected a text, got {_kind(value)}; dropped")
            return None
        if self.html:
            value = plain_text(value, multiline=multiline)
        if len(value) > self.limits.max_text_chars:
            self.warn(name, f"{len(value):,} characters, over the limit of {self.limits.max_text_chars:,}; cut there")
            value = _cut(value, self.limits.max_text_chars)
        return value

    def text_list(self, value: Any, name: str) -> list[str] | None:
        if isinstance(value, str):
            value = split_delimited(value, self.limits.list_delimiters)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list):
            self.warn(name, f"expected a list of texts, got {_kind(value)}; dropped")
            return None
        items = []
        for index, item in enumerate(value):
            if item is None:
                continue
            if isinstance(item, (dict, list)) or isinstance(item, bool):
                self.warn(f"{name}[{index}]", f"expected a text, got {_kind(item)}; item dropped")
                continue
            text = self.text(item, f"{name}[{index}]", multiline=False)
            if text:
                items.append(text)
        return items

    def year(self, value: Any, name: str) -> int | None:
        if isinstance(value, bool):
            self.warn(name, f"expected a year, got {_kind(value)}; dropped")
            return None
        if isinstance(value, str):
            stripped = value.strip()
            if not stripped:
                return None
            if not _YEAR.match(stripped):
                self.warn(name, f"expected a year, got the text {_short(value)!r}; dropped")
                return None
            value = int(float(stripped)) if "." in stripped else int(stripped)
        if isinstance(value, float):
            if not value.is_integer():
                self.warn(name, f"expected a whole year, got {_short(value)}; dropped")
                return None
            value = int(value)
        if not isinstance(value, int):
            self.warn(name, f"expected a year, got {_kind(value)}; dropped")
            return None
        if not self.limits.min_year <= value <= self.limits.max_year:
            self.warn(
                name, f"the year {_short(value)} is outside {self.limits.min_year}..{self.limits.max_year}; dropped"
            )
            return None
        return value

    def identifier(self, value: Any, name: str) -> str | int | None:
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            self.warn(name, f"expected a text or a number, got {_kind(value)}; dropped")
            return None
        if isinstance(value, float):
            return int(value) if value.is_integer() and INT64_MIN <= value <= INT64_MAX else str(value)
        if isinstance(value, int):
            return value if INT64_MIN <= value <= INT64_MAX else str(value)
        return self.text(value, name, multiline=False)

    def url(self, value: Any, name: str) -> str | None:
        if not isinstance(value, str):
            self.warn(name, f"expected a URL, got {_kind(value)}; dropped")
            return None
        value = re.sub(r"\s", lambda m: f"%{ord(m.group()):02X}", value.strip())  # "Top View.jpg" -> "Top%20View.jpg"
        if not value:
            return None
        if not is_web_url(value):
            self.warn(name, f"{_short(value)!r} is not an http(s) URL; dropped")
            return None
        return value

    def creators(self, value: Any) -> list[dict[str, Any]] | None:
        if isinstance(value, str):
            value = [{"name": name} for name in split_delimited(value, self.limits.list_delimiters)]
        elif isinstance(value, dict):
            value = [value]
        if not isinstance(value, list):
            self.warn("creators", f"expected a list of creators, got {_kind(value)}; dropped")
            return None
        creators = []
        for index, item in enumerate(value):
            where = f"creators[{index}]"
            if isinstance(item, str):
                item = {"name": item}
            if not isinstance(item, dict):
                self.warn(where, f"expected a creator object or a name, got {_kind(item)}; item dropped")
                continue
            creator: dict[str, Any] = {}
            for key, part in item.items():
                if part is None:
                    continue
                if key in CREATOR_KEYS:
                    part = self.text(part, f"{where}.{key}", multiline=False)
                    if part is None:
                        continue
                creator[key] = part
            if creator:
                creators.append(creator)
        return creators

    def translations(self, value: Any, name: str) -> dict[str, str] | None:
        if not isinstance(value, dict):
            self.warn(name, f"expected an object of language -> text, got {_kind(value)}; dropped")
            return None
        out = {}
        for lang, text in value.items():
            cleaned = self.text(text, f"{name}.{lang}", multiline=name.startswith("description"))
            if cleaned:
                out[str(lang)] = cleaned
        return out

    def object_field(self, value: Any, name: str) -> Any:
        if not isinstance(value, dict):
            self.warn(name, f"expected an object, got {_kind(value)}; dropped")
            return None
        return _map_strings(value, lambda s: plain_text(s, multiline=False) if self.html else s)


def clean_record(raw: dict[str, Any], limits: LoadLimits, html: bool = True) -> CleanedRecord:
    """``raw`` with every field made storable; ``html=False`` keeps text as is (already plain)."""
    cleaner = _Cleaner(limits, html)
    ident = raw.get("id")
    if isinstance(ident, str) and _SURROGATE.search(ident):
        return CleanedRecord(raw, [], FieldProblem("id", "holds an invalid character (a lone UTF-16 surrogate)"))
    out: dict[str, Any] = {}
    for name, value in raw.items():
        name = str(name)
        if value is None:
            continue
        try:
            ok, value = cleaner.storable(value, name)
        except _TooDeep:
            cleaner.warn(name, f"nested deeper than {limits.max_depth} levels; dropped")
            continue
        if not ok:
            continue
        value = _clean_field(cleaner, name, value)
        if value is not None or name in REQUIRED_FIELDS:
            out[name] = value
    return CleanedRecord(out, cleaner.problems)


def _clean_field(cleaner: _Cleaner, name: str, value: Any) -> Any:
    if name == "id":
        if isinstance(value, (int, str)) and not isinstance(value, bool):
            return str(value).strip()
        return value  # the record model reports it
    if name == "title":
        return cleaner.text(value, name, multiline=False) if not isinstance(value, bool) else value
    if name in STR_FIELDS:
        return cleaner.text(value, name, multiline=name in TEXT_FIELDS)
    if name in STR_OR_LIST_FIELDS:
        if isinstance(value, str) and any(d in value for d in cleaner.limits.list_delimiters):
            return cleaner.text_list(value, name)
        if isinstance(value, list):
            return cleaner.text_list(value, name)
        return cleaner.text(value, name, multiline=False)
    if name == "keywords":
        return cleaner.text_list(value, name)
    if name == "exhibitions":
        if isinstance(value, str):
            return cleaner.text_list(value, name)
        if isinstance(value, dict):
            return [cleaner.object_field(value, name)]
        if not isinstance(value, list):
            cleaner.warn(name, f"expected a list, got {_kind(value)}; dropped")
            return None
        return [cleaner.text(v, name, multiline=False) if isinstance(v, str) else v for v in value]
    if name in YEAR_FIELDS:
        return cleaner.year(value, name)
    if name in IDENTIFIER_FIELDS:
        return cleaner.identifier(value, name)
    if name in URL_FIELDS:
        return cleaner.url(value, name)
    if name == "creators":
        return cleaner.creators(value)
    if name in TRANSLATION_FIELDS:
        return cleaner.translations(value, name)
    if name in OBJECT_FIELDS:
        return cleaner.object_field(value, name)
    if name == "source":
        if isinstance(value, (dict, str)):
            return value
        cleaner.warn(name, f"expected an object or a text, got {_kind(value)}; dropped")
        return None
    if isinstance(value, str) and cleaner.html:
        return plain_text(value)
    return value


def _map_strings(value: Any, fn) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_map_strings(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _map_strings(v, fn) for k, v in value.items()}
    return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, (int, float)):
        return f"the number {_short(value)}"
    return f"a {type(value).__name__}"


def _short(value: Any, limit: int = 60) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**18:
        return f"a {value.bit_length()}-bit integer"
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
