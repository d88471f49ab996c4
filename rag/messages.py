"""Visitor-facing messages in the visitor's language, from JSON message catalogues.

Every sentence the product writes itself (the frame of an answer, an abstention, a correction,
the suggestions line, a catalogue fact rendered as a sentence) comes from a catalogue in
``rag/data/messages/<lang>.json``: one flat object of ``key -> template`` with ``str.format``
placeholders. A key missing from a language falls back to English, so a new message never
breaks a translation; a language without a catalogue gets English.

Example::

    messages = Messages.for_language("fr")
    messages.text("abstain")                      # the French abstention
    messages.text("suggestions", titles="“A”, “B”")
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

DEFAULT_LANGUAGE = "en"


@lru_cache(maxsize=None)
def _catalogue(lang: str) -> dict[str, str]:
    path = resources.files("rag.data").joinpath("messages", f"{lang}.json")
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def available_languages() -> list[str]:
    """The languages that have a catalogue, English first."""
    folder = resources.files("rag.data").joinpath("messages")
    langs = sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))
    return sorted(langs, key=lambda lang: lang != DEFAULT_LANGUAGE)


class Messages:
    """The catalogue of one language, with English behind it."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if _catalogue(lang) else DEFAULT_LANGUAGE
        self._own = _catalogue(self.lang)
        self._fallback = _catalogue(DEFAULT_LANGUAGE)

    @classmethod
    def for_language(cls, lang: str | None) -> "Messages":
        return cls((lang or DEFAULT_LANGUAGE).lower().split("-")[0])

    def has(self, key: str) -> bool:
        """Whether the catalogue (or English behind it) has ``key``."""
        return key in self._own or key in self._fallback

    def text(self, key: str, **values: object) -> str:
        template = self._own.get(key) or self._fallback.get(key)
        if template is None:
            raise KeyError(f"no message {key!r} in the {self.lang!r} or {DEFAULT_LANGUAGE!r} catalogue")
        return template.format(**values)
