"""Field names of translated texts: a record's ``description`` in French is stored as the field ``description@fr``.

Example::

    translated_field("description", "fr")   # "description@fr"
    split_field("description@fr")           # ("description", "fr")
    split_field("description")              # ("description", None)
"""

from __future__ import annotations

#: Separates a field from the language of its translation in a chunk's field name.
TRANSLATION_MARK = "@"


def translated_field(field: str, lang: str) -> str:
    return f"{field}{TRANSLATION_MARK}{lang.strip().lower()}"


def split_field(field: str) -> tuple[str, str | None]:
    base, mark, lang = field.partition(TRANSLATION_MARK)
    return base, (lang or None) if mark else None
