"""May a visitor page show a record's image, or only link to it? Decided from the image's rights.

The open rights (CC0, the Public Domain Mark, Creative Commons licences, rightsstatements.org's
"No Copyright" statements without contractual restrictions) are listed in
``rag/data/image_display_rights.json``; unknown or missing image rights mean: link only.

Example::

    may_display_image(RecordRights(image=Rights(uri="https://creativecommons.org/publicdomain/zero/1.0/")))  # True
    may_display_image(None)                                                                                  # False
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from rag.models import RecordRights


@lru_cache(maxsize=1)
def _open_rights() -> tuple[tuple[str, ...], tuple[str, ...]]:
    data = json.loads(resources.files("rag.data").joinpath("image_display_rights.json").read_text(encoding="utf-8"))
    uris = tuple(p.casefold() for p in data.get("uri_prefixes", []))
    labels = tuple(p.casefold() for p in data.get("label_prefixes", []))
    return uris, labels


def _bare(uri: str) -> str:
    text = uri.strip().casefold()
    for scheme in ("https://", "http://"):
        if text.startswith(scheme):
            text = text[len(scheme):]
    return text[4:] if text.startswith("www.") else text


def may_display_image(rights: RecordRights | None) -> bool:
    """True only when the image's own rights are known to allow showing it."""
    image = rights.image if rights is not None else None
    if image is None:
        return False
    uris, labels = _open_rights()
    if image.uri and _bare(image.uri).startswith(uris):
        return True
    return bool(image.label and image.label.strip().casefold().startswith(labels))
