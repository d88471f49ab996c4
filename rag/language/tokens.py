"""The one tokenizer: words and numbers with their character offsets.

A token is a run of letters (any script; apostrophes join "O'Keeffe", "don't", "l'atelier"), or a
number with its suffix ("1850s", "19th", "$1,200", "3.5"). Punctuation is not a token; the
offsets let a caller look at what stands between two tokens.

Example::

    >>> [(t.text, t.start, t.end) for t in split_tokens("Oil on canvas, 1850s.")]
    [('Oil', 0, 3), ('on', 4, 6), ('canvas', 7, 13), ('1850s', 15, 20)]
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: A number (with thousands, decimals and an ordinal, decade or possessive suffix) or a word of letters.
TOKEN_PATTERN = re.compile(
    r"\$?\d+(?:,\d{3})*(?:\.\d+)?(?:st|nd|rd|th|s|'s)?|\.\d+|[^\W\d_]+(?:['’][^\W\d_]+)*"
)


@dataclass(frozen=True, slots=True)
class RawToken:
    """A token as written, with its offsets in the text (``text[start:end] == token.text``)."""

    text: str
    start: int
    end: int


def split_tokens(text: str) -> list[RawToken]:
    """The tokens of ``text`` with their offsets, in order."""
    return [RawToken(m.group(0), m.start(), m.end()) for m in TOKEN_PATTERN.finditer(text)]


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, accents stripped, typographic apostrophe straightened: ``Miloš`` and ``milos`` compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("’", "'")


@dataclass(frozen=True, slots=True)
class Token:
    """A token of a language: as written, where, its normal form, its stem and whether it is a stop word.

    ``norm`` is lower-case without accents or a possessive ("Stuart's" -> "stuart"); ``stem`` is the
    library stemmer's stem of the (irregular-form normalised) word, accents folded.
    """

    text: str
    start: int
    end: int
    norm: str
    stem: str
    is_stop: bool

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()

    @property
    def is_number(self) -> bool:
        return self.text[:1].isdigit() or self.text[:1] in "$."
