"""Sentence boundaries with character offsets, and the word normalisation shared by chunking and answering.

Offsets matter here: every chunk and every quoted sentence must point back at the exact
span of the museum's record, so splitting never rewrites the text. The words that decide a
boundary are data of the language layer: ``sentence_abbreviations`` ("ca.", "Mme.") and, after a
person's initials ("Q.Z. Varrow" vs "by Q.Z. The..."), the stop words a sentence opens with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.language.language import SUPPORTED, Language

_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+|$)")
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ0-9]+(?:['’][A-Za-z]+)?")
_LETTERS = re.compile(r"[^\W\d_]+")


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
    if word in _abbreviations():
        return False
    if len(word) == 1 and word.isalpha():  # an initial: "John F. Kennedy"
        return False
    nxt = _skip_space(text, end)
    # A full stop followed by a lower-case word or a digit rarely ends a sentence ("c. 1850").
    if nxt < len(text) and (text[nxt].islower() or text[nxt].isdigit()):
        return False
    if _is_initials(word) and not _after_comma(text, word_start):
        # A person's initials ("bought by Q.Z. Varrow"): a sentence ends there only when the next word is one a
        # sentence opens with (a stop word), not a name. Initials after a comma are a place's ("Lisle, D.C. Mary
        # ..."): a capital after them opens a sentence, as after any other word.
        following = _LETTERS.match(text, nxt)
        return following is None or following.group().lower() in _sentence_openers()
    return True


def _is_initials(word: str) -> bool:
    """Two or more single letters joined by full stops: "k.t", "d.c"."""
    parts = word.split(".")
    return len(parts) > 1 and all(len(part) == 1 and part.isalpha() for part in parts)


def _after_comma(text: str, pos: int) -> bool:
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    return pos > 0 and text[pos - 1] == ","


@lru_cache(maxsize=None)
def _abbreviations() -> frozenset[str]:
    """Abbreviations of every supported language after which a full stop does not end a sentence: the titles the
    verifier also reads (``abbreviations``) and the splitter's own (``sentence_abbreviations``)."""
    return frozenset(
        w.lower()
        for code in SUPPORTED
        for name in ("abbreviations", "sentence_abbreviations")
        for w in Language.for_code(code).wordlist(name)
    )


@lru_cache(maxsize=None)
def _sentence_openers() -> frozenset[str]:
    """Words a sentence may open with after initials: the stop words of every supported language, less the
    particles inside a name ("van", "de")."""
    openers: set[str] = set()
    particles: set[str] = set()
    for code in SUPPORTED:
        language = Language.for_code(code)
        openers |= language.wordlist("stopwords")
        particles |= language.wordlist("name_particles") | language.wordlist("name_connectors")
    return frozenset(w.lower() for w in openers - particles)


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
