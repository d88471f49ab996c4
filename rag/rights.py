"""Rights statements: URIs (Creative Commons, rightsstatements.org, SPDX ids) to human labels, and whether an image
may be shown.

The vocabulary is data (``rag/data/rights.json``): labels of Creative Commons licences are composed from the
licence code and the version in the URI; rightsstatements.org statements and a few other fixed URIs are listed.

Example::

    >>> rights_from("http://creativecommons.org/licenses/by-sa/4.0/").label
    'CC BY-SA 4.0 (Creative Commons Attribution-ShareAlike 4.0)'
    >>> rights_from("CC0-1.0").display
    True
    >>> rights_from("http://rightsstatements.org/vocab/InC/1.0/").display
    False
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from rag.models import License, RecordRights, Rights

_CC_LICENCE = re.compile(r"^/licenses/([a-z-]+)/(\d+(?:\.\d+)?)(?:/([a-z]{2})(?=/|$))?")
_CC_PUBLIC = re.compile(r"^/publicdomain/([a-z]+)/(\d+(?:\.\d+)?)")
_RS = re.compile(r"^/(?:vocab|page|data)/([A-Za-z-]+)/(\d+(?:\.\d+)?)")
_SPDX_CC = re.compile(r"^cc-(by(?:-nc)?(?:-sa|-nd)?)-(\d+(?:\.\d+)?)(?:-([a-z]{2,3}))?$", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_CC_IN_TEXT = re.compile(r"\bCC[ -]?(BY(?:-NC)?(?:-SA|-ND)?)[ -](\d\.\d)\b|\bCC0\b|\bCC[ -]ZERO\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    """The rights vocabulary (``rag/data/rights.json``)."""
    return json.loads(resources.files("rag.data").joinpath("rights.json").read_text(encoding="utf-8"))


def not_stated() -> Rights:
    """What a citation says when the source gives no rights."""
    return Rights(uri=None, label=vocabulary()["not_stated"], display=False)


def _cc(path: str) -> tuple[str, str, bool] | None:
    """(canonical URI, label, display) of a creativecommons.org path."""
    vocab = vocabulary()
    match = _CC_LICENCE.match(path)
    if match and match.group(1) in vocab["cc_licences"]:
        code, version, port = match.groups()
        uri = f"https://creativecommons.org/licenses/{code}/{version}/" + (f"{port}/" if port else "")
        where = f" {port.upper()}" if port else ""
        label = f"CC {code.upper()} {version}{where} (Creative Commons {vocab['cc_licences'][code]} {version})"
        return uri, label, bool(vocab["cc_display"])
    match = _CC_PUBLIC.match(path)
    if match and match.group(1) in vocab["cc_public_domain"]:
        kind, version = match.groups()
        entry = vocab["cc_public_domain"][kind]
        return f"https://creativecommons.org/publicdomain/{kind}/{version}/", entry["label"].format(version=version), bool(entry["display"])
    return None


def _rightsstatements(path: str) -> tuple[str, str, bool] | None:
    match = _RS.match(path)
    if not match:
        return None
    statements = vocabulary()["rightsstatements"]
    code = next((c for c in statements if c.lower() == match.group(1).lower()), None)
    if code is None:
        return None
    entry = statements[code]
    return f"http://rightsstatements.org/vocab/{code}/{match.group(2)}/", entry["label"], bool(entry["display"])


def _from_uri(uri: str) -> Rights | None:
    parts = urlsplit(uri.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path if parts.path.endswith("/") or "." in parts.path.rsplit("/", 1)[-1] else parts.path + "/"
    found = None
    if host == "creativecommons.org":
        found = _cc(path)
    elif host == "rightsstatements.org":
        found = _rightsstatements(path)
    else:
        for known, entry in vocabulary()["other_uris"].items():
            if uri.strip().rstrip("/").lower().replace("https://", "http://") == known.rstrip("/").lower():
                found = (known, entry["label"], bool(entry["display"]))
    if found is None:
        return None
    canonical, label, display = found
    return Rights(uri=canonical, label=label, display=display)


def _from_spdx_or_name(text: str) -> Rights | None:
    key = " ".join(text.strip().lower().split())
    named = {k: v for k, v in vocabulary()["names"].items() if not k.startswith("_")}
    if key in named:
        return _from_uri(named[key])
    match = _SPDX_CC.match(key.replace(" ", "-"))
    if match:
        code, version, port = match.groups()
        return _from_uri(f"https://creativecommons.org/licenses/{code}/{version}/" + (f"{port}/" if port else ""))
    return None


def rights_from(value: str | None, label: str | None = None) -> Rights | None:
    """A :class:`Rights` from a URI, an SPDX id, a known name or a free-text statement; None when empty.

    A recognised URI (also one found inside a free-text statement) gets the vocabulary's label, or ``label``
    when the vocabulary has none; an unrecognised URI keeps ``label`` (or the URI) and is not displayable;
    free text is kept as the label.
    """
    text = (value or "").strip()
    given = (label or "").strip() or None
    if not text and not given:
        return None
    if text.lower().startswith(("http://", "https://")):
        known = _from_uri(text)
        return known if known is not None else Rights(uri=text, label=given or text, display=False)
    if text:
        known = _from_spdx_or_name(text)
        if known is not None:
            return known
        known = find_licence(text)
        if known is not None:
            return known
    if given and not text:
        known = _from_spdx_or_name(given)
        if known is not None:
            return known
    return Rights(uri=None, label=text or given, display=False)


def find_licence(text: str | None) -> Rights | None:
    """A recognised licence named inside free text (a URI, "CC BY-NC 4.0", "CC0"), else None."""
    if not text:
        return None
    url = _URL.search(text)
    if url is not None:
        known = _from_uri(url.group(0).rstrip(".,;"))
        if known is not None:
            return known
    match = _CC_IN_TEXT.search(text)
    if match is None:
        return None
    if match.group(1):
        return _from_uri(f"https://creativecommons.org/licenses/{match.group(1).lower()}/{match.group(2)}/")
    return _from_uri("https://creativecommons.org/publicdomain/zero/1.0/")


def may_display(rights: Rights | None) -> bool:
    """Whether an image under these rights may be shown (open licences, public domain); else only linked."""
    if rights is None:
        return False
    if rights.display is not None:
        return bool(rights.display)
    known = rights_from(rights.uri) if rights.uri else None
    return bool(known and known.display)


def from_license(license: License | None) -> RecordRights | None:
    """Rights for a record in the collection schema, from its ``license`` {metadata, text, statement}."""
    if license is None:
        return None
    metadata = rights_from(license.metadata)
    text = rights_from(license.text)
    if metadata is None and text is None:
        return None
    return RecordRights(metadata=metadata, text=text, image=None)


def complete(rights: RecordRights | None) -> RecordRights:
    """Rights with every part filled: what is absent says "Rights not stated"; known URIs get their labels."""
    parts: dict[str, Rights] = {}
    for part in ("metadata", "text", "image"):
        given = getattr(rights, part, None) if rights is not None else None
        if given is None or not (given.uri or given.label):
            parts[part] = not_stated()
            continue
        known = rights_from(given.uri) if given.uri else None
        if known is not None and known.uri and known.label != given.uri:
            parts[part] = Rights(uri=known.uri, label=given.label if _is_free_text(given) else known.label,
                                 display=known.display if given.display is None else given.display)
        else:
            parts[part] = Rights(uri=given.uri, label=given.label or given.uri, display=bool(given.display))
    return RecordRights(**parts)


def _is_free_text(rights: Rights) -> bool:
    """A label that is the source's own sentence (kept) rather than a name the vocabulary can replace."""
    return bool(rights.label) and rights.label != rights.uri and len(rights.label.split()) > 6
