"""Names folded for matching: any part of a name finds it, accents and case aside.

"Warhol", "andy" and "Andy Warhol" all find "Andy Warhol"; "Dvorak" finds "Antonín Dvořák".
Chunks carry their creators' name tokens (``creator_tokens``, a keyword-indexed payload field),
and the creator filter requires every token of what was typed.

Example::

    name_tokens("Antonín Dvořák")   # ['antonin', 'dvorak']
"""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"\w+", flags=re.UNICODE)
_PARENTHESES = re.compile(r"\([^)]*\)")


def without_parentheses(name: str) -> str:
    """A name without what a catalogue adds in parentheses (life dates, a place, "?"):
    "Anna Vos (1820 - 1890)" -> "Anna Vos"."""
    return " ".join(_PARENTHESES.sub(" ", name).split())


def fold(text: str) -> str:
    """Case-folded, accents removed (NFKD without combining marks): "Dvořák" -> "dvorak"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_tokens(*names: str | None) -> list[str]:
    """The distinct folded word tokens of the names, in order (apostrophes dropped: "O'Keeffe" -> "okeeffe")."""
    tokens: dict[str, None] = {}
    for name in names:
        if not name:
            continue
        for token in _TOKEN.findall(fold(name).replace("'", "").replace("\u2019", "")):
            tokens.setdefault(token, None)
    return list(tokens)
