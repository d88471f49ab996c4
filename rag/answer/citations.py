"""Numbered citations: each [n] of an answer is one quoted span of one retrieved record.

The book refuses to cite a record that was not retrieved for the question, so an answer can
never point anywhere else.

Example::

    book = CitationBook(retrieved_ids=["npg:65309"])
    n = book.cite(candidate)          # 1
    book.citations[0].quote           # the exact sentence, with its offsets into the field
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from rag.rights import may_display
from rag.models import Chunk, Citation


@dataclass(frozen=True)
class Quote:
    """An exact span of one record field: what a citation points at."""

    record_id: str
    chunk: Chunk
    start: int  # offsets into the field's text
    end: int
    text: str
    score: float = 0.0

    @property
    def key(self) -> tuple[str, str, int, int]:
        return (self.record_id, self.chunk.field, self.start, self.end)


class CitationError(ValueError):
    """An answer tried to cite a record that was not retrieved for the question."""


class CitationBook:
    """Assigns [n] numbers to quotes in order of first use; one number per distinct span."""

    def __init__(self, retrieved_ids: Iterable[str]) -> None:
        self.retrieved = set(retrieved_ids)
        self._numbers: dict[tuple[str, str, int, int], int] = {}
        self.citations: list[Citation] = []

    def cite(self, quote: Quote) -> int:
        if quote.record_id not in self.retrieved:
            raise CitationError(f"record {quote.record_id!r} was not retrieved for this question")
        n = self._numbers.get(quote.key)
        if n is None:
            n = self._numbers[quote.key] = len(self.citations) + 1
            self.citations.append(to_citation(quote, n))
        return n


def to_citation(quote: Quote, n: int) -> Citation:
    chunk = quote.chunk
    return Citation(
        n=n,
        record_id=quote.record_id,
        title=chunk.title,
        museum=chunk.museum,
        url=chunk.url,
        image_url=chunk.image_url,
        thumbnail_url=chunk.thumbnail_url,
        credit_line=chunk.credit_line,
        rights=chunk.rights,
        creators=chunk.creator_roles,
        date=chunk.date,
        type=chunk.type,
        lang=chunk.language,
        image_display=may_display(chunk.rights.image if chunk.rights is not None else None),
        field=chunk.field,
        quote=quote.text,
        start=quote.start,
        end=quote.end,
        score=round(float(quote.score), 4),
    )


#: "[1965]" in a record's text would read as a citation marker in an answer.
_BRACKETED_NUMBER = re.compile(r"\[(\d+)\]")


def display_text(quote: str) -> str:
    """A quote as shown inside an answer sentence: "[1965]" becomes "(1965)" (the citation keeps the exact quote)."""
    return _BRACKETED_NUMBER.sub(r"(\1)", quote)


def markers(ns: Iterable[int]) -> str:
    """" [1][2]" for the numbers given, in order, without repeats."""
    seen: list[int] = []
    for n in ns:
        if n not in seen:
            seen.append(n)
    return "".join(f"[{n}]" for n in seen)
