"""Sentence boundaries with character offsets, and the word normalisation shared by chunking and answering.

Offsets matter here: every chunk and every quoted sentence must point back at the exact
span of the museum's record, so splitting never rewrites the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Abbreviations after which a full stop does not end a sentence (lower-cased, no dot).
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr st jr sr rev gen col capt lt maj sgt gov sen rep pres prof hon mt ft no vol
    ca c fl b d approx inc ltd co corp bros dept est etc vs jan feb mar apr jun jul aug sep sept oct nov dec
    u.s e.g i.e a.m p.m""".split()
)
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+|$)")
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ0-9]+(?:['’][A-Za-z]+)?")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Span]:
    """Split ``text`` into sentences; ``text[span.start:span.end] == span.text`` always holds."""
    spans: list[Span] = []
    start = _skip_space(text, 0)
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if end <= start or not _is_boundary(text, match.start(), end):
            continue
        spans.append(Span(start, end, text[start:end]))
        start = _skip_space(text, end)
    if start < len(text.rstrip()):
        end = len(text.rstrip())
        spans.append(Span(start, end, text[start:end]))
    return spans


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _is_boundary(text: str, dot: int, end: int) -> bool:
    if text[dot] != ".":
        return True
    word_start = dot
    while word_start > 0 and not text[word_start - 1].isspace() and text[word_start - 1] not in "(\"'“":
        word_start -= 1
    word = text[word_start:dot].lower().strip("\"'“‘(")
    if word in _ABBREVIATIONS:
        return False
    if len(word) == 1 and word.isalpha():  # an initial: "John F. Kennedy"
        return False
    nxt = _skip_space(text, end)
    # A full stop followed by a lower-case word or a digit rarely ends a sentence ("c. 1850").
    if nxt < len(text) and (text[nxt].islower() or text[nxt].isdigit()):
        return False
    return True


def words(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def split_long(text: str, start: int, end: int, max_chars: int) -> list[Span]:
    """Cut one over-long span at word boundaries into pieces of at most ``max_chars`` characters."""
    pieces: list[Span] = []
    pos = start
    while pos < end:
        stop = min(end, pos + max_chars)
        if stop < end:
            space = text.rfind(" ", pos + 1, stop)
            if space > pos:
                stop = space
        pieces.append(Span(pos, stop, text[pos:stop]))
        pos = _skip_space(text, stop)
    return pieces
